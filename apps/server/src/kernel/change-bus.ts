// Process-local caches — the point-lookup index of the grids, catalog entries and routing rules,
// the case settings and calendar, API-token principals — are dropped at once by the service that
// changed their data. The change bus carries that news to every other holder: other service
// instances in this process (the demo's background partition has its own grids service) and, on
// PostgreSQL, the other server processes (WANGGE_WORKERS > 1), through LISTEN/NOTIFY on one
// channel. A process that loses its listening connection forgets everything when it is back (it
// may have missed news meanwhile).
import { randomUUID } from 'node:crypto'
import { type Kysely, sql } from 'kysely'
import pg from 'pg'
import type { DB } from '../db/schema.js'

export const CHANGE_TOPICS = ['grids', 'catalog', 'settings', 'access'] as const
export type ChangeTopic = (typeof CHANGE_TOPICS)[number]
const CHANNEL = 'wangge_changes'

export interface ChangeBus {
  /** `topic`'s data changed (committed): every holder of a cache of it forgets it. */
  publish(topic: ChangeTopic): void
  /** Calls `forget` when `topic`'s data changed anywhere; returns the unsubscription. */
  on(topic: ChangeTopic, forget: () => void): () => void
  /** Resolves once listening (PostgreSQL) — at once otherwise. */
  ready(): Promise<void>
  close(): Promise<void>
}

interface BusLog {
  warn(obj: unknown, msg: string): void
}

/** A bus for this process alone (the embedded engine, tests), or across processes with `databaseUrl`. */
export function createChangeBus(
  opts: { db?: Kysely<DB>; databaseUrl?: string | (() => string) | undefined; log?: BusLog } = {},
): ChangeBus {
  const origin = randomUUID()
  const handlers = new Map<ChangeTopic, Set<() => void>>()
  const deliver = (topic: ChangeTopic) => {
    for (const forget of handlers.get(topic) ?? []) {
      try {
        forget()
      } catch (err) {
        opts.log?.warn({ err, topic }, 'a cache could not forget a change')
      }
    }
  }
  const isTopic = (t: string): t is ChangeTopic => (CHANGE_TOPICS as readonly string[]).includes(t)

  let client: pg.Client | undefined
  let closed = false
  let listening: Promise<void> = Promise.resolve()
  const listen = (missedNews: boolean) => {
    // (A function: the current primary's address, which moves on failover.)
    const url = typeof opts.databaseUrl === 'function' ? opts.databaseUrl() : opts.databaseUrl
    const c = new pg.Client({ connectionString: url })
    c.on('notification', (n) => {
      const [from, topic] = (n.payload ?? '').split(':')
      if (from !== origin && topic && isTopic(topic)) deliver(topic)
    })
    let gone = false
    const lost = (err?: unknown) => {
      if (gone) return
      gone = true
      if (client === c) client = undefined
      if (closed) return
      opts.log?.warn({ err }, 'change bus: listening connection lost; reconnecting')
      setTimeout(() => {
        if (!closed) listening = listen(true)
      }, 1_000).unref()
    }
    c.on('error', lost)
    c.on('end', () => lost())
    return c
      .connect()
      .then(() => c.query(`listen ${CHANNEL}`))
      .then(() => {
        client = c
        if (missedNews) for (const t of CHANGE_TOPICS) deliver(t)
      })
      .catch((err: unknown) => {
        lost(err)
        void c.end().catch(() => undefined)
      })
  }
  if (opts.databaseUrl) listening = listen(false)

  return {
    publish(topic) {
      deliver(topic)
      if (opts.databaseUrl && opts.db)
        sql`select pg_notify(${CHANNEL}, ${`${origin}:${topic}`})`
          .execute(opts.db)
          .catch((err: unknown) => opts.log?.warn({ err, topic }, 'change bus: could not tell the other processes'))
    },
    on(topic, forget) {
      const set = handlers.get(topic) ?? new Set()
      set.add(forget)
      handlers.set(topic, set)
      return () => set.delete(forget)
    },
    ready: () => listening,
    async close() {
      closed = true
      const c = client
      client = undefined
      await c?.end().catch(() => undefined)
    },
  }
}
