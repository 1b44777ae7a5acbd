// Every statement of the grids repository, rendered to grids.repository.sql beside it
// (testing/sql-statements.ts): a changed statement shows in the diff; `npx vitest run -u` rewrites
// the file, and in CI a stale one fails.
import { type SqlBool, sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderStatements, withoutKeys } from '../../testing/sql-statements.js'
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
      communityShapes: (db) => g(db).communityShapes(),
      retire: (db) => g(db).retire(db, [`${COMMUNITY}001`]),
      replaceAdjacency: async (db) =>
        g(db).replaceAdjacency(
          await withoutKeys(db),
          [`${COMMUNITY}001`],
          [{ a: `${COMMUNITY}001`, b: `${COMMUNITY}002`, sharedM: 10 }],
        ),
      adjacencyWithin: (db) => g(db).adjacencyWithin(db, COMMUNITY),
      startRun: (db) => g(db).startRun('440104004', { target: 200 }),
      finishRun: (db) => g(db).finishRun(1, { grids: 0 }, 0),
      page: (db) => g(db).page({ region: COMMUNITY, grid: undefined }, sql<SqlBool>`true`, 20, 0),
      find: (db) => g(db).find(`${COMMUNITY}001`),
      exists: (db) => g(db).exists(`${COMMUNITY}001`),
      statuses: (db) => g(db).statuses([`${COMMUNITY}001`]),
      layerFeatures: (db) => g(db).layerFeatures(COMMUNITY, sql<SqlBool>`true`),
      shape: (db) => g(db).shape(`${COMMUNITY}001`),
      neighbours: (db) => g(db).neighbours(`${COMMUNITY}001`),
      activeIn: (db) => g(db).activeIn(COMMUNITY),
      activeShapesIn: (db) => g(db).activeShapesIn(COMMUNITY),
      lockActiveIn: (db) => g(db).lockActiveIn(db, COMMUNITY),
      placesOfBuilding: (db) => g(db).placesOf({ buildingId: 1 }),
      placesOfDwellings: (db) => g(db).placesOf({ dwellingIds: [1, 2] }),
      countUnder: (db) => g(db).countUnder('440104004'),
    })
    await expect(text).toMatchFileSnapshot('./grids.repository.sql')
  })
})
