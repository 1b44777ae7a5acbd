// The case catalog as data, routing rules and the "who gets this case?" dry run.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type App, buildApp } from '../../app.js'
import { loadSynthetic } from '../../synth/loader.js'
import { PRESETS } from '../../synth/profiles.js'
import { createTestDatabase, type TestDatabase } from '../../testing/test-db.js'
import { adminHeaders } from '../../testing/users.js'
import { createGridsService } from '../grids/index.js'

let t: TestDatabase
let app: App
let admin: Record<string, string>
const call = async (method: string, url: string, payload?: unknown) => {
  const r = await app.inject({
    method: method as 'GET',
    url,
    headers: admin,
    ...(payload === undefined ? {} : { payload: payload as object }),
  })
  return { status: r.statusCode, body: r.json() }
}

beforeAll(async () => {
  t = await createTestDatabase()
  await loadSynthetic(t, { preset: PRESETS.tiny as (typeof PRESETS)[string], seed: 'catalog', city: '4401' })
  await createGridsService({ db: t.db }).partition('440104004', { target: 50, minHouseholds: 30 })
  app = await buildApp({ config: { bodyLimit: 1 << 20, logLevel: 'silent', logPretty: false }, database: t })
  admin = await adminHeaders(t.db)
}, 120_000)
afterAll(async () => {
  await app.close()
  await t.destroy()
})

describe('case catalog', () => {
  it('should be seeded with events and component problems, their departments and limits', async () => {
    const events = (await call('GET', '/api/v1/catalog?kind=event')).body
    const components = (await call('GET', '/api/v1/catalog?kind=component')).body
    expect(events.length).toBeGreaterThanOrEqual(25)
    expect(components.length).toBeGreaterThanOrEqual(30)
    expect((await call('GET', '/api/v1/catalog/E0507')).body).toMatchObject({ name: '露天烧烤', department: 'city_mgmt' })
    expect((await call('GET', '/api/v1/catalog/C0101')).body.limits.normal).toEqual({ amount: 6, unit: 'natural_hours' })
    expect((await call('GET', '/api/v1/catalog?q=烧烤')).body.map((e: { code: string }) => e.code)).toEqual(['E0507'])
    expect((await call('GET', '/api/v1/catalog/X0000')).status).toBe(400)
    expect((await call('GET', '/api/v1/catalog/E9999')).status).toBe(404)
  })

  it('should change an entry with its version, keep the history, and refuse a stale version', async () => {
    const e = (await call('GET', '/api/v1/catalog/E0102')).body
    const r = await call('PATCH', '/api/v1/catalog/E0102', {
      version: e.version,
      limits: { normal: { amount: 3, unit: 'working_hours' } },
      reason: '市容标准提高',
    })
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ version: e.version + 1, limits: { normal: { amount: 3, unit: 'working_hours' } } })
    const stale = await call('PATCH', '/api/v1/catalog/E0102', { version: e.version, photos: 2, reason: '晚了' })
    expect([stale.status, stale.body.code]).toEqual([409, 'VERSION_CONFLICT'])
    const history = (await call('GET', '/api/v1/catalog/E0102/history')).body
    expect(history[0]).toMatchObject({ reason: '市容标准提高', version: e.version + 1 })
    expect(history[0].changes.normal_amount).toEqual({ old: 4, new: 3 })
    const unknown = await call('PATCH', '/api/v1/catalog/E0102', { version: e.version + 1, department: 'nobody', reason: 'x1' })
    expect(unknown.status).toBe(400)
  })
})

describe('routing', () => {
  it('should send an event to the catalog department, then to the most specific routing rule', async () => {
    const c = await sql<{ lng: number; lat: number; code: string }>`
      select centroid_lng as lng, centroid_lat as lat, code from grids where status = 'active' order by code limit 1`.execute(
      t.db,
    )
    const g = c.rows[0] as { lng: number; lat: number; code: string }
    const url = `/api/v1/routing/dry-run?catalog=E0507&lng=${g.lng}&lat=${g.lat}`
    const before = (await call('GET', url)).body
    expect(before).toMatchObject({ department: 'city_mgmt', basis: 'catalog', rule: null })
    expect(before.street).toBe('440104004')
    const district = await call('POST', '/api/v1/routing-rules', { catalogCode: 'E0507', region: '440104', department: 'market' })
    expect(district.status).toBe(201)
    expect((await call('GET', url)).body).toMatchObject({
      department: 'market',
      basis: 'routing_rule',
      rule: { region: '440104' },
    })
    const street = await call('POST', '/api/v1/routing-rules', {
      catalogCode: 'E0507',
      region: '440104004',
      department: 'police',
    })
    expect((await call('GET', url)).body).toMatchObject({ department: 'police', rule: { region: '440104004' } })
    expect(
      (await call('POST', '/api/v1/routing-rules', { catalogCode: 'E0507', region: '440104004', department: 'water' })).status,
    ).toBe(409)
    expect((await call('DELETE', `/api/v1/routing-rules/${street.body.id}`)).status).toBe(200)
    expect((await call('GET', url)).body.department).toBe('market')
    expect(
      (await call('POST', '/api/v1/routing-rules', { catalogCode: 'E0507', region: '449999', department: 'water' })).status,
    ).toBe(404)
  })

  it('should send a component problem to its owner — an enterprise, a department — and the territory’s to its rules', async () => {
    const first = (major: string, sub: string) =>
      t.db
        .selectFrom('components')
        .select(['code', 'major', 'sub', 'competent_department', 'owner_unit'])
        .where('major', '=', major)
        .where('sub', '=', sub)
        .orderBy('code')
        .executeTakeFirstOrThrow()
    const route = async (c: { code: string; major: string; sub: string }) =>
      (await call('GET', `/api/v1/routing/dry-run?catalog=C${c.major}${c.sub}&component=${c.code}`)).body
    // A gas cover goes to the gas company, a power cover to the power company — not to the water authority.
    const gas = await first('01', '11')
    expect(gas).toMatchObject({ competent_department: 'gas', owner_unit: '广州燃气集团' })
    expect(await route(gas)).toMatchObject({
      department: 'gas',
      basis: 'component',
      owner: { kind: 'enterprise', unit: '广州燃气集团' },
    })
    const power = await first('01', '05')
    expect(await route(power)).toMatchObject({ department: 'power', basis: 'component', owner: { kind: 'enterprise' } })
    expect((await call('GET', '/api/v1/catalog/C0111')).body.department).toBe('gas')
    // A street tree to the department that owns it.
    const tree = await first('04', '02')
    expect(await route(tree)).toMatchObject({ department: 'greening', basis: 'component', owner: { kind: 'department' } })
    // A litter bin belongs to the territory: the catalog's city management, then the territory's rule.
    const bin = await first('03', '05')
    expect(bin.owner_unit).toBe('越秀区城市管理和综合执法局')
    expect(await route(bin)).toMatchObject({ department: 'city_mgmt', basis: 'catalog', owner: { kind: 'territory' } })
    const rule = await call('POST', '/api/v1/routing-rules', { catalogCode: 'C0305', region: '440104004', department: 'housing' })
    expect(rule.status).toBe(201)
    expect(await route(bin)).toMatchObject({ department: 'housing', basis: 'routing_rule', rule: { region: '440104004' } })
    // A territory rule never overrides an owner.
    expect(
      (await call('POST', '/api/v1/routing-rules', { catalogCode: 'C0111', region: '440104004', department: 'housing' })).status,
    ).toBe(201)
    expect(await route(gas)).toMatchObject({ department: 'gas', basis: 'component' })
    const noPlace = await call('GET', '/api/v1/routing/dry-run?catalog=E0507')
    expect([noPlace.status, noPlace.body.code]).toEqual([400, 'VALIDATION_FAILED'])
    const outside = await call('GET', '/api/v1/routing/dry-run?catalog=E0507&lng=116.4&lat=39.9')
    expect([outside.status, outside.body.code]).toEqual([404, 'OUTSIDE_COVERAGE'])
  })
})
