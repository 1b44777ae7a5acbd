// The scheduler's SQL: jobs inserted idempotently by key, pending ones dropped by subject, due ones
// claimed with `for update skip locked`, marked done with their results or put back with backoff,
// the savepoints a failing group rolls back to, and the embedded engine's `analyze`. Every
// statement is rendered to jobs.repository.sql by its test.
import { type Kysely, sql, type Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import { insertJson } from '../../kernel/bulk.js'

type Db = Kysely<DB> | Transaction<DB>

export interface JobRow {
  kind: string
  key: string
  run_at: Date
  payload: Record<string, unknown>
  subject: number | null
}

/** Jobs inserted; a key already scheduled is left as it is. */
export const insertJobs = (db: Db, rows: JobRow[]) => insertJson(db, 'jobs', rows, sql`on conflict (key) do nothing`)

/** The pending jobs about these subjects dropped, skipping those a runner holds right now. */
export const cancelPending = (db: Db, subjects: readonly number[]) =>
  sql`
    delete from jobs where id in (
      select id from jobs where state = 'pending' and subject = any(${[...subjects]}::bigint[])
      for update skip locked)`.execute(db)

export const jobsRepository = {
  /** Up to `limit` jobs due at `now`, oldest first, locked (others' locked ones skipped). */
  claimDue: (trx: Transaction<DB>, now: Date, limit: number) =>
    trx
      .selectFrom('jobs')
      .selectAll()
      .where('state', '=', 'pending')
      .where('run_at', '<=', now)
      .orderBy('run_at')
      .orderBy('id')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute(),
  /** Jobs done, each with its result. */
  finish: (trx: Transaction<DB>, ids: readonly number[], results: readonly (string | null)[], now: Date) =>
    sql`
      update jobs j set state = 'done', done_at = ${now}, attempts = j.attempts + 1, result = v.result
      from unnest(${[...ids]}::bigint[], ${[...results]}::jsonb[]) as v(id, result)
      where j.id = v.id`.execute(trx),
  /** A failed job put back for later, or marked failed. */
  putBack: (
    trx: Transaction<DB>,
    id: number,
    s: { attempts: number; last_error: string | null; state: 'pending' | 'failed'; run_at: Date },
  ) => trx.updateTable('jobs').set(s).where('id', '=', id).execute(),
  savepoint: (trx: Transaction<DB>, name: 'jobs' | 'job') => sql`savepoint ${sql.id(name)}`.execute(trx),
  rollbackTo: (trx: Transaction<DB>, name: 'jobs' | 'job') => sql`rollback to savepoint ${sql.id(name)}`.execute(trx),
  pendingCount: async (db: Db) =>
    Number(
      (
        await db
          .selectFrom('jobs')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('state', '=', 'pending')
          .executeTakeFirstOrThrow()
      ).n,
    ),
  /** The planner's statistics refreshed: of these tables, or of every table. */
  analyze: async (db: Db, tables?: readonly string[]) => {
    if (!tables) await sql`analyze`.execute(db)
    else for (const table of tables) await sql`analyze ${sql.table(table)}`.execute(db)
  },
}
