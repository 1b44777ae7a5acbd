// Upkeep the embedded engine does not do by itself. PGlite runs PostgreSQL in single-user mode:
// there is no autovacuum daemon, so nothing refreshes the planner's statistics as tables grow.
// Plans made on statistics from an empty table go wrong by orders of magnitude — over 越秀's demo
// quarter the monthly evaluation planned one worker where there were 1,921 and nested-looped over
// every verification step per worker (26 s; 1.8 s once analysed). A nightly `analyze` of the
// whole database (≈ 7 s for 越秀 at full density) stands in for autoanalyze; on PostgreSQL the
// daemon does it and the job is not scheduled.
import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import { jobsRepository } from './jobs.repository.js'
import { type BatchJobHandler, nightly, schedule } from './scheduler.js'

const nextJob = (now: Date) => nightly('db.analyze', '03:40', now)

/** Refreshes the planner's statistics of these tables, or of every table. */
export const analyze = (db: Kysely<DB>, tables?: readonly string[]): Promise<void> => jobsRepository.analyze(db, tables)

/** Refreshes the planner's statistics of every table. */
export const analyzeAll = (db: Kysely<DB>) => analyze(db)

export function createMaintenance({ db, engine }: { db: Kysely<DB>; engine: 'pglite' | 'postgres' }) {
  return {
    /** Schedules the next night's analyze (embedded engine only). */
    async startDaily(now: Date) {
      if (engine === 'pglite') await schedule(db, nextJob(now))
    },
    jobHandlers: {
      'db.analyze': async (trx, jobs, now) => {
        await analyzeAll(trx)
        await schedule(trx, nextJob(now))
        return jobs.map(() => ({ analyzed: true }))
      },
    } as Record<string, BatchJobHandler>,
  }
}
