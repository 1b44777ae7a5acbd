// Benchmark: case intake throughput over HTTP (issue: event loop — target ≥ 1,000 reports/s
// sustained on a 2-core machine, p99 < 100 ms, on PostgreSQL).
//   DATABASE_URL=postgres://… npm run bench:intake -- [--duration 30] [--connections 40] [--workers 1]
// The database must hold a partitioned demo (npm start once, or `wangge generate` + `grids partition`).
// The server runs in this process; autocannon runs in a child process (its own core) and posts
// hotline reports at random building locations across the city with random event subclasses.
import { fork } from 'node:child_process'
import { cpus } from 'node:os'
import { parseArgs } from 'node:util'
import { sql } from 'kysely'
import { buildApp } from '../apps/server/src/app.js'
import { openDatabase } from '../apps/server/src/db/database.js'
import { migrate } from '../apps/server/src/db/migrate.js'
import { userWithToken } from '../apps/server/src/testing/users.js'
import { startServer } from './server-process.js'

const { values } = parseArgs({
  options: {
    client: { type: 'boolean', default: false },
    'data-dir': { type: 'string', default: './var' },
    duration: { type: 'string', default: '30' },
    connections: { type: 'string', default: '40' },
    // >1: the real server (main.ts) with WANGGE_WORKERS=N processes sharing the port, not in-process.
    workers: { type: 'string', default: '1' },
  },
})

if (values.client) {
  // The load generator (child process).
  const autocannon = (await import('autocannon')).default
  const config = await new Promise<string>((resolve) => process.once('message', (m) => resolve(m as string)))
  const { url, token, points, codes, duration, connections } = JSON.parse(config) as {
    url: string
    token: string
    points: [number, number][]
    codes: string[]
    duration: number
    connections: number
  }
  let i = 0
  const result = await autocannon({
    url,
    connections,
    duration,
    requests: [
      {
        method: 'POST',
        path: '/api/v1/cases',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        setupRequest: (req) => {
          i++
          const p = points[i % points.length] as [number, number]
          return {
            ...req,
            body: JSON.stringify({
              catalog: codes[(i * 7) % codes.length],
              description: `压测报告 ${i}`,
              lng: p[0],
              lat: p[1],
              source: 'hotline',
              reporterPhone: '13800138000',
            }),
          }
        },
      },
    ],
  })
  process.send?.({
    requests: result.requests.total,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    non2xx: result.non2xx,
    statusCodes: JSON.stringify(result.statusCodeStats),
    errors: result.errors,
    timeouts: result.timeouts,
    duration: result.duration,
  })
  process.exit(0)
}

const database = await openDatabase({
  databaseUrl: process.env.DATABASE_URL || undefined,
  dataDir: values['data-dir'] as string,
  poolSize: 16,
})
await migrate(database.db)
const grids = await database.db
  .selectFrom('grids')
  .select((eb) => eb.fn.countAll<number>().as('n'))
  .where('status', '=', 'active')
  .executeTakeFirstOrThrow()
if (!Number(grids.n)) throw new Error('no grids: load and partition a demo first')
const WORKERS = Number(values.workers)
const server = WORKERS > 1 ? await startServer({ WANGGE_WORKERS: String(WORKERS) }) : undefined
const app = server ? undefined : await buildApp({ config: { bodyLimit: 1 << 20, logLevel: 'warn', logPretty: false }, database })
if (app) await app.listen({ port: 0, host: '127.0.0.1' })
const address = server ?? (app?.server.address() as { port: number })
const { token } = await userWithToken(database.db, `bench-hotline-${Date.now()}`, [{ role: 'dispatcher', scope: '4401' }])
const points = (
  await sql<{
    lng: number
    lat: number
  }>`select lng, lat from buildings tablesample system (5) where grid_code is not null limit 20000`.execute(database.db)
).rows.map((r) => [r.lng, r.lat] as [number, number])
const codes = (await database.db.selectFrom('case_catalog').select('code').where('kind', '=', 'event').execute()).map(
  (r) => r.code,
)
const before = Number(
  (
    await database.db
      .selectFrom('cases')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
  ).n,
)
// Warm the lookup index and caches.
for (let i = 0; i < 4 * WORKERS; i++) {
  const warm = await fetch(`http://127.0.0.1:${address.port}/api/v1/cases`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      catalog: codes[0],
      description: 'warm-up',
      lng: points[0]?.[0],
      lat: points[0]?.[1],
      source: 'hotline',
    }),
  })
  if (warm.status !== 201) throw new Error(`warm-up: ${warm.status} ${await warm.text()}`)
}

const result = await new Promise<Record<string, number> & { statusCodes?: string }>((resolve, reject) => {
  const child = fork(new URL(import.meta.url).pathname, ['--client'])
  child.send(
    JSON.stringify({
      url: `http://127.0.0.1:${address.port}`,
      token,
      points,
      codes,
      duration: Number(values.duration),
      connections: Number(values.connections),
    }),
  )
  child.on('message', (m) => resolve(m as Record<string, number>))
  child.on('error', reject)
})
const after = Number(
  (
    await database.db
      .selectFrom('cases')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
  ).n,
)
await app?.close()
await server?.stop()
await database.close()

const created = after - before - 4 * WORKERS
console.log(
  `\n## intake: ${database.engine}, ${Number(grids.n).toLocaleString('en')} grids, ${values.connections} connections, ${values.duration} s, ${WORKERS > 1 ? `${WORKERS} server processes (WANGGE_WORKERS)` : 'the server in this process'}`,
)
console.log(
  `machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length}, Node ${process.version}; ${new Date().toISOString().slice(0, 10)}`,
)
console.log(
  `${Math.round(result.rps ?? 0).toLocaleString('en')} reports/s sustained (${(result.requests ?? 0).toLocaleString('en')} requests), latency p50 ${result.p50} ms, p99 ${result.p99} ms, max ${result.max} ms`,
)
console.log(
  `non-2xx ${result.non2xx} (status codes ${result.statusCodes}), errors ${result.errors}, timeouts ${result.timeouts}; cases written ${created.toLocaleString('en')}`,
)
// (Requests still in flight when the run stops are written too: at least every answered one.)
const ok = (result.rps ?? 0) >= 1000 && (result.p99 ?? Infinity) < 100 && result.non2xx === 0 && created >= (result.requests ?? 0)
console.log(ok ? 'target ≥ 1,000/s, p99 < 100 ms: ✔' : 'target ≥ 1,000/s, p99 < 100 ms, every request written: ✘')
