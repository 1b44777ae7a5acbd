// Every statement of the organizations repository, rendered to organizations.repository.sql beside
// it (testing/sql-statements.ts): a changed statement shows in the diff; `npx vitest run -u` rewrites
// the file, and in CI a stale one fails.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderStatements } from '../../testing/sql-statements.js'
import { createTestDatabase, type TestDatabase } from '../../testing/test-db.js'
import * as orgs from './organizations.repository.js'

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t.destroy())

describe('organizations repository statements', () => {
  it('should render every statement the repository sends', async () => {
    const text = await renderStatements(t.db, {
      listOrganizations: (db) =>
        orgs.listOrganizations(
          db,
          sql<boolean>`true`,
          { region: '440104', q: '烧腊', uscc: '92440104L1234567X', type: 'individual_business' },
          20,
          0,
        ),
      findOrganization: (db) => orgs.findOrganization(db, 1),
      buildingPlace: (db) => orgs.buildingPlace(db, 1),
      countOrganizationsByType: (db) => orgs.countOrganizationsByType(db, '440104'),
      organizationsFollowBuildings: (db) => orgs.organizationsFollowBuildings(db, '440104004'),
    })
    await expect(text).toMatchFileSnapshot('./organizations.repository.sql')
  })
})
