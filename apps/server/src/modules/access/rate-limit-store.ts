// The rate limits' counts in PostgreSQL (issue 25 §1), so that a limit holds across every server
// process and node — with per-process counts, N processes would allow N times the limit. A store for
// @fastify/rate-limit: one upsert per limited request answers the key's count in its window and the
// time left; an expired window starts again at one. Expired keys are swept now and then.
import type { FastifyRateLimitOptions, FastifyRateLimitStore } from '@fastify/rate-limit'
import { type Kysely, sql } from 'kysely'
import type { DB } from '../../db/schema.js'

/** One in this many counts also sweeps the expired windows. */
const SWEEP_EVERY = 1000

/** A key counted once more: its hits in the current window and the milliseconds left of it. */
export function countHit(db: Kysely<DB>, key: string, windowMs: number) {
  return sql<{ hits: number; ttl: number }>`
    insert into rate_limits as r (key, hits, window_ends) values (${key}, 1, now() + ${windowMs} * interval '1 millisecond')
    on conflict (key) do update set
      hits = case when r.window_ends <= now() then 1 else r.hits + 1 end,
      window_ends = case when r.window_ends <= now() then excluded.window_ends else r.window_ends end
    returning hits, greatest(0, ceil(extract(epoch from window_ends - now()) * 1000))::int as ttl`.execute(db)
}

export const sweepRateLimits = (db: Kysely<DB>) => sql`delete from rate_limits where window_ends < now()`.execute(db)

/** A @fastify/rate-limit store over `db`; each route's keys apart (method and URL in the key). */
export function pgRateLimitStore(db: Kysely<DB>) {
  let counted = 0
  class PgStore implements FastifyRateLimitStore {
    constructor(
      _options?: FastifyRateLimitOptions,
      readonly prefix = 'rl:',
    ) {}
    incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number) {
      countHit(db, this.prefix + key, timeWindow).then(
        (r) => {
          const row = r.rows[0]
          callback(null, { current: Number(row?.hits ?? 1), ttl: Number(row?.ttl ?? timeWindow) })
          if (++counted % SWEEP_EVERY === 0) void sweepRateLimits(db).catch(() => undefined)
        },
        (err: Error) => callback(err),
      )
    }
    child(routeOptions: Parameters<FastifyRateLimitStore['child']>[0]) {
      const r = (routeOptions as unknown as { routeInfo?: { method?: string; url?: string } }).routeInfo
      return new PgStore(undefined, `${this.prefix}${r?.method ?? ''}${r?.url ?? ''}:`)
    }
  }
  return PgStore
}
