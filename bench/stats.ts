// Benchmark (issue: statistics): the live population rollups against the naive GROUP BY over
// persons, side by side on the same database — city by district × population type, a district by
// street × age band, and the grid map layer of the whole city (target: each < 50 ms median); the
// case rollups against GROUP BY over cases (a year of the city by class, of a district by street).
//   DATABASE_URL=postgres://… npm run bench:stats -- [--runs 20] [--district 440104] [--drift]
//     [--workload 100000]   first apply that many random changes (births, deaths, moves between
//                           grids, new migrants, care-tag changes), then check the drift
// The drift check recounts everything from the base tables (minutes on the whole city).
// The service functions are called directly (no HTTP), as the API handler does, by an
// administrator; the naive queries are what one would write without rollups.
import { cpus } from 'node:os'
import { parseArgs } from 'node:util'
import { sql } from 'kysely'
import { openDatabase } from '../apps/server/src/db/database.js'
import { migrate } from '../apps/server/src/db/migrate.js'
import { ALL_PERMISSIONS, Principal } from '../apps/server/src/modules/access/index.js'
import { createCaseStats, createStatsService } from '../apps/server/src/modules/stats/index.js'
import { populationWorkload } from './stats-workload.js'

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string', default: './var' },
    runs: { type: 'string', default: '20' },
    naiveRuns: { type: 'string', default: '3' },
    district: { type: 'string', default: '440104' },
    // Also run the drift check (a full recount: minutes on the whole city).
    drift: { type: 'boolean', default: false },
    workload: { type: 'string', default: '0' },
    year: { type: 'string', default: '2026' },
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
const caseStats = createCaseStats({ db, clock: () => new Date() })
const year = values.year as string
const period = { from: `${year}-01-01`, to: `${year}-12-31` }

if (Number(values.workload) > 0) {
  const w = await populationWorkload(db, Number(values.workload))
  console.log(
    `workload: ${w.changes} changes (${Object.entries(w.kinds)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}) in ${(w.ms / 1000).toFixed(1)} s = ${Math.round(w.changes / (w.ms / 1000))} changes/s`,
  )
}

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
    rollup: () => stats.population(p, { region: '4401', by: 'children', of: 'type' }),
    naive: () =>
      sql`select left(community_code, 6), population_type, count(*) from persons where status = 'active' group by 1, 2`.execute(
        db,
      ),
  },
  {
    name: `district ${district} by street × age band`,
    rollup: () => stats.population(p, { region: district, by: 'children', of: 'ageBand' }),
    naive: () =>
      sql`select left(community_code, 9), width_bucket(extract(year from age(current_date, birth_date)), array[7, 18, 35, 60, 80]), count(*)
          from persons where status = 'active' and community_code like ${`${district}%`} group by 1, 2`.execute(db),
  },
  {
    name: 'map layer: every grid of the city',
    rollup: () => stats.gridLayer(p, { region: '4401', measure: 'all' }),
    naive: () =>
      sql`select population_grid(p.dwelling_id, d.grid_code, p.grid_code), count(*)
          from persons p left join dwellings d on d.id = p.dwelling_id where p.status = 'active' group by 1`.execute(db),
  },
  {
    name: `cases: the city's year ${year} by class`,
    rollup: () => caseStats.cases(p, { region: '4401', by: 'class', ...period }),
    naive: () =>
      sql`select left(catalog_code, 3), count(*), count(*) filter (where status = 'closed'), count(*) filter (where handled_on_time)
          from cases where reported_at >= ${`${period.from}T00:00:00+08:00`} and reported_at < ${`${Number(year) + 1}-01-01T00:00:00+08:00`}
          group by 1`.execute(db),
  },
  {
    name: `cases: district ${district}'s year by street`,
    rollup: () => caseStats.cases(p, { region: district, by: 'children', ...period }),
    naive: () =>
      sql`select left(community_code, 9), count(*), count(*) filter (where status = 'closed'), count(*) filter (where handled_on_time)
          from cases where community_code like ${`${district}%`}
            and reported_at >= ${`${period.from}T00:00:00+08:00`} and reported_at < ${`${Number(year) + 1}-01-01T00:00:00+08:00`}
          group by 1`.execute(db),
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
if (values.drift || Number(values.workload) > 0) {
  let t0 = performance.now()
  const drift = await stats.drift()
  console.log(`population drift check: ${drift.length} differences, ${((performance.now() - t0) / 1000).toFixed(1)} s`)
  if (drift.length) console.log(drift.slice(0, 20))
  t0 = performance.now()
  const caseDrift = await caseStats.drift()
  console.log(`case drift check: ${caseDrift.length} differences, ${((performance.now() - t0) / 1000).toFixed(1)} s`)
}
await database.close()
