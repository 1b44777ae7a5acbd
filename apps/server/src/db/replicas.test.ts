// Several nodes, a streaming replica for reads, and failover — on real PostgreSQL servers (issue 25
// §1–§3, §5): a primary and a hot standby fed by streaming replication (scripts/pg-pair.sh, with
// synchronous commit so that an acknowledged write is on both), two server nodes on them, each with
// its own pools, change bus and scheduler. Runs in the PostgreSQL pass (the binaries are there).
import { execFileSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { sql } from 'kysely'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type App, buildApp } from '../app.js'
import { createChangeBus } from '../kernel/change-bus.js'
import { createScheduler, schedule } from '../modules/jobs/index.js'
import { loadRegionDataset, readRegionDataset } from '../modules/regions/index.js'
import { TEST_ENGINE } from '../testing/test-db.js'
import { adminHeaders } from '../testing/users.js'
import { type Database, openDatabase } from './database.js'
import { migrate } from './migrate.js'

const PAIR = fileURLToPath(new URL('../../../../scripts/pg-pair.sh', import.meta.url))
const pair = (...args: string[]) => execFileSync('bash', [PAIR, ...args], { encoding: 'utf8', stdio: 'pipe' })
const canPair = () => {
  try {
    execFileSync('bash', ['-c', `source ${join(PAIR, '..', 'pg-common.sh')}; find_pg_bin pg_basebackup`], { stdio: 'pipe' })
    return true
  } catch {
    return false
  }
}
const available = TEST_ENGINE === 'postgres' && canPair()

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
const until = async (ok: () => Promise<boolean> | boolean, ms = 10_000, what = 'condition') => {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (await ok()) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`timed out waiting for ${what}`)
}
/** Polls until `node` has its replica in rotation (or out of it). */
const inRotation = (node: Node, want: boolean, ms: number, what: string) =>
  until(
    async () => {
      await node.database.reads?.poll()
      return node.database.reads?.status()[0]?.inRotation === want
    },
    ms,
    what,
  )
const config = { bodyLimit: 1 << 20, logLevel: 'silent' as const, logPretty: false }

interface Node {
  app: App
  database: Database
  close(): Promise<void>
}

/** A server node: its own pools (primary + replica), change bus and app. */
async function startNode(databaseUrl: string, readUrls: string[], readMaxLagMs = 5_000): Promise<Node> {
  const database = await openDatabase({ databaseUrl, readUrls, readMaxLagMs, dataDir: 'unused', poolSize: 4 })
  const bus = createChangeBus({ db: database.db, databaseUrl: database.primaryUrl })
  await bus.ready()
  const app = await buildApp({ config: { ...config, databaseUrl }, database, webDir: false, bus })
  await database.reads?.poll()
  return {
    app,
    database,
    async close() {
      await app.close()
      await bus.close()
      await database.close()
    },
  }
}

async function startPair(sync: boolean) {
  const [p, s] = [await freePort(), await freePort()]
  const dir = mkdtempSync(join(tmpdir(), 'wangge-pair-'))
  pair('start', dir, String(p), String(s), ...(sync ? ['sync'] : []))
  const primaryUrl = `postgres://postgres@127.0.0.1:${p}/postgres`
  const standbyUrl = `postgres://postgres@127.0.0.1:${s}/postgres`
  const setup = await openDatabase({ databaseUrl: primaryUrl, dataDir: 'unused', poolSize: 2 })
  await migrate(setup.db)
  await loadRegionDataset(setup.db, readRegionDataset('4401'))
  const admin = await adminHeaders(setup.db)
  await setup.close()
  return { dir, p, s, primaryUrl, standbyUrl, admin }
}

const query = async (url: string, text: string) => {
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  try {
    return (await c.query(text)).rows
  } finally {
    await c.end()
  }
}

let seq = 0
/** A new user (a write; the audit log names it by username). */
const newUser = async (node: Node, headers: Record<string, string>) => {
  const username = `replica-${process.pid}-${seq++}`
  const r = await node.app.inject({
    method: 'POST',
    url: '/api/v1/users',
    headers,
    payload: { username, password: 'Correct-Horse-Battery-Staple-42' },
  })
  expect(r.statusCode).toBe(201)
  return { username, headers: r.headers }
}
/** The audit log's newest entries (a lag-tolerant list) and where they were read. */
const auditLog = async (node: Node, headers: Record<string, string>) => {
  const r = await node.app.inject({ method: 'GET', url: '/api/v1/audit?pageSize=20', headers })
  expect(r.statusCode).toBe(200)
  const items = (r.json() as { items: { objectId: string | null }[] }).items
  return { read: r.headers['x-wangge-read'], ids: items.map((i) => i.objectId) }
}

describe.runIf(available)('two server nodes on a primary and a streaming replica', () => {
  let env: Awaited<ReturnType<typeof startPair>>
  let a: Node
  let b: Node
  beforeAll(async () => {
    env = await startPair(false)
    a = await startNode(env.primaryUrl, [env.standbyUrl])
    b = await startNode(env.primaryUrl, [env.standbyUrl], 400)
  }, 120_000)
  afterAll(async () => {
    await a?.close()
    await b?.close()
    if (env) pair('stop', env.dir)
  })

  it('a write on node A is seen on node B; lag-tolerant reads run on the replica (seen in pg_stat_activity)', async () => {
    const { username: id } = await newUser(a, env.admin)
    // Node B: once the replica has it (milliseconds), from the replica.
    await until(async () => (await auditLog(b, env.admin)).ids.includes(id), 10_000, 'the write on node B')
    await b.database.reads?.poll()
    const seen = await auditLog(b, env.admin)
    expect(seen).toMatchObject({ read: 'replica' })
    expect(seen.ids).toContain(id)
    const readers = await query(
      env.standbyUrl,
      "select count(*)::int as n from pg_stat_activity where application_name = 'wangge-read'",
    )
    expect(readers[0]?.n).toBeGreaterThan(0)
    // A single record about to be edited is read from the primary (no routing header).
    const me = await b.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: env.admin })
    expect([me.statusCode, me.headers['x-wangge-read']]).toEqual([200, undefined])
  })

  it('read-your-writes: after a write the session reads from the primary until the replica has replayed past it', async () => {
    await query(env.standbyUrl, 'select pg_wal_replay_pause()')
    try {
      const made = await newUser(a, env.admin)
      const id = made.username
      const fence = made.headers['x-wangge-fence'] as string
      expect(fence).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/)
      expect(String(made.headers['set-cookie'])).toContain(`wangge_fence=${fence};`)
      // The writer, on the other node, with its fence: from the primary, and the write is there.
      const mine = await auditLog(a, { ...env.admin, 'x-wangge-fence': fence })
      expect(mine).toMatchObject({ read: 'primary' })
      expect(mine.ids).toContain(id)
      // Someone else, without a fence: from the (paused, so stale) replica — the routing is real.
      await a.database.reads?.poll()
      const theirs = await auditLog(a, env.admin)
      expect(theirs).toMatchObject({ read: 'replica' })
      expect(theirs.ids).not.toContain(id)
    } finally {
      await query(env.standbyUrl, 'select pg_wal_replay_resume()')
    }
    // Replayed past the fence: the replica serves the writer again.
    await until(
      async () => {
        await a.database.reads?.poll()
        const last = await newUserFenceRead()
        return last.read === 'replica'
      },
      10_000,
      'the replica to pass the fence',
    )
  })
  const newUserFenceRead = async () => {
    const fence = (await query(env.primaryUrl, 'select pg_current_wal_lsn()::text as l'))[0]?.l as string
    return auditLog(a, { ...env.admin, 'x-wangge-fence': fence })
  }

  it('a replica lagging beyond the limit is taken out of rotation and comes back when it catches up', async () => {
    await query(env.standbyUrl, 'select pg_wal_replay_pause()')
    try {
      await newUser(a, env.admin)
      // Node B allows 400 ms of lag.
      await until(
        async () => {
          await b.database.reads?.poll()
          return b.database.reads?.status()[0]?.inRotation === false
        },
        10_000,
        'node B to take the replica out',
      )
      expect(b.database.reads?.status()[0]?.lagMs).toBeGreaterThan(400)
      expect(await auditLog(b, env.admin)).toMatchObject({ read: 'primary' })
      const health = (await b.app.inject({ method: 'GET', url: '/api/v1/health' })).json() as {
        replicas: { inRotation: boolean }[]
      }
      expect(health.replicas[0]?.inRotation).toBe(false)
    } finally {
      await query(env.standbyUrl, 'select pg_wal_replay_resume()')
    }
    await inRotation(b, true, 10_000, 'the replica back in rotation')
    expect(await auditLog(b, env.admin)).toMatchObject({ read: 'replica' })
  })

  it('a dead replica: reads fall back to the primary without an error, and it returns when it is back', async () => {
    pair('stop-standby', env.dir)
    try {
      // Before any poll notices: the statement fails over to the primary by itself.
      const r = await auditLog(a, env.admin)
      expect(r.read).toBe('primary')
      expect(a.database.reads?.status()[0]?.inRotation).toBe(false)
    } finally {
      pair('start-standby', env.dir)
    }
    await inRotation(a, true, 15_000, 'the restarted replica back in rotation')
    expect((await auditLog(a, env.admin)).read).toBe('replica')
  })

  it('due jobs run exactly once across the two nodes, both polling at once', async () => {
    await query(env.primaryUrl, 'create table if not exists job_effects (key text)')
    const scheduler = (node: Node) =>
      createScheduler({
        db: node.database.db,
        batch: 7,
        handlers: {
          effect: async (trx, jobs) => {
            for (const j of jobs) await sql`insert into job_effects values (${j.key})`.execute(trx)
            return jobs.map(() => ({ ok: true }))
          },
        },
      })
    const at = new Date('2026-12-01T00:00:00Z')
    await schedule(
      a.database.db,
      Array.from({ length: 200 }, (_, i) => ({ kind: 'effect', key: `two-nodes-${i}`, runAt: at })),
    )
    const [ranA, ranB] = await Promise.all([
      scheduler(a).runDue(new Date(at.getTime() + 1)),
      scheduler(b).runDue(new Date(at.getTime() + 1)),
    ])
    expect(ranA + ranB).toBe(200)
    const effects = await query(env.primaryUrl, 'select count(*)::int as n, count(distinct key)::int as d from job_effects')
    expect(effects[0]).toEqual({ n: 200, d: 200 })
  })
})

describe.runIf(available)('failover: the standby promoted mid-run', () => {
  it('writes fail fast (503 DATABASE_UNAVAILABLE) without a primary, reads go on from the replica, the node writes again after promotion without a restart, and no acknowledged write is lost', async () => {
    const env = await startPair(true)
    // DATABASE_URL names both hosts; the one not in recovery is the primary.
    const node = await startNode(`postgres://postgres@127.0.0.1:${env.p},127.0.0.1:${env.s}/postgres`, [env.standbyUrl])
    try {
      const acked: string[] = []
      const refused: { code: string; ms: number }[] = []
      let stop = false
      const writer = (async () => {
        while (!stop) {
          const username = `failover-${seq++}`
          const t0 = Date.now()
          const r = await node.app.inject({
            method: 'POST',
            url: '/api/v1/users',
            headers: env.admin,
            payload: { username, password: 'Correct-Horse-Battery-Staple-42' },
          })
          if (r.statusCode === 201) acked.push(username)
          else refused.push({ code: `${r.statusCode} ${(r.json() as { code: string }).code}`, ms: Date.now() - t0 })
          await new Promise((res) => setTimeout(res, 10))
        }
      })()
      await until(() => acked.length >= 20, 20_000, 'writes before the failure')
      pair('kill-primary', env.dir)
      const ackedBefore = acked.length
      await until(() => refused.length >= 5, 20_000, 'writes refused without a primary')
      // Reads go on, from the replica.
      expect(await auditLog(node, env.admin)).toMatchObject({ read: 'replica' })
      const health = (await node.app.inject({ method: 'GET', url: '/api/v1/health' })).json() as { status: string }
      expect(health.status).toBe('unavailable')
      pair('promote', env.dir)
      await until(() => acked.length >= ackedBefore + 20, 30_000, 'writes after the promotion')
      stop = true
      await writer
      // Refusals were quick and said why; nothing else went wrong.
      expect(new Set(refused.map((r) => r.code))).toEqual(new Set(['503 DATABASE_UNAVAILABLE']))
      expect(Math.max(...refused.map((r) => r.ms))).toBeLessThan(3_000)
      // Every acknowledged write is on the new primary (synchronous replication).
      const rows = await query(env.standbyUrl, `select username from users where username like 'failover-%'`)
      const there = new Set(rows.map((r) => r.username as string))
      expect(acked.filter((u) => !there.has(u))).toEqual([])
      expect(node.database.primaryUrl?.()).toBe(env.standbyUrl)
    } finally {
      await node.close()
      pair('stop', env.dir)
    }
  }, 120_000)
})
