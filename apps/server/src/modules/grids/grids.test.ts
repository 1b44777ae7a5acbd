// Partition runs on a loaded synthetic street, and the grid API.
import { type AreaGeometry, areaDeg2, clip, type MultiPolygonCoords, ogcInvalidity, toMulti } from '@wangge/geo'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type App, buildApp } from '../../app.js'
import { createChangeBus } from '../../kernel/change-bus.js'
import { loadSynthetic } from '../../synth/loader.js'
import { PRESETS } from '../../synth/profiles.js'
import { createTestDatabase, type TestDatabase } from '../../testing/test-db.js'
import { adminHeaders, userWithToken } from '../../testing/users.js'
import { createGridsService } from './grids.service.js'

let t: TestDatabase
let app: App
let auth: Record<string, string> = {}
let report: Awaited<ReturnType<ReturnType<typeof createGridsService>['partition']>>
const get = async (url: string) => {
  const r = await app.inject({ method: 'GET', url, headers: auth })
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
  auth = await adminHeaders(t.db)
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

  it('should give every grid a shape valid by the OGC rules (JTS IsValidOp)', async () => {
    const shapes = await t.db.selectFrom('grids').select(['code', 'geometry']).where('status', '=', 'active').execute()
    const invalid = shapes
      .map((g) => ({ code: g.code, why: ogcInvalidity(toMulti(g.geometry as AreaGeometry)) }))
      .filter((g) => g.why !== null)
    expect(invalid).toEqual([])
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

  it('should give the map layer of a region as one FeatureCollection, limited to the caller’s scope', async () => {
    const all = await get('/api/v1/grids/layer?region=440104')
    expect(all.status).toBe(200)
    expect(all.body.type).toBe('FeatureCollection')
    expect(all.body.features).toHaveLength(report.grids)
    const f = all.body.features[0]
    expect(f).toMatchObject({
      type: 'Feature',
      id: Number(f.properties.code),
      properties: {
        code: expect.stringMatching(/^440104004\d{6}$/),
        households: expect.any(Number),
        residents: expect.any(Number),
      },
      geometry: { type: expect.stringMatching(/Polygon/) },
    })
    const total = all.body.features.reduce(
      (a: number, x: { properties: { households: number } }) => a + x.properties.households,
      0,
    )
    const listed = (await get('/api/v1/grids?region=440104004&pageSize=500')).body.items
    expect(total).toBe(listed.reduce((a: number, x: { households: number }) => a + x.households, 0))
    // A grid worker's layer is their grid; a region with no grids gives an empty collection.
    const worker = await userWithToken(t.db, 'layer-worker', [{ role: 'grid_worker', scope: f.properties.code }])
    const mine = await app.inject({ method: 'GET', url: '/api/v1/grids/layer?region=440104', headers: worker.headers })
    expect(mine.json().features.map((x: { properties: { code: string } }) => x.properties.code)).toEqual([f.properties.code])
    expect((await get('/api/v1/grids/layer?region=440103')).body.features).toEqual([])
    expect((await get('/api/v1/grids/layer?region=44x')).status).toBe(400)
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

describe('manual adjustment', () => {
  const post = async (body: object) => {
    const r = await app.inject({ method: 'POST', url: '/api/v1/grids/adjustments', payload: body, headers: auth })
    return { status: r.statusCode, body: r.json() }
  }
  const gridsOf = (community: string) =>
    t.db
      .selectFrom('grids')
      .select(['code', 'version', 'households', 'signature', 'geometry'])
      .where('community_code', '=', community)
      .where('status', '=', 'active')
      .orderBy('code')
      .execute()
  /** The community's grids tile it: areas add up and no two overlap. */
  const expectTiling = async (community: string) => {
    const geo = await t.db
      .selectFrom('region_geometries')
      .select('geometry')
      .where('code', '=', community)
      .executeTakeFirstOrThrow()
    const shapes = (await gridsOf(community)).map((g) => toMulti(g.geometry as AreaGeometry))
    const whole = areaDeg2(toMulti(geo.geometry as AreaGeometry))
    expect(Math.abs(shapes.reduce((s, g) => s + areaDeg2(g), 0) - whole) / whole).toBeLessThan(1e-6)
    expect(areaDeg2(clip.union(...(shapes as [MultiPolygonCoords]))) / whole).toBeCloseTo(1, 6)
  }
  /** A pair of adjacent grids of one community, with the buildings of the first. */
  const pair = async () => {
    // The grid with the most buildings, and a neighbour in its community.
    const p = await t.db
      .selectFrom('grid_adjacency as x')
      .innerJoin('grids as g', 'g.code', 'x.a')
      .select(['x.a', 'x.b'])
      .where(sql<boolean>`substr(x.a, 1, 12) = substr(x.b, 1, 12)`)
      .where('g.status', '=', 'active')
      .orderBy('g.buildings', 'desc')
      .orderBy('x.a')
      .orderBy('x.b')
      .executeTakeFirstOrThrow()
    const buildings = await t.db
      .selectFrom('buildings')
      .select(['id', 'lng', 'lat'])
      .where('grid_code', '=', p.a)
      .orderBy('id')
      .execute()
    return { from: p.a, to: p.b, community: p.a.slice(0, 12), buildings }
  }
  const households = (code: string) =>
    sql<{
      n: number
    }>`select count(*)::int as n from households h join dwellings d on d.id = h.dwelling_id where d.grid_code = ${code}`
      .execute(t.db)
      .then((r) => r.rows[0]?.n)

  it('should move a building to an adjacent grid, keeping codes, logging history and leaving other grids alone', async () => {
    const { from, to, community, buildings } = await pair()
    const before = await gridsOf(community)
    // Buildings nearest the receiving grid move without breaking either grid into pieces.
    let moved: { id: number } | undefined
    let preview: { status: number; body: Record<string, unknown> } | undefined
    for (const b of buildings) {
      preview = await post({ kind: 'move', buildingId: Number(b.id), to, reason: '楼栋归属调整', dryRun: true })
      if (preview.status === 200) {
        moved = { id: Number(b.id) }
        break
      }
      expect(preview.body).toMatchObject({ code: 'INVALID_ADJUSTMENT' })
    }
    expect(moved).toBeDefined()
    expect(await gridsOf(community)).toEqual(before) // a dry run writes nothing
    const r = await post({
      kind: 'move',
      buildingId: moved?.id,
      to,
      reason: '楼栋归属调整',
      versions: Object.fromEntries(before.filter((g) => g.code === from || g.code === to).map((g) => [g.code, g.version])),
    })
    expect(r.status).toBe(200)
    expect(r.body.grids.map((g: { code: string }) => g.code).sort()).toEqual([from, to].sort())
    const byCode = new Map(r.body.grids.map((g: { code: string }) => [g.code, g]))
    const f = byCode.get(from) as { householdsBefore: number; householdsAfter: number }
    const tt = byCode.get(to) as { householdsBefore: number; householdsAfter: number }
    expect(f.householdsBefore + tt.householdsBefore).toBe(f.householdsAfter + tt.householdsAfter)
    expect(await households(to)).toBe(tt.householdsAfter)
    const b = await t.db
      .selectFrom('buildings')
      .select('grid_code')
      .where('id', '=', moved?.id as number)
      .executeTakeFirstOrThrow()
    expect(b.grid_code).toBe(to)
    const after = await gridsOf(community)
    expect(after.map((g) => g.code)).toEqual(before.map((g) => g.code))
    for (const g of after) {
      const old = before.find((x) => x.code === g.code)
      if (g.code === from || g.code === to) expect(g.version).toBe((old?.version ?? 0) + 1)
      else expect(g).toEqual(old)
    }
    await expectTiling(community)
    const history = await get(`/api/v1/grids/${to}/history`)
    expect(history.body.items[0]).toMatchObject({ action: 'move', reason: '楼栋归属调整' })
    // The same versions again: someone (we) changed these grids since.
    const stale = await post({
      kind: 'move',
      buildingId: moved?.id,
      to: from,
      reason: '撤销',
      versions: Object.fromEntries(before.filter((g) => g.code === to).map((g) => [g.code, g.version])),
    })
    expect(stale.status).toBe(409)
    expect(stale.body.code).toBe('VERSION_CONFLICT')
  })

  it('should refuse adjustments that are not valid, with a reason, and write nothing', async () => {
    const { from, to, community, buildings } = await pair()
    const before = await gridsOf(community)
    const other = await t.db
      .selectFrom('grids')
      .select('code')
      .where('status', '=', 'active')
      .where('community_code', '<>', community)
      .executeTakeFirstOrThrow()
    const far = before.find((g) => g.code !== from && g.code !== to)?.code
    const cases: [object, number, string, string?][] = [
      [
        { kind: 'move', buildingId: Number(buildings[0]?.id), to: other.code, reason: '跨社区' },
        422,
        'INVALID_ADJUSTMENT',
        'DIFFERENT_COMMUNITIES',
      ],
      [{ kind: 'move', buildingId: Number(buildings[0]?.id), to: from, reason: '原地' }, 422, 'INVALID_ADJUSTMENT', 'NO_CHANGE'],
      [{ kind: 'merge', grids: [from, from], reason: '自己' }, 422, 'INVALID_ADJUSTMENT', 'SAME_GRID'],
      [{ kind: 'merge', grids: [from, other.code], reason: '跨社区' }, 422, 'INVALID_ADJUSTMENT', 'DIFFERENT_COMMUNITIES'],
      [{ kind: 'split', grid: `${community}999`, reason: '不存在' }, 404, 'GRID_NOT_FOUND'],
      [{ kind: 'move', buildingId: 999999999, to, reason: '不存在' }, 404, 'NOT_FOUND'],
      [{ kind: 'move', to, reason: '缺字段' }, 400, 'VALIDATION_FAILED'],
      [{ kind: 'merge', grids: [from, to] }, 400, 'VALIDATION_FAILED'],
      [{ kind: 'split', grid: from, buildingIds: [999999999], reason: '不在网格' }, 422, 'INVALID_ADJUSTMENT', 'NOT_IN_GRID'],
    ]
    if (far) {
      const adjacent = await get(`/api/v1/grids/${from}/neighbors`)
      if (!adjacent.body.some((n: { code: string }) => n.code === far))
        cases.push([{ kind: 'merge', grids: [from, far], reason: '不相邻' }, 422, 'INVALID_ADJUSTMENT', 'NOT_ADJACENT'])
    }
    for (const [body, status, code, reason] of cases) {
      const r = await post(body)
      expect([r.status, r.body.code], JSON.stringify(body)).toEqual([status, code])
      if (reason) expect(r.body.details.reason, JSON.stringify(body)).toBe(reason)
    }
    // Moving every building but one away would empty nothing; moving a grid's far side breaks it
    // in two: at least one building of the grid cannot move on its own.
    const refusals = new Set<string>()
    for (const b of buildings) {
      const r = await post({ kind: 'move', buildingId: Number(b.id), to, reason: '试一试', dryRun: true })
      if (r.status !== 200) refusals.add(r.body.details?.reason ?? JSON.stringify(r.body))
    }
    expect([...refusals].filter((x) => !['NOT_CONTIGUOUS', 'WOULD_EMPTY_GRID'].includes(x))).toEqual([])
    expect(await gridsOf(community)).toEqual(before)
  })

  it('should split a grid into two and merge them back, keeping the other grids and the tiling', async () => {
    const { from, community } = await pair()
    const before = await gridsOf(community)
    const maxSeq = Math.max(
      ...(await t.db.selectFrom('grids').select('seq').where('community_code', '=', community).execute()).map((g) => g.seq),
    )
    const split = await post({ kind: 'split', grid: from, reason: '户数过多，拆分' })
    expect(split.status, JSON.stringify(split.body)).toBe(200)
    const created = split.body.grids.find((g: { change: string }) => g.change === 'created')
    const kept = split.body.grids.find((g: { code: string }) => g.code === from)
    expect(created.code).toBe(`${community}${String(maxSeq + 1).padStart(3, '0')}`)
    expect(kept.householdsAfter).toBeGreaterThanOrEqual(created.householdsAfter)
    expect(kept.householdsAfter + created.householdsAfter).toBe(kept.householdsBefore)
    const mid = await gridsOf(community)
    for (const g of before) if (g.code !== from) expect(mid.find((x) => x.code === g.code)).toEqual(g)
    await expectTiling(community)
    expect((await get(`/api/v1/grids/${created.code}/neighbors`)).body.map((n: { code: string }) => n.code)).toContain(from)
    const merge = await post({ kind: 'merge', grids: [created.code, from], reason: '合并回去' })
    expect(merge.status).toBe(200)
    expect(merge.body.grids.find((g: { change: string }) => g.change === 'retired').code).toBe(created.code)
    const after = await gridsOf(community)
    expect(after.map((g) => g.code)).toEqual(before.map((g) => g.code))
    expect(after.find((g) => g.code === from)?.households).toBe(before.find((g) => g.code === from)?.households)
    expect((await get(`/api/v1/grids/${created.code}`)).body.status).toBe('retired')
    await expectTiling(community)
  })
})

describe('manual adjustment of a one-building grid', () => {
  it('should refuse to split it (TOO_SMALL) instead of searching for a cut', async () => {
    const single = await t.db
      .selectFrom('grids')
      .select('code')
      .where('status', '=', 'active')
      .where('buildings', '=', 1)
      .executeTakeFirst()
    expect(single, 'this data has grids of one building (towers)').toBeDefined()
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/grids/adjustments',
      payload: { kind: 'split', grid: single?.code, reason: '拆分', dryRun: true },
      headers: auth,
    })
    expect(r.statusCode).toBe(422)
    expect(r.json().details.reason).toBe('TOO_SMALL')
  })
})

describe('two server processes on one database', () => {
  it('should see a grid split made by the other at once (the change bus), not after a restart', async () => {
    // On PostgreSQL two buses, as two processes have (LISTEN/NOTIFY between them); on the embedded
    // engine, which one process owns, one bus shared by two service sets (as the demo's background
    // partition shares the server's).
    const busA = createChangeBus({ db: t.db, databaseUrl: t.url })
    const busB = t.url ? createChangeBus({ db: t.db, databaseUrl: t.url }) : busA
    await Promise.all([busA.ready(), busB.ready()])
    const config = { bodyLimit: 1 << 20, logLevel: 'silent' as const, logPretty: false }
    const a = await buildApp({ config, database: t, bus: busA, webDir: false })
    const b = await buildApp({ config, database: t, bus: busB, webDir: false })
    const lookup = async (x: App, lng: number, lat: number) =>
      (await x.inject({ method: 'GET', url: `/api/v1/lookup?lng=${lng}&lat=${lat}`, headers: auth })).json().grid as string
    const adjust = async (body: object) => {
      const r = await a.inject({ method: 'POST', url: '/api/v1/grids/adjustments', payload: body, headers: auth })
      expect(r.statusCode, r.body).toBe(200)
      return r.json()
    }
    try {
      const from = (
        await t.db
          .selectFrom('grids')
          .select('code')
          .where('status', '=', 'active')
          .orderBy('buildings', 'desc')
          .orderBy('code')
          .executeTakeFirstOrThrow()
      ).code
      const inFrom = await t.db.selectFrom('buildings').select(['lng', 'lat']).where('grid_code', '=', from).execute()
      // B has built its lookup index before the split.
      for (const p of inFrom.slice(0, 3)) expect(await lookup(b, p.lng, p.lat)).toBe(from)
      const split = await adjust({ kind: 'split', grid: from, reason: '拆分（两个进程）' })
      const created = split.grids.find((g: { change: string }) => g.change === 'created').code as string
      const moved = await t.db.selectFrom('buildings').select(['lng', 'lat']).where('grid_code', '=', created).execute()
      expect(moved.length).toBeGreaterThan(0)
      const p = moved[0] as { lng: number; lat: number }
      await expect.poll(() => lookup(b, p.lng, p.lat), { timeout: 5_000 }).toBe(created)
      await adjust({ kind: 'merge', grids: [created, from], reason: '合并回去' })
      await expect.poll(() => lookup(b, p.lng, p.lat), { timeout: 5_000 }).toBe(from)
    } finally {
      await a.close()
      await b.close()
      await busA.close()
      await busB.close()
    }
  })
})

describe('re-dividing a community', () => {
  it('should preview the grids a policy gives without writing, then apply it and keep the codes of unchanged grids', async () => {
    const community = (
      await t.db
        .selectFrom('grids')
        .select('community_code')
        .groupBy('community_code')
        // One the other tests have not adjusted by hand (no grid retired, none changed since).
        .having(sql<boolean>`bool_and(status = 'active') and min(version) = max(version)`)
        .orderBy(sql`count(*)`, 'desc')
        .orderBy('community_code')
        .executeTakeFirstOrThrow()
    ).community_code
    const active = () =>
      t.db
        .selectFrom('grids')
        .select(['code', 'households', 'version'])
        .where('community_code', '=', community)
        .where('status', '=', 'active')
        .orderBy('code')
        .execute()
    const before = await active()
    const total = before.reduce((n, g) => n + g.households, 0)
    const run = async (body: object) => {
      const r = await app.inject({
        method: 'POST',
        url: '/api/v1/grids/partition',
        payload: { community, ...body },
        headers: auth,
      })
      expect(r.statusCode, r.body).toBe(200)
      return r.json() as {
        applied: boolean
        balance: { grids: number; min: number; max: number }
        layer: { features: { properties: { code: string; households: number; existing: boolean }; geometry: { type: string } }[] }
      }
    }
    // The policy it was divided with: the same division (households per grid); a code is marked
    // existing exactly when the community has it.
    const hh = (xs: number[]) => [...xs].sort((x, y) => x - y)
    const same = await run({ target: 50, minHouseholds: 30 })
    expect(same.applied).toBe(false)
    expect(hh(same.layer.features.map((f) => f.properties.households))).toEqual(hh(before.map((g) => g.households)))
    for (const f of same.layer.features) {
      expect(f.properties.existing).toBe(before.some((g) => g.code === f.properties.code))
      expect(f.geometry.type).toMatch(/Polygon/)
    }
    // Smaller grids: more of them, every household still in one; nothing written by the preview.
    const small = await run({ target: 25, minHouseholds: 10 })
    expect(small.balance.grids).toBeGreaterThan(before.length)
    expect(small.layer.features.reduce((n, f) => n + f.properties.households, 0)).toBe(total)
    expect(await active()).toEqual(before)
    // Applied, then back: the original division returns (codes of unchanged grids kept).
    const applied = await run({ target: 25, minHouseholds: 10, dryRun: false })
    expect(applied.applied).toBe(true)
    expect((await active()).length).toBe(small.balance.grids)
    const back = await run({ target: 50, minHouseholds: 30, dryRun: false })
    expect(hh((await active()).map((g) => g.households))).toEqual(hh(before.map((g) => g.households)))
    // Applying the policy it has now changes nothing: every code stays.
    const codes = (await active()).map((g) => g.code)
    await run({ target: 50, minHouseholds: 30, dryRun: false })
    expect((await active()).map((g) => g.code)).toEqual(codes)
    expect(back.applied).toBe(true)
    // Someone without grid.adjust, and a bad code.
    const leader = await userWithToken(t.db, 'partition-leader', [{ role: 'leader', scope: '440104' }])
    const denied = await app.inject({
      method: 'POST',
      url: '/api/v1/grids/partition',
      payload: { community },
      headers: leader.headers,
    })
    expect(denied.statusCode).toBe(403)
    const bad = await app.inject({
      method: 'POST',
      url: '/api/v1/grids/partition',
      payload: { community: '4401' },
      headers: auth,
    })
    expect([bad.statusCode, bad.json().code]).toEqual([400, 'VALIDATION_FAILED'])
  })
})
