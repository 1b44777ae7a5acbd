// Every statement of the housing repository, rendered to housing.repository.sql beside it
// (testing/sql-statements.ts): a changed statement shows in the diff; `npx vitest run -u` rewrites
// the file, and in CI a stale one fails.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderStatements } from '../../testing/sql-statements.js'
import { createTestDatabase, type TestDatabase } from '../../testing/test-db.js'
import * as housing from './housing.repository.js'

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t.destroy())

describe('housing repository statements', () => {
  it('should render every statement the repository sends', async () => {
    const text = await renderStatements(t.db, {
      listBuildings: (db) =>
        housing.listBuildings(db, sql<boolean>`true`, { region: '440104004107', address: '解放北路' }, 20, 0),
      findBuilding: (db) => housing.findBuilding(db, 1),
      dwellingsOfBuilding: (db) => housing.dwellingsOfBuilding(db, 1),
      findDwelling: (db) => housing.findDwelling(db, 1),
      setBuildingGrids: (db) => housing.setBuildingGrids(db, [[1, '440104004107001']]),
      setDwellingGrids: (db) => housing.setDwellingGrids(db, [[1, '440104004107001']]),
      dwellingsFollowBuildings: (db) => housing.dwellingsFollowBuildings(db, [1], ['440104004107']),
      analyzeGridCodes: (db) => housing.analyzeGridCodes(db),
    })
    await expect(text).toMatchFileSnapshot('./housing.repository.sql')
  })
})
