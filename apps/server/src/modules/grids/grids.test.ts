// Partition runs on a loaded synthetic street, and the grid API.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type App, buildApp } from '../../app.js'
import { loadSynthetic } from '../../synth/loader.js'
import { PRESETS } from '../../synth/profiles.js'
import { createTestDatabase, type TestDatabase } from '../../testing/test-db.js'
import { createGridsService } from './grids.service.js'

let t: TestDatabase
let app: App
let report: Awaited<ReturnType<ReturnType<typeof createGridsService>['partition']>>
const get = async (url: string) => {
  const r = await app.inject({ method: 'GET', url })
  return { status: r.statusCode, body: r.json() }
}

beforeAll(async () => {
  t = await createTestDatabase()
  // 2,400 households over 六榕街's 16 communities: 150 a community, so small grids of 50.
  await loadSynthetic(t, {
    preset: { ...(PRESETS.tiny as (typeof PRESETS)[string]), households: 2400 } as never,
    seed: 'grids',
    city: '4401',
  })
  report = await createGridsService({ db: t.db }).partition('440104004', { target: 50, minHouseholds: 30 })
  app = await buildApp({ config: { bodyLimit: 1 << 20, logLevel: 'silent', logPretty: false }, database: t })
})
afterAll(async () => {
  await app.close()
  await t.destroy()
})

describe('partition run', () => {
  it('should report balanced, contiguous grids with well-formed unique codes', async () => {
    expect(report.grids).toBeGreaterThanOrEqual(40)
    expect(report.contiguous).toBe(1)
    expect(report.withinTwentyPercent).toBeGreaterThan(0.5)
    const rows = await t.db
      .selectFrom('grids')
      .select(['code', 'community_code', 'households'])
      .where('status', '=', 'active')
      .execute()
    expect(new Set(rows.map((r) => r.code)).size).toBe(rows.length)
    for (const r of rows) expect(r.code).toMatch(new RegExp(`^${r.community_code}\\d{3}$`))
    const total = await sql<{ n: number }>`select count(*)::int as n from households`.execute(t.db)
    expect(rows.reduce((s, r) => s + r.households, 0)).toBe(total.rows[0]?.n)
  })

  it('should give every household, person and component a grid of its own community', async () => {
    for (const table of ['components', 'dwellings', 'buildings']) {
      const bad = await sql<{
        n: number
      }>`select count(*)::int as n from ${sql.table(table)} where grid_code is null or substr(grid_code, 1, 12) <> community_code`.execute(
        t.db,
      )
      expect(bad.rows[0]?.n, table).toBe(0)
    }
  })

  it('should keep every code when nothing changed', async () => {
    const before = await t.db.selectFrom('grids').select('code').where('status', '=', 'active').orderBy('code').execute()
    const again = await createGridsService({ db: t.db }).partition('440104004', { target: 50, minHouseholds: 30 })
    expect(again.changedCommunities).toBe(0)
    const after = await t.db.selectFrom('grids').select('code').where('status', '=', 'active').orderBy('code').execute()
    expect(after).toEqual(before)
  })
})

describe('grid API', () => {
  it('should list grids under a region with their counts and count them in the region', async () => {
    const { body } = await get('/api/v1/grids?region=440104004&pageSize=500')
    expect(body.total).toBe(report.grids)
    expect(body.items[0]).toMatchObject({
      code: expect.stringMatching(/^440104004\d{6}$/),
      households: expect.any(Number),
      residents: expect.any(Number),
      buildings: expect.any(Number),
    })
    expect((await get('/api/v1/regions/440104')).body.descendantCounts.grid).toBe(report.grids)
  })

  it('should return a grid, its geometry in two levels of detail, and its neighbours', async () => {
    const code = (await get('/api/v1/grids?region=440104004')).body.items[0].code
    const g = (await get(`/api/v1/grids/${code}`)).body
    expect(g.code).toBe(code)
    const full = (await get(`/api/v1/grids/${code}/geometry`)).body
    const simple = (await get(`/api/v1/grids/${code}/geometry?detail=simplified`)).body
    expect(full.type).toBe('Feature')
    expect(JSON.stringify(simple.geometry).length).toBeLessThanOrEqual(JSON.stringify(full.geometry).length)
    const n = (await get(`/api/v1/grids/${code}/neighbors`)).body
    expect(n.length).toBeGreaterThan(0)
    expect(n.map((x: { code: string }) => x.code).sort()).toEqual([...g.neighbours].sort())
    for (const x of n)
      expect((await get(`/api/v1/grids/${x.code}/neighbors`)).body.map((y: { code: string }) => y.code)).toContain(code)
  })

  it('should answer 404 GRID_NOT_FOUND and 400 for malformed codes', async () => {
    expect((await get('/api/v1/grids/440104004107999')).body.code).toBe('GRID_NOT_FOUND')
    expect((await get('/api/v1/grids/12345')).status).toBe(400)
  })

  it('should look a point up down to its grid, and outside the city answer OUTSIDE_COVERAGE', async () => {
    const g = (await get('/api/v1/grids?region=440104004')).body.items[0]
    const hit = (await get(`/api/v1/lookup?lng=${g.centroid[0]}&lat=${g.centroid[1]}`)).body
    expect(hit.grid === null ? hit.community : hit.grid.slice(0, 12)).toBe(g.communityCode)
    expect(hit).toMatchObject({ street: '440104004', district: '440104', city: '4401' })
    const far = await get('/api/v1/lookup?lng=116.4&lat=39.9')
    expect(far.status).toBe(404)
    expect(far.body.code).toBe('OUTSIDE_COVERAGE')
    // 番禺 has no grids in this database: the answer stops at the community.
    const c = await t.db
      .selectFrom('regions')
      .select(['centroid_lng', 'centroid_lat'])
      .where('code', 'like', '440113%')
      .where('level', '=', 'community')
      .executeTakeFirstOrThrow()
    const outer = (await get(`/api/v1/lookup?lng=${c.centroid_lng}&lat=${c.centroid_lat}`)).body
    expect(outer.grid).toBeNull()
    expect(outer.district).toBe('440113')
    expect((await get('/api/v1/lookup?lng=500&lat=1')).status).toBe(400)
  })
})
