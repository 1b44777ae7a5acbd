// Every statement of the scheduler's repository, rendered to jobs.repository.sql beside it
// (testing/sql-statements.ts): a changed statement shows in the diff; `npx vitest run -u` rewrites
// the file, and in CI a stale one fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderStatements } from '../../testing/sql-statements.js'
import { createTestDatabase, type TestDatabase } from '../../testing/test-db.js'
import { cancelPending, insertJobs, jobsRepository as repo } from './jobs.repository.js'

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t.destroy())

const now = new Date('2026-12-03T02:00:00Z')

describe('jobs repository statements', () => {
  it('should render every statement the repository sends', async () => {
    const text = await renderStatements(t.db, {
      insertJobs: (db) =>
        insertJobs(db, [{ kind: 'case.remind', key: 'case.remind:1', run_at: now, payload: { case: 1 }, subject: 1 }]),
      cancelPending: (db) => cancelPending(db, [1, 2]),
      claimDue: (db) => repo.claimDue(db, now, 200),
      finish: (db) => repo.finish(db, [1], ['{"ok":true}'], now),
      putBack: (db) => repo.putBack(db, 1, { attempts: 1, last_error: 'boom', state: 'pending', run_at: now }),
      savepoint: async (db) => {
        await repo.savepoint(db, 'job')
        await repo.rollbackTo(db, 'job')
      },
      pendingCount: (db) => repo.pendingCount(db),
      analyzeTables: (db) => repo.analyze(db, ['jobs']),
    })
    await expect(text).toMatchFileSnapshot('./jobs.repository.sql')
  })
})
