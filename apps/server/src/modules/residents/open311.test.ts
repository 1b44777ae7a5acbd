// Open311 GeoReport v2: every endpoint in JSON and XML with the same content, the required fields
// with their types, date filters and the 90-day window, errors as [{code, description}] (unknown
// id 404, bad api_key 403), requests filed by a client as cases of the loop, per-client rates.
import { XMLParser } from 'fast-xml-parser'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type App, buildApp } from '../../app.js'
import { loadSynthetic } from '../../synth/loader.js'
import { PRESETS } from '../../synth/profiles.js'
import { caller } from '../../testing/http.js'
import { createTestDatabase, type TestDatabase } from '../../testing/test-db.js'
import { adminHeaders, userWithToken } from '../../testing/users.js'

let t: TestDatabase
let app: App
let admin: Record<string, string>
let dispatcher: Record<string, string>
let key: string
let place: { lng: number; lat: number }
const call = caller(() => app)
const parser = new XMLParser({
  parseTagValue: false,
  isArray: (name) => ['service', 'request', 'error', 'attribute', 'value', 'endpoint', 'format'].includes(name),
})
const ISO_BJ = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/

const get = async (url: string) => {
  const r = await app.inject({ method: 'GET', url })
  return { status: r.statusCode, type: String(r.headers['content-type']), body: r.body }
}
const json = async (url: string) => {
  const r = await get(url)
  return { ...r, data: JSON.parse(r.body) }
}
const xml = async (url: string) => {
  const r = await get(url)
  return { ...r, data: parser.parse(r.body) }
}
const form = (fields: Record<string, string>) =>
  app.inject({
    method: 'POST',
    url: '/open311/v2/requests.json',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(fields).toString(),
  })
/** XML text values are strings: compare JSON values as the XML writes them. */
const asText = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(asText)
    : v && typeof v === 'object'
      ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, asText(x)]))
      : v === null || v === undefined
        ? ''
        : String(v)

beforeAll(async () => {
  t = await createTestDatabase()
  await loadSynthetic(t, { preset: PRESETS.tiny as never, seed: 'open311', city: '4401' })
  app = await buildApp({ config: { bodyLimit: 1 << 20, logLevel: 'silent', logPretty: false }, database: t })
  admin = await adminHeaders(t.db)
  dispatcher = (await userWithToken(t.db, 'o-dispatcher', [{ role: 'dispatcher', scope: '440104' }])).headers
  key = (await call(admin, 'POST', '/api/v1/open311/clients', { name: '市民服务App', perMinute: 100 })).body.key
  place = (
    await sql<{
      lng: number
      lat: number
    }>`select lng, lat from buildings where community_code like '440104%' order by id limit 1`.execute(t.db)
  ).rows[0] as { lng: number; lat: number }
}, 120_000)
afterAll(async () => {
  await app.close()
  await t.destroy()
})

describe('discovery and services', () => {
  it('answers the same content in JSON and XML', async () => {
    for (const path of ['discovery', 'services']) {
      const j = await json(`/open311/v2/${path}.json`)
      const x = await xml(`/open311/v2/${path}.xml`)
      expect([j.status, x.status]).toEqual([200, 200])
      expect(j.type).toContain('application/json')
      expect(x.type).toContain('text/xml')
      if (path === 'services') expect(x.data.services.service).toEqual(asText(j.data))
      else expect({ ...x.data.discovery, endpoints: undefined }).toEqual({ ...(asText(j.data) as object), endpoints: undefined })
    }
  })

  it('lists the residents’ classes with the required fields, metadata where attributes exist', async () => {
    const s = (await json('/open311/v2/services.json')).data as Record<string, unknown>[]
    expect(s.length).toBeGreaterThanOrEqual(15)
    for (const x of s) {
      expect(x).toMatchObject({
        service_code: expect.stringMatching(/^[EC]\d{4}$/),
        service_name: expect.any(String),
        metadata: expect.any(Boolean),
        type: 'realtime',
        keywords: expect.any(String),
        group: expect.any(String),
      })
    }
    expect(s.find((x) => x.service_code === 'C0114')?.metadata).toBe(true)
    const d = await json('/open311/v2/services/C0114.json')
    expect(d.data).toMatchObject({
      service_code: 'C0114',
      attributes: [
        { variable: true, code: 'hazard', datatype: 'singlevaluelist', required: true, order: 1, values: expect.any(Array) },
      ],
    })
    const dx = await xml('/open311/v2/services/C0114.xml')
    expect(dx.data.service_definition.attributes.attribute[0].code).toBe('hazard')
  })

  it('answers an unknown service or id with 404 in the Open311 error format, in both formats', async () => {
    const j = await json('/open311/v2/services/E9999.json')
    expect(j.status).toBe(404)
    expect(j.data).toEqual([{ code: 404, description: expect.any(String) }])
    const x = await xml('/open311/v2/requests/E01022026010199999.xml')
    expect(x.status).toBe(404)
    expect(x.data.errors.error[0].code).toBe('404')
    expect((await json('/open311/v2/tokens/nope.json')).status).toBe(404)
    expect((await get('/open311/v2/services.csv')).status).toBe(404)
  })
})

describe('requests', () => {
  let id: string

  it('refuses a request without a valid api_key with 403', async () => {
    const base = { service_code: 'E0102', lat: String(place.lat), long: String(place.lng), description: '路边垃圾很多' }
    const none = await form(base)
    expect(none.statusCode).toBe(403)
    expect(none.json()).toEqual([{ code: 403, description: expect.any(String) }])
    expect((await form({ ...base, api_key: 'o311_bad_key' })).statusCode).toBe(403)
  })

  it('files a request as a case of the loop (a form, with attributes)', async () => {
    const missing = await form({
      api_key: key,
      service_code: 'C0114',
      lat: String(place.lat),
      long: String(place.lng),
      description: '人行道井盖',
    })
    expect(missing.statusCode).toBe(400)
    expect(missing.json()[0].description).toContain('attribute[hazard]')
    const r = await form({
      api_key: key,
      service_code: 'C0114',
      lat: String(place.lat),
      long: String(place.lng),
      description: '人行道上的井盖不见了',
      'attribute[hazard]': 'missing',
      first_name: '明',
      last_name: '张',
      device_id: 'dev-1',
    })
    expect(r.statusCode, r.body).toBe(201)
    const out = r.json() as { service_request_id: string; token: string }[]
    expect(out[0]).toMatchObject({ service_request_id: expect.stringMatching(/^C0114\d{12}$/), token: expect.any(String) })
    id = out[0]?.service_request_id as string
    const c = (
      await sql<{ source: string; description: string; channel: string }>`select c.source, c.description, r.channel
        from cases c join public_reports r on r.case_id = c.id where c.number = ${id}`.execute(t.db)
    ).rows[0]
    expect(c).toMatchObject({ source: 'resident', channel: 'open311' })
    expect(c?.description).toContain('井盖缺失')
    // The same device's request again: answered as first filed, no second case.
    const again = await form({
      api_key: key,
      service_code: 'C0114',
      lat: String(place.lat),
      long: String(place.lng),
      description: '人行道上的井盖不见了',
      'attribute[hazard]': 'missing',
      device_id: 'dev-1',
    })
    expect(again.json()[0].service_request_id).toBe(id)
  })

  it('shows the request with its status, agency and times from the loop, the same in XML', async () => {
    const before = (await json(`/open311/v2/requests/${id}.json`)).data[0]
    expect(before).toMatchObject({
      service_request_id: id,
      status: 'open',
      status_notes: '已受理',
      service_code: 'C0114',
      agency_responsible: '',
      requested_datetime: expect.stringMatching(ISO_BJ),
      updated_datetime: expect.stringMatching(ISO_BJ),
      lat: expect.any(Number),
      long: expect.any(Number),
    })
    const caseId = Number((await sql<{ id: string }>`select id from cases where number = ${id}`.execute(t.db)).rows[0]?.id)
    let v = (await call(dispatcher, 'GET', `/api/v1/cases/${caseId}`)).body.version
    v = (await call(dispatcher, 'POST', `/api/v1/cases/${caseId}/actions`, { action: 'register', version: v })).body.version
    const d = await call(dispatcher, 'POST', `/api/v1/cases/${caseId}/actions`, { action: 'dispatch', version: v })
    expect(d.status, JSON.stringify(d.body)).toBe(200)
    const after = (await json(`/open311/v2/request/${id}.json`)).data[0]
    expect(after.status_notes).toBe('已派至责任部门')
    expect(after.agency_responsible).not.toBe('')
    expect(after.expected_datetime).toMatch(ISO_BJ)
    const x = (await xml(`/open311/v2/requests/${id}.xml`)).data.service_requests.request
    expect(x).toEqual(asText([after]))
    const token = (await json(`/open311/v2/tokens/${id}.json`)).data
    expect(token).toEqual([{ service_request_id: id, token: id }])
  })

  it('filters by service, status and dates within 90 days', async () => {
    const all = (await json('/open311/v2/requests.json')).data as { service_request_id: string }[]
    expect(all.map((r) => r.service_request_id)).toContain(id)
    const lights = (await json('/open311/v2/requests.json?service_code=C0118')).data
    expect(lights).toEqual([])
    expect(
      (await json('/open311/v2/requests.json?status=closed')).data.map(
        (r: { service_request_id: string }) => r.service_request_id,
      ),
    ).not.toContain(id)
    const now = new Date()
    const from = new Date(now.getTime() - 86_400_000).toISOString()
    const to = new Date(now.getTime() + 86_400_000).toISOString()
    expect((await json(`/open311/v2/requests.json?start_date=${from}&end_date=${to}`)).data.length).toBeGreaterThan(0)
    const old = new Date(now.getTime() - 200 * 86_400_000).toISOString()
    const tooLong = await json(`/open311/v2/requests.json?start_date=${old}&end_date=${to}`)
    expect(tooLong.status).toBe(400)
    expect(tooLong.data[0]).toMatchObject({ code: 400, description: expect.stringContaining('90 days') })
    expect((await json('/open311/v2/requests.json?start_date=yesterday')).status).toBe(400)
    expect((await json(`/open311/v2/requests.json?service_request_id=${id}`)).data).toHaveLength(1)
    expect((await json('/open311/v2/requests.json?page_size=1&page=1')).data).toHaveLength(1)
  })
})

describe('API keys', () => {
  it('are issued and revoked in the console, and limited per client', async () => {
    const slow = (await call(admin, 'POST', '/api/v1/open311/clients', { name: '慢速客户端', perMinute: 2 })).body
    const send = () =>
      form({
        api_key: slow.key,
        service_code: 'E0102',
        lat: String(place.lat),
        long: String(place.lng),
        description: '垃圾没有清理',
      })
    expect((await send()).statusCode).toBe(201)
    expect((await send()).statusCode).toBe(201)
    const third = await send()
    expect(third.statusCode).toBe(429)
    expect(third.json()[0].code).toBe(429)
    const listed = (await call(admin, 'GET', '/api/v1/open311/clients')).body as { id: number; prefix: string }[]
    expect(listed.find((c) => c.id === slow.id)?.prefix).toBe(slow.prefix)
    expect(JSON.stringify(listed)).not.toContain(slow.key)
    expect((await call(admin, 'DELETE', `/api/v1/open311/clients/${slow.id}`)).status).toBe(200)
    expect((await call(dispatcher, 'GET', '/api/v1/open311/clients')).status).toBe(403)
  })
})
