// Benchmark (issue: statistics): the live population rollups against the naive GROUP BY over
// persons, side by side on the same database — city by district × population type, a district by
// street × age band, and the grid map layer of the whole city (target: each < 50 ms median).
//   DATABASE_URL=postgres://… npm run bench:stats -- [--runs 20] [--district 440104] [--drift]
// The service functions are called directly (no HTTP), as the API handler does, by an
// administrator; the naive queries are what one would write without rollups.
import { cpus } from 'node:os'
import { parseArgs } from 'node:util'
import { sql } from 'kysely'
import { openDatabase } from '../apps/server/src/db/database.js'
import { migrate } from '../apps/server/src/db/migrate.js'
import { ALL_PERMISSIONS } from '../apps/server/src/modules/access/permissions.js'
import { Principal } from '../apps/server/src/modules/access/principal.js'
import { createStatsService } from '../apps/server/src/modules/stats/stats.service.js'

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string', default: './var' },
    runs: { type: 'string', default: '20' },
    naiveRuns: { type: 'string', default: '3' },
    district: { type: 'string', default: '440104' },
    // Also run the drift check (a full recount: minutes on the whole city).
    drift: { type: 'boolean', default: false },
  },
})
const database = await openDatabase({ databaseUrl: process.env.DATABASE_URL || undefined, dataDir: values['data-dir'] as string })
const db = database.db
await migrate(db)
const stats = createStatsService({ db })
const p = new Principal(
  { id: 0, username: 'bench', displayName: 'bench', department: null },
  [{ role: 'admin', scope: '4401', permissions: new Set(ALL_PERMISSIONS) }],
  'system',
)
const district = values.district as string

async function median(runs: number, f: () => Promise<unknown>) {
  const ms: number[] = []
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    await f()
    ms.push(performance.now() - t0)
  }
  ms.sort((a, b) => a - b)
  return ms[Math.floor(ms.length / 2)] as number
}

const cases: { name: string; rollup: () => Promise<unknown>; naive: () => Promise<unknown> }[] = [
  {
    name: 'city by district × population type',
    rollup: async () => {
      const children = await stats.population(p, { region: '4401', by: 'children' })
      return Promise.all(children.groups.map((g) => stats.population(p, { region: g.key, by: 'type' })))
    },
    naive: () =>
      sql`select left(community_code, 6), population_type, count(*) from persons where status = 'active' group by 1, 2`.execute(
        db,
      ),
  },
  {
    name: `district ${district} by street × age band`,
    rollup: async () => {
      const children = await stats.population(p, { region: district, by: 'children' })
      return Promise.all(children.groups.map((g) => stats.population(p, { region: g.key, by: 'ageBand' })))
    },
    naive: () =>
      sql`select left(community_code, 9), width_bucket(extract(year from age(current_date, birth_date)), array[7, 18, 35, 60, 80]), count(*)
          from persons where status = 'active' and community_code like ${`${district}%`} group by 1, 2`.execute(db),
  },
  {
    name: 'map layer: every grid of the city',
    rollup: () => stats.gridLayer(p, { region: '4401', measure: 'all' }),
    naive: () =>
      sql`select grid_code, count(*) from persons where status = 'active' and grid_code is not null group by 1`.execute(db),
  },
]

console.log(`\n## statistics: rollups vs GROUP BY over persons, ${database.engine}`)
console.log(
  `machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length}, Node ${process.version}; ${new Date().toISOString().slice(0, 10)}`,
)
console.log('| question | rollups (median) | naive GROUP BY (median) | ratio | target < 50 ms |')
console.log('|---|---|---|---|---|')
for (const c of cases) {
  await c.rollup() // warm
  const r = await median(Number(values.runs), c.rollup)
  const n = await median(Number(values.naiveRuns), c.naive)
  console.log(`| ${c.name} | ${r.toFixed(1)} ms | ${n.toFixed(0)} ms | ${Math.round(n / r)}× | ${r < 50 ? '✔' : '✘'} |`)
}
if (values.drift) {
  const t0 = performance.now()
  const drift = await stats.drift()
  console.log(`drift check: ${drift.length} differences, ${((performance.now() - t0) / 1000).toFixed(1)} s`)
}
await database.close()
