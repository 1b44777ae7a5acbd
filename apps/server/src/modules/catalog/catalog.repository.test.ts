// Every statement of the catalog repository, rendered to catalog.repository.sql beside it
// (testing/sql-statements.ts): a changed statement shows in the diff; `npx vitest run -u` rewrites
// the file, and in CI a stale one fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderStatements, withoutKeys } from '../../testing/sql-statements.js'
import { createTestDatabase, type TestDatabase } from '../../testing/test-db.js'
import { createCatalogRepository } from './catalog.repository.js'

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t.destroy())

const entry = {
  department: 'city_mgmt',
  normal_amount: 3,
  normal_unit: 'working_days' as const,
  urgent_amount: 4,
  urgent_unit: 'working_hours' as const,
  self_handle: true,
  photos: 1,
  active: true,
}

describe('catalog repository statements', () => {
  it('should render every statement the repository sends', async () => {
    const repo = (db: Parameters<typeof createCatalogRepository>[0]) => createCatalogRepository(db)
    const text = await renderStatements(t.db, {
      seedDepartments: (db) => repo(db).seedDepartments([{ code: 'water', name: '水务局', name_en: 'Water Authority' }]),
      seedEntries: async (db) =>
        repo(await withoutKeys(db)).seedEntries([
          { code: 'E0507', kind: 'event', major: '05', sub: '07', name: '占道经营', name_en: 'Street vending', ...entry },
        ]),
      entry: (db) => repo(db).entry('E0507'),
      entryForUpdate: (db) => repo(db).entry('E0507', db, true),
      entries: (db) => repo(db).entries({ kind: 'event', q: '占道', active: true }),
      updateEntry: (db) =>
        repo(db)
          .updateEntry(db, 'E0507', entry, 2, 'admin')
          .catch(() => undefined),
      departments: (db) => repo(db).departments(),
      departmentExists: (db) => repo(db).departmentExists('water'),
      regionExists: (db) => repo(db).regionExists('440104004'),
      allRules: (db) => repo(db).allRules(),
      rules: (db) => repo(db).rules('E0507'),
      insertRule: async (db) =>
        repo(db).insertRule(await withoutKeys(db), {
          catalog_code: 'E0507',
          region: '440104004',
          department: 'city_mgmt',
          note: null,
          created_by: 'admin',
        }),
      deleteRule: (db) => repo(db).deleteRule(db, 1),
      component: (db) => repo(db).component('44010400400001'),
    })
    await expect(text).toMatchFileSnapshot('./catalog.repository.sql')
  })
})
