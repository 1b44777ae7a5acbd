// The rate limits' counts in PostgreSQL (issue 25 §1), so that a limit holds across every server
// process and node — with per-process counts, N processes would allow N times the limit. A store for
// @fastify/rate-limit: one upsert per limited request answers the key's count in its window and the
// time left; an expired window starts again at one. Expired keys are swept now and then.
import type { FastifyRateLimitOptions, FastifyRateLimitStore } from '@fastify/rate-limit'
import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import { countHit, sweepRateLimits } from './auth.repository.js'

/** One in this many counts also sweeps the expired windows. */
const SWEEP_EVERY = 1000

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
