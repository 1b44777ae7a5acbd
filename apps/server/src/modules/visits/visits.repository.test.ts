// Every statement of the visits repository, rendered to visits.repository.sql beside it
// (testing/sql-statements.ts): a changed statement shows in the diff; `npx vitest run -u` rewrites
// the file, and in CI a stale one fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderStatements, withoutKeys } from '../../testing/sql-statements.js'
import { createTestDatabase, type TestDatabase } from '../../testing/test-db.js'
import { createVisitsRepository } from './visits.repository.js'

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t.destroy())

const GRID = '440104004107001'

describe('visits repository statements', () => {
  it('should render every statement the repository sends', async () => {
    const repo = (db: Parameters<typeof createVisitsRepository>[0]) => createVisitsRepository(db)
    const text = await renderStatements(t.db, {
      generate: (db) => repo(db).generate(db, '2026-12-03', GRID),
      listSizes: (db) => repo(db).listSizes(db, '2026-12-03', '440104004'),
      streets: (db) => repo(db).streets(db),
      dayTasks: (db) => repo(db).dayTasks('2026-12-03', [GRID]),
      homes: (db) => repo(db).homes([1, 2]),
      placesOf: (db) => repo(db).placesOf([1, 2]),
      personByIdNumber: (db) => repo(db).personByIdNumber('440104195003020123'),
      visitsByClient: (db) => repo(db).visitsByClient(db, ['c-00000001']),
      insertVisits: async (db) =>
        repo(db).insertVisits(await withoutKeys(db), [
          {
            client_id: 'c-00000001',
            household_id: 1,
            grid_code: GRID,
            user_id: 1,
            visited_at: '2026-12-03T02:00:00Z',
            note: null,
          },
        ]),
      coverage: (db) => repo(db).coverage('440104004107', GRID, '2026-11-03'),
      rules: (db) => repo(db).rules(),
    })
    await expect(text).toMatchFileSnapshot('./visits.repository.sql')
  })
})
