// The residents' channel over HTTP, without an account: a proof of work and a phone code before a
// report, the report as a case like any other, following it by its link or the phone's last
// digits, the me-too, the notifications of each step through the outbox, the resident's
// confirmation closing the loop (or sending it back), the public map without personal data,
// moderation, and the limits per address.
import { readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { solveChallenge } from 'altcha-lib'
import { deriveKey } from 'altcha-lib/algorithms/sha'
import { sql } from 'kysely'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type App, buildApp } from '../../app.js'
import { loadSynthetic } from '../../synth/loader.js'
import { PRESETS } from '../../synth/profiles.js'
import { caller } from '../../testing/http.js'
import { createTestDatabase, type TestDatabase } from '../../testing/test-db.js'
import { userWithToken } from '../../testing/users.js'
import { createGridsService } from '../grids/index.js'
import { backoffSeconds, createNotifier, MAX_ATTEMPTS } from './notifier.js'
import { createResidentsRepository } from './residents.repository.js'

let t: TestDatabase
let app: App
const LOG = join(tmpdir(), `wangge-residents-test-${process.pid}.log`)
const call = caller(() => app)
type H = Record<string, string>
const staff: Record<'dispatcher' | 'city' | 'worker' | 'moderatorElsewhere', H> = {} as never
let grid: { code: string; lng: number; lat: number }
const KEY = 'page-key-0123456789abcdef'
const PHONE = '13912345678'

async function solved() {
  const c = (await call({}, 'GET', '/api/v1/public/challenge')).body
  const solution = await solveChallenge({ challenge: c, deriveKey })
  return { challenge: c, solution }
}

const rows = async <T>(q: ReturnType<typeof sql<T>>) => (await q.execute(t.db)).rows

async function codeFor(phone: string) {
  const r = await call({}, 'POST', '/api/v1/public/phone-codes', { phone, pow: await solved() })
  expect(r.status, JSON.stringify(r.body)).toBe(201)
  const n = await rows(
    sql<{ payload: { code: string } }>`select payload from notifications where recipient = ${phone}
      and template = 'resident.code' order by id desc limit 1`,
  )
  return n[0]?.payload.code as string
}

let seq = 0
async function report(extra: Record<string, unknown> = {}) {
  seq++
  const r = await call({}, 'POST', '/api/v1/public/reports', {
    key: KEY,
    catalog: 'E0102',
    description: `小区门口垃圾堆了三天 ${seq}`,
    lng: grid.lng + seq * 0.00002,
    lat: grid.lat,
    pow: await solved(),
    ...extra,
  })
  expect(r.status, JSON.stringify(r.body)).toBe(201)
  return r.body as { number: string; token: string }
}
const caseId = async (number: string) =>
  Number((await rows(sql<{ id: string }>`select id from cases where number = ${number}`))[0]?.id)
const follow = (number: string, q: string) => call({}, 'GET', `/api/v1/public/reports/${number}?${q}`)

async function act(who: H, id: number, action: string, body: Record<string, unknown> = {}) {
  const c = (await call(who, 'GET', `/api/v1/cases/${id}`)).body
  const r = await call(who, 'POST', `/api/v1/cases/${id}/actions`, { action, version: c.version, ...body })
  expect(r.status, `${action}: ${JSON.stringify(r.body)}`).toBe(200)
  return r.body
}
async function photoOf(who: H, colour: string) {
  const img = await sharp({ create: { width: 320, height: 240, channels: 3, background: colour } })
    .jpeg()
    .toBuffer()
  const r = await app.inject({
    method: 'POST',
    url: '/api/v1/attachments',
    headers: { ...who, 'content-type': 'image/jpeg' },
    payload: img,
  })
  return Number(r.json().id)
}

beforeAll(async () => {
  t = await createTestDatabase()
  await loadSynthetic(t, { preset: PRESETS.tiny as never, seed: 'residents', city: '4401' })
  await createGridsService({ db: t.db }).partition('440104004', { target: 50, minHouseholds: 30 })
  grid = (
    await rows(
      sql<
        typeof grid
      >`select code, centroid_lng as lng, centroid_lat as lat from grids where status = 'active' order by households desc limit 1`,
    )
  )[0] as typeof grid
  app = await buildApp({
    config: { bodyLimit: 8 << 20, logLevel: 'silent', logPretty: false },
    database: t,
    residents: { powDigits: 1, notificationLog: LOG },
  })
  staff.dispatcher = (await userWithToken(t.db, 'r-dispatcher', [{ role: 'dispatcher', scope: '440104' }])).headers
  staff.city = (await userWithToken(t.db, 'r-city', [{ role: 'dept_handler', scope: '440104' }], undefined, 'city_mgmt')).headers
  staff.worker = (await userWithToken(t.db, 'r-worker', [{ role: 'grid_worker', scope: grid.code }])).headers
  staff.moderatorElsewhere = (await userWithToken(t.db, 'r-dispatcher-far', [{ role: 'dispatcher', scope: '440106' }])).headers
}, 120_000)
afterAll(async () => {
  await app.close()
  await t.destroy()
  await rm(LOG, { force: true })
})

describe('a report without an account', () => {
  it('needs a solved challenge, once', async () => {
    const pow = await solved()
    const body = { key: KEY, catalog: 'E0102', description: '路边垃圾很多', lng: grid.lng, lat: grid.lat }
    const first = await call({}, 'POST', '/api/v1/public/reports', { ...body, pow })
    expect(first.status).toBe(201)
    const again = await call({}, 'POST', '/api/v1/public/reports', { ...body, pow })
    expect(again.status).toBe(422)
    expect(again.body.code).toBe('CHALLENGE_FAILED')
    const forged = await call({}, 'POST', '/api/v1/public/reports', {
      ...body,
      pow: { ...(await solved()), solution: { counter: 1, derivedKey: 'ab' } },
    })
    expect(forged.body.code).toBe('CHALLENGE_FAILED')
    const staffClass = await call({}, 'POST', '/api/v1/public/reports', { ...body, catalog: 'E0405', pow: await solved() })
    expect(staffClass.status).toBe(404)
  })

  it('becomes a case like any other, followed by its link and nobody else', async () => {
    const r = await report()
    expect(r.number).toMatch(/^E0102\d{12}$/)
    const c = (
      await rows(sql<{ source: string; reporter: string; grid_code: string }>`
      select source, reporter, grid_code from cases where number = ${r.number}`)
    )[0]
    expect(c).toMatchObject({ source: 'resident', reporter: `resident:${KEY}` })
    const seen = await follow(r.number, `token=${encodeURIComponent(r.token)}`)
    expect(seen.status).toBe(200)
    expect(seen.body).toMatchObject({
      number: r.number,
      status: 'received',
      statusText: '已受理',
      role: 'reporter',
      canConfirm: false,
    })
    expect(seen.body.timeline.map((s: { step: string }) => s.step)).toEqual(['report'])
    // A token for another number, a forged one, or digits without a phone: not found, no hint.
    const other = await report()
    expect((await follow(other.number, `token=${encodeURIComponent(r.token)}`)).status).toBe(404)
    expect((await follow(r.number, `token=r.${'x'.repeat(22)}`)).status).toBe(404)
    expect((await follow(r.number, 'phone4=5678')).status).toBe(404)
    expect((await follow(r.number, '')).status).toBe(404)
  })

  it('takes a phone only with its code, and tells the phone at received', async () => {
    const wrong = await call({}, 'POST', '/api/v1/public/reports', {
      key: KEY,
      catalog: 'C0118',
      description: '路灯不亮',
      lng: grid.lng,
      lat: grid.lat,
      phone: PHONE,
      code: '000000',
      pow: await solved(),
    })
    expect(wrong.body.code).toBe('PHONE_CODE_INVALID')
    const code = await codeFor(PHONE)
    const r = await report({ catalog: 'C0118', description: '路灯晚上不亮', phone: PHONE, code, name: '陈女士' })
    const told = await rows(
      sql<{
        template: string
      }>`select template from notifications where recipient = ${PHONE} and case_id = ${await caseId(r.number)}`,
    )
    expect(told.map((x) => x.template)).toEqual(['resident.received'])
    expect((await follow(r.number, 'phone4=5678')).body.role).toBe('reporter')
    // A spent code is spent.
    const reuse = await call({}, 'POST', '/api/v1/public/reports', {
      key: KEY,
      catalog: 'C0118',
      description: '路灯不亮',
      lng: grid.lng,
      lat: grid.lat,
      phone: PHONE,
      code,
      pow: await solved(),
    })
    expect(reuse.body.code).toBe('PHONE_CODE_INVALID')
  })
})

describe('finding the place', () => {
  it('searches street addresses of the base database, never a flat', async () => {
    const b = (await rows(sql<{ address: string }>`select address from buildings order by id limit 1`))[0] as { address: string }
    const found = (await call({}, 'GET', `/api/v1/public/addresses?q=${encodeURIComponent(b.address.slice(0, 4))}`)).body as {
      address: string
      lng: number
    }[]
    expect(found.map((x) => x.address)).toContain(b.address)
    expect(found.length).toBeLessThanOrEqual(10)
    const flats = (await rows(sql<{ address: string }>`select address from dwellings order by id limit 1`))[0] as {
      address: string
    }
    const none = (await call({}, 'GET', `/api/v1/public/addresses?q=${encodeURIComponent(flats.address)}`)).body
    expect(none).toEqual([])
  })

  it('draws the buildings of the community at a position for a pin (points and street addresses only)', async () => {
    const at = await call({}, 'GET', `/api/v1/public/surroundings?lng=${grid.lng}&lat=${grid.lat}`)
    expect(at.status).toBe(200)
    expect(at.body.community).toBe(grid.code.slice(0, 12))
    const n = (
      await rows(sql<{ n: number }>`select count(*)::int as n from buildings where community_code = ${grid.code.slice(0, 12)}`)
    )[0]
    expect(at.body.buildings.length).toBe(Math.min(800, Number(n?.n)))
    expect(Object.keys(at.body.buildings[0]).sort()).toEqual(['address', 'lat', 'lng'])
    const some = await call({}, 'GET', '/api/v1/public/surroundings')
    expect(some.body.buildings.length).toBeGreaterThan(0)
    expect((await call({}, 'GET', `/api/v1/public/surroundings?lng=${grid.lng}`)).status).toBe(400)
    const sea = await call({}, 'GET', '/api/v1/public/surroundings?lng=114.9&lat=21.5')
    expect([sea.status, sea.body.code]).toEqual([404, 'OUTSIDE_COVERAGE'])
  })
})

describe('the loop, told and confirmed by the resident', () => {
  it('offers the open case nearby; "me too" follows it and is told too', async () => {
    const r = await report({ catalog: 'E0503', description: '门口有人占道卖水果' })
    const near = await call(
      {},
      'GET',
      `/api/v1/public/nearby?catalog=E0503&lng=${grid.lng + seq * 0.00002 + 0.0005}&lat=${grid.lat}`,
    )
    expect(near.status).toBe(200)
    expect(near.body.map((x: { number: string }) => x.number)).toContain(r.number)
    expect(JSON.stringify(near.body)).not.toContain(KEY)
    const far = await call({}, 'GET', `/api/v1/public/nearby?catalog=E0503&lng=${grid.lng + 0.01}&lat=${grid.lat}`)
    expect(far.body.map((x: { number: string }) => x.number)).not.toContain(r.number)
    const code = await codeFor('13700001111')
    const me = await call({}, 'POST', `/api/v1/public/reports/${r.number}/metoo`, {
      key: 'another-page-key-0123456789',
      phone: '13700001111',
      code,
      pow: await solved(),
    })
    expect(me.status, JSON.stringify(me.body)).toBe(201)
    expect(me.body.followers).toBe(1)
    const asFollower = (await follow(r.number, `token=${encodeURIComponent(me.body.token)}`)).body
    expect(asFollower).toMatchObject({ role: 'follower', followers: 1, canConfirm: false })
    const id = await caseId(r.number)
    await act(staff.dispatcher, id, 'register')
    await act(staff.dispatcher, id, 'dispatch', { department: 'city_mgmt' })
    const told = await rows(
      sql<{
        recipient: string
        template: string
      }>`select recipient, template from notifications where case_id = ${id} order by id`,
    )
    expect(told).toEqual([
      { recipient: '13700001111', template: 'resident.assigned' },
      { recipient: 'dept:city_mgmt', template: 'department.dispatched' },
    ])
    // The department's handler sees it in the app; a worker of the grid does not.
    const inbox = (await call(staff.city, 'GET', '/api/v1/notifications/mine')).body as { text: string; caseId: number }[]
    expect(inbox.find((n) => n.caseId === id)?.text).toContain(r.number)
    const worker = (await call(staff.worker, 'GET', '/api/v1/notifications/mine')).body as { caseId: number }[]
    expect(worker.map((n) => n.caseId)).not.toContain(id)
  })

  it('runs received → assigned → done, awaiting confirmation → closed with the resident’s rating', async () => {
    const code = await codeFor(PHONE)
    const r = await report({ catalog: 'E0104', description: '道路上很多泥沙', phone: PHONE, code })
    const id = await caseId(r.number)
    const q = `token=${encodeURIComponent(r.token)}`
    await act(staff.dispatcher, id, 'register')
    await act(staff.dispatcher, id, 'dispatch', { department: 'city_mgmt' })
    expect((await follow(r.number, q)).body).toMatchObject({ status: 'assigned', department: expect.any(String) })
    await act(staff.city, id, 'accept')
    const fixed = await photoOf(staff.city, '#338833')
    await act(staff.city, id, 'handle', { result: '已清扫干净', photos: [fixed] })
    expect((await follow(r.number, q)).body.status).toBe('in_progress')
    // The grid's worker is told there is a fix to verify.
    const inbox = (await call(staff.worker, 'GET', '/api/v1/notifications/mine')).body as { template: string; caseId: number }[]
    expect(inbox.find((n) => n.caseId === id)?.template).toBe('grid.verify')
    await act(staff.worker, id, 'verify_pass', { photos: [await photoOf(staff.worker, '#335588')] })
    const waiting = (await follow(r.number, q)).body
    expect(waiting).toMatchObject({ status: 'awaiting_confirmation', canConfirm: true, overdue: false })
    const handled = waiting.timeline.find((s: { step: string }) => s.step === 'handle')
    expect(handled).toMatchObject({ note: '已清扫干净' })
    // The after-photo, for the link's holder only.
    const url = handled.photos[0].url as string
    const img = await app.inject({ method: 'GET', url })
    expect(img.statusCode).toBe(200)
    expect(img.headers['content-type']).toBe('image/jpeg')
    expect((await app.inject({ method: 'GET', url: url.replace(/token=[^&]+/, 'token=r.nope') })).statusCode).toBe(404)
    const done = await call({}, 'POST', `/api/v1/public/reports/${r.number}/confirm`, {
      key: KEY,
      token: r.token,
      fixed: true,
      satisfaction: 'satisfied',
      comment: '很快就处理了',
    })
    expect(done.status, JSON.stringify(done.body)).toBe(200)
    expect(done.body).toMatchObject({ status: 'closed', canConfirm: false })
    const c = (
      await rows(sql<{ status: string; satisfaction: string }>`select status, satisfaction from cases where id = ${id}`)
    )[0]
    expect(c).toEqual({ status: 'closed', satisfaction: 'satisfied' })
    const told = await rows(
      sql<{ template: string }>`select template from notifications where case_id = ${id} and recipient = ${PHONE} order by id`,
    )
    expect(told.map((x) => x.template)).toEqual([
      'resident.received',
      'resident.assigned',
      'resident.awaiting_confirmation',
      'resident.closed',
    ])
    const again = await call({}, 'POST', `/api/v1/public/reports/${r.number}/confirm`, {
      key: KEY,
      token: r.token,
      fixed: true,
      satisfaction: 'satisfied',
    })
    expect(again.status).toBe(409)
  })

  it('"not fixed" sends it back to rework', async () => {
    const r = await report({ catalog: 'E0104', description: '路面有油污' })
    const id = await caseId(r.number)
    await act(staff.dispatcher, id, 'register')
    await act(staff.dispatcher, id, 'dispatch', { department: 'city_mgmt' })
    await act(staff.city, id, 'accept')
    await act(staff.city, id, 'handle', { result: '已处理', photos: [await photoOf(staff.city, '#886622')] })
    await act(staff.worker, id, 'verify_pass', { photos: [await photoOf(staff.worker, '#226688')] })
    const no = await call({}, 'POST', `/api/v1/public/reports/${r.number}/confirm`, {
      key: KEY,
      token: r.token,
      fixed: false,
      satisfaction: 'dissatisfied',
      comment: '油污还在',
    })
    expect(no.body).toMatchObject({ status: 'in_progress' })
    expect((await rows(sql<{ status: string }>`select status from cases where id = ${id}`))[0]?.status).toBe('rework')
  })
})

describe('the 12345 desk', () => {
  it("shows a caller's earlier cases in the operator's scope, and answers a question directly", async () => {
    const mine = (await call(staff.dispatcher, 'GET', `/api/v1/residents/callers/${PHONE}/cases`)).body as { number: string }[]
    expect(mine.length).toBeGreaterThanOrEqual(2)
    const numbers = (await rows(sql<{ number: string }>`select number from cases where reporter_phone = ${PHONE}`)).map(
      (r) => r.number,
    )
    expect(mine.map((c) => c.number).sort()).toEqual(numbers.sort())
    expect((await call(staff.moderatorElsewhere, 'GET', `/api/v1/residents/callers/${PHONE}/cases`)).body).toEqual([])
    expect((await call(staff.worker, 'GET', `/api/v1/residents/callers/${PHONE}/cases`)).status).toBe(403)
    // A call: registered by the operator with the caller's phone, answered on the telephone.
    const called = await call(staff.dispatcher, 'POST', '/api/v1/cases', {
      catalog: 'E0102',
      description: '来电咨询：小区垃圾几点清运',
      lng: grid.lng,
      lat: grid.lat,
      source: 'hotline',
      reporterPhone: '13500003333',
      reporterName: '赵先生',
    })
    expect(called.status, JSON.stringify(called.body)).toBe(201)
    expect(called.body.source).toBe('hotline')
    const answered = await call(staff.dispatcher, 'POST', `/api/v1/cases/${called.body.id}/actions`, {
      action: 'answer',
      version: called.body.version,
      result: '已答复：每天早上7点和晚上8点清运',
    })
    expect(answered.status, JSON.stringify(answered.body)).toBe(200)
    expect(answered.body.status).toBe('closed')
    const told = await rows(
      sql<{ template: string }>`select template from notifications where recipient = '13500003333' order by id`,
    )
    expect(told.map((x) => x.template)).toEqual(['resident.received', 'resident.closed'])
  })
})

describe('the reopen window', () => {
  it('"not fixed" within 7 days of the closure reopens it as rework; later it stays closed', async () => {
    const r = await report({ catalog: 'E0104', description: '路面又有泥沙了' })
    const id = await caseId(r.number)
    await act(staff.dispatcher, id, 'register')
    await act(staff.dispatcher, id, 'dispatch', { department: 'city_mgmt' })
    await act(staff.city, id, 'accept')
    await act(staff.city, id, 'handle', { result: '已清扫', photos: [await photoOf(staff.city, '#448844')] })
    await act(staff.worker, id, 'verify_pass', { photos: [await photoOf(staff.worker, '#884444')] })
    const said = { key: KEY, token: r.token }
    await call({}, 'POST', `/api/v1/public/reports/${r.number}/confirm`, { ...said, fixed: true, satisfaction: 'satisfied' })
    expect((await follow(r.number, `token=${encodeURIComponent(r.token)}`)).body).toMatchObject({
      status: 'closed',
      canReopen: true,
    })
    const back = await call({}, 'POST', `/api/v1/public/reports/${r.number}/confirm`, {
      ...said,
      fixed: false,
      satisfaction: 'dissatisfied',
      comment: '第二天又脏了',
    })
    expect(back.status, JSON.stringify(back.body)).toBe(200)
    expect(
      (await rows(sql<{ status: string; rework_count: number }>`select status, rework_count from cases where id = ${id}`))[0],
    ).toEqual({
      status: 'rework',
      rework_count: 1,
    })
    // Handled and closed again, but 8 days ago: the window is shut.
    await act(staff.city, id, 'handle', { result: '再次清扫', photos: [await photoOf(staff.city, '#448845')] })
    await act(staff.worker, id, 'verify_pass', { photos: [await photoOf(staff.worker, '#884445')] })
    await call({}, 'POST', `/api/v1/public/reports/${r.number}/confirm`, { ...said, fixed: true, satisfaction: 'satisfied' })
    await sql`update cases set closed_at = now() - interval '8 days' where id = ${id}`.execute(t.db)
    expect((await follow(r.number, `token=${encodeURIComponent(r.token)}`)).body.canReopen).toBe(false)
    const late = await call({}, 'POST', `/api/v1/public/reports/${r.number}/confirm`, {
      ...said,
      fixed: false,
      satisfaction: 'dissatisfied',
    })
    expect(late.status).toBe(409)
  })
})

describe('what the public sees', () => {
  it('the map: class, status and age, no text, no reporter; a neighbour’s noise complaint blurred', async () => {
    const noise = await report({ catalog: 'E0506', description: '楼下商铺音响太吵，我住302', name: '李先生' })
    const map = await call({}, 'GET', '/api/v1/public/map')
    expect(map.status).toBe(200)
    const text = JSON.stringify(map.body)
    expect(text).not.toContain('302')
    expect(text).not.toContain('李先生')
    expect(text).not.toContain(KEY)
    const f = map.body.features.find((x: { properties: { number: string } }) => x.properties.number === noise.number)
    expect(f.properties).toMatchObject({ blurred: true, className: '商铺噪音' })
    const exact = (
      await rows(sql<{ lng: number; lat: number }>`select lng, lat from cases where number = ${noise.number}`)
    )[0] as {
      lng: number
      lat: number
    }
    const [lng, lat] = f.geometry.coordinates as [number, number]
    const moved = Math.hypot((lng - exact.lng) * 111_320 * Math.cos((exact.lat * Math.PI) / 180), (lat - exact.lat) * 111_320)
    expect(moved).toBeLessThan(150)
    expect(lng !== exact.lng || lat !== exact.lat).toBe(true)
  })

  it('the follow page shows no personal data, even its own reporter’s', async () => {
    const code = await codeFor('13600002222')
    const r = await report({ description: '垃圾桶满了', phone: '13600002222', code, name: '王五' })
    const text = JSON.stringify((await follow(r.number, `token=${encodeURIComponent(r.token)}`)).body)
    expect(text).not.toContain('13600002222')
    expect(text).not.toContain('王五')
    expect(text).not.toContain(KEY)
  })

  it('moderation hides a report’s text and photos without losing them; only in the moderator’s scope', async () => {
    const r = await report({ description: '这里有不文明的内容' })
    expect((await call({}, 'POST', `/api/v1/public/reports/${r.number}/flag`)).status).toBe(200)
    const flagged = (await call(staff.dispatcher, 'GET', '/api/v1/residents/flagged')).body
    expect(flagged.map((x: { number: string }) => x.number)).toContain(r.number)
    const far = await call(staff.moderatorElsewhere, 'PUT', `/api/v1/residents/reports/${r.number}/moderation`, {
      hidden: true,
      reason: '不当内容',
    })
    expect(far.status).toBe(404)
    const hide = await call(staff.dispatcher, 'PUT', `/api/v1/residents/reports/${r.number}/moderation`, {
      hidden: true,
      reason: '不当内容',
    })
    expect(hide.status).toBe(200)
    expect((await follow(r.number, `token=${encodeURIComponent(r.token)}`)).body.description).toBe('')
    expect(
      (await rows(sql<{ description: string }>`select description from cases where number = ${r.number}`))[0]?.description,
    ).toBe('这里有不文明的内容')
    const audited = await rows(sql<{ action: string }>`select action from audit_log where action = 'resident.hide'`)
    expect(audited.length).toBe(1)
  })
})

describe('the outbox', () => {
  it('sends what is due through the log sender, and masks phones and codes for staff', async () => {
    const out = (await call(staff.dispatcher, 'POST', '/api/v1/notifications/drain')).body
    expect(out.sent).toBeGreaterThan(0)
    const log = (await readFile(LOG, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(log.some((m) => m.template === 'resident.received' && /已受理/.test(m.text))).toBe(true)
    const page = (await call(staff.dispatcher, 'GET', '/api/v1/notifications?status=sent&pageSize=500')).body
    expect(page.items.length).toBeGreaterThan(0)
    const code = page.items.find((n: { template: string }) => n.template === 'resident.code')
    expect(code.text).toContain('******')
    expect(page.items.every((n: { recipient: string }) => !/^1\d{10}$/.test(n.recipient))).toBe(true)
    const worker = await call(staff.worker, 'GET', '/api/v1/notifications')
    expect(worker.status).toBe(403)
  })

  it('retries a failing sender with back-off, then gives up', async () => {
    await sql`insert into notifications (channel, recipient, template, payload) values ('wechat', 'openid-x', 'resident.closed', '{"number":"E1"}')`.execute(
      t.db,
    )
    let calls = 0
    const flaky = createNotifier({
      db: t.db,
      repo: createResidentsRepository(t.db),
      senders: {
        wechat: async () => {
          calls++
          throw new Error('WeChat is away')
        },
      },
    })
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      await flaky.drain()
      await sql`update notifications set next_attempt_at = now() where recipient = 'openid-x'`.execute(t.db)
    }
    const n = (
      await rows(sql<{ status: string; attempts: number; last_error: string }>`
      select status, attempts, last_error from notifications where recipient = 'openid-x'`)
    )[0]
    expect(n).toEqual({ status: 'failed', attempts: MAX_ATTEMPTS, last_error: 'WeChat is away' })
    expect(calls).toBe(MAX_ATTEMPTS)
    expect([1, 2, 3].map(backoffSeconds)).toEqual([60, 120, 240])
  })
})

describe('limits per address', () => {
  it('refuses the report beyond the hour’s limit with 429', async () => {
    const strict = await buildApp({
      config: { bodyLimit: 1 << 20, logLevel: 'silent', logPretty: false },
      database: t,
      residents: { powDigits: 1, notificationLog: LOG, limits: { reportsPerHour: 2 } },
    })
    try {
      const send = async () => {
        // (An address of its own: on PostgreSQL the counts are the database's, shared with the
        // other apps of this file, as across a deployment's nodes.)
        const c = (await strict.inject({ method: 'GET', url: '/api/v1/public/challenge', remoteAddress: '10.2.3.4' })).json()
        const solution = await solveChallenge({ challenge: c, deriveKey })
        return strict.inject({
          method: 'POST',
          url: '/api/v1/public/reports',
          remoteAddress: '10.2.3.4',
          payload: {
            key: KEY,
            catalog: 'E0102',
            description: '限流测试',
            lng: grid.lng,
            lat: grid.lat,
            pow: { challenge: c, solution },
          },
        })
      }
      expect((await send()).statusCode).toBe(201)
      expect((await send()).statusCode).toBe(201)
      const third = await send()
      expect(third.statusCode).toBe(429)
      expect(third.json().code).toBe('TOO_MANY_REQUESTS')
    } finally {
      await strict.close()
    }
  })
})
