// Benchmark (issue 22): the monthly evaluation of grid workers and the visit-coverage map on the
// demo's quarter of history — a district (越秀: 1,921 workers, ≈ 1.4M visit tasks in a month) and
// its largest street — with the grade distribution and the coverage bands it shows. Runs on a demo
// database whose background history has finished (`npm start`, then wait for "the history is
// complete"; the server stopped when the data directory is the embedded engine's):
//   npm run bench:evaluation -- --data-dir ./var [--region 440104] [--month 2026-11]
// Targets: a district < 5 s, a street < 1 s on the embedded engine; at least four grades used.
import { cpus } from 'node:os'
import { parseArgs } from 'node:util'
import { beijingDate } from '@wangge/domain'
import { sql } from 'kysely'
import { demoScope } from '../apps/server/src/boot.js'
import { openDatabase } from '../apps/server/src/db/database.js'
import { migrate } from '../apps/server/src/db/migrate.js'
import { createRosterService } from '../apps/server/src/modules/roster/index.js'
import { createVisitsService } from '../apps/server/src/modules/visits/index.js'
import { demoPrincipal } from '../apps/server/src/synth/demo-staff.js'

const lastMonth = () => {
  const [y, m] = beijingDate(new Date()).split('-').map(Number) as [number, number]
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`
}
const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string', default: './var' },
    region: { type: 'string' },
    month: { type: 'string', default: lastMonth() },
    runs: { type: 'string', default: '3' },
  },
})
const database = await openDatabase({ databaseUrl: process.env.DATABASE_URL || undefined, dataDir: values['data-dir'] as string })
const db = database.db
await migrate(db)
const region = values.region ?? (await demoScope(database)) ?? '440104'
const month = values.month as string
const runs = Number(values.runs)
const p = demoPrincipal('4401', 'bench', 'bench:evaluation')
const roster = createRosterService({ db, invalidate: () => {} })

const street = (
  await sql<{ street: string }>`
    select left(ur.scope, 9) as street from user_roles ur
    where ur.role_code = 'grid_worker' and length(ur.scope) = 15 and ur.scope like ${`${region}%`}
    group by 1 order by count(*) desc, 1 limit 1`.execute(db)
).rows[0]?.street
const tasks = Number(
  (
    await sql<{ n: number }>`
      select count(*)::int as n from visit_tasks
      where due_on between ${`${month}-01`}::date and (${`${month}-01`}::date + interval '1 month' - interval '1 day')::date
        and grid_code like ${`${region}%`}`.execute(db)
  ).rows[0]?.n,
)

async function time(area: string) {
  const ms: number[] = []
  let r: Awaited<ReturnType<typeof roster.evaluate>> | undefined
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    r = await roster.evaluate(p, { region: area, month })
    ms.push(performance.now() - t0)
  }
  return { r: r as NonNullable<typeof r>, first: ms[0] as number, best: Math.min(...ms) }
}

console.log(`\n## monthly evaluation and visit coverage, ${database.engine}`)
console.log(
  `machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length}, Node ${process.version}; ${new Date().toISOString().slice(0, 10)}; month ${month}, ${tasks.toLocaleString('en')} visit tasks due under ${region}`,
)
console.log('| area | workers | first run | best of the runs | target |')
console.log('|---|---|---|---|---|')
const district = await time(region)
const one = street ? await time(street) : undefined
for (const [area, x, target] of [
  [region, district, 5000],
  [street, one, 1000],
] as const) {
  if (!x) continue
  console.log(
    `| ${area} | ${x.r.workers.length.toLocaleString('en')} | ${(x.first / 1000).toFixed(2)} s | ${(x.best / 1000).toFixed(2)} s | < ${target / 1000} s ${x.best < target ? '✔' : '✘'} |`,
  )
}

const grades: Record<string, number> = {}
for (const w of district.r.workers) grades[w.grade ?? '—'] = (grades[w.grade ?? '—'] ?? 0) + 1
const used = ['A', 'B', 'C', 'D', 'E'].filter((g) => grades[g])
console.log(
  `\ngrades of ${district.r.workers.length.toLocaleString('en')} workers: ${['A', 'B', 'C', 'D', 'E', '—']
    .filter((g) => grades[g])
    .map((g) => `${g} ${grades[g]} (${(((grades[g] as number) / district.r.workers.length) * 100).toFixed(1)} %)`)
    .join(', ')} — ${used.length} grades used ${used.length >= 4 ? '✔' : '✘'}`,
)

// The map's bands (apps/web MapPage: red < 50 %, amber < 80 %, light green < 95 %, green).
const t0 = performance.now()
const coverage = await createVisitsService({ db }).coverage(p, region, 30)
const coverageMs = performance.now() - t0
const bands = { red: 0, amber: 0, lightGreen: 0, green: 0 }
for (const g of coverage.grids) {
  const pct = g.share * 100
  if (pct < 50) bands.red++
  else if (pct < 80) bands.amber++
  else if (pct < 95) bands.lightGreen++
  else bands.green++
}
console.log(
  `visit coverage (30 days) of ${coverage.grids.length.toLocaleString('en')} grids in ${(coverageMs / 1000).toFixed(2)} s: green ≥ 95 % ${bands.green}, light green 80–95 % ${bands.lightGreen}, amber 50–80 % ${bands.amber}, red < 50 % ${bands.red}`,
)
await database.close()
