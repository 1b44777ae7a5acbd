// Every statement of the regions repository, rendered to regions.repository.sql beside it
// (testing/sql-statements.ts): a changed statement shows in the diff; `npx vitest run -u` rewrites
// the file, and in CI a stale one fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderStatements } from '../../testing/sql-statements.js'
import { createTestDatabase, type TestDatabase } from '../../testing/test-db.js'
import { createRegionsRepository } from './regions.repository.js'

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t.destroy())

describe('regions repository statements', () => {
  it('should render every statement the repository sends', async () => {
    const r = (db: Parameters<typeof createRegionsRepository>[0]) => createRegionsRepository(db)
    const text = await renderStatements(t.db, {
      findByCode: (db) => r(db).findByCode('440104'),
      listAncestors: (db) => r(db).listAncestors('4401.440104.440104004'),
      listChildren: (db) => r(db).listChildren('440104'),
      countDescendantsByLevel: (db) => r(db).countDescendantsByLevel('4401.440104'),
      findGeometry: (db) => r(db).findGeometry('440104'),
      listChildGeometries: (db) => r(db).listChildGeometries('440104'),
      search: (db) => r(db).search({ q: 'lrj', level: 'street', within: '440104', limit: 10, offset: 0 }),
    })
    await expect(text).toMatchFileSnapshot('./regions.repository.sql')
  })
})
