// One owner at a time for work that several server nodes could all do but only one should (issue
// 25 §1): the statistics drain every half second. On PostgreSQL the owner is whoever holds a
// session-level advisory lock on a connection of its own; when its node dies the connection dies
// with it, the server releases the lock, and another node's next try takes over (within `retryMs`).
// A node that loses its connection stops the work at once and tries again. On the embedded engine
// there is one process: it always leads.
import pg from 'pg'

export interface Leadership {
  /** Whether this node leads now. */
  readonly leading: boolean
  close(): Promise<void>
}

export interface LeadershipOptions {
  /** PostgreSQL; none: this process leads alone (the embedded engine). */
  databaseUrl?: string | (() => string) | undefined
  /** The advisory lock's key: one per kind of work. */
  key: number
  /** Starts the work; answers how to stop it. */
  lead: () => () => void
  retryMs?: number
  log?: { info(obj: unknown, msg: string): void; warn(obj: unknown, msg: string): void }
}

export function createLeadership(opts: LeadershipOptions): Leadership {
  let stop: (() => void) | undefined
  let closed = false
  const gain = () => {
    if (!stop) stop = opts.lead()
  }
  const lose = () => {
    stop?.()
    stop = undefined
  }
  if (!opts.databaseUrl) {
    gain()
    return {
      get leading() {
        return !!stop
      },
      close: async () => lose(),
    }
  }
  const url = opts.databaseUrl
  const retryMs = opts.retryMs ?? 5_000
  let client: pg.Client | undefined
  let timer: NodeJS.Timeout | undefined
  const attempt = async () => {
    timer = undefined
    if (closed) return
    try {
      if (!client) {
        const c = new pg.Client({
          connectionString: typeof url === 'function' ? url() : url,
          application_name: 'wangge-leadership',
        })
        c.on('error', (err) => {
          // The connection is gone: so is the lock. Stop at once; try again later.
          if (client === c) client = undefined
          if (stop) opts.log?.warn({ err, key: opts.key }, 'lost the lead (connection closed)')
          lose()
        })
        await c.connect()
        client = c
      }
      const r = await client.query<{ got: boolean }>('select pg_try_advisory_lock($1) as got', [opts.key])
      if (closed) {
        // (Closed while asking: a lock just taken goes with the connection.)
        await client?.end().catch(() => undefined)
        client = undefined
        return
      }
      if (r.rows[0]?.got && !stop) {
        opts.log?.info({ key: opts.key }, 'took the lead')
        gain()
      }
    } catch (err) {
      lose()
      const c = client
      client = undefined
      await c?.end().catch(() => undefined)
      opts.log?.warn({ err, key: opts.key }, 'leadership check failed; retrying')
    }
    if (!closed && !stop) timer = setTimeout(attempt, retryMs)
    else if (!closed) timer = setTimeout(check, retryMs)
  }
  // While leading: the connection is checked now and then (a dead one is noticed by its error).
  const check = async () => {
    timer = undefined
    if (closed) return
    try {
      await client?.query('select 1')
    } catch {
      lose()
      client = undefined
    }
    timer = setTimeout(stop ? check : attempt, retryMs)
  }
  void attempt()
  return {
    get leading() {
      return !!stop
    },
    async close() {
      closed = true
      if (timer) clearTimeout(timer)
      lose()
      await client?.end().catch(() => undefined)
      client = undefined
    },
  }
}
