// Every statement of the cases repository, rendered to cases.repository.sql beside it
// (testing/sql-statements.ts): a changed statement shows in the diff; `npx vitest run -u` rewrites
// the file, and in CI a stale one fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderStatements } from '../../testing/sql-statements.js'
import { createTestDatabase, type TestDatabase } from '../../testing/test-db.js'
import * as cases from './cases.repository.js'

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t.destroy())

describe('cases repository statements', () => {
  it('should render every statement the repository sends', async () => {
    const text = await renderStatements(t.db, {
      catalogEntry: (db) => cases.catalogEntry(db, 'E0507').catch(() => undefined),
      componentDepartment: (db) => cases.componentDepartment(db, '4401040101000001'),
      componentPlace: (db) => cases.componentPlace(db, '4401040101000001'),
      departmentExists: (db) => cases.departmentExists(db, 'city_mgmt'),
      caseById: (db) => cases.caseById(db, 1),
      caseByClientId: (db) => cases.caseByClientId(db, 'c-1'),
    })
    await expect(text).toMatchFileSnapshot('./cases.repository.sql')
  })
})
