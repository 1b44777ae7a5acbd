import { cpus, totalmem } from 'node:os'
import { parseArgs } from 'node:util'
import { type AreaGeometry, ogcInvalidity, toMulti } from '@wangge/geo'
import { createGridsService } from '../apps/server/src/modules/grids/index.js'
import { loadSynthetic } from '../apps/server/src/synth/loader.js'
import { PRESETS } from '../apps/server/src/synth/profiles.js'
import { gridProgress, progressReporter } from '../apps/server/src/synth/progress.js'
import { openBenchDatabase } from './bench-db.js'

const { values } = parseArgs({
  options: {
    preset: { type: 'string', default: 'yuexiu' },
    seed: { type: 'string', default: 'wangge' },
    target: { type: 'string', default: '200' },
    region: { type: 'string' },
    'data-dir': { type: 'string' },
  },
})
const preset = PRESETS[values.preset as string]
if (!preset) throw new Error(`unknown preset ${values.preset}`)
const database = await openBenchDatabase(values['data-dir'])
const load = progressReporter(`load ${preset.name}`, { info: (m) => console.log(m) })
await loadSynthetic(database, { preset, seed: values.seed as string, city: '4401', onProgress: load.update })
load.stop()
const loadPeakMb = Math.round(process.resourceUsage().maxRSS / 1024)

const region = values.region ?? preset.scope
const target = Number(values.target)
const bar = gridProgress(`partition ${region}`, { info: (m) => console.log(m) })
const t0 = Date.now()
const q = await createGridsService({ db: database.db }).partition(
  region,
  { target },
  bar.update,
  0,
  database.engine === 'postgres' ? 2 : 1,
)
bar.stop()
const seconds = (Date.now() - t0) / 1000
// Every grid's shape checked by the OGC rules (JTS's IsValidOp through JSTS), not timed.
let invalid = 0
let checked = 0
for (let after = ''; ; ) {
  const page = await database.db
    .selectFrom('grids')
    .select(['code', 'geometry'])
    .where('status', '=', 'active')
    .where('code', '>', after)
    .orderBy('code')
    .limit(2000)
    .execute()
  if (!page.length) break
  for (const g of page) {
    checked++
    const why = ogcInvalidity(toMulti(g.geometry as unknown as AreaGeometry))
    if (why && invalid++ < 5) console.log(`invalid grid ${g.code}: ${why}`)
  }
  after = page[page.length - 1]?.code as string
}
await database.close()
const pct = (x: number) => `${(x * 100).toFixed(1)}%`
console.log(`\n## partition: ${preset.name}, region ${region}, target ${target} households, ${database.engine}`)
console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; ${new Date().toISOString().slice(0, 10)}`,
)
console.log(
  `grids ${q.grids}; households per grid min ${q.households.min}, p5 ${q.households.p5}, median ${q.households.median}, p95 ${q.households.p95}, max ${q.households.max}`,
)
console.log(
  `within ±20% of target ${pct(q.withinTwentyPercent)}; contiguous ${pct(q.contiguous)}; Polsby–Popper p5 ${q.polsbyPopper.p5.toFixed(2)}, median ${q.polsbyPopper.median.toFixed(2)}; ${q.adjacencyPairs} adjacent pairs`,
)
console.log(`invalid shapes by the OGC rules (JTS IsValidOp): ${invalid} of ${checked} (target 0)`)
console.log(`(the load before it: peak RSS ${loadPeakMb} MB)`)
console.log(
  `time ${seconds.toFixed(1)} s (phases, ms: ${JSON.stringify(q.phaseMs)}; adjacency and the rest: ${Math.round(seconds * 1000 - Object.values(q.phaseMs).reduce((a, b) => a + b, 0))})`,
)
