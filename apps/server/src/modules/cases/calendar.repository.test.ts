// Every statement of the work calendar's repository, rendered to calendar.repository.sql beside it
// (testing/sql-statements.ts): a changed statement shows in the diff; `npx vitest run -u` rewrites
// the file, and in CI a stale one fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderStatements } from '../../testing/sql-statements.js'
import { createTestDatabase, type TestDatabase } from '../../testing/test-db.js'
import { calendarRepository as repo } from './calendar.repository.js'

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t.destroy())

const day = { day: '2027-02-08', workday: false, note: '春节调休', created_by: 'admin' }

describe('calendar repository statements', () => {
  it('should render every statement the repository sends', async () => {
    const text = await renderStatements(t.db, {
      days: (db) => repo.days(db),
      year: (db) => repo.year(db, 2027),
      setDay: (db) => repo.setDay(db, day),
      deleteDay: (db) => repo.deleteDay(db, day.day),
      clearYear: (db) => repo.clearYear(db, 2027),
      addDays: (db) => repo.addDays(db, [day]),
    })
    await expect(text).toMatchFileSnapshot('./calendar.repository.sql')
  })
})
