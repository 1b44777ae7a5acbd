// The base information API on a loaded synthetic community: search, validation, provenance,
// history, optimistic versions, household moves, buildings, organizations, components.
import { makeIdNumber, makeUscc } from '@wangge/domain'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type App, buildApp } from '../../app.js'
import { loadSynthetic } from '../../synth/loader.js'
import { PRESETS } from '../../synth/profiles.js'
import { createTestDatabase, type TestDatabase } from '../../testing/test-db.js'
import { adminHeaders, userWithToken } from '../../testing/users.js'

let t: TestDatabase
let app: App
let auth: Record<string, string> = {}
let personTotal = 0
const get = async (url: string) => {
  const r = await app.inject({ method: 'GET', url, headers: auth })
  return { status: r.statusCode, body: r.json() }
}
const send = async (method: 'POST' | 'PATCH', url: string, payload: unknown) => {
  const r = await app.inject({ method, url, payload: payload as object, headers: auth })
  return { status: r.statusCode, body: r.json() }
}

beforeAll(async () => {
  t = await createTestDatabase()
  const r = await loadSynthetic(t, { preset: PRESETS.tiny as never, seed: 'api', city: '4401' })
  personTotal = r.counts.persons
  app = await buildApp({ config: { bodyLimit: 1 << 20, logLevel: 'silent', logPretty: false }, database: t })
  auth = await adminHeaders(t.db)
})
afterAll(async () => {
  await app.close()
  await t.destroy()
})

describe('persons search', () => {
  it('should count everyone living under a region at every level', async () => {
    for (const region of ['4401', '440104', '440104004'])
      expect((await get(`/api/v1/persons?region=${region}&pageSize=1`)).body.total, region).toBe(personTotal)
    expect((await get('/api/v1/persons?region=440103')).body.total).toBe(0)
    expect((await get('/api/v1/persons?region=44x')).status).toBe(400)
  })

  it('should find by ID number, name initials, household, address and tag', async () => {
    const first = (await get('/api/v1/persons?pageSize=1')).body.items[0]
    const full = (await get(`/api/v1/persons/${first.id}?unmask=true&reason=test`)).body
    expect((await get(`/api/v1/persons?idNumber=${full.idNumber.toLowerCase()}`)).body.items[0].id).toBe(first.id)
    const byInitials = (await get(`/api/v1/persons?q=${first.nameInitials}&pageSize=500`)).body
    expect(byInitials.items.map((p: { id: number }) => p.id)).toContain(first.id)
    const members = (await get(`/api/v1/persons?householdId=${first.householdId}`)).body
    expect(members.items.every((p: { householdId: number }) => p.householdId === first.householdId)).toBe(true)
    const byAddress = (await get(`/api/v1/persons?address=${encodeURIComponent(full.address)}`)).body
    expect(byAddress.items.map((p: { id: number }) => p.id)).toContain(first.id)
    const alone = (await get('/api/v1/persons?tag=elderly_alone&pageSize=500')).body
    expect(alone.total).toBeGreaterThan(0)
    expect(alone.items.every((p: { careTags: string[] }) => p.careTags.includes('elderly_alone'))).toBe(true)
  })
})

describe('person provenance, validation and history', () => {
  it('should show per-group provenance of a loaded person', async () => {
    const { body } = await get('/api/v1/persons/1')
    expect(body.provenance.identity.source).toBe('police')
    expect(body.provenance.care.source).toBe('civil_affairs')
    expect(body.provenance.social.source).toBe('hrss')
  })

  it('should reject bad input with per-field details and write nothing', async () => {
    const before = personTotal
    const bad = await send('POST', '/api/v1/persons', {
      idNumber: '440104198506150011',
      name: '',
      sex: '3',
      populationType: 'tourist',
      phone: '12345',
      householdId: 1,
      relationToHead: '02',
      careTags: ['rich'],
      source: 'nobody',
    })
    expect(bad.status).toBe(400)
    expect(bad.body.code).toBe('VALIDATION_FAILED')
    const paths = bad.body.details.issues.map((i: { path: string }) => i.path.split('.')[0])
    for (const f of ['idNumber', 'name', 'sex', 'populationType', 'phone', 'careTags', 'source']) expect(paths, f).toContain(f)
    const n = await sql<{ n: number }>`select count(*)::int as n from persons`.execute(t.db)
    expect(n.rows[0]?.n).toBe(before)
  })

  it('should register a person, normalise the ID, and refuse the same ID twice', async () => {
    const id = makeIdNumber('440104', '1990-03-07', 123).replace('X', 'x')
    const body = {
      idNumber: id,
      name: '陈小明',
      sex: '1',
      populationType: 'registered',
      householdId: 1,
      relationToHead: '99',
      phone: '138 0013 8000',
      source: 'police',
      reason: '新生登记',
    }
    const created = await send('POST', '/api/v1/persons', body)
    expect(created.status).toBe(201)
    // Masked by default; the full values with a stated reason (written to the audit log).
    expect(created.body).toMatchObject({
      idNumber: `${id.slice(0, 6)}********${id.slice(-4).toUpperCase()}`,
      birthDate: '1990-03-07',
      sex: '1',
      phone: '138****8000',
      nameInitials: 'cxm',
      version: 1,
      masked: true,
    })
    const full = (await get(`/api/v1/persons/${created.body.id}?unmask=true&reason=${encodeURIComponent('核对身份')}`)).body
    expect(full).toMatchObject({ idNumber: id.toUpperCase(), phone: '13800138000', masked: false })
    expect(created.body.provenance.identity.source).toBe('police')
    const again = await send('POST', '/api/v1/persons', body)
    expect(again.status).toBe(409)
    expect(again.body.code).toBe('DUPLICATE')
    const history = (await get(`/api/v1/persons/${created.body.id}/history`)).body
    expect(history.items[0]).toMatchObject({ action: 'create', reason: '新生登记', source: 'police' })
  })

  it('should keep each field group’s own source, record old and new values, and detect stale versions', async () => {
    const p = (await get('/api/v1/persons/2')).body
    const upd = await send('PATCH', '/api/v1/persons/2', {
      phone: '13912345678',
      version: p.version,
      source: 'grid_worker',
      reason: '入户核实',
    })
    expect(upd.status).toBe(200)
    expect(upd.body.version).toBe(p.version + 1)
    expect(upd.body.provenance.contact.source).toBe('grid_worker')
    expect(upd.body.provenance.identity.source).toBe('police')
    const care = await send('PATCH', '/api/v1/persons/2', {
      careTags: ['low_income'],
      version: upd.body.version,
      source: 'civil_affairs',
      reason: '低保审批',
    })
    expect(care.body.provenance.care.source).toBe('civil_affairs')
    expect(care.body.provenance.contact.source).toBe('grid_worker')
    const stale = await send('PATCH', '/api/v1/persons/2', {
      phone: '13700000000',
      version: p.version,
      source: 'grid_worker',
      reason: 'late',
    })
    expect(stale.status).toBe(409)
    expect(stale.body).toMatchObject({ code: 'VERSION_CONFLICT', details: { current: p.version + 2, given: p.version } })
    const history = (await get('/api/v1/persons/2/history')).body
    expect(history.total).toBe(2)
    expect(history.items[1]).toMatchObject({
      action: 'update',
      reason: '入户核实',
      changes: { phone: { old: '****', new: '****' } }, // sensitive values stay masked in history
    })
    expect((await get('/api/v1/persons/2')).body.phone).toBe('139****5678')
    expect((await get('/api/v1/persons/2?unmask=true&reason=%E5%9B%9E%E8%AE%BF')).body.phone).toBe('13912345678')
  })

  it('should record moving out and death as status changes with history', async () => {
    const p = (await get('/api/v1/persons/3')).body
    const r = await send('POST', '/api/v1/persons/3/status', {
      status: 'deceased',
      version: p.version,
      source: 'civil_affairs',
      reason: '死亡注销',
    })
    expect(r.body.status).toBe('deceased')
    expect((await get('/api/v1/persons/3/history')).body.items[0]).toMatchObject({
      action: 'decease',
      changes: { status: { old: 'active', new: 'deceased' } },
    })
  })

  it('should answer 404 for unknown records and 400 for malformed ids', async () => {
    expect((await get('/api/v1/persons/999999999')).body.code).toBe('NOT_FOUND')
    expect((await get('/api/v1/persons/abc')).status).toBe(400)
    expect((await get('/api/v1/households/999999999')).status).toBe(404)
  })
})

describe('households and housing', () => {
  it('should show a household with its members and move it with history', async () => {
    const h = (await get('/api/v1/households/5')).body
    expect(h.members.length).toBeGreaterThan(0)
    const target = await sql<{
      id: number
    }>`select id from dwellings where occupancy = 'vacant' and id <> ${h.dwellingId} order by id limit 1`.execute(t.db)
    const to = Number(target.rows[0]?.id)
    const moved = await send('POST', '/api/v1/households/5/move', {
      dwellingId: to,
      version: h.version,
      source: 'grid_worker',
      reason: '搬迁',
    })
    expect(moved.status).toBe(200)
    expect(moved.body.dwellingId).toBe(to)
    expect(moved.body.members.every((m: { dwellingId: number }) => m.dwellingId === to)).toBe(true)
    expect((await get('/api/v1/households/5/history')).body.items[0]).toMatchObject({
      action: 'move',
      changes: { dwellingId: { old: h.dwellingId, new: to } },
    })
    const member = moved.body.members[0]
    expect((await get(`/api/v1/persons/${member.id}/history`)).body.items[0].action).toBe('move')
    const stale = await send('POST', '/api/v1/households/5/move', {
      dwellingId: h.dwellingId,
      version: h.version,
      source: 'grid_worker',
      reason: 'x',
    })
    expect(stale.body.code).toBe('VERSION_CONFLICT')
    // A worker of the household's community, with a stale version, towards a dwelling outside their
    // area: the dwelling is unknown to them — the version is not even looked at.
    const moved5 = (await get('/api/v1/households/5')).body
    const worker = (await userWithToken(t.db, 'mover', [{ role: 'grid_worker', scope: moved5.communityCode }])).headers
    const far = await sql<{
      id: number
    }>`select id from dwellings where community_code <> ${moved5.communityCode} order by id limit 1`.execute(t.db)
    expect(far.rows).toHaveLength(1)
    const out = await app.inject({
      method: 'POST',
      url: '/api/v1/households/5/move',
      headers: worker,
      payload: { dwellingId: Number(far.rows[0]?.id), version: moved5.version - 1, source: 'grid_worker', reason: '搬迁' },
    })
    expect([out.statusCode, out.json().code]).toEqual([400, 'VALIDATION_FAILED'])
  })

  it('should show a building with dwellings, rents and residents', async () => {
    const { body } = await get('/api/v1/buildings/1')
    expect(body.dwellings.length).toBe(body.summary.dwellings)
    expect(body.summary.residents).toBe(
      body.dwellings.reduce((n: number, d: { residents: unknown[] }) => n + d.residents.length, 0),
    )
    for (const d of body.dwellings) expect(d.rentMonthly === null).toBe(d.occupancy !== 'rental')
    const list = (await get('/api/v1/buildings?region=440104004&pageSize=5')).body
    expect(list.total).toBeGreaterThan(0)
  })
})

describe('organizations, components and codes', () => {
  it('should list organizations and check credit codes on registration', async () => {
    expect((await get('/api/v1/organizations?region=440104')).body.total).toBeGreaterThan(0)
    const body = {
      uscc: makeUscc('9', '1', '440104', 'MA5T9RK0'),
      name: '广州市测试科技有限公司',
      type: 'enterprise',
      legalRepresentative: '李华',
      employees: 12,
      buildingId: 1,
      source: 'market',
    }
    const ok = await send('POST', '/api/v1/organizations', body)
    expect(ok.status).toBe(201)
    expect(ok.body.communityCode).toMatch(/^440104004/)
    const bad = await send('POST', '/api/v1/organizations', {
      ...body,
      uscc: `${body.uscc.slice(0, 17)}0` === body.uscc ? `${body.uscc.slice(0, 17)}1` : `${body.uscc.slice(0, 17)}0`,
    })
    expect(bad.status).toBe(400)
    expect(bad.body.details.issues[0].path).toBe('uscc')
  })

  it('should mask organizations’ phones and individual businesses’ representatives unless unmasked with a reason', async () => {
    const body = {
      uscc: makeUscc('9', '2', '440104', 'L1234567'),
      name: '越秀区李记烧腊店',
      type: 'individual_business',
      legalRepresentative: '李小明',
      phone: '13912345678',
      employees: 2,
      buildingId: 1,
      source: 'market',
    }
    const made = await send('POST', '/api/v1/organizations', body)
    expect(made.status).toBe(201)
    expect([made.body.legalRepresentative, made.body.phone, made.body.masked]).toEqual(['李**', '139****5678', true])
    const listed = (await get(`/api/v1/organizations?uscc=${body.uscc}`)).body.items[0]
    expect([listed.legalRepresentative, listed.phone]).toEqual(['李**', '139****5678'])
    expect((await get(`/api/v1/organizations/${made.body.id}?unmask=true`)).status).toBe(400) // a reason is needed
    const full = (await get(`/api/v1/organizations/${made.body.id}?unmask=true&reason=${encodeURIComponent('食品安全核查')}`))
      .body
    expect([full.legalRepresentative, full.phone, full.masked]).toEqual(['李小明', '13912345678', false])
    const log = (await get(`/api/v1/audit?action=organization.unmask&objectId=${made.body.id}`)).body
    expect(log.items[0]).toMatchObject({ objectType: 'organization', reason: '食品安全核查' })
    // A company's representative is public (the registry shows it); its phone is still masked.
    const company = (await get('/api/v1/organizations?region=440104&type=enterprise&pageSize=1')).body.items[0]
    expect(company.legalRepresentative).not.toMatch(/\*/)
    if (company.phone) expect(company.phone).toMatch(/\*/)
  })

  it('should mask a landlord’s name and phone on a dwelling and its building unless unmasked with a reason', async () => {
    const [d] = (
      await sql<{ id: number; building_id: number }>`
        update dwellings set landlord_name = '陈大文', landlord_phone = '13712345678'
        where id = (select min(id) from dwellings) returning id, building_id`.execute(t.db)
    ).rows
    if (!d) throw new Error('no dwelling')
    const masked = (await get(`/api/v1/dwellings/${d.id}`)).body
    expect([masked.landlordName, masked.landlordPhone, masked.masked]).toEqual(['陈**', '137****5678', true])
    const inBuilding = (await get(`/api/v1/buildings/${d.building_id}`)).body.dwellings.find(
      (x: { id: number }) => x.id === Number(d.id),
    )
    expect([inBuilding.landlordName, inBuilding.landlordPhone]).toEqual(['陈**', '137****5678'])
    expect((await get(`/api/v1/dwellings/${d.id}?unmask=true`)).status).toBe(400) // a reason is needed
    const full = (await get(`/api/v1/dwellings/${d.id}?unmask=true&reason=${encodeURIComponent('出租屋核查')}`)).body
    expect([full.landlordName, full.landlordPhone, full.masked]).toEqual(['陈大文', '13712345678', false])
    const log = (await get(`/api/v1/audit?action=dwelling.unmask&objectId=${d.id}`)).body
    expect(log.items[0]).toMatchObject({ objectType: 'dwelling', reason: '出租屋核查' })
  })

  it('should list components by class and fetch one by its code', async () => {
    const covers = (await get('/api/v1/components?region=440104004&major=01&sub=01')).body
    expect(covers.total).toBeGreaterThan(0)
    const c = covers.items[0]
    expect(c.code).toMatch(/^4401040101\d{6}$/)
    expect((await get(`/api/v1/components/${c.code}`)).body.ownerUnit).toBe('广州市自来水有限公司')
    expect((await get('/api/v1/components/123')).status).toBe(400)
  })

  it('should serve the code tables', async () => {
    const { body } = await get('/api/v1/codes')
    expect(body.ethnicity).toHaveLength(56)
    expect(body.componentClasses[0].subclasses[0]).toMatchObject({ code: '01', zh: '上水井盖' })
  })
})
