// Every statement of the roster repository, rendered to roster.repository.sql beside it
// (testing/sql-statements.ts): a changed statement shows in the diff; `npx vitest run -u` rewrites
// the file, and in CI a stale one fails.

import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderStatements, withoutKeys } from '../../testing/sql-statements.js'
import { createTestDatabase, type TestDatabase } from '../../testing/test-db.js'
import { coveredUsersSql, createRosterRepository, evaluationCounts } from './roster.repository.js'

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t.destroy())

const GRID = '440104004107001'
const GRID_B = '440104004107002'

describe('roster repository statements', () => {
  it('should render every statement the repository sends', async () => {
    const repo = (db: Parameters<typeof createRosterRepository>[0]) => createRosterRepository(db)
    const text = await renderStatements(t.db, {
      gridsOf: (db) => repo(db).gridsOf(1, db),
      activeGrid: (db) => repo(db).activeGrid(GRID),
      regionLevel: (db) => repo(db).regionLevel('440104004107'),
      users: (db) => repo(db).users(db, [1, 2]),
      gridsWithPairs: (db) => repo(db).gridsWithPairs('440104004'),
      holdersUnder: (db) => repo(db).holdersUnder('440104004'),
      leavesRunningOn: (db) => repo(db).leavesRunningOn('2026-12-03'),
      rosterGrantsOf: (db) => repo(db).rosterGrantsOf([1, 2]),
      upsertProfiles: async (db) =>
        repo(db).upsertProfiles(await withoutKeys(db), [
          { user_id: 1, background: 'social_worker', phone: null, started_on: null, updated_by: 'x' },
        ]),
      pairsUnder: (db) => repo(db).pairsUnder('440104004'),
      unpairedGridsUnder: (db) => repo(db).unpairedGridsUnder('440104004'),
      workersUnder: (db) => repo(db).workersUnder('440104004'),
      adjacencyUnder: (db) => repo(db).adjacencyUnder('440104004'),
      edge: (db) => repo(db).edge(GRID, GRID_B),
      paired: (db) => repo(db).paired(db, [GRID, GRID_B]),
      findPair: (db) => repo(db).findPair(1),
      evaluationCounts: (db) => evaluationCounts(db, '440104', '2026-11-01', '2026-11-30'),
      coveredUsers: (db) => sql`select * from (${coveredUsersSql(sql.lit(1))}) covered`.execute(db),
      deletePair: (db) => repo(db).deletePair(db, 1),
      partnersOf: (db) => repo(db).partnersOf([GRID], 1),
      overlappingLeaves: (db) => repo(db).overlappingLeaves(db, [1, 2], '2026-12-01', '2026-12-05'),
      lockLeave: (db) => repo(db).lockLeave(db, 1),
      leavesUnder: (db) => repo(db).leavesUnder('440104004', '2026-12-03'),
    })
    await expect(text).toMatchFileSnapshot('./roster.repository.sql')
  })
})
