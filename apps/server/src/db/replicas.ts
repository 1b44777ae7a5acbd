// Reads that may lag a little go to hot standbys (issue 25 §2). DATABASE_READ_URL names one or
// more streaming replicas. A request marked lag-tolerant (dashboards, statistics, lists, exports,
// map layers, Open311 GETs: see http/read-routing.ts) runs inside `reading(…)`; every statement
// it sends outside a transaction that only reads goes to a healthy replica, everything else — a
// transaction, a write, a statement after a write on the same connection — to the primary. The
// choice is made per statement by the pool Kysely is given (one Kysely, one set of services).
//
//  - Read-your-writes: after a write, a session carries a fence (the primary's WAL position after
//    its write); a replica serves it only once it has replayed past that position.
//  - Health: each replica is polled every second — reachable, still in recovery, and how far its
//    replay is behind the primary, in time (the primary's WAL positions are sampled on the same
//    tick). Unreachable or lagging more than `maxLagMs`: out of rotation until it catches up.
//  - A statement a replica refuses (a write hidden in a function: 25006) or cannot run because it
//    died runs on the primary instead; the caller never sees the difference.
import { AsyncLocalStorage } from 'node:async_hooks'
import pg from 'pg'
import { isConnectionError, keepQuiet, type PrimaryPool, whereOf } from './primary.js'

/** A WAL position ('16/B374D848') as a number that compares. */
export const lsnValue = (lsn: string): bigint => {
  const [hi = '0', lo = '0'] = lsn.split('/')
  return (BigInt(`0x${hi}`) << 32n) + BigInt(`0x${lo}`)
}

/** A WAL position as PostgreSQL writes it. */
export const formatLsn = (v: bigint) => `${(v >> 32n).toString(16).toUpperCase()}/${(v & 0xffffffffn).toString(16).toUpperCase()}`

export interface ReadContext {
  /** The session's fence: reads must see at least this WAL position. */
  fence?: bigint | undefined
  /** Set by the pool: where this request's reads were served (for the X-Wangge-Read header). */
  servedBy?: 'replica' | 'primary'
}

const context = new AsyncLocalStorage<ReadContext>()

/** Runs `f` as a lag-tolerant read: its reading statements may go to a replica. */
export const reading = <T>(ctx: ReadContext, f: () => T): T => context.run(ctx, f)

/** `f` on the primary; when the primary cannot be reached and `lagOk`, again with its reads on a replica. */
export async function orFromReplica<T>(lagOk: boolean, f: () => Promise<T>): Promise<T> {
  try {
    return await f()
  } catch (err) {
    if (!lagOk || !isConnectionError(err)) throw err
    return reading({}, f)
  }
}

export interface ReplicaStatus {
  where: string
  inRotation: boolean
  /** How far behind the primary its replay is (ms; null while unknown). */
  lagMs: number | null
  replayLsn: string | null
  error: string | null
}

export interface ReadRouting {
  /** The pool to give Kysely: picks primary or replica per statement. */
  pool: { connect(): Promise<pg.PoolClient>; end(): Promise<void> }
  /** The primary's current WAL position (a fence after a write). */
  primaryLsn(): Promise<bigint>
  status(): ReplicaStatus[]
  /** Polls the replicas now (tests; the timer does it every second). */
  poll(): Promise<void>
  end(): Promise<void>
}

export interface ReadRoutingOptions {
  primary: PrimaryPool
  replicaUrls: string[]
  max: number
  /** A replica further behind than this is out of rotation (default 5 s). */
  maxLagMs?: number
  pollMs?: number
  log?: (msg: string) => void
}

const READS = /^\s*(select|with|values|table|show)\b/i
const WRITES =
  /\b(insert\s+into|update\s+("?[\w.]+"?)\s+set|delete\s+from|merge\s+into|for\s+(update|share|no\s+key\s+update|key\s+share)|nextval|setval|pg_notify|pg_advisory\w*|set_config|create\s+temp|into\s+temp)\b/i
/** Whether a statement only reads (a write disguised in a function is caught by the replica: 25006). */
export const onlyReads = (text: string) => READS.test(text) && !WRITES.test(text)

interface Replica {
  url: string
  pool: pg.Pool
  replay: bigint | null
  lagMs: number | null
  inRotation: boolean
  error: string | null
}

/**
 * The replicas' health: each polled every second (`pollMs`) for its replay position, its lag in
 * time measured against samples of the primary's WAL position, and taken out of rotation when
 * unreachable, promoted or further behind than `maxLagMs`.
 */
function replicaHealth(opts: ReadRoutingOptions) {
  const maxLagMs = opts.maxLagMs ?? 5_000
  const replicas: Replica[] = opts.replicaUrls.map((url) => {
    const pool = new pg.Pool({
      connectionString: url,
      max: opts.max,
      connectionTimeoutMillis: 2_000,
      application_name: 'wangge-read',
    })
    pool.on('error', () => undefined)
    pool.on('connect', keepQuiet)
    return { url, pool, replay: null, lagMs: null, inRotation: false, error: 'not polled yet' }
  })
  /** The primary's WAL positions over the last minute: [time, lsn], oldest first. */
  const samples: [number, bigint][] = []

  const primaryLsn = async () => {
    const c = await opts.primary.connect()
    try {
      const r = await c.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn')
      return lsnValue(r.rows[0]?.lsn ?? '0/0')
    } finally {
      c.release()
    }
  }
  /** How long ago the primary was first past `replay` (0: the replica has everything we sampled). */
  const lagOf = (replay: bigint, now: number): number | null => {
    const newest = samples.at(-1)
    if (!newest) return null
    if (replay >= newest[1]) return 0
    const first = samples.find(([, lsn]) => lsn > replay)
    const oldest = samples[0] as [number, bigint]
    // Behind everything we remember: at least the whole window.
    return first === oldest && replay < oldest[1] ? now - oldest[0] + 1 : now - (first as [number, bigint])[0]
  }
  const poll = async () => {
    const now = Date.now()
    try {
      samples.push([now, await primaryLsn()])
      while (samples.length > 0 && now - (samples[0] as [number, bigint])[0] > 60_000) samples.shift()
    } catch {
      // The primary is gone: the replicas cannot fall further behind it; they keep serving reads.
    }
    await Promise.all(
      replicas.map(async (r) => {
        try {
          const c = await r.pool.connect()
          try {
            const q = await c.query<{ standby: boolean; lsn: string | null }>(
              'select pg_is_in_recovery() as standby, pg_last_wal_replay_lsn()::text as lsn',
            )
            const row = q.rows[0]
            if (!row?.standby) throw new Error('not a standby any more (promoted?): reads go to the primary')
            if (!row.lsn) throw new Error('no WAL replayed yet')
            r.replay = lsnValue(row.lsn)
            r.lagMs = lagOf(r.replay, now)
            r.error = null
            const was = r.inRotation
            r.inRotation = r.lagMs === null || r.lagMs <= maxLagMs
            if (was !== r.inRotation)
              opts.log?.(
                `replica ${whereOf(r.url)} ${r.inRotation ? 'back in rotation' : `out of rotation: ${r.lagMs} ms behind`}`,
              )
          } finally {
            c.release()
          }
        } catch (err) {
          if (r.inRotation) opts.log?.(`replica ${whereOf(r.url)} out of rotation: ${(err as Error).message}`)
          r.inRotation = false
          r.error = (err as Error).message
        }
      }),
    )
  }
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  const tick = () => {
    timer = setTimeout(() => {
      void poll().finally(() => {
        if (!stopped) tick()
      })
    }, opts.pollMs ?? 1_000)
    timer.unref()
  }
  tick()

  return {
    replicas,
    primaryLsn,
    poll,
    status: (): ReplicaStatus[] =>
      replicas.map((r) => ({
        where: whereOf(r.url),
        inRotation: r.inRotation,
        lagMs: r.lagMs,
        replayLsn: r.replay === null ? null : formatLsn(r.replay),
        error: r.error,
      })),
    async end() {
      stopped = true
      if (timer) clearTimeout(timer)
      await Promise.all(replicas.map((r) => r.pool.end().catch(() => undefined)))
    },
  }
}

export function createReadRouting(opts: ReadRoutingOptions): ReadRouting {
  const health = replicaHealth(opts)
  const { replicas } = health
  let next = 0

  /** A replica that may serve `ctx` now, round robin; none: the primary. */
  const pick = (ctx: ReadContext): Replica | undefined => {
    for (let i = 0; i < replicas.length; i++) {
      const r = replicas[(next + i) % replicas.length] as Replica
      if (!r.inRotation || r.replay === null) continue
      if (ctx.fence !== undefined && r.replay < ctx.fence) continue
      next = (next + i + 1) % replicas.length
      return r
    }
    return undefined
  }
  const outOfRotation = (r: Replica, err: unknown) => {
    r.inRotation = false
    r.error = (err as Error).message
    opts.log?.(`replica ${whereOf(r.url)} out of rotation: ${r.error}`)
  }

  /** One checkout as Kysely sees it: the primary's connection is taken only when needed. */
  class RoutingClient {
    #primary: pg.PoolClient | undefined
    #inTransaction = false
    #wrote = false
    async #onPrimary(text: string, values?: unknown[]) {
      this.#primary ??= await opts.primary.connect()
      try {
        return await this.#primary.query(text, values)
      } catch (err) {
        if (isConnectionError(err)) void opts.primary.relocate()
        throw err
      }
    }
    async query(text: string, values?: unknown[]) {
      const head = text.trimStart().slice(0, 24).toLowerCase()
      if (/^(begin|start transaction)/.test(head)) this.#inTransaction = true
      const reads = onlyReads(text)
      if (!reads) this.#wrote = true
      const ctx = context.getStore()
      if (ctx && !this.#inTransaction && !this.#wrote && reads) {
        const r = pick(ctx)
        if (r) {
          try {
            const result = await r.pool.query(text, values)
            ctx.servedBy ??= 'replica'
            return result
          } catch (err) {
            const code = (err as { code?: string }).code
            if (code !== '25006' && !isConnectionError(err)) throw err
            if (code !== '25006') outOfRotation(r, err)
          }
        }
        ctx.servedBy = 'primary'
      }
      try {
        return await this.#onPrimary(text, values)
      } finally {
        if (/^(commit|rollback|end)\b/.test(head)) this.#inTransaction = false
      }
    }
    release(err?: boolean | Error) {
      this.#primary?.release(err)
      this.#primary = undefined
    }
  }

  return {
    pool: {
      connect: async () => new RoutingClient() as unknown as pg.PoolClient,
      end: async () => undefined,
    },
    primaryLsn: health.primaryLsn,
    status: health.status,
    poll: health.poll,
    end: health.end,
  }
}
