// Benchmark: point → grid lookups per second on one core (the in-process Flatbush index).
//   npm run bench:lookup -- --data-dir DIR     (a data directory whose demo has been partitioned)
import { cpus } from 'node:os'
import { parseArgs } from 'node:util'
import { createRng } from '@wangge/geo'
import { openDatabase } from '../apps/server/src/db/database.js'
import { createGridsService } from '../apps/server/src/modules/grids/index.js'

const { values } = parseArgs({
  options: { 'data-dir': { type: 'string', default: './var' }, n: { type: 'string', default: '2000000' } },
})
const database = await openDatabase({ databaseUrl: process.env.DATABASE_URL || undefined, dataDir: values['data-dir'] as string })
const grids = createGridsService({ db: database.db })
const ix = (await grids.lookupIndex()).grids
const bbox = await database.db
  .selectFrom('grids')
  .select((eb) => [
    eb.fn.min('min_lng').as('x0'),
    eb.fn.min('min_lat').as('y0'),
    eb.fn.max('max_lng').as('x1'),
    eb.fn.max('max_lat').as('y1'),
  ])
  .where('status', '=', 'active')
  .executeTakeFirstOrThrow()
await database.close()
if (!ix.size) throw new Error('no grids: partition first (npm start, or npx wangge grids partition)')
const n = Number(values.n)
const rng = createRng('lookup')
const xs = new Float64Array(n)
const ys = new Float64Array(n)
for (let i = 0; i < n; i++) {
  xs[i] = Number(bbox.x0) + rng() * (Number(bbox.x1) - Number(bbox.x0))
  ys[i] = Number(bbox.y0) + rng() * (Number(bbox.y1) - Number(bbox.y0))
}
for (let i = 0; i < 100_000; i++) ix.find(xs[i] as number, ys[i] as number) // warm up
const t0 = performance.now()
let hits = 0
for (let i = 0; i < n; i++) if (ix.find(xs[i] as number, ys[i] as number)) hits++
const s = (performance.now() - t0) / 1000
console.log(
  `\n## lookup: ${ix.size} grids, ${n.toLocaleString('en')} random points in their bounding box (${((hits / n) * 100).toFixed(1)}% inside a grid)`,
)
console.log(`machine: ${cpus()[0]?.model ?? '?'}, one core, Node ${process.version}; ${new Date().toISOString().slice(0, 10)}`)
console.log(`${Math.round(n / s).toLocaleString('en')} lookups/s (${((s / n) * 1e9).toFixed(0)} ns each)`)
