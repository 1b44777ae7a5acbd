// Every statement of the persons repository, rendered to persons.repository.sql beside it
// (testing/sql-statements.ts): a changed statement shows in the diff; `npx vitest run -u` rewrites
// the file, and in CI a stale one fails.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderStatements, withoutKeys } from '../../testing/sql-statements.js'
import { createTestDatabase, type TestDatabase } from '../../testing/test-db.js'
import { activeResidentsOf, createPersonsRepository, markHouseholdsVisited, upsertFieldSources } from './persons.repository.js'

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
      upsertFieldSources: async (db) =>
        upsertFieldSources(await withoutKeys(db), [
          {
            person_id: 1,
            field_group: 'residence',
            source: 'police',
            updated_at: '2026-12-03T02:00:00.000Z',
            updated_by: 'police-feed',
            dataset_code: 'police.population',
            delivery_id: 1,
          },
        ]),
      markHouseholdsVisited: (db) => markHouseholdsVisited(db, JSON.stringify([{ id: 1, household_id: 1, day: '2026-12-01' }])),
      insertPerson: async (db) =>
        createPersonsRepository(db).insertPerson(await withoutKeys(db), {
          id_number: '440104195003020123',
          name: '张三',
          name_initials: 'zs',
          sex: '1',
          birth_date: '1950-03-02',
          ethnicity: '01',
          population_type: 'registered',
          community_code: COMMUNITY,
          source: 'grid',
          updated_by: 'x',
        }),
      updatePerson: (db) =>
        createPersonsRepository(db).updatePerson(db, 1, { name: '李四', source: 'grid' }, { version: 2, actor: 'x' }),
      setFieldSources: async (db) =>
        createPersonsRepository(db).setFieldSources(await withoutKeys(db), [
          { person_id: 1, field_group: 'identity', source: 'grid', updated_at: new Date(0), updated_by: 'x' },
        ]),
      changesSince: (db) => createPersonsRepository(db).changesSince(db, 1, 3),
      insertConflicts: async (db) =>
        createPersonsRepository(db).insertConflicts(await withoutKeys(db), [
          {
            entity: 'person',
            entity_id: 1,
            community_code: COMMUNITY,
            grid_code: null,
            field: 'phone',
            kept_value: '"1"',
            kept_by: 'x',
            other_value: '"2"',
            other_by: 'y',
            other_at: new Date(0),
            client_id: 'c',
          },
        ]),
      moveHousehold: (db) =>
        createPersonsRepository(db).moveHousehold(
          db,
          1,
          { dwellingId: 2, communityCode: COMMUNITY },
          { version: 2, actor: 'x', source: 'grid' },
        ),
      lockMembers: (db) => createPersonsRepository(db).lockMembers(db, 1),
      conflictsInGrid: (db) => createPersonsRepository(db).conflicts({ grid: '440104004107001' }, true, 500),
      conflictsUnder: (db) => createPersonsRepository(db).conflicts({ communityPrefix: '440104004' }, false, 500),
      conflict: (db) => createPersonsRepository(db).conflict(1),
      resolveConflict: (db) =>
        createPersonsRepository(db).resolveConflict(1, { status: 'kept', resolved_by: 'chief', resolved_at: new Date(0) }),
      personVersion: (db) =>
        createPersonsRepository(db)
          .personVersion(1)
          .catch(() => null),
      moveMembers: (db) => createPersonsRepository(db).moveMembers(db, 1, { dwellingId: 2, communityCode: COMMUNITY }, 'x'),
    })
    await expect(text).toMatchFileSnapshot('./persons.repository.sql')
  })
})
