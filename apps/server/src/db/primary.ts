// The primary, wherever it is (issue 25 §3). DATABASE_URL may name several hosts the way libpq's
// multi-host strings do (`postgres://u@db1:5432,db2:5432/wangge`): the nodes write to the one that
// is not in recovery (libpq's target_session_attrs=read-write). When the primary disappears, every
// new connection fails at once (a write answers 503 DATABASE_UNAVAILABLE, never hangs) and the
// hosts are probed again, at most once a second; once a standby has been promoted (`pg_ctl
// promote`, or Patroni) the pool moves to it — no restart. With one host (or behind a proxy that
// follows the primary, Patroni's HAProxy way) the pool simply reconnects when the address answers.
import pg from 'pg'

/** Errors that mean "the server is not there (or not writable any more)", not "your SQL is wrong". */
export function isConnectionError(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false
  const code = (err as { code?: unknown }).code
  if (typeof code === 'string') {
    if (/^08/.test(code) || ['57P01', '57P02', '57P03', '25006'].includes(code)) return true
    if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', 'EAI_AGAIN'].includes(code)) return true
  }
  const message = (err as { message?: unknown }).message
  return (
    typeof message === 'string' &&
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connection is closed/i.test(
      message,
    )
  )
}

/** For a pool's 'connect': the client's own errors are answered by its failing queries. */
export const keepQuiet = (client: pg.PoolClient) => {
  client.on('error', () => undefined)
}

/** `postgres://u@h1:1,h2:2/db?x` → one single-host URL per host, in order. */
export function splitHosts(url: string): string[] {
  const m = /^(postgres(?:ql)?:\/\/)([^@/?#]*@)?([^/?#]*)(.*)$/.exec(url)
  if (!m) return [url]
  const [, scheme, auth = '', hosts = '', rest = ''] = m
  const list = hosts.split(',').filter((h) => h.length > 0)
  return list.length > 1 ? list.map((h) => `${scheme}${auth}${h}${rest}`) : [url]
}

/** The part of a URL that says where (for logs and health: never the password). */
export const whereOf = (url: string) => /^postgres(?:ql)?:\/\/(?:[^@/?#]*@)?([^/?#]*)/.exec(url)?.[1] ?? '?'

export interface PrimaryPool {
  /** What Kysely's PostgresDialect and bulk work take connections from: always the current primary. */
  connect(): Promise<pg.PoolClient>
  /** The single-host URL of the current primary (for the change bus's and leadership's own connections). */
  url(): string
  /** Probes the hosts again (a connection failed); resolves once done. */
  relocate(): Promise<void>
  end(): Promise<void>
}

export interface PrimaryPoolOptions {
  url: string
  max: number
  /** How long a connection attempt may take before the request fails (ms). */
  connectTimeoutMs?: number
  log?: (msg: string) => void
}

export function createPrimaryPool(opts: PrimaryPoolOptions): PrimaryPool {
  const hosts = splitHosts(opts.url)
  const connectTimeoutMs = opts.connectTimeoutMs ?? 3_000
  const make = (url: string) => {
    const pool = new pg.Pool({ connectionString: url, max: opts.max, connectionTimeoutMillis: connectTimeoutMs })
    // An idle client whose server connection drops (restart, failover, a forced DROP DATABASE)
    // emits 'error'; unhandled, that would crash the process. The pool replaces the client.
    pool.on('error', (err) => {
      process.emitWarning(`idle PostgreSQL client lost: ${err.message}`)
    })
    // A client in use when its server goes emits 'error' besides failing its query; the pool only
    // listens to idle ones, and an unheard 'error' would end the process.
    pool.on('connect', keepQuiet)
    return pool
  }
  let current = hosts[0] as string
  let pool = make(current)
  let probing: Promise<void> | undefined
  let lastProbe = 0
  let ended = false

  const writable = async (url: string) => {
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: connectTimeoutMs })
    c.on('error', () => undefined)
    try {
      await c.connect()
      const r = await c.query<{ standby: boolean }>('select pg_is_in_recovery() as standby')
      return r.rows[0]?.standby === false
    } catch {
      return false
    } finally {
      await c.end().catch(() => undefined)
    }
  }
  const relocate = () => {
    if (hosts.length < 2 || ended) return Promise.resolve()
    if (probing) return probing
    if (Date.now() - lastProbe < 1_000) return Promise.resolve()
    probing = (async () => {
      for (const url of hosts) {
        if (!(await writable(url))) continue
        if (url !== current && !ended) {
          opts.log?.(`the primary is now ${whereOf(url)} (was ${whereOf(current)})`)
          const old = pool
          current = url
          pool = make(url)
          void old.end().catch(() => undefined)
        }
        return
      }
    })().finally(() => {
      lastProbe = Date.now()
      probing = undefined
    })
    return probing
  }

  return {
    async connect() {
      try {
        return await pool.connect()
      } catch (err) {
        if (!isConnectionError(err) || hosts.length < 2) throw err
        const before = pool
        await relocate()
        if (pool === before) throw err
        return pool.connect()
      }
    },
    url: () => current,
    relocate,
    async end() {
      if (ended) return
      ended = true
      await probing
      await pool.end()
    },
  }
}
