// The five-step loop over HTTP: intake, routing, every legal and illegal transition, the clock on
// the Chinese working calendar, duplicates, concurrency, evidence, chasing jobs across a restart,
// indicators, and who sees which case.
import { CASE_STATUSES, CASE_TRANSITIONS, type CaseStatus } from '@wangge/domain'
import ExcelJS from 'exceljs'
import fc from 'fast-check'
import { sql } from 'kysely'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type App, buildApp } from '../../app.js'
import { loadSynthetic } from '../../synth/loader.js'
import { PRESETS } from '../../synth/profiles.js'
import { caller } from '../../testing/http.js'
import { createTestDatabase, type TestDatabase } from '../../testing/test-db.js'
import { adminHeaders, userWithToken } from '../../testing/users.js'
import { createGridsService } from '../grids/index.js'

let t: TestDatabase
let app: App
let now = new Date('2026-11-23T01:00:00Z') // Monday 09:00 Beijing
const clock = () => now
const at = (beijing: string) => new Date(`${beijing}+08:00`)
const bj = (iso: string | null) =>
  iso ? new Date(new Date(iso).getTime() + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ') : null

type Headers = Record<string, string>
const H: Record<'admin' | 'dispatcher' | 'worker' | 'city' | 'police' | 'resident' | 'otherWorker' | 'leader', Headers> =
  {} as never
let grid: { code: string; lng: number; lat: number }
let otherGrid: { code: string; lng: number; lat: number }
let photo: number
let photo2: number

const call = caller(() => app)

async function upload(who: Headers, color: string, type: 'png' | 'jpeg' = 'jpeg') {
  const img = await sharp({ create: { width: 800, height: 600, channels: 3, background: color } })
    [type]()
    .toBuffer()
  const r = await app.inject({
    method: 'POST',
    url: '/api/v1/attachments',
    headers: { ...who, 'content-type': `image/${type}` },
    payload: img,
  })
  return { status: r.statusCode, body: r.json() }
}

let seq = 0
async function report(extra: Record<string, unknown> = {}, who: Headers = H.worker) {
  seq++
  const r = await call(who, 'POST', '/api/v1/cases', {
    catalog: 'E0102',
    description: `暴露垃圾 ${seq}`,
    lng: grid.lng + seq * 0.000001,
    lat: grid.lat,
    photos: [photo],
    ...extra,
  })
  expect(r.status, JSON.stringify(r.body)).toBe(201)
  return r.body
}

async function act(who: Headers, c: { id: number; version: number }, action: string, body: Record<string, unknown> = {}) {
  return call(who, 'POST', `/api/v1/cases/${c.id}/actions`, { action, version: c.version, ...body })
}

/** Inputs that satisfy every action's requirements. */
const FULL: Record<string, Record<string, unknown>> = {
  cancel: { reason: '重复或无效' },
  self_handle: { result: '已清理', photos: [] },
  handle: { result: '已清运', photos: [] },
  return: { reason: '非本部门职责' },
  verify_pass: { photos: [] },
  verify_fail: { reason: '仍有垃圾', photos: [] },
  callback_satisfied: { satisfaction: 'satisfied' },
  callback_dissatisfied: { satisfaction: 'dissatisfied', reason: '不满意' },
  close: { reason: '联系不上报告人' },
  request_extension: { reason: '需协调', days: 2 },
  decide_extension: { approve: true },
  park: { reason: '需立项解决' },
  unpark: { reason: '已立项' },
  escalate: { reason: '久拖不决' },
  evaluate: { score: 4 },
  answer: { result: '已电话答复：垃圾清运时间为每天早上7点' },
  reopen: { reason: '居民反映问题复发' },
}
const WHO: Record<string, keyof typeof H> = {
  register: 'dispatcher',
  cancel: 'dispatcher',
  merge: 'dispatcher',
  self_handle: 'worker',
  dispatch: 'dispatcher',
  accept: 'city',
  return: 'city',
  handle: 'city',
  verify_pass: 'worker',
  verify_fail: 'worker',
  callback_satisfied: 'dispatcher',
  callback_dissatisfied: 'dispatcher',
  close: 'dispatcher',
  request_extension: 'city',
  decide_extension: 'dispatcher',
  park: 'dispatcher',
  unpark: 'dispatcher',
  escalate: 'dispatcher',
  evaluate: 'dispatcher',
  answer: 'dispatcher',
  reopen: 'dispatcher',
}
/** How to reach each status from "reported". */
const PATHS: Record<CaseStatus, string[]> = {
  reported: [],
  registered: ['register'],
  dispatched: ['register', 'dispatch'],
  accepted: ['register', 'dispatch', 'accept'],
  returned: ['register', 'dispatch', 'return'],
  handled: ['register', 'dispatch', 'accept', 'handle'],
  rework: ['register', 'dispatch', 'accept', 'handle', 'verify_fail'],
  verified: ['register', 'dispatch', 'accept', 'handle', 'verify_pass'],
  parked: ['register', 'dispatch', 'accept', 'park'],
  closed: ['register', 'dispatch', 'accept', 'handle', 'verify_pass', 'callback_satisfied'],
  cancelled: ['cancel'],
  merged: ['merge'],
}

async function step(c: { id: number; version: number }, action: string, extra: Record<string, unknown> = {}) {
  const body = { ...(FULL[action] ?? {}), ...extra }
  if ('photos' in body && Array.isArray(body.photos) && !body.photos.length)
    body.photos = action === 'self_handle' ? [photo, photo2] : [photo]
  if (action === 'merge' && !body.target) body.target = (await report()).id
  if (action === 'dispatch' && !body.department) body.department = 'city_mgmt'
  return act(H[WHO[action] as keyof typeof H], c, action, body)
}

async function caseIn(status: CaseStatus) {
  let c = await report()
  for (const a of PATHS[status]) {
    const r = await step(c, a)
    expect(r.status, `${a}: ${JSON.stringify(r.body)}`).toBe(200)
    c = r.body
  }
  expect(c.status).toBe(status)
  return c
}

beforeAll(async () => {
  t = await createTestDatabase()
  await loadSynthetic(t, { preset: PRESETS.tiny as (typeof PRESETS)[string], seed: 'cases', city: '4401' })
  await createGridsService({ db: t.db }).partition('440104004', { target: 50, minHouseholds: 30 })
  app = await buildApp({ config: { bodyLimit: 1 << 20, logLevel: 'silent', logPretty: false }, database: t, clock })
  const grids = await sql<{ code: string; lng: number; lat: number }>`
    select code, centroid_lng as lng, centroid_lat as lat from grids where status = 'active' order by code limit 2`.execute(t.db)
  grid = grids.rows[0] as typeof grid
  otherGrid = grids.rows[1] as typeof otherGrid
  const community = grid.code.slice(0, 12)
  H.admin = await adminHeaders(t.db)
  H.dispatcher = (await userWithToken(t.db, 'dispatcher-c', [{ role: 'dispatcher', scope: '440104' }])).headers
  H.leader = (await userWithToken(t.db, 'leader-c', [{ role: 'leader', scope: '440104' }])).headers
  H.worker = (await userWithToken(t.db, 'worker-c', [{ role: 'grid_worker', scope: grid.code }])).headers
  H.otherWorker = (await userWithToken(t.db, 'worker-o', [{ role: 'grid_worker', scope: otherGrid.code }])).headers
  H.city = (await userWithToken(t.db, 'city-c', [{ role: 'dept_handler', scope: '440104' }], undefined, 'city_mgmt')).headers
  H.police = (await userWithToken(t.db, 'police-c', [{ role: 'dept_handler', scope: '440104' }], undefined, 'police')).headers
  H.resident = (await userWithToken(t.db, 'resident-c', [{ role: 'resident', scope: '4401' }])).headers
  expect(community).toHaveLength(12)
  photo = (await upload(H.worker, '#336699')).body.id
  photo2 = (await upload(H.worker, '#996633', 'png')).body.id
  // Everyone who cites them uploads them too (the same bytes are stored once).
  for (const who of [H.admin, H.dispatcher, H.worker, H.otherWorker, H.city, H.police, H.resident]) {
    expect((await upload(who, '#336699')).body.id).toBe(photo)
    expect((await upload(who, '#996633', 'png')).body.id).toBe(photo2)
  }
}, 180_000)
afterAll(async () => {
  await app.close()
  await t.destroy()
})

describe('intake', () => {
  it('places a report in its grid, numbers it, keeps the evidence, and is idempotent by client id', async () => {
    now = at('2026-11-23T10:00')
    const r = await call(H.worker, 'POST', '/api/v1/cases', {
      catalog: 'E0102',
      description: '路边暴露垃圾',
      lng: grid.lng,
      lat: grid.lat,
      photos: [photo],
      clientId: 'offline-0001-abcdef',
    })
    expect(r.status).toBe(201)
    expect(r.body).toMatchObject({
      status: 'reported',
      gridCode: grid.code,
      communityCode: grid.code.slice(0, 12),
      source: 'grid_worker',
      limit: { amount: 4, unit: 'working_hours' },
      replayed: false,
      version: 1,
    })
    expect(r.body.number).toMatch(/^E010220261123\d{4}$/)
    const again = await call(H.worker, 'POST', '/api/v1/cases', {
      catalog: 'E0102',
      description: '路边暴露垃圾',
      lng: grid.lng,
      lat: grid.lat,
      photos: [photo],
      clientId: 'offline-0001-abcdef',
    })
    expect([again.status, again.body.id, again.body.replayed]).toEqual([200, r.body.id, true])
    const timeline = (await call(H.worker, 'GET', `/api/v1/cases/${r.body.id}/timeline`)).body
    expect(timeline).toHaveLength(1)
    expect(timeline[0]).toMatchObject({ action: 'report', toStatus: 'reported', actor: 'worker-c' })
    expect(timeline[0].attachments[0]).toMatchObject({ id: photo, mime: 'image/jpeg' })
  })

  it('numbers concurrent reports without gaps or repeats, and writes a re-sent report once', async () => {
    now = at('2026-11-23T10:30')
    const body = (i: number, clientId?: string) => ({
      catalog: 'E0405',
      description: `并发 ${i}`,
      lng: grid.lng,
      lat: grid.lat,
      photos: [photo],
      ...(clientId ? { clientId } : {}),
    })
    const many = await Promise.all(Array.from({ length: 30 }, (_, i) => call(H.worker, 'POST', '/api/v1/cases', body(i))))
    expect(many.every((r) => r.status === 201)).toBe(true)
    const seqs = many.map((r) => Number(String(r.body.number).slice(-4))).sort((a, b) => a - b)
    expect(seqs).toEqual(Array.from({ length: 30 }, (_, i) => (seqs[0] as number) + i))
    // Every later report of the batch sees the earlier ones as duplicates.
    expect(Math.max(...many.map((r) => r.body.duplicates.length))).toBe(29)
    const same = await Promise.all([1, 2, 3].map(() => call(H.worker, 'POST', '/api/v1/cases', body(99, 'offline-same-0001'))))
    expect(new Set(same.map((r) => r.body.id)).size).toBe(1)
    expect(same.map((r) => r.status).sort()).toEqual([200, 200, 201])
  })

  it('takes grid service items (S…) from residents at the door, routes them to the competent department, and needs no photos', async () => {
    now = at('2026-11-23T11:00')
    const items = (await call(H.admin, 'GET', '/api/v1/catalog?kind=service')).body
    expect(items.length).toBeGreaterThanOrEqual(20)
    expect(items.every((e: { code: string; kind: string }) => /^S\d{4}$/.test(e.code) && e.kind === 'service')).toBe(true)
    // A resident asks for a senior citizen card; no photo is needed.
    let c = await report({ catalog: 'S0101', description: '为 80 岁母亲办理老年人优待证', photos: undefined }, H.resident)
    expect(c).toMatchObject({ kind: 'service', source: 'resident', limit: { amount: 5, unit: 'working_days' } })
    expect(c.number).toMatch(/^S010120261123\d{4}$/)
    for (const [who, action, body] of [
      [H.dispatcher, 'register', {}],
      [H.dispatcher, 'dispatch', {}],
    ] as const) {
      const x = await act(who, c, action, body)
      expect(x.status, JSON.stringify(x.body)).toBe(200)
      c = x.body
    }
    expect([c.department, c.routingBasis]).toEqual(['civil_affairs', 'catalog'])
    const civil = (await userWithToken(t.db, 'civil-c', [{ role: 'dept_handler', scope: '440104' }], undefined, 'civil_affairs'))
      .headers
    c = (await act(civil, c, 'accept')).body
    const handled = await act(civil, c, 'handle', { result: '优待证已制发，交网格员送达' })
    expect(handled.status, JSON.stringify(handled.body)).toBe(200)
    const delivered = await act(H.worker, handled.body, 'verify_pass', { note: '已送达本人' })
    expect(delivered.status, JSON.stringify(delivered.body)).toBe(200)
    // A consultation the worker answers on the spot is self-handled, without before/after photos.
    const advice = await report({ catalog: 'S0303', description: '居民咨询创业补贴', photos: undefined })
    const done = await act(H.worker, advice, 'self_handle', { result: '已当面解答并提供申报指引' })
    expect([done.status, done.body.status]).toEqual([200, 'closed'])
    // An event still needs its photos.
    const noPhoto = await act(H.worker, await report(), 'self_handle', { result: '已清理' })
    expect([noPhoto.status, noPhoto.body.code]).toEqual([422, 'EVIDENCE_REQUIRED'])
  })

  it('asks a grid worker for the photos the subclass needs, and refuses bad input clearly', async () => {
    const noPhoto = await call(H.worker, 'POST', '/api/v1/cases', {
      catalog: 'E0102',
      description: 'x',
      lng: grid.lng,
      lat: grid.lat,
    })
    expect([noPhoto.status, noPhoto.body.code]).toEqual([422, 'EVIDENCE_REQUIRED'])
    const far = await call(H.worker, 'POST', '/api/v1/cases', {
      catalog: 'E0102',
      description: 'x',
      lng: otherGrid.lng,
      lat: otherGrid.lat,
      photos: [photo],
    })
    expect([far.status, far.body.code]).toEqual([404, 'NOT_FOUND'])
    const nowhere = await call(H.worker, 'POST', '/api/v1/cases', { catalog: 'E0102', description: 'x', photos: [photo] })
    expect([nowhere.status, nowhere.body.code]).toEqual([400, 'VALIDATION_FAILED'])
    const unknown = await call(H.worker, 'POST', '/api/v1/cases', {
      catalog: 'E9999',
      description: 'x',
      lng: grid.lng,
      lat: grid.lat,
    })
    expect(unknown.status).toBe(404)
    const missingPhoto = await call(H.worker, 'POST', '/api/v1/cases', {
      catalog: 'E0102',
      description: 'x',
      lng: grid.lng,
      lat: grid.lat,
      photos: [999999],
    })
    expect([missingPhoto.status, missingPhoto.body.code]).toEqual([409, 'REFERENCE_NOT_FOUND'])
    // A resident reports without photos, from anywhere in the city.
    const resident = await call(H.resident, 'POST', '/api/v1/cases', {
      catalog: 'E0507',
      description: '楼下烧烤油烟',
      lng: otherGrid.lng,
      lat: otherGrid.lat,
      reporterPhone: '13800138000',
    })
    expect([resident.status, resident.body.source]).toEqual([201, 'resident'])
    // The reporter's name and phone: whole for those who call back, masked for everyone else.
    const hotline = await call(H.dispatcher, 'POST', '/api/v1/cases', {
      catalog: 'E0507',
      description: '来电反映烧烤扰民',
      lng: grid.lng,
      lat: grid.lat,
      reporterName: '王小二',
      reporterPhone: '13900001111',
    })
    expect([hotline.body.reporterName, hotline.body.reporterPhone]).toEqual(['王小二', '13900001111'])
    const seen = (await call(H.leader, 'GET', `/api/v1/cases/${hotline.body.id}`)).body
    expect([seen.reporterName, seen.reporterPhone]).toEqual(['王**', '139****1111'])
  })

  it('checks photos by their bytes, keeps one copy per content, and serves thumbnails to those who see the case', async () => {
    const fake = await app.inject({
      method: 'POST',
      url: '/api/v1/attachments',
      headers: { ...H.worker, 'content-type': 'image/png' },
      payload: Buffer.from('not an image at all'),
    })
    expect([fake.statusCode, fake.json().code]).toEqual([422, 'ATTACHMENT_INVALID'])
    const text = await app.inject({
      method: 'POST',
      url: '/api/v1/attachments',
      headers: { ...H.worker, 'content-type': 'text/plain' },
      payload: 'hello',
    })
    expect(text.statusCode).toBe(415)
    expect((await upload(H.worker, '#336699')).body.id).toBe(photo)
    const thumb = await app.inject({ method: 'GET', url: `/api/v1/attachments/${photo}/thumbnail`, headers: H.worker })
    expect(thumb.statusCode).toBe(200)
    expect(thumb.headers['content-type']).toBe('image/jpeg')
    const meta = await sharp(thumb.rawPayload).metadata()
    expect(Math.max(meta.width ?? 0, meta.height ?? 0)).toBe(320)
    // A photo only this worker uploaded: the dispatcher sees the case citing it; the other grid's
    // worker does not, and cannot cite it to get at it either.
    const own = (await upload(H.worker, '#123456')).body.id
    const c = await report({ photos: [own] })
    const get = (who: Headers) => app.inject({ method: 'GET', url: `/api/v1/attachments/${own}`, headers: who })
    expect((await get(H.dispatcher)).statusCode).toBe(200)
    expect((await get(H.otherWorker)).statusCode).toBe(404)
    const cite = await call(H.otherWorker, 'POST', '/api/v1/cases', {
      catalog: 'E0102',
      description: 'x',
      lng: otherGrid.lng,
      lat: otherGrid.lat,
      photos: [own],
    })
    expect([cite.status, cite.body.code]).toEqual([409, 'REFERENCE_NOT_FOUND'])
    expect(c.status).toBe('reported')
  })
})

describe('the five steps', () => {
  it('runs report → register → dispatch → accept → handle → verify → call back → closed, and tells the reporter', async () => {
    now = at('2026-11-23T10:00')
    let c = await report({}, H.worker)
    c = (await act(H.dispatcher, c, 'register')).body
    const d = await act(H.dispatcher, c, 'dispatch')
    expect(d.status, JSON.stringify(d.body)).toBe(200)
    c = d.body
    expect(c).toMatchObject({ status: 'dispatched', department: 'city_mgmt', routingBasis: 'catalog', supervision: 'none' })
    // 4 working hours from Monday 10:00: 12:00, then 14:00–16:00.
    expect(bj(c.deadline)).toBe('2026-11-23 16:00')
    expect(bj(c.returnBy)).toBe('2026-11-25 10:00')
    // The department sees it and may act; the police do not see it at all.
    expect((await call(H.city, 'GET', `/api/v1/cases/${c.id}`)).body.actions).toEqual(['accept', 'return'])
    expect((await call(H.police, 'GET', `/api/v1/cases/${c.id}`)).status).toBe(403)
    now = at('2026-11-23T11:00')
    c = (await act(H.city, c, 'accept')).body
    const noEvidence = await act(H.city, c, 'handle', { result: '已清运' })
    expect([noEvidence.status, noEvidence.body.code]).toEqual([422, 'EVIDENCE_REQUIRED'])
    c = (await act(H.city, c, 'handle', { result: '已清运', photos: [photo2] })).body
    expect([c.status, c.handledOnTime]).toEqual(['handled', true])
    c = (await act(H.worker, c, 'verify_pass', { photos: [photo2] })).body
    now = at('2026-11-23T15:00')
    c = (await act(H.dispatcher, c, 'callback_satisfied', { satisfaction: 'satisfied' })).body
    expect(c).toMatchObject({ status: 'closed', closedOnTime: true, satisfaction: 'satisfied' })
    c = (await act(H.dispatcher, c, 'evaluate', { score: 5 })).body
    expect(c.score).toBe(5)
    const steps = (await call(H.dispatcher, 'GET', `/api/v1/cases/${c.id}/timeline`)).body.map(
      (s: { action: string }) => s.action,
    )
    expect(steps).toEqual(['report', 'register', 'dispatch', 'accept', 'handle', 'verify_pass', 'callback_satisfied', 'evaluate'])
    const notices = (await call(H.worker, 'GET', '/api/v1/cases/notices')).body.items
    expect(notices.find((n: { caseId: number }) => n.caseId === c.id)).toMatchObject({ kind: 'closed' })
  })

  it('allows every legal transition and refuses every illegal one with 409 INVALID_TRANSITION', async () => {
    now = at('2026-11-24T09:00')
    const actions = [...new Set(CASE_TRANSITIONS.map((x) => x.action))]
    let legal = 0
    let illegal = 0
    for (const status of CASE_STATUSES) {
      const probe = await caseIn(status)
      for (const action of actions) {
        const allowed = CASE_TRANSITIONS.find((x) => x.action === action)?.from.includes(status)
        if (allowed) {
          // A fresh case in this status for each legal step (it changes the case).
          const c = await caseIn(status)
          const r = await step(action === 'decide_extension' ? (await step(c, 'request_extension')).body : c, action)
          const to = CASE_TRANSITIONS.find((x) => x.action === action)?.to ?? status
          expect(r.status, `${status} → ${action}: ${JSON.stringify(r.body)}`).toBe(200)
          expect(r.body.status, `${status} → ${action}`).toBe(to)
          legal++
        } else {
          const r = await act(H.admin, probe, action, {
            ...FULL[action],
            photos: [photo, photo2],
            target: probe.id,
            department: 'city_mgmt',
          })
          expect([r.status, r.body.code], `${status} → ${action}`).toEqual([409, 'INVALID_TRANSITION'])
          expect(r.body.details.allowed).toEqual(CASE_TRANSITIONS.filter((x) => x.from.includes(status)).map((x) => x.action))
          illegal++
        }
      }
    }
    expect(legal).toBe(CASE_TRANSITIONS.reduce((n, x) => n + x.from.length, 0))
    expect(illegal).toBe(CASE_STATUSES.length * actions.length - legal)
  }, 180_000)

  it('lets one of two people acting at once win; the other gets 409', async () => {
    const c = await caseIn('dispatched')
    const [a, b] = await Promise.all([act(H.city, c, 'accept'), act(H.city, c, 'return', { reason: '不属于本部门' })])
    expect([a.status, b.status].sort()).toEqual([200, 409])
    expect([a.body.code, b.body.code]).toContain('VERSION_CONFLICT')
    const after = (await call(H.city, 'GET', `/api/v1/cases/${c.id}`)).body
    expect(after.version).toBe(c.version + 1)
    expect((await call(H.city, 'GET', `/api/v1/cases/${c.id}/timeline`)).body).toHaveLength(4)
  })

  it('refuses a step to those without its permission or outside the department', async () => {
    const c = await caseIn('dispatched')
    expect((await act(H.worker, c, 'accept')).status).toBe(403)
    // In their scope but not their department's (or not their report): 403; another district's: 404.
    expect((await act(H.police, c, 'accept')).status).toBe(403)
    expect((await act(H.leader, c, 'escalate', { reason: 'x' })).status).toBe(403)
    const reported = await report()
    expect((await act(H.resident, reported, 'register')).status).toBe(403)
    const elsewhere = (
      await userWithToken(t.db, 'police-far', [{ role: 'dept_handler', scope: '440103' }], undefined, 'city_mgmt')
    ).headers
    expect((await act(elsewhere, c, 'accept')).status).toBe(404)
  })

  it('takes steps on many cases at once, each answering on its own', async () => {
    const a = await caseIn('registered')
    const b = await caseIn('registered')
    const c = await caseIn('reported')
    const r = await call(H.dispatcher, 'POST', '/api/v1/cases/actions', {
      items: [
        { id: a.id, action: 'dispatch', version: a.version },
        { id: b.id, action: 'dispatch', version: b.version - 1 },
        { id: c.id, action: 'dispatch', version: c.version },
        { id: 999_999, action: 'dispatch', version: 1 },
      ],
    })
    expect(r.status).toBe(200)
    expect(r.body.results.map((x: { ok: boolean; error?: { code: string } }) => x.ok || x.error?.code)).toEqual([
      true,
      'VERSION_CONFLICT',
      'INVALID_TRANSITION',
      'NOT_FOUND',
    ])
    expect(r.body.results[0].case).toMatchObject({ status: 'dispatched', department: 'city_mgmt' })
    // Only the worker's own grid is theirs: a batch cannot reach past it.
    const w = await call(H.worker, 'POST', '/api/v1/cases/actions', {
      items: [{ id: b.id, action: 'dispatch', version: b.version }],
    })
    expect(w.body.results[0]).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    const twice = await call(H.dispatcher, 'POST', '/api/v1/cases/actions', {
      items: [
        { id: b.id, action: 'dispatch', version: b.version },
        { id: b.id, action: 'dispatch', version: b.version },
      ],
    })
    expect(twice.status).toBe(400)
    expect((await call(H.dispatcher, 'GET', `/api/v1/cases/${b.id}`)).body.status).toBe('registered')
    // A brief answer: status and version only (the planning and checks are the same).
    const brief = await call(H.dispatcher, 'POST', '/api/v1/cases/actions?answer=brief', {
      items: [
        { id: b.id, action: 'dispatch', version: b.version },
        { id: a.id, action: 'dispatch', version: a.version + 1 },
      ],
    })
    expect(brief.body.results).toEqual([
      { id: b.id, ok: true, status: 'dispatched', version: b.version + 1 },
      expect.objectContaining({ id: a.id, ok: false, error: expect.objectContaining({ code: 'INVALID_TRANSITION' }) }),
    ])
    const seen = (await call(H.dispatcher, 'GET', `/api/v1/cases/${b.id}`)).body
    expect([seen.status, seen.version, seen.department]).toEqual(['dispatched', b.version + 1, 'city_mgmt'])
  })

  it('self-handles a minor matter with photos before and after, where the catalog allows it', async () => {
    let c = await report()
    const one = await act(H.worker, c, 'self_handle', { result: '已清理', photos: [photo] })
    expect([one.status, one.body.code]).toEqual([422, 'EVIDENCE_REQUIRED'])
    c = (await act(H.worker, c, 'self_handle', { result: '已清理', photos: [photo, photo2] })).body
    expect(c).toMatchObject({ status: 'closed', handledOnTime: true, dispatchCount: 0 })
    const big = await report({ catalog: 'E0301', description: '违法建设' })
    const refused = await act(H.worker, big, 'self_handle', { result: '拆了', photos: [photo, photo2] })
    expect([refused.status, refused.body.code]).toEqual([422, 'SELF_HANDLE_NOT_ALLOWED'])
  })
})

describe('routing', () => {
  it('routes by data: the catalog, then a rule for the territory; an override needs a reason', async () => {
    const c = await caseIn('registered')
    await call(H.admin, 'POST', '/api/v1/routing-rules', {
      catalogCode: 'E0102',
      region: grid.code.slice(0, 12),
      department: 'market',
    })
    const d = (await act(H.dispatcher, c, 'dispatch')).body
    expect([d.department, d.routingBasis]).toEqual(['market', 'routing_rule'])
    const c2 = await caseIn('registered')
    const noReason = await act(H.dispatcher, c2, 'dispatch', { department: 'water' })
    expect([noReason.status, noReason.body.code]).toEqual([400, 'VALIDATION_FAILED'])
    const over = await act(H.dispatcher, c2, 'dispatch', { department: 'water', reason: '供水管道破裂引起' })
    expect([over.body.department, over.body.routingBasis]).toEqual(['water', 'override'])
    const rules = (await call(H.admin, 'GET', '/api/v1/routing-rules?catalog=E0102')).body
    for (const r of rules) await call(H.admin, 'DELETE', `/api/v1/routing-rules/${r.id}`)
  })

  it('routes an event exactly on the boundary between two communities to the territory the lookup decides, always the same', async () => {
    // Two adjacent grids of different communities and a point on their shared edge.
    const pair = await sql<{ a: string; b: string; ga: unknown; gb: unknown }>`
      select j.a, j.b, ga.geometry as ga, gb.geometry as gb from grid_adjacency j
      join grids ga on ga.code = j.a join grids gb on gb.code = j.b
      where substr(j.a, 1, 12) <> substr(j.b, 1, 12) and ga.status = 'active' and gb.status = 'active'
      order by j.shared_m desc limit 1`.execute(t.db)
    const p = pair.rows[0]
    if (!p) throw new Error('no adjacent grids of different communities in the fixture')
    const rings = (g: unknown) => {
      const geom = g as { type: string; coordinates: number[][][] | number[][][][] }
      return (geom.type === 'Polygon' ? [geom.coordinates] : geom.coordinates) as number[][][][]
    }
    // A vertex of A's outline lying on B's outline (a shared vertex, or a T-junction on B's edge).
    const edgesB = rings(p.gb).flatMap((poly) => poly.flatMap((r) => r.slice(1).map((v, i) => [r[i] as number[], v] as const)))
    const onSegment = (q: number[], [u, v]: readonly [number[], number[]]) => {
      const [qx, qy, ux, uy, vx, vy] = [q[0], q[1], u[0], u[1], v[0], v[1]] as number[] as [
        number,
        number,
        number,
        number,
        number,
        number,
      ]
      const len2 = (vx - ux) ** 2 + (vy - uy) ** 2
      const k = len2 ? Math.max(0, Math.min(1, ((qx - ux) * (vx - ux) + (qy - uy) * (vy - uy)) / len2)) : 0
      return Math.hypot(qx - (ux + k * (vx - ux)), qy - (uy + k * (vy - uy))) < 1e-9
    }
    // The midpoint of an edge of A lying along B's outline (a vertex could be where a third grid
    // meets the two).
    let point: [number, number] | undefined
    const onB = (q: number[]) => edgesB.some((e) => onSegment(q, e))
    for (const poly of rings(p.ga))
      for (const ring of poly)
        for (let i = 1; i < ring.length && !point; i++) {
          const [u, v] = [ring[i - 1] as number[], ring[i] as number[]]
          const mid = [((u[0] as number) + (v[0] as number)) / 2, ((u[1] as number) + (v[1] as number)) / 2]
          if (onB(u) && onB(v) && onB(mid)) point = mid as [number, number]
        }
    if (!point) throw new Error('no shared edge')
    await call(H.admin, 'POST', '/api/v1/routing-rules', { catalogCode: 'E0507', region: p.a.slice(0, 12), department: 'market' })
    await call(H.admin, 'POST', '/api/v1/routing-rules', { catalogCode: 'E0507', region: p.b.slice(0, 12), department: 'police' })
    const answers = new Set<string>()
    for (let i = 0; i < 3; i++) {
      const r = await call(H.resident, 'POST', '/api/v1/cases', {
        catalog: 'E0507',
        description: '边界上的烧烤',
        lng: point[0],
        lat: point[1],
      })
      expect(r.status).toBe(201)
      expect([p.a, p.b]).toContain(r.body.gridCode)
      const d = (await act(H.dispatcher, (await act(H.dispatcher, r.body, 'register')).body, 'dispatch')).body
      expect(d.department).toBe(r.body.gridCode === p.a ? 'market' : 'police')
      answers.add(`${r.body.gridCode}:${d.department}`)
    }
    expect(answers.size).toBe(1)
    const dry = (await call(H.dispatcher, 'GET', `/api/v1/routing/dry-run?catalog=E0507&lng=${point[0]}&lat=${point[1]}`)).body
    expect(`${dry.grid}:${dry.department}`).toBe([...answers][0])
  })

  it('sends a component problem to the component’s department even where the territory’s rule says otherwise', async () => {
    const comp = await t.db
      .selectFrom('components')
      .select(['code', 'major', 'sub', 'competent_department', 'community_code', 'grid_code'])
      .where('grid_code', '=', grid.code)
      .where('competent_department', '<>', 'police')
      .executeTakeFirst()
    const c0 =
      comp ??
      (await t.db
        .selectFrom('components')
        .select(['code', 'major', 'sub', 'competent_department', 'community_code', 'grid_code'])
        .where('community_code', '=', grid.code.slice(0, 12))
        .executeTakeFirstOrThrow())
    const catalog = `C${c0.major}${c0.sub}`
    await call(H.admin, 'POST', '/api/v1/routing-rules', {
      catalogCode: catalog,
      region: c0.community_code,
      department: 'police',
    })
    const r = await call(H.dispatcher, 'POST', '/api/v1/cases', { catalog, description: '井盖破损', component: c0.code })
    expect(r.status, JSON.stringify(r.body)).toBe(201)
    expect(r.body.componentCode).toBe(c0.code)
    const d = (await act(H.dispatcher, (await act(H.dispatcher, r.body, 'register')).body, 'dispatch')).body
    expect([d.department, d.routingBasis]).toEqual([c0.competent_department, 'component'])
    expect(d.department).not.toBe('police')
  })
})

describe('the clock', () => {
  it('counts working time across the Spring Festival holiday and its adjusted Saturday workday', async () => {
    now = at('2026-02-13T17:00') // Friday before the holiday
    const c = await caseIn('registered')
    await call(H.admin, 'PATCH', '/api/v1/catalog/E0102', {
      version: (await call(H.admin, 'GET', '/api/v1/catalog/E0102')).body.version,
      limits: { normal: { amount: 2, unit: 'working_days' } },
      reason: '测试',
    })
    // The case keeps the limit it was reported under (4 working hours).
    const d = (await act(H.dispatcher, c, 'dispatch')).body
    // Friday 17:00–18:00 (1 h), Saturday 14 Feb is a workday (08:30–11:30 = 3 h in total).
    expect(bj(d.deadline)).toBe('2026-02-14 11:30')
    const c2 = await caseIn('registered')
    expect(c2.limit).toEqual({ amount: 2, unit: 'working_days' })
    const d2 = (await act(H.dispatcher, c2, 'dispatch')).body
    // 900 working minutes: Fri 60, Sat 14 Feb 450, holiday 15–23 Feb, Tue 24 Feb 390 → 17:00.
    expect(bj(d2.deadline)).toBe('2026-02-24 17:00')
    // Return within 2 working days: Sat 14 Feb and Tue 24 Feb.
    expect(bj(d2.returnBy)).toBe('2026-02-24 17:00')
    now = at('2026-02-24T17:01')
    const late = await act(H.city, d2, 'return', { reason: '不是我们的' })
    expect([late.status, late.body.code]).toEqual([422, 'RETURN_WINDOW_CLOSED'])
    const e = (await call(H.admin, 'GET', '/api/v1/catalog/E0102')).body
    await call(H.admin, 'PATCH', '/api/v1/catalog/E0102', {
      version: e.version,
      limits: { normal: { amount: 4, unit: 'working_hours' } },
      reason: '恢复',
    })
  })

  it('extends a deadline only when asked before it, and stops the clock while parked', async () => {
    now = at('2026-11-25T09:00') // Wednesday
    let c = await caseIn('accepted')
    expect(bj(c.deadline)).toBe('2026-11-25 15:00')
    c = (await act(H.city, c, 'request_extension', { reason: '需协调', days: 1 })).body
    expect(c.extensionRequest).toMatchObject({ days: 1 })
    const twice = await act(H.city, c, 'request_extension', { reason: '再延', days: 1 })
    expect([twice.status, twice.body.code]).toEqual([409, 'EXTENSION_PENDING'])
    c = (await act(H.dispatcher, c, 'decide_extension', { approve: true })).body
    expect([bj(c.deadline), c.extendedDays, c.extensionRequest]).toEqual(['2026-11-26 15:00', 1, null])
    now = at('2026-11-26T15:01')
    const late = await act(H.city, c, 'request_extension', { reason: '还要延', days: 1 })
    expect([late.status, late.body.code]).toEqual([422, 'EXTENSION_TOO_LATE'])
    // Parked with 2 working hours left; unparked a week later: 2 working hours again.
    now = at('2026-11-26T12:30')
    let p = await caseIn('accepted')
    expect(bj(p.deadline)).toBe('2026-11-26 18:00') // lunch until 14:00, then 4 h
    p = (await act(H.dispatcher, p, 'park', { reason: '需立项' })).body
    expect([p.status, p.deadline, p.pausedMinutes]).toEqual(['parked', null, 240])
    now = at('2026-12-03T09:00')
    p = (await act(H.dispatcher, p, 'unpark', { reason: '已立项' })).body
    expect([p.status, bj(p.deadline)]).toEqual(['accepted', '2026-12-03 15:00'])
  })
})

describe('duplicates', () => {
  it('suggests the open case of the same subclass nearby; merged reports share the outcome', async () => {
    now = at('2026-11-27T09:00')
    const first = await report({ catalog: 'E0104', lng: otherGrid.lng, lat: otherGrid.lat }, H.resident)
    now = at('2026-11-27T10:00')
    const second = await call(H.resident, 'POST', '/api/v1/cases', {
      catalog: 'E0104',
      description: '同一段路不洁',
      lng: otherGrid.lng + 0.0002, // ≈ 20 m east
      lat: otherGrid.lat,
    })
    expect(second.body.duplicates.map((d: { id: number }) => d.id)).toEqual([first.id])
    expect(second.body.duplicates[0].distanceM).toBeGreaterThan(15)
    expect(second.body.duplicates[0].distanceM).toBeLessThan(25)
    // Another subclass, or farther than the radius, is not suggested.
    const other = await call(H.resident, 'POST', '/api/v1/cases', {
      catalog: 'E0507',
      description: '烧烤',
      lng: otherGrid.lng,
      lat: otherGrid.lat,
    })
    expect(other.body.duplicates.map((d: { id: number }) => d.id)).not.toContain(first.id)
    const farAway = await call(H.resident, 'POST', '/api/v1/cases', {
      catalog: 'E0104',
      description: '另一堆',
      lng: otherGrid.lng + 0.002, // ≈ 200 m
      lat: otherGrid.lat,
    })
    expect(farAway.body.duplicates.map((d: { id: number }) => d.id)).not.toContain(first.id)
    // The acceptor sees the suggestion on the case and merges.
    expect((await call(H.dispatcher, 'GET', `/api/v1/cases/${second.body.id}`)).body.duplicates[0].id).toBe(first.id)
    const merged = await act(H.dispatcher, second.body, 'merge', { target: first.id })
    expect(merged.body).toMatchObject({ status: 'merged', duplicateOf: first.id })
    const self = await act(H.dispatcher, first, 'merge', { target: first.id })
    expect([self.status, self.body.code]).toEqual([422, 'INVALID_MERGE'])
    expect((await call(H.dispatcher, 'GET', `/api/v1/cases/${first.id}`)).body.merged).toEqual([
      { id: second.body.id, number: second.body.number },
    ])
    // The first case runs its course; both reporters hear the outcome.
    let c = first
    for (const a of PATHS.closed) {
      const body = { ...(FULL[a] ?? {}), ...(a === 'dispatch' ? { department: 'city_mgmt' } : {}) }
      if ('photos' in body) body.photos = [photo]
      c = (await act(H.admin, c, a, body)).body
    }
    expect(c.status).toBe('closed')
    const notices = (await call(H.resident, 'GET', '/api/v1/cases/notices?pageSize=100')).body.items as {
      caseId: number
      kind: string
    }[]
    expect(notices.filter((n) => n.caseId === first.id && n.kind === 'closed')).toHaveLength(1)
    expect(
      notices
        .filter((n) => n.caseId === second.body.id)
        .map((n) => n.kind)
        .sort(),
    ).toEqual(['closed', 'merged'])
  })
})

describe('who sees what', () => {
  it('lists only the cases in scope: the department’s dispatched cases, a resident’s own, a worker’s grid', async () => {
    const all = (await call(H.admin, 'GET', '/api/v1/cases?pageSize=500')).body
    const city = (await call(H.city, 'GET', '/api/v1/cases?pageSize=500')).body
    expect(city.total).toBeGreaterThan(0)
    expect(city.items.every((c: { department: string }) => c.department === 'city_mgmt')).toBe(true)
    expect(city.total).toBe(all.items.filter((c: { department: string }) => c.department === 'city_mgmt').length)
    const resident = (await call(H.resident, 'GET', '/api/v1/cases?pageSize=500')).body
    expect(resident.items.every((c: { reporter: string }) => c.reporter === 'resident-c')).toBe(true)
    expect(resident.total).toBe(all.items.filter((c: { reporter: string }) => c.reporter === 'resident-c').length)
    const worker = (await call(H.worker, 'GET', '/api/v1/cases?pageSize=500')).body
    expect(
      worker.items.every((c: { gridCode: string; reporter: string }) => c.gridCode === grid.code || c.reporter === 'worker-c'),
    ).toBe(true)
    const overdue = (await call(H.dispatcher, 'GET', '/api/v1/cases?overdue=true&pageSize=500')).body
    expect(overdue.items.every((c: { overdue: boolean }) => c.overdue)).toBe(true)
    const bad = await call(H.dispatcher, 'GET', '/api/v1/cases?status=nonsense')
    expect(bad.status).toBe(400)
    // A class of the catalog (the dashboard's class bars lead here): every subclass in it.
    const klass = (all.items[0] as { catalogCode: string }).catalogCode.slice(0, 3)
    const ofClass = (await call(H.admin, 'GET', `/api/v1/cases?class=${klass}&pageSize=500`)).body
    expect(ofClass.total).toBe(all.items.filter((c: { catalogCode: string }) => c.catalogCode.startsWith(klass)).length)
    expect((await call(H.admin, 'GET', '/api/v1/cases?class=E1')).status).toBe(400)
  })

  it('orders the ledger by deadline on request, and exports the filtered ledger in words, in scope only', async () => {
    const byDeadline = (await call(H.dispatcher, 'GET', '/api/v1/cases?sort=deadline&pageSize=500')).body.items as {
      deadline: string | null
      minutesLeft: number | null
    }[]
    // The cases whose clock runs first, the nearest deadline first; then the rest.
    const running = byDeadline.filter((c) => c.minutesLeft !== null)
    expect(running.length).toBeGreaterThan(0)
    expect(byDeadline.slice(0, running.length)).toEqual(running)
    const deadlines = running.map((c) => c.deadline as string)
    expect(deadlines).toEqual([...deadlines].sort())
    expect((await call(H.dispatcher, 'GET', '/api/v1/cases?sort=sideways')).status).toBe(400)

    const csv = async (who: Headers, q: string) => {
      const r = await app.inject({ method: 'GET', url: `/api/v1/cases/export?format=csv&${q}`, headers: who })
      expect(r.statusCode).toBe(200)
      expect(r.headers['content-disposition']).toMatch(/attachment; filename="cases-/)
      return r.body
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\r\n')
    }
    const list = (await call(H.city, 'GET', '/api/v1/cases?pageSize=500')).body
    const lines = await csv(H.city, 'lang=zh-CN')
    expect(lines[0]).toBe('案件编号,类别,描述,地址,网格,来源,上报人,责任部门,状态,剩余时间,督办,上报时间,处置时限')
    expect(lines.length - 1).toBe(list.total) // the department's cases, no one else's
    const first = list.items[0] as { number: string }
    const row = lines.find((l) => l.startsWith(first.number)) as string
    expect(row).toContain('城市管理') // the department by name, not its code
    expect(row).not.toContain('city_mgmt')
    expect(row).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}/) // Beijing time to the minute
    // The same filter as the list: only overdue ones, in English.
    const overdue = (await call(H.dispatcher, 'GET', '/api/v1/cases?overdue=true&pageSize=500')).body
    const en = await csv(H.dispatcher, 'overdue=true&lang=en')
    expect(en[0]?.startsWith('Number,Class,')).toBe(true)
    expect(en.length - 1).toBe(overdue.total)
    expect(en.slice(1).every((l) => l.includes(',overdue,'))).toBe(true)
    const xlsx = await app.inject({ method: 'GET', url: '/api/v1/cases/export', headers: H.dispatcher })
    expect(xlsx.headers['content-type']).toContain('spreadsheetml')
    expect((await call(H.dispatcher, 'GET', '/api/v1/cases/export?format=pdf')).status).toBe(400)
  })

  it('gives the map the open cases in scope as GeoJSON points, overdue first, cut at the limit', async () => {
    const points = async (who: Headers, q: string) => {
      const r = await app.inject({ method: 'GET', url: `/api/v1/cases/points?${q}`, headers: who })
      expect(r.headers['content-type']).toMatch(/geo\+json/)
      return r.json() as {
        total: number
        features: {
          id: number
          properties: { number: string; status: string; overdue: boolean }
          geometry: { coordinates: number[] }
        }[]
      }
    }
    const open = (await call(H.admin, 'GET', '/api/v1/cases?pageSize=500')).body.items.filter(
      (c: { closedAt: string | null }) => !c.closedAt,
    )
    const all = await points(H.admin, 'region=4401')
    expect(all.total).toBe(open.length)
    expect(all.features.map((f) => f.id).sort()).toEqual(open.map((c: { id: number }) => c.id).sort())
    const first = open.find((c: { id: number }) => c.id === all.features[0]?.id)
    expect(all.features[0]?.geometry.coordinates).toEqual([first.lng, first.lat])
    const flags = all.features.map((f) => f.properties.overdue)
    expect(flags).toEqual([...flags].sort((a, b) => Number(b) - Number(a))) // overdue first
    const cut = await points(H.admin, 'region=4401&limit=2')
    expect([cut.total, cut.features.length]).toEqual([open.length, Math.min(2, open.length)])
    // A department sees only its own; a worker only their grid (or their own reports).
    const city = await points(H.city, 'region=4401')
    const cityOpen = open.filter((c: { department: string }) => c.department === 'city_mgmt')
    expect(city.features.map((f) => f.id).sort()).toEqual(cityOpen.map((c: { id: number }) => c.id).sort())
    const worker = await points(H.worker, `region=${grid.code}`)
    expect(worker.features.length).toBeLessThanOrEqual(open.length)
    for (const f of worker.features) expect(open.find((c: { id: number }) => c.id === f.id).gridCode).toBe(grid.code)
    expect((await call(H.admin, 'GET', '/api/v1/cases/points?region=44')).status).toBe(400)
  })
})

describe('escalation', () => {
  it('hands supervision to the street, district and city command centres in turn, telling each and queueing the case there', async () => {
    now = at('2026-11-24T09:00')
    let c = await caseIn('accepted')
    const centres: string[] = []
    for (const digits of [9, 6, 4]) {
      const r = await act(H.dispatcher, c, 'escalate', { reason: '久拖不决' })
      expect(r.status, JSON.stringify(r.body)).toBe(200)
      c = r.body
      centres.push(grid.code.slice(0, digits))
    }
    expect(c.escalationLevel).toBe(3)
    const again = await act(H.dispatcher, c, 'escalate', { reason: '再升级' })
    expect([again.status, again.body.code]).toEqual([409, 'INVALID_TRANSITION'])
    const steps = (await call(H.dispatcher, 'GET', `/api/v1/cases/${c.id}/timeline`)).body.filter(
      (s: { action: string }) => s.action === 'escalate',
    )
    expect(steps.map((s: { details: { centre: string; level: string } }) => [s.details.level, s.details.centre])).toEqual([
      ['street', centres[0]],
      ['district', centres[1]],
      ['city', centres[2]],
    ])
    // The district dispatcher (case.supervise over 440104) is told of the escalation to its centre;
    // a street-level supervisor elsewhere is not.
    const notices = (await call(H.dispatcher, 'GET', '/api/v1/cases/notices?pageSize=100')).body.items.filter(
      (n: { caseId: number; kind: string }) => n.caseId === c.id && n.kind === 'escalated',
    )
    expect(notices).toHaveLength(1)
    expect(notices[0].message).toContain('区指挥中心')
    const elsewhere = (await userWithToken(t.db, 'street-other', [{ role: 'dispatcher', scope: '440104001' }])).headers
    const theirs = (await call(elsewhere, 'GET', '/api/v1/cases/notices?pageSize=100')).body.items
    expect(theirs.some((n: { caseId: number }) => n.caseId === c.id)).toBe(false)
    // The centre's queue: cases escalated at least to its level.
    const queue = (await call(H.dispatcher, 'GET', '/api/v1/cases?escalation=district&pageSize=500')).body.items
    expect(queue.map((x: { id: number }) => x.id)).toContain(c.id)
    expect(queue.every((x: { escalationLevel: number }) => x.escalationLevel >= 2)).toBe(true)
  })
})

describe('chasing', () => {
  it('reminds before the deadline, shows a yellow card at it and a red card later — once each, across a restart', async () => {
    now = at('2026-11-30T09:00') // Monday
    const c = await caseIn('accepted')
    expect(bj(c.deadline)).toBe('2026-11-30 15:00')
    // The server "restarts": a new application on the same database, nothing in memory carried over.
    await app.close()
    app = await buildApp({ config: { bodyLimit: 1 << 20, logLevel: 'silent', logPretty: false }, database: t, clock })
    // Remind when a quarter of the 4 working hours is left: at 12:00, 60 working minutes before
    // 15:00 (other tests' jobs run too).
    const chased = async () =>
      (await call(H.city, 'GET', `/api/v1/cases/${c.id}/timeline`)).body
        .map((s: { action: string }) => s.action)
        .filter((a: string) => ['remind', 'yellow_card', 'red_card'].includes(a))
    await app.jobs.runDue(at('2026-11-30T11:59'))
    expect(await chased()).toEqual([])
    await app.jobs.runDue(at('2026-11-30T12:00'))
    await app.jobs.runDue(at('2026-11-30T14:30'))
    expect(await chased()).toEqual(['remind'])
    let v = (await call(H.city, 'GET', `/api/v1/cases/${c.id}`)).body
    expect(v.supervision).toBe('reminded')
    now = at('2026-11-30T15:30')
    await app.jobs.runDue()
    v = (await call(H.city, 'GET', `/api/v1/cases/${c.id}`)).body
    expect([v.supervision, v.overdue]).toEqual(['yellow', true])
    expect(
      (await call(H.city, 'GET', `/api/v1/cases?overdue=true&pageSize=500`)).body.items.map((x: { id: number }) => x.id),
    ).toContain(c.id)
    // Red two working days after the deadline: Wednesday 15:00.
    await app.jobs.runDue(at('2026-12-02T14:59'))
    expect(await chased()).toEqual(['remind', 'yellow_card'])
    await app.jobs.runDue(at('2026-12-02T15:00'))
    await app.jobs.runDue(at('2026-12-02T16:00'))
    v = (await call(H.city, 'GET', `/api/v1/cases/${c.id}`)).body
    expect(v.supervision).toBe('red')
    const steps = (await call(H.city, 'GET', `/api/v1/cases/${c.id}/timeline`)).body.map((s: { action: string }) => s.action)
    expect(steps.filter((a: string) => ['remind', 'yellow_card', 'red_card'].includes(a))).toEqual([
      'remind',
      'yellow_card',
      'red_card',
    ])
    const notices = (await call(H.city, 'GET', '/api/v1/cases/notices?pageSize=100')).body.items
    expect(notices.filter((n: { caseId: number }) => n.caseId === c.id)).toHaveLength(3)
  })

  it('drops the chasing of a deadline that moved (handled in time, returned)', async () => {
    now = at('2026-12-07T09:00')
    let c = await caseIn('accepted')
    c = (await act(H.city, c, 'handle', { result: '已处理', photos: [photo] })).body
    const r = await caseIn('returned')
    expect(r.deadline).toBeNull()
    // Their pending chasing was dropped with the step that stopped the clock.
    const pending = await t.db
      .selectFrom('jobs')
      .select('key')
      .where('subject', 'in', [c.id, r.id])
      .where('state', '=', 'pending')
      .execute()
    expect(pending).toEqual([])
    await app.jobs.runDue(at('2026-12-31T09:00'))
    for (const id of [c.id, r.id]) {
      const steps = (await call(H.admin, 'GET', `/api/v1/cases/${id}/timeline`)).body.map((s: { action: string }) => s.action)
      expect(steps.some((a: string) => a.endsWith('_card') || a === 'remind')).toBe(false)
    }
  })
})

describe('evaluation', () => {
  it('computes the indicators of DOMAIN.md §5 for a period and region, by department and by child region', async () => {
    const district = grid.code.slice(0, 6)
    const q = `/api/v1/cases/indicators?region=${district}&from=2026-01-01&to=2027-01-01`
    const total = (await call(H.dispatcher, 'GET', q)).body.groups[0]
    // Recount by hand from the cases.
    const rows = await t.db.selectFrom('cases').selectAll().where('community_code', 'like', `${district}%`).execute()
    const due = rows.filter((r) => r.dispatch_count > 0)
    expect(total.counts).toMatchObject({
      reported: rows.length,
      due: due.length,
      handled: due.filter((r) => r.handled_at).length,
      closed: due.filter((r) => r.status === 'closed').length,
      closedOnTime: due.filter((r) => r.closed_on_time).length,
      reworked: rows.filter((r) => r.rework_count > 0).length,
    })
    expect(total.rates.close).toBeCloseTo(due.filter((r) => r.status === 'closed').length / due.length, 4)
    const byDept = (await call(H.dispatcher, 'GET', `${q}&by=department`)).body.groups
    expect(byDept.reduce((n: number, g: { counts: { reported: number } }) => n + g.counts.reported, 0)).toBe(rows.length)
    const byChild = (await call(H.dispatcher, 'GET', `${q}&by=children`)).body.groups
    expect(byChild.every((g: { key: string }) => g.key.length === 9)).toBe(true)
    // A department handler's indicators cover its own cases only.
    const city = (await call(H.city, 'GET', q)).body.groups[0]
    expect(city.counts.reported).toBe(rows.filter((r) => r.department === 'city_mgmt').length)
    expect((await call(H.dispatcher, 'GET', '/api/v1/cases/indicators?region=440199&from=2026-01-01&to=2027-01-01')).status).toBe(
      404,
    )
  })
})

describe('case statistics', () => {
  const drift = async () => {
    await sql`select case_counts_drain()`.execute(t.db)
    return (await sql`select * from case_counts_drift()`.execute(t.db)).rows
  }

  it('equal the evaluation indicators and a recount, by every dimension, and follow changes at once', async () => {
    const district = grid.code.slice(0, 6)
    const period = 'from=2026-01-01&to=2026-12-31'
    const stats = (await call(H.admin, 'GET', `/api/v1/stats/cases?region=${district}&by=department&${period}`)).body
    const indicators = (
      await call(H.admin, 'GET', `/api/v1/cases/indicators?region=${district}&from=2026-01-01&to=2027-01-01&by=department`)
    ).body
    expect(stats.groups.map((g: { key: string; counts: object }) => [g.key, g.counts])).toEqual(
      indicators.groups.map((g: { key: string; counts: object }) => [g.key, g.counts]),
    )
    const rows = await t.db.selectFrom('cases').selectAll().where('community_code', 'like', `${district}%`).execute()
    expect(stats.total.counts.reported).toBe(rows.length)
    for (const by of ['status', 'class', 'subclass', 'children', 'day', 'month']) {
      const r = (await call(H.admin, 'GET', `/api/v1/stats/cases?region=${district}&by=${by}&${period}`)).body
      expect(
        r.groups.reduce((n: number, g: { counts: { reported: number } }) => n + g.counts.reported, 0),
        by,
      ).toBe(rows.length)
    }
    const byStatus = (await call(H.admin, 'GET', `/api/v1/stats/cases?region=${district}&by=status&${period}`)).body.groups
    const closed = rows.filter((r) => r.status === 'closed').length
    expect(byStatus.find((g: { key: string }) => g.key === 'closed')?.counts.reported ?? 0).toBe(closed)
    // A grid (below the rollups) and its community agree with the cases.
    const inGrid = rows.filter((r) => r.grid_code === grid.code).length
    const g = (await call(H.admin, 'GET', `/api/v1/stats/cases?region=${grid.code}&${period}`)).body
    expect(g.total.counts.reported).toBe(inGrid)
    const community = (await call(H.admin, 'GET', `/api/v1/stats/cases?region=${grid.code.slice(0, 12)}&by=children&${period}`))
      .body
    expect(community.groups.find((x: { key: string }) => x.key === grid.code)?.counts.reported).toBe(inGrid)
    // A new report shows at once (the log is drained before the answer).
    await report()
    const after = (await call(H.admin, 'GET', `/api/v1/stats/cases?region=${district}&${period}`)).body
    expect(after.total.counts.reported).toBe(rows.length + 1)
    expect(await drift()).toEqual([])
    // Scope and bad input.
    expect((await call(H.worker, 'GET', `/api/v1/stats/cases?region=${district}`)).status).toBe(404)
    expect((await call(H.admin, 'GET', `/api/v1/stats/cases?region=${district}&from=2026-02-30`)).body.code).toBe(
      'VALIDATION_FAILED',
    )
    expect((await call(H.admin, 'GET', `/api/v1/stats/cases?region=${district}&from=2026-03-01&to=2026-02-01`)).status).toBe(400)
  })

  it('export as xlsx with the API’s numbers, and print the monthly report as PDF', async () => {
    await report()
    const district = grid.code.slice(0, 6)
    const q = `region=${district}&by=status&from=2026-01-01&to=2026-12-31`
    const api = (await call(H.admin, 'GET', `/api/v1/stats/cases?${q}`)).body
    const x = await app.inject({ method: 'GET', url: `/api/v1/stats/cases/export?${q}`, headers: H.admin })
    expect(x.statusCode).toBe(200)
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(x.rawPayload as never)
    const ws = wb.worksheets[0] as ExcelJS.Worksheet
    const header = (ws.getRow(1).values as string[]).slice(1)
    expect(header.slice(0, 4)).toEqual(['分组', '名称', '上报', '应处置'])
    const closeCol = header.indexOf('结案率') + 1
    const rows: { key: string; reported: number; close: number | null }[] = []
    ws.eachRow((r, i) => {
      if (i > 1)
        rows.push({
          key: String(r.getCell(1).value),
          reported: Number(r.getCell(3).value),
          close: r.getCell(closeCol).value === null ? null : Number(r.getCell(closeCol).value),
        })
    })
    expect(rows).toEqual(
      api.groups.map((g: { key: string; counts: { reported: number }; rates: { close: number | null } }) => ({
        key: g.key,
        reported: g.counts.reported,
        close: g.rates.close,
      })),
    )
    const pdf = await app.inject({
      method: 'GET',
      url: `/api/v1/stats/report?region=${district}&month=2026-11`,
      headers: H.admin,
    })
    expect(pdf.statusCode).toBe(200)
    expect(pdf.headers['content-type']).toBe('application/pdf')
    const bytes = pdf.rawPayload
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-')
    expect(bytes.length).toBeGreaterThan(10_000)
    // A subset of the CJK font is embedded (the report is in Chinese).
    expect(bytes.toString('latin1')).toMatch(/FontFile2/)
    expect((await call(H.worker, 'GET', `/api/v1/stats/report?region=${district}&month=2026-11`)).status).toBe(404)
    expect((await call(H.admin, 'GET', `/api/v1/stats/report?region=${district}&month=2026-13`)).status).toBe(400)
  })

  it('equal a recount after any random sequence of changes to cases (property-based)', async () => {
    for (let i = 0; i < 3; i++) await report()
    const ids = (await t.db.selectFrom('cases').select('id').orderBy('id', 'desc').limit(30).execute()).map((r) => Number(r.id))
    const STATUSES = ['registered', 'dispatched', 'accepted', 'handled', 'rework', 'closed'] as const
    const DEPTS = ['city_mgmt', 'police', 'water', null] as const
    const SAT = ['satisfied', 'basically_satisfied', 'dissatisfied', null] as const
    // Each change touches a few fields of a few cases (each field left alone half the time).
    const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { freq: 2 })
    const change = fc.record({
      ids: fc.array(fc.nat(), { minLength: 1, maxLength: 5 }),
      status: maybe(fc.nat()),
      department: maybe(fc.nat()),
      satisfaction: maybe(fc.nat()),
      rework: maybe(fc.nat({ max: 2 })),
      dispatched: maybe(fc.nat({ max: 1 })),
      day: maybe(fc.nat({ max: 60 })),
      drain: fc.boolean(),
    })
    const pick = <T>(xs: readonly T[], i: number) => xs[i % xs.length] as T
    await fc.assert(
      fc.asyncProperty(fc.array(change, { minLength: 1, maxLength: 8 }), async (changes) => {
        for (const c of changes) {
          const set: Record<string, unknown> = {}
          if (c.status !== null) {
            const status = pick(STATUSES, c.status)
            set.status = status
            set.closed_at = status === 'closed' ? now : null
          }
          if (c.department !== null) set.department = pick(DEPTS, c.department)
          if (c.satisfaction !== null) set.satisfaction = pick(SAT, c.satisfaction)
          if (c.rework !== null) set.rework_count = c.rework
          if (c.dispatched !== null) set.dispatch_count = c.dispatched
          if (c.day !== null) set.reported_at = new Date(Date.UTC(2026, 9, 1) + c.day * 86_400_000 + 15 * 3_600_000)
          if (Object.keys(set).length)
            await t.db
              .updateTable('cases')
              .set(set as never)
              .where(
                'id',
                'in',
                c.ids.map((i) => pick(ids, i)),
              )
              .execute()
          if (c.drain) await sql`select case_counts_drain()`.execute(t.db)
        }
        expect(await drift()).toEqual([])
      }),
      { numRuns: 40, seed: 20261127 },
    )
  }, 120_000)
})

describe('settings and the calendar', () => {
  it('keeps office hours and calendar exceptions as versioned data, and says when a year falls back', async () => {
    const s = (await call(H.admin, 'GET', '/api/v1/settings/cases')).body
    expect(s.schedule).toEqual([
      [510, 720],
      [840, 1080],
    ])
    const bad = await call(H.admin, 'PUT', '/api/v1/settings/cases', { version: s.version, schedule: [[600, 500]], reason: 'x' })
    expect([bad.status, bad.body.code]).toEqual([400, 'VALIDATION_FAILED'])
    expect((await call(H.dispatcher, 'PUT', '/api/v1/settings/cases', { version: s.version, reason: 'x' })).status).toBe(403)
    const y2027 = (await call(H.dispatcher, 'GET', '/api/v1/calendar?year=2027')).body
    expect(y2027.coverage).toBe('provisional')
    expect(y2027.special).toContainEqual({ day: '2027-02-08', workday: false }) // 春节, from the lunar calendar
    expect((await call(H.admin, 'PUT', '/api/v1/calendar/days/2027-01-01', { workday: false, note: '元旦' })).status).toBe(204)
    const after = (await call(H.dispatcher, 'GET', '/api/v1/calendar?year=2027')).body
    expect(after.exceptions).toEqual([{ day: '2027-01-01', workday: false, note: '元旦', createdBy: 'admin-test' }])
    expect(after.special).toContainEqual({ day: '2027-01-01', workday: false })
    const y2026 = (await call(H.dispatcher, 'GET', '/api/v1/calendar?year=2026')).body
    expect(y2026.coverage).toBe('official')
    expect(y2026.special).toContainEqual({ day: '2026-02-14', workday: true })
    // A Friday-to-Monday deadline now skips New Year's Day 2027.
    now = at('2026-12-31T17:00')
    const c = await caseIn('dispatched')
    expect(bj(c.deadline)).toBe('2027-01-04 11:30')
    const changed = await call(H.admin, 'PUT', '/api/v1/settings/cases', {
      version: s.version,
      duplicates: { radiusM: 80, hours: 12 },
      reason: '扩大查重范围',
    })
    expect(changed.body).toMatchObject({ version: s.version + 1, duplicates: { radiusM: 80, hours: 12 } })
    const stale = await call(H.admin, 'PUT', '/api/v1/settings/cases', { version: s.version, returnWindowDays: 3, reason: 'x' })
    expect([stale.status, stale.body.code]).toEqual([409, 'VERSION_CONFLICT'])
    expect((await call(H.admin, 'DELETE', '/api/v1/calendar/days/2027-01-01')).status).toBe(204)
    expect((await call(H.admin, 'DELETE', '/api/v1/calendar/days/2027-01-01')).status).toBe(404)
  })

  it('lays running deadlines out again when a year’s official schedule arrives, and tells the department', async () => {
    now = at('2026-12-31T17:00')
    const c = await caseIn('dispatched')
    expect(bj(c.deadline)).toBe('2027-01-04 11:30') // 元旦 a day off on the provisional calendar already
    const put = (who: Headers, body: Record<string, unknown>) => call(who, 'PUT', '/api/v1/calendar/years/2027', body)
    const both = await put(H.admin, { holidays: ['2027-01-04'], workdays: ['2027-01-04'], note: 'x' })
    expect([both.status, both.body.code]).toEqual([400, 'VALIDATION_FAILED'])
    expect((await put(H.admin, { holidays: ['2028-01-03'], workdays: [], note: 'x' })).status).toBe(400)
    expect((await put(H.dispatcher, { holidays: ['2027-01-04'], workdays: [], note: 'x' })).status).toBe(403)
    // The announcement: Monday 4 January a day off too, Saturday 9 January worked instead.
    const r = await put(H.admin, { holidays: ['2027-01-01', '2027-01-04'], workdays: ['2027-01-09'], note: '2027年放假安排' })
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    expect(r.body.retimed).toBeGreaterThanOrEqual(1)
    const v = (await call(H.city, 'GET', `/api/v1/cases/${c.id}`)).body
    expect(bj(v.deadline)).toBe('2027-01-05 11:30')
    const steps = (await call(H.city, 'GET', `/api/v1/cases/${c.id}/timeline`)).body as { action: string; note: string }[]
    expect(steps.find((x) => x.action === 'deadline_retimed')?.note).toMatch(/2027年放假安排/)
    const notices = (await call(H.city, 'GET', '/api/v1/cases/notices?pageSize=100')).body.items
    expect(notices.some((n: { caseId: number; kind: string }) => n.caseId === c.id && n.kind === 'deadline_retimed')).toBe(true)
    // The chase follows the new deadline: one pending link, of the new generation.
    const [row] = (await sql<{ gen: number }>`select deadline_gen as gen from cases where id = ${c.id}`.execute(t.db)).rows
    const pending = (
      await sql<{ payload: { gen: number } }>`select payload from jobs where subject = ${c.id} and state = 'pending'`.execute(
        t.db,
      )
    ).rows
    expect(pending.map((j) => j.payload.gen)).toEqual([row?.gen])
    const log = (await call(H.admin, 'GET', '/api/v1/audit?action=case.deadline_retimed')).body.items
    expect(log[0]).toMatchObject({ reason: '2027年放假安排' })
    const year = (await call(H.dispatcher, 'GET', '/api/v1/calendar?year=2027')).body
    expect(year.exceptions.map((e: { day: string }) => e.day)).toEqual(['2027-01-01', '2027-01-04', '2027-01-09'])
    // Withdrawn (back to the provisional calendar): the deadline comes back.
    expect((await put(H.admin, { holidays: [], workdays: [], note: '撤回' })).body.retimed).toBeGreaterThanOrEqual(1)
    expect(bj((await call(H.city, 'GET', `/api/v1/cases/${c.id}`)).body.deadline)).toBe('2027-01-04 11:30')
  })
})
