// Every statement of the persons repository, rendered to persons.repository.sql beside it
// (testing/sql-statements.ts): a changed statement shows in the diff; `npx vitest run -u` rewrites
// the file, and in CI a stale one fails.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderStatements } from '../../testing/sql-statements.js'
import { createTestDatabase, type TestDatabase } from '../../testing/test-db.js'
import { activeResidentsOf, createPersonsRepository, markHouseholdsVisited } from './persons.repository.js'

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t.destroy())

const COMMUNITY = '440104004107'
const everyone = sql<boolean>`true`

describe('persons repository statements', () => {
  it('should render every statement the repository sends', async () => {
    const text = await renderStatements(t.db, {
      list: (db) =>
        createPersonsRepository(db).list(
          { region: COMMUNITY, name: '张', tag: 'elderly_alone', populationType: 'registered', status: 'active' },
          20,
          0,
          everyone,
        ),
      find: (db) => createPersonsRepository(db).find(1, db, true),
      fieldSources: (db) => createPersonsRepository(db).fieldSources(1),
      findHousehold: (db) => createPersonsRepository(db).findHousehold(1, db, true),
      householdMembers: (db) => createPersonsRepository(db).householdMembers(1),
      listHouseholds: (db) => createPersonsRepository(db).listHouseholds(COMMUNITY, 20, 0, everyone),
      findDwelling: (db) => createPersonsRepository(db).findDwelling(1),
      activeResidentsOf: (db) => activeResidentsOf(db, [1, 2]),
      markHouseholdsVisited: (db) => markHouseholdsVisited(db, JSON.stringify([{ id: 1, household_id: 1, day: '2026-12-01' }])),
    })
    await expect(text).toMatchFileSnapshot('./persons.repository.sql')
  })
})
