// A table-driven job scheduler that runs on PGlite as on PostgreSQL (pg-boss and graphile-worker
// need LISTEN/NOTIFY and their own connection pools, which the embedded engine does not offer).
//  - `schedule` inserts a job in the caller's transaction, so a job exists exactly when the change
//    that wants it commits; its `key` makes scheduling idempotent.
//  - `runDue` takes one due job at a time with `for update skip locked`, runs its handler in the
//    same transaction and marks it done there: the effect and the mark commit together, so a job
//    fires once even across restarts and with several servers polling. A failing handler rolls
//    back, and the job is retried with backoff, then marked failed.
import { type Kysely, sql, type Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'

export interface Job {
  id: number
  kind: string
  key: string
  runAt: Date
  payload: Record<string, unknown>
  attempts: number
}

export type JobHandler = (trx: Transaction<DB>, job: Job, now: Date) => Promise<unknown>

export interface SchedulerOptions {
  db: Kysely<DB>
  handlers: Record<string, JobHandler>
  clock?: () => Date
  /** Polling interval of `start()`. */
  pollMs?: number
  maxAttempts?: number
  log?: { error(obj: unknown, msg: string): void }
}

type Db = Kysely<DB> | Transaction<DB>

export interface NewJob {
  kind: string
  key: string
  runAt: Date
  payload?: Record<string, unknown>
  /** The object the job is about (a case id): its pending jobs can be dropped together. */
  subject?: number
}

/** Schedules jobs in the caller's transaction; a key already scheduled is left as it is. */
export async function schedule(db: Db, jobs: NewJob | NewJob[]): Promise<void> {
  const list = Array.isArray(jobs) ? jobs : [jobs]
  if (!list.length) return
  await db
    .insertInto('jobs')
    .values(
      list.map((j) => ({
        kind: j.kind,
        key: j.key,
        run_at: j.runAt,
        payload: JSON.stringify(j.payload ?? {}),
        subject: j.subject ?? null,
      })),
    )
    .onConflict((oc) => oc.column('key').doNothing())
    .execute()
}

export function createScheduler(opts: SchedulerOptions) {
  const { db, handlers } = opts
  const clock = opts.clock ?? (() => new Date())
  const maxAttempts = opts.maxAttempts ?? 5
  let timer: NodeJS.Timeout | undefined
  let running: Promise<number> | undefined
  let stopped = false

  /** Runs one due job; false when none is due. */
  async function runOne(now: Date): Promise<boolean> {
    let failed: { id: number; attempts: number; error: string } | undefined
    const ran = await db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('jobs')
        .selectAll()
        .where('state', '=', 'pending')
        .where('run_at', '<=', now)
        .orderBy('run_at')
        .orderBy('id')
        .limit(1)
        .forUpdate()
        .skipLocked()
        .executeTakeFirst()
      if (!row) return false
      const job: Job = {
        id: Number(row.id),
        kind: row.kind,
        key: row.key,
        runAt: new Date(row.run_at),
        payload: row.payload as Record<string, unknown>,
        attempts: row.attempts,
      }
      const handler = handlers[row.kind]
      try {
        if (!handler) throw new Error(`no handler for job kind ${row.kind}`)
        // A savepoint, so that a failing handler's writes are undone but the attempt is kept.
        await sql`savepoint job`.execute(trx)
        const result = await handler(trx, job, now)
        await trx
          .updateTable('jobs')
          .set({
            state: 'done',
            done_at: now,
            attempts: row.attempts + 1,
            result: result === undefined ? null : JSON.stringify(result),
          })
          .where('id', '=', job.id)
          .execute()
      } catch (err) {
        await sql`rollback to savepoint job`.execute(trx)
        failed = { id: job.id, attempts: row.attempts + 1, error: err instanceof Error ? err.message : String(err) }
        const last = failed.attempts >= maxAttempts
        await trx
          .updateTable('jobs')
          .set({
            attempts: failed.attempts,
            last_error: failed.error,
            state: last ? 'failed' : 'pending',
            // Backoff: 1, 4, 9, 16 minutes.
            run_at: last ? now : new Date(now.getTime() + failed.attempts ** 2 * 60_000),
          })
          .where('id', '=', job.id)
          .execute()
      }
      return true
    })
    if (failed) opts.log?.error(failed, 'scheduled job failed')
    return ran
  }

  return {
    schedule: (trx: Db, jobs: NewJob | NewJob[]) => schedule(trx, jobs),

    /** Runs every job due at `now` (default: the clock); returns how many ran. */
    async runDue(now: Date = clock(), limit = 10_000): Promise<number> {
      let n = 0
      while (n < limit && (await runOne(now))) n++
      return n
    },

    /** Polls in the background until `stop()`; runs never overlap. */
    start() {
      stopped = false
      const tick = () => {
        if (running || stopped) return
        running = this.runDue().finally(() => {
          running = undefined
        })
        running.catch((err) => opts.log?.error(err, 'job poll failed'))
      }
      timer = setInterval(tick, opts.pollMs ?? 1000)
      timer.unref()
    },

    async stop() {
      stopped = true
      if (timer) clearInterval(timer)
      timer = undefined
      await running?.catch(() => undefined)
    },

    async pending() {
      const r = await db
        .selectFrom('jobs')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('state', '=', 'pending')
        .executeTakeFirstOrThrow()
      return Number(r.n)
    },
  }
}

export type Scheduler = ReturnType<typeof createScheduler>
