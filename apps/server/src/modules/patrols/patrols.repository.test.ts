// Every statement of the patrols repository, rendered to patrols.repository.sql beside it
// (testing/sql-statements.ts): a changed statement shows in the diff; `npx vitest run -u` rewrites
// the file, and in CI a stale one fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderStatements, withoutKeys } from '../../testing/sql-statements.js'
import { createTestDatabase, type TestDatabase } from '../../testing/test-db.js'
import { createPatrolsRepository } from './patrols.repository.js'

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t.destroy())

const GRID = '440104004107001'

describe('patrols repository statements', () => {
  it('should render every statement the repository sends', async () => {
    const repo = (db: Parameters<typeof createPatrolsRepository>[0]) => createPatrolsRepository(db)
    const text = await renderStatements(t.db, {
      patrol: (db) => repo(db).patrol(1),
      pointCount: (db) => repo(db).pointCount(1),
      casesFound: (db) => repo(db).casesFound(1, GRID, '2026-12-03T01:00:00Z', '2026-12-03T02:00:00Z'),
      activeGrid: (db) => repo(db).activeGrid(GRID),
      start: async (db) =>
        repo(await withoutKeys(db)).start({
          client_id: 'patrol-00000001',
          user_id: 1,
          grid_code: GRID,
          started_at: '2026-12-03T01:00:00Z',
        }),
      byClientId: (db) =>
        repo(db)
          .byClientId('patrol-00000001')
          .catch(() => null),
      addPoints: async (db) =>
        repo(await withoutKeys(db)).addPoints(1, [
          { seq: 1, at: '2026-12-03T01:00:00Z', lng: 113.27, lat: 23.13, accuracy_m: 5 },
        ]),
      track: (db) => repo(db).track(1),
      buildingsOf: (db) => repo(db).buildingsOf(GRID),
      end: (db) => repo(db).end(1, { ended_at: '2026-12-03T02:00:00Z', distance_m: 1200, buildings: 40, buildings_passed: 31 }),
      under: (db) => repo(db).under('440104004', new Date('2026-11-03T00:00:00Z'), 200),
    })
    await expect(text).toMatchFileSnapshot('./patrols.repository.sql')
  })
})
