// Benchmark: one server node against two, and reads on a streaming replica (issue 25, benchmarks).
// On a primary with a hot standby holding a partitioned city:
//   bash scripts/pg-pair.sh start /tmp/gzpair 54391 54392
//   export DATABASE_URL=postgres://postgres@127.0.0.1:54391/postgres
//   npx wangge generate --preset guangzhou && npx wangge grids partition --region 4401
//   DATABASE_READ_URL=postgres://postgres@127.0.0.1:54392/postgres npx tsx bench/nodes.ts [--duration 30] [--connections 40] [--only intake|reads]
// Runs the real server (apps/server/src/main.ts, WANGGE_DEMO=none) as separate processes:
//  1. intake (hotline reports, POST /cases) against 1 node, then against 2 nodes (the load split
//     between them), with the standby's replay lag sampled every 250 ms meanwhile;
//  2. a read-heavy mix — the dashboards' statistics, the case list and map points, one report in
//     ten requests — against 1 node on the primary alone, then 1 node reading from the replica.
// The load generator (autocannon) runs in a child process.
import { fork } from 'node:child_process'
import { cpus } from 'node:os'
import { parseArgs } from 'node:util'
import type autocannon from 'autocannon'
import { sql } from 'kysely'
import pg from 'pg'
import { openDatabase } from '../apps/server/src/db/database.js'
import { lsnValue } from '../apps/server/src/db/replicas.js'
import { userWithToken } from '../apps/server/src/testing/users.js'
import { startServer } from './server-process.js'

const { values } = parseArgs({
  options: {
    client: { type: 'boolean', default: false },
    duration: { type: 'string', default: '30' },
    connections: { type: 'string', default: '40' },
    only: { type: 'string' },
  },
})

interface Plan {
  urls: string[]
  connections: number
  duration: number
  token: string
  requests: { method: 'GET' | 'POST'; path: string; body?: 'report' }[]
  points: [number, number][]
  codes: string[]
}
interface Outcome {
  requests: number
  rps: number
  p50: number
  p99: number
  max: number
  non2xx: number
  errors: number
}

if (values.client) {
  const run = (await import('autocannon')).default
  const plan = JSON.parse(await new Promise<string>((resolve) => process.once('message', (m) => resolve(m as string)))) as Plan
  let i = 0
  const report = () => {
    i++
    const p = plan.points[i % plan.points.length] as [number, number]
    return JSON.stringify({
      catalog: plan.codes[(i * 7) % plan.codes.length],
      description: `多节点压测 ${i}`,
      lng: p[0],
      lat: p[1],
      source: 'hotline',
      reporterPhone: '13800138000',
    })
  }
  // One autocannon per node, the connections split between them; results combined.
  const results = await Promise.all(
    plan.urls.map((url) =>
      run({
        url,
        connections: Math.max(1, Math.round(plan.connections / plan.urls.length)),
        duration: plan.duration,
        requests: plan.requests.map((r) => ({
          method: r.method,
          path: r.path,
          headers: { authorization: `Bearer ${plan.token}`, 'content-type': 'application/json' },
          ...(r.body ? { setupRequest: (req: autocannon.Request) => ({ ...req, body: report() }) } : {}),
        })),
      }),
    ),
  )
  const total = results.reduce((n, r) => n + r.requests.total, 0)
  process.send?.({
    requests: total,
    rps: results.reduce((n, r) => n + r.requests.average, 0),
    // (p99 of the combined load: the worse node's, a bound.)
    p50: Math.max(...results.map((r) => r.latency.p50)),
    p99: Math.max(...results.map((r) => r.latency.p99)),
    max: Math.max(...results.map((r) => r.latency.max)),
    non2xx: results.reduce((n, r) => n + r.non2xx, 0),
    errors: results.reduce((n, r) => n + r.errors + r.timeouts, 0),
  } satisfies Outcome)
  process.exit(0)
}

const PRIMARY = process.env.DATABASE_URL
const REPLICA = process.env.DATABASE_READ_URL
if (!PRIMARY || !REPLICA) throw new Error('DATABASE_URL (the primary) and DATABASE_READ_URL (its standby) are needed')
const duration = Number(values.duration)
const connections = Number(values.connections)

/** A server node: the real entry point in a process of its own (replicas only when given). */
const startNode = (env: Record<string, string>) => startServer({ DATABASE_READ_URL: '', ...env })

const database = await openDatabase({ databaseUrl: PRIMARY, dataDir: 'unused', poolSize: 4 })
const { token } = await userWithToken(database.db, `bench-nodes-${Date.now()}`, [{ role: 'admin', scope: '4401' }])
const points = (
  await sql<{
    lng: number
    lat: number
  }>`select lng, lat from buildings tablesample system (5) where grid_code is not null limit 20000`.execute(database.db)
).rows.map((r) => [r.lng, r.lat] as [number, number])
if (points.length === 0) throw new Error('no partitioned buildings: load and partition the city first')

/** The standby's lag while `work` runs, every 100 ms: bytes of WAL not yet replayed, and time —
 *  how long ago the primary was first past the standby's replay position (0 when it has it all). */
async function lagDuring<T>(work: () => Promise<T>) {
  const primary = new pg.Client({ connectionString: PRIMARY })
  const standby = new pg.Client({ connectionString: REPLICA })
  await Promise.all([primary.connect(), standby.connect()])
  const samples: { bytes: number; ms: number }[] = []
  const wal: [number, bigint][] = []
  let running = true
  const sampler = (async () => {
    while (running) {
      const p = await primary.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn')
      const now = Date.now()
      wal.push([now, lsnValue(p.rows[0]?.lsn ?? '0/0')])
      const s = await standby.query<{ lsn: string }>('select pg_last_wal_replay_lsn()::text as lsn')
      const replay = lsnValue(s.rows[0]?.lsn ?? '0/0')
      const newest = wal.at(-1) as [number, bigint]
      const first = wal.find(([, lsn]) => lsn > replay)
      samples.push({
        bytes: Math.max(0, Number(newest[1] - replay)),
        ms: replay >= newest[1] || !first ? 0 : Date.now() - first[0],
      })
      while (wal.length > 600) wal.shift()
      await new Promise((r) => setTimeout(r, 100))
    }
  })()
  try {
    return { result: await work(), samples }
  } finally {
    running = false
    await sampler
    await Promise.all([primary.end(), standby.end()])
  }
}
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? 0

async function load(urls: string[], requests: Plan['requests'], codes: string[]): Promise<Outcome> {
  // Warm each node (lookup index, caches).
  for (const url of urls)
    for (let i = 0; i < 4; i++)
      await fetch(`${url}/api/v1/stats/cases?region=4401`, { headers: { authorization: `Bearer ${token}` } })
  return new Promise((resolve, reject) => {
    const child = fork(new URL(import.meta.url).pathname, ['--client'])
    child.send(JSON.stringify({ urls, connections, duration, token, requests, points, codes } satisfies Plan))
    child.on('message', (m) => resolve(m as Outcome))
    child.on('error', reject)
  })
}

const rows: string[] = []
const line = (what: string, o: Outcome, extra = '') =>
  rows.push(
    `| ${what} | ${Math.round(o.rps).toLocaleString('en')} | ${o.p50} | ${o.p99} | ${o.max} | ${o.non2xx} / ${o.errors} | ${extra} |`,
  )

const codes = (await database.db.selectFrom('case_catalog').select('code').where('kind', '=', 'event').execute()).map(
  (r) => r.code,
)
const intake: Plan['requests'] = [{ method: 'POST', path: '/api/v1/cases', body: 'report' }]
const lagText = (s: { bytes: number; ms: number }[]) =>
  `replica lag p50 ${Math.round(
    pct(
      s.map((x) => x.ms),
      50,
    ),
  )} ms, p99 ${Math.round(
    pct(
      s.map((x) => x.ms),
      99,
    ),
  )} ms, max ${Math.round(Math.max(...s.map((x) => x.ms)))} ms; max ${Math.round(Math.max(...s.map((x) => x.bytes)) / 1024)} kB of WAL behind`
if (values.only !== 'reads') {
  const nodes = [await startNode({ DATABASE_URL: PRIMARY })]
  {
    const { result, samples } = await lagDuring(() => load([nodes[0]?.url as string], intake, codes))
    line('intake, 1 node', result, lagText(samples))
  }
  nodes.push(await startNode({ DATABASE_URL: PRIMARY }))
  {
    const { result, samples } = await lagDuring(() =>
      load(
        nodes.map((n) => n.url),
        intake,
        codes,
      ),
    )
    line('intake, 2 nodes', result, lagText(samples))
  }
  await Promise.all(nodes.map((n) => n.stop()))
}

// The read-heavy mix: nine reads (dashboards, lists, map) and one report in ten requests.
const mix: Plan['requests'] = [
  { method: 'GET', path: '/api/v1/stats/cases?region=4401' },
  { method: 'GET', path: '/api/v1/cases?pageSize=20' },
  { method: 'GET', path: '/api/v1/stats/population?region=4401' },
  { method: 'GET', path: '/api/v1/cases/indicators?region=4401&from=2026-11-01&to=2026-12-31' },
  { method: 'GET', path: '/api/v1/cases?pageSize=20&status=registered' },
  { method: 'GET', path: '/api/v1/stats/cases?region=440104' },
  { method: 'GET', path: '/api/v1/cases/points?region=440104' },
  { method: 'GET', path: '/api/v1/stats/population?region=440104' },
  { method: 'GET', path: '/api/v1/cases?pageSize=20&region=440104' },
  { method: 'POST', path: '/api/v1/cases', body: 'report' },
]
if (values.only !== 'intake') {
  {
    const node = await startNode({ DATABASE_URL: PRIMARY })
    const { result, samples } = await lagDuring(() => load([node.url], mix, codes))
    line('read-heavy mix, primary only', result, lagText(samples))
    await node.stop()
  }
  {
    const node = await startNode({ DATABASE_URL: PRIMARY, DATABASE_READ_URL: REPLICA })
    const { result, samples } = await lagDuring(() => load([node.url], mix, codes))
    line('read-heavy mix, primary + replica', result, lagText(samples))
    await node.stop()
  }
}
await database.close()

console.log(
  `\n## nodes: ${connections} connections, ${duration} s per run; machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length}, Node ${process.version}; ${new Date().toISOString().slice(0, 10)}\n`,
)
console.log('| run | requests/s | p50 ms | p99 ms | max ms | non-2xx / errors | |')
console.log('|---|---|---|---|---|---|---|')
for (const r of rows) console.log(r)
