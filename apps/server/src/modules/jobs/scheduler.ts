// A table-driven job scheduler that runs on PGlite as on PostgreSQL (pg-boss and graphile-worker
// need LISTEN/NOTIFY and their own connection pools, which the embedded engine does not offer).
//  - `schedule` inserts a job in the caller's transaction, so a job exists exactly when the change
//    that wants it commits; its `key` makes scheduling idempotent.
//  - `runDue` claims due jobs in groups with `for update skip locked`, runs each kind's handler on
//    its group in the same transaction and marks the jobs done there: the effect and the mark
//    commit together, so a job fires once even across restarts and with several servers polling.
//    A failing group is retried job by job; a failing job rolls back to its savepoint and is
//    retried later with backoff, then marked failed.
import { beijingDate } from '@wangge/domain'
import type { Kysely, Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import { cancelPending, insertJobs, jobsRepository as repo } from './jobs.repository.js'

export interface Job {
  id: number
  kind: string
  key: string
  runAt: Date
  payload: Record<string, unknown>
  attempts: number
}

/** Runs due jobs of one kind together; returns one result per job, in order. */
export type BatchJobHandler = (trx: Transaction<DB>, jobs: Job[], now: Date) => Promise<unknown[]>

export interface SchedulerOptions {
  db: Kysely<DB>
  handlers: Record<string, BatchJobHandler>
  /** Jobs claimed per transaction. */
  batch?: number
  /**
   * At most this many jobs of a kind per transaction, for heavy kinds (one street's visit lists):
   * the rest stay pending for the next round, so other work — on the embedded database, every
   * request — gets the connection in between.
   */
  groupSize?: Record<string, number>
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

/** The job of `kind` for the next Beijing day at `at` (HH:MM), keyed by that day: each night's
 *  run schedules the next one (an idempotent chain). */
export function nightly(kind: string, at: string, now: Date): NewJob {
  const next = beijingDate(new Date(now.getTime() + 86_400_000))
  return { kind, key: `${kind}:${next}`, runAt: new Date(`${next}T${at}:00+08:00`) }
}

/** Schedules jobs in the caller's transaction; a key already scheduled is left as it is. */
export async function schedule(db: Db, jobs: NewJob | NewJob[]): Promise<void> {
  const list = Array.isArray(jobs) ? jobs : [jobs]
  if (!list.length) return
  await insertJobs(
    db,
    list.map((j) => ({ kind: j.kind, key: j.key, run_at: j.runAt, payload: j.payload ?? {}, subject: j.subject ?? null })),
  )
}

/** Drops the pending jobs about these subjects (a case whose deadline moved or stopped). Jobs the
 *  runner holds right now are skipped, not waited for: the runner locks jobs, then their subjects —
 *  a caller holding its subjects' rows waiting here would be the opposite order, a deadlock. The
 *  skipped ones run after the caller commits; their handler must find them stale. */
export async function cancelPendingJobs(db: Db, subjects: number[]): Promise<void> {
  if (!subjects.length) return
  await cancelPending(db, subjects)
}

export function createScheduler(opts: SchedulerOptions) {
  const { db, handlers } = opts
  const clock = opts.clock ?? (() => new Date())
  const maxAttempts = opts.maxAttempts ?? 5
  let timer: NodeJS.Timeout | undefined
  let running: Promise<number> | undefined
  let stopped = false

  const toJob = (row: {
    id: number
    kind: string
    key: string
    run_at: Date | string
    payload: unknown
    attempts: number
  }): Job => ({
    id: Number(row.id),
    kind: row.kind,
    key: row.key,
    runAt: new Date(row.run_at),
    payload: row.payload as Record<string, unknown>,
    attempts: row.attempts,
  })

  async function finish(trx: Transaction<DB>, jobs: Job[], results: unknown[], now: Date) {
    if (!jobs.length) return
    await repo.finish(
      trx,
      jobs.map((j) => j.id),
      results.map((r) => (r === undefined ? null : JSON.stringify(r))),
      now,
    )
  }

  /**
   * Claims up to `batch` due jobs and runs them, kind by kind, in one transaction. A kind whose
   * group fails is retried job by job (each in a savepoint); a job that still fails is put back
   * with backoff, then marked failed. Returns how many ran (0: none due).
   */
  async function runBatch(now: Date): Promise<number> {
    const failures: { id: number; error: string }[] = []
    const claimed = await db.transaction().execute(async (trx) => {
      const rows = await repo.claimDue(trx, now, opts.batch ?? 200)
      const taken = new Map<string, number>()
      const jobs = rows.map(toJob).filter((j) => {
        const n = (taken.get(j.kind) ?? 0) + 1
        taken.set(j.kind, n)
        return n <= (opts.groupSize?.[j.kind] ?? Number.POSITIVE_INFINITY)
      })
      for (const kind of [...new Set(jobs.map((j) => j.kind))]) {
        const group = jobs.filter((j) => j.kind === kind)
        const handler = handlers[kind]
        await repo.savepoint(trx, 'jobs')
        try {
          if (!handler) throw new Error(`no handler for job kind ${kind}`)
          await finish(trx, group, await handler(trx, group, now), now)
          continue
        } catch {
          await repo.rollbackTo(trx, 'jobs')
        }
        for (const job of group) {
          await repo.savepoint(trx, 'job')
          try {
            if (!handler) throw new Error(`no handler for job kind ${kind}`)
            await finish(trx, [job], await handler(trx, [job], now), now)
          } catch (err) {
            await repo.rollbackTo(trx, 'job')
            const attempts = job.attempts + 1
            const last = attempts >= maxAttempts
            failures.push({ id: job.id, error: err instanceof Error ? err.message : String(err) })
            await repo.putBack(trx, job.id, {
              attempts,
              last_error: failures.at(-1)?.error ?? null,
              state: last ? 'failed' : 'pending',
              // Backoff: 1, 4, 9, 16 minutes.
              run_at: last ? now : new Date(now.getTime() + attempts ** 2 * 60_000),
            })
          }
        }
      }
      return jobs.length
    })
    for (const f of failures) opts.log?.error(f, 'scheduled job failed')
    return claimed
  }

  return {
    schedule: (trx: Db, jobs: NewJob | NewJob[]) => schedule(trx, jobs),

    /** Runs every job due at `now` (default: the clock); returns how many ran. */
    async runDue(now: Date = clock(), limit = 1_000_000): Promise<number> {
      let n = 0
      for (let got = 1; n < limit && got > 0; n += got) got = await runBatch(now)
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

    pending: () => repo.pendingCount(db),
  }
}

export type Scheduler = ReturnType<typeof createScheduler>
