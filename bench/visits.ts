// Benchmark (issue: grid workers): the day's visit tasks for every grid of the database (target for
// the full `guangzhou` preset, ≈ 25k grids and 5M households: < 60 s), and the sync of a phone's
// queue of 1,000 visits through the HTTP API (target < 5 s) — as one batch, and as 1,000 requests.
//   DATABASE_URL=postgres://… npm run bench:visits -- [--day 2026-11-30] [--region 4401]
import { cpus } from 'node:os'
import { parseArgs } from 'node:util'
import { beijingDate } from '@wangge/domain'
import { sql } from 'kysely'
import { buildApp } from '../apps/server/src/app.js'
import { openDatabase } from '../apps/server/src/db/database.js'
import { migrate } from '../apps/server/src/db/migrate.js'
import { createVisitsService } from '../apps/server/src/modules/visits/index.js'
import { userWithToken } from '../apps/server/src/testing/users.js'

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string', default: './var' },
    day: { type: 'string', default: beijingDate(new Date(Date.now() - 86_400_000)) },
    region: { type: 'string', default: '' },
  },
})
const database = await openDatabase({ databaseUrl: process.env.DATABASE_URL || undefined, dataDir: values['data-dir'] as string })
const db = database.db
await migrate(db)
const day = values.day as string
const region = values.region as string

const grids = Number(
  (
    await sql<{ n: number }>`select count(*)::int as n from grids where status = 'active' and code like ${`${region}%`}`.execute(
      db,
    )
  ).rows[0]?.n,
)
await sql`delete from visit_tasks where day = ${day}::date`.execute(db)
// As the night's scheduled jobs run it: one statement for the city on PostgreSQL, one per street on
// the embedded engine (see the service's `unit`).
const visits = createVisitsService({ db, unit: database.engine === 'postgres' ? 'city' : 'street' })
const units = region ? [region] : await visits.units()
let t0 = performance.now()
let tasks = 0
for (const prefix of units) tasks += await visits.generate(day, prefix)
const generateMs = performance.now() - t0

console.log(`\n## visits: the day's tasks and a phone's queue, ${database.engine}`)
console.log(
  `machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length}, Node ${process.version}; ${new Date().toISOString().slice(0, 10)}`,
)
console.log(
  `tasks for ${day}, ${grids.toLocaleString()} grids under '${region || 'all'}': ${tasks.toLocaleString()} tasks in ${(generateMs / 1000).toFixed(1)} s (target < 60 s) ${generateMs < 60_000 ? '✔' : '✘'}`,
)

// A worker of the grid with most households, and their queue of 1,000 visits.
const grid = (
  await sql<{
    code: string
  }>`select code from grids where status = 'active' and code like ${`${region}%`} order by households desc limit 1`.execute(db)
).rows[0]?.code as string
const homes = (
  await sql<{
    id: number
  }>`select h.id from households h join dwellings d on d.id = h.dwelling_id where d.grid_code = ${grid} order by h.id`.execute(db)
).rows.map((r) => Number(r.id))
const app = await buildApp({ config: { bodyLimit: 8 << 20, logLevel: 'silent', logPretty: false }, database })
const worker = await userWithToken(db, `bench-visits-${Date.now()}`, [{ role: 'grid_worker', scope: grid }])
const run = `${Date.now().toString(36)}`
const queue = (tag: string) =>
  Array.from({ length: 1000 }, (_, i) => ({
    clientId: `bench-${run}-${tag}-${String(i).padStart(4, '0')}`,
    householdId: homes[i % homes.length] as number,
    visitedAt: new Date(Date.now() - (1000 - i) * 60_000).toISOString(),
    note: '入户走访，家中无异常',
  }))
const post = (items: unknown[]) =>
  app.inject({ method: 'POST', url: '/api/v1/visits', headers: worker.headers, payload: { items } })

t0 = performance.now()
const batch = await post(queue('batch'))
const batchMs = performance.now() - t0
if (batch.statusCode !== 200) throw new Error(`batch: ${batch.statusCode} ${batch.body}`)
t0 = performance.now()
const replay = await post(queue('batch'))
const replayMs = performance.now() - t0
const replayed = (replay.json() as { items: { replayed: boolean }[] }).items.every((v) => v.replayed)
t0 = performance.now()
for (const item of queue('single')) {
  const r = await post([item])
  if (r.statusCode !== 200) throw new Error(`single: ${r.statusCode} ${r.body}`)
}
const singleMs = performance.now() - t0
console.log(`| sync of 1,000 queued visits (grid ${grid}, ${homes.length} households) | time | target < 5 s |`)
console.log('|---|---|---|')
console.log(`| one batch of 1,000 | ${(batchMs / 1000).toFixed(2)} s | ${batchMs < 5000 ? '✔' : '✘'} |`)
console.log(`| the same batch re-sent (all answered as recorded: ${replayed}) | ${(replayMs / 1000).toFixed(2)} s | — |`)
console.log(
  `| 1,000 requests of one visit, one after another | ${(singleMs / 1000).toFixed(2)} s | ${singleMs < 5000 ? '✔' : '✘'} |`,
)
await app.close()
await database.close()
