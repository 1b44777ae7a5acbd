// Every statement of the regions repository, rendered to regions.repository.sql beside it
// (testing/sql-statements.ts): a changed statement shows in the diff; `npx vitest run -u` rewrites
// the file, and in CI a stale one fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderStatements } from '../../testing/sql-statements.js'
import { createTestDatabase, type TestDatabase } from '../../testing/test-db.js'
import { createRegionsRepository, regionsLoad } from './regions.repository.js'

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t.destroy())

describe('regions repository statements', () => {
  it('should render every statement the repository sends', async () => {
    const r = (db: Parameters<typeof createRegionsRepository>[0]) => createRegionsRepository(db)
    const text = await renderStatements(t.db, {
      findByCode: (db) => r(db).findByCode('440104'),
      listAncestors: (db) => r(db).listAncestors('4401.440104.440104004'),
      listChildren: (db) => r(db).listChildren('440104'),
      countDescendantsByLevel: (db) => r(db).countDescendantsByLevel('4401.440104'),
      findGeometry: (db) => r(db).findGeometry('440104'),
      listChildGeometries: (db) => r(db).listChildGeometries('440104'),
      search: (db) => r(db).search({ q: 'lrj', level: 'street', within: '440104', limit: 10, offset: 0 }),
      loadChecksum: (db) => regionsLoad.checksum(db, 'regions:4401'),
      loadRegions: (db) =>
        regionsLoad.upsertRegions(db, [
          {
            code: '440104',
            name: '越秀区',
            level: 'district',
            kind: 'district',
            parent_code: '4401',
            path: '4401.440104',
            pinyin: 'yuexiuqu',
            initials: 'yxq',
            centroid_lng: 113.27,
            centroid_lat: 23.13,
            source: 'test',
          },
        ]),
      loadGeometries: (db) =>
        regionsLoad.upsertGeometries(db, [
          {
            code: '440104',
            geometry: '{"type":"Polygon","coordinates":[]}',
            min_lng: 113.2,
            min_lat: 23.1,
            max_lng: 113.3,
            max_lat: 23.2,
            area_m2: 1,
            synthetic: false,
            source: 'test',
          },
        ]),
      loaded: (db) => regionsLoad.loaded(db, { name: 'regions:4401', checksum: 'x', meta: '{}' }),
    })
    await expect(text).toMatchFileSnapshot('./regions.repository.sql')
  })
})
