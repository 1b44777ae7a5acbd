// Every statement of the grids repository, rendered to grids.repository.sql beside it
// (testing/sql-statements.ts): a changed statement shows in the diff; `npx vitest run -u` rewrites
// the file, and in CI a stale one fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderStatements } from '../../testing/sql-statements.js'
import { createTestDatabase, type TestDatabase } from '../../testing/test-db.js'
import { createGridsRepository } from './grids.repository.js'

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t.destroy())

const COMMUNITY = '440104004107'

describe('grids repository statements', () => {
  it('should render every statement the repository sends', async () => {
    const g = (db: Parameters<typeof createGridsRepository>[0]) => createGridsRepository(db)
    const text = await renderStatements(t.db, {
      communitiesUnder: (db) => g(db).communitiesUnder('440104004'),
      dwellingsIn: (db) => g(db).dwellingsIn([COMMUNITY], db),
      buildingsWithoutDwellingsUnder: (db) => g(db).buildingsWithoutDwellingsUnder('440104004', db),
      gridsUnder: (db) => g(db).gridsUnder('440104004', db),
      componentsUnder: (db) => g(db).componentsUnder('440104004', db),
      upsertGrids: (db) =>
        g(db).upsertGrids(
          db,
          [
            {
              code: `${COMMUNITY}001`,
              community_code: COMMUNITY,
              seq: 1,
              name: '第1网格',
              status: 'active',
              households: 0,
              residents: 0,
              buildings: 0,
              signature: 's',
              geometry: '{"type":"MultiPolygon","coordinates":[]}',
              simplified: '{"type":"MultiPolygon","coordinates":[]}',
              min_lng: 113.26,
              min_lat: 23.13,
              max_lng: 113.27,
              max_lat: 23.14,
              centroid_lng: 113.265,
              centroid_lat: 23.135,
              area_m2: 1,
              polsby_popper: 1,
              contiguous: true,
            },
          ],
          null,
        ),
      activeShapes: (db) => g(db).activeShapes('440104'),
    })
    await expect(text).toMatchFileSnapshot('./grids.repository.sql')
  })
})
