// Benchmark: the audit log's hash chain under one node and under two (issue 25 §1). Every audited
// change appends to one chain under a transaction-scoped advisory lock, held until its transaction
// commits — the one place where all writers of the city queue. Measured: chained appends per second
// and their p99 with 16 writers in one node's pool, then split across two nodes' pools (separate
// connections, as two machines would have), each writer's transaction either the append alone or
// the append followed by 2 ms of other work (the lock is held meanwhile, as in a real use case);
// and the chain verified afterwards.
//   npm run bench:audit:pg  (a throw-away PostgreSQL; or WANGGE_TEST_DATABASE_URL=… npx tsx bench/audit-chain.ts)
import { cpus } from 'node:os'
import { parseArgs } from 'node:util'
import { sql } from 'kysely'
import { type Database, openDatabase } from '../apps/server/src/db/database.js'
import { audit, verifyAudit } from '../apps/server/src/modules/access/index.js'
import { openBenchDatabase } from './bench-db.js'

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '10' }, writers: { type: 'string', default: '16' } },
})
const SECONDS = Number(values.seconds)
const WRITERS = Number(values.writers)

const main = await openBenchDatabase(undefined)
if (main.engine !== 'postgres') throw new Error('PostgreSQL only: set WANGGE_TEST_DATABASE_URL (npm run bench:audit:pg)')
const url = new URL(process.env.WANGGE_TEST_DATABASE_URL as string)
url.pathname = '/wangge_bench'

async function run(nodes: number, holdMs: number) {
  const pools: Database[] = []
  for (let i = 0; i < nodes; i++)
    pools.push(await openDatabase({ databaseUrl: url.toString(), dataDir: 'unused', poolSize: Math.ceil(WRITERS / nodes) }))
  const latencies: number[] = []
  const end = Date.now() + SECONDS * 1000
  let seq = 0
  await Promise.all(
    Array.from({ length: WRITERS }, async (_, w) => {
      const db = (pools[w % nodes] as Database).db
      while (Date.now() < end) {
        const t0 = performance.now()
        await db.transaction().execute(async (trx) => {
          await audit(trx, { actor: `writer-${w}`, action: 'bench.append', objectType: 'bench', objectId: String(seq++) })
          if (holdMs) await sql`select pg_sleep(${holdMs / 1000})`.execute(trx)
        })
        latencies.push(performance.now() - t0)
      }
    }),
  )
  await Promise.all(pools.map((p) => p.close()))
  latencies.sort((a, b) => a - b)
  const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0
  return { appends: latencies.length, perSecond: latencies.length / SECONDS, p50: p(0.5), p99: p(0.99) }
}

const rows: string[] = []
for (const holdMs of [0, 2])
  for (const nodes of [1, 2]) {
    const r = await run(nodes, holdMs)
    rows.push(
      `| ${nodes} | ${holdMs ? `append + ${holdMs} ms more in the transaction` : 'the append alone'} | ${Math.round(r.perSecond).toLocaleString('en')} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} |`,
    )
    console.log(rows.at(-1))
  }
const t0 = performance.now()
const verified = await verifyAudit(main.db)
const verifyS = (performance.now() - t0) / 1000
await main.close()
console.log(
  `\n## audit chain: ${WRITERS} writers, ${SECONDS} s per run; machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length}, Node ${process.version}; ${new Date().toISOString().slice(0, 10)}\n`,
)
console.log('| nodes | each transaction | chained appends/s | p50 ms | p99 ms |')
console.log('|---|---|---|---|---|')
for (const r of rows) console.log(r)
console.log(
  `\nchain verified afterwards: ${verified.rows.toLocaleString('en')} rows, ${verified.problems.length} problems (${verifyS.toFixed(1)} s)`,
)
if (verified.problems.length) process.exitCode = 1
