// The roster: A/B pairs as a maximum matching of adjacent grids, the roster policy, and leave
// cover — the partner acts on the absent worker's grid only while the leave runs.
import { beijingDate } from '@wangge/domain'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type App, buildApp } from '../../app.js'
import { loadSynthetic } from '../../synth/loader.js'
import { PRESETS } from '../../synth/profiles.js'
import { caller } from '../../testing/http.js'
import { createTestDatabase, type TestDatabase } from '../../testing/test-db.js'
import { adminHeaders, userWithToken } from '../../testing/users.js'
import { createGridsService } from '../grids/grids.service.js'
import { suggestPairs } from './pairing.js'

let t: TestDatabase
let app: App
let admin: Record<string, string>
const street = '440104004'

const call = caller(() => app)
const day = (offset: number) => beijingDate(new Date(Date.now() + offset * 86_400_000))

beforeAll(async () => {
  t = await createTestDatabase()
  await loadSynthetic(t, { preset: PRESETS.tiny as (typeof PRESETS)[string], seed: 'roster', city: '4401' })
  await createGridsService({ db: t.db }).partition(street, { target: 50, minHouseholds: 30 })
  app = await buildApp({ config: { bodyLimit: 1 << 20, logLevel: 'silent', logPretty: false }, database: t })
  admin = await adminHeaders(t.db)
}, 180_000)
afterAll(async () => {
  await app.close()
  await t.destroy()
})

describe('pairing', () => {
  const g = (code: string, community = 'c1', workers: number[] = []) => ({ code, community, workers })
  it('pairs as many grids as the adjacency allows, nobody twice, preferring the same community', () => {
    // A path a–b–c–d: a greedy choice of b–c would leave a and d alone; the matching pairs all four.
    const path = suggestPairs(
      [g('a'), g('b'), g('c'), g('d')],
      [
        { a: 'a', b: 'b', sharedM: 10 },
        { a: 'b', b: 'c', sharedM: 900 },
        { a: 'c', b: 'd', sharedM: 10 },
      ],
    )
    expect(path.pairs.map((p) => `${p.a}${p.b}`)).toEqual(['ab', 'cd'])
    expect(path.unpaired).toEqual([])
    // A triangle: one pair, one left over; the pair inside the community wins over a longer border.
    const tri = suggestPairs(
      [g('a', 'c1'), g('b', 'c1'), g('c', 'c2')],
      [
        { a: 'a', b: 'b', sharedM: 5 },
        { a: 'a', b: 'c', sharedM: 500 },
        { a: 'b', b: 'c', sharedM: 500 },
      ],
    )
    expect(tri.pairs.map((p) => `${p.a}${p.b}`)).toEqual(['ab'])
    expect(tri.unpaired).toEqual(['c'])
    // Grids worked by the same person are not paired.
    const same = suggestPairs([g('a', 'c1', [7]), g('b', 'c1', [7])], [{ a: 'a', b: 'b', sharedM: 50 }])
    expect(same.pairs).toEqual([])
  })

  it('suggests and records pairs for a street: adjacent grids, each in at most one pair, none left pairable', async () => {
    const dry = await call(admin, 'POST', `/api/v1/roster/pairs/suggest?region=${street}`)
    expect(dry.status).toBe(200)
    expect(dry.body.applied).toBe(false)
    expect((await call(admin, 'GET', `/api/v1/roster/pairs?region=${street}`)).body).toEqual([])
    const applied = (await call(admin, 'POST', `/api/v1/roster/pairs/suggest?region=${street}&apply=true`)).body
    const pairs = (await call(admin, 'GET', `/api/v1/roster/pairs?region=${street}`)).body as { a: string; b: string }[]
    expect(pairs.length).toBe(applied.pairs.length)
    expect(pairs.length).toBeGreaterThan(3)
    const grids = pairs.flatMap((p) => [p.a, p.b])
    expect(new Set(grids).size).toBe(grids.length)
    const edges = (await t.db.selectFrom('grid_adjacency').select(['a', 'b']).where('a', 'like', `${street}%`).execute()).map(
      (e) => `${e.a}:${e.b}`,
    )
    for (const p of pairs) expect(edges).toContain(`${p.a}:${p.b}`)
    // Maximal: no two unpaired grids are neighbours.
    const unpaired = new Set(applied.unpaired as string[])
    for (const e of edges) {
      const [a, b] = e.split(':') as [string, string]
      expect(unpaired.has(a) && unpaired.has(b), e).toBe(false)
    }
    // Nothing left to pair; a paired grid cannot be paired again; non-neighbours cannot be paired.
    expect((await call(admin, 'POST', `/api/v1/roster/pairs/suggest?region=${street}`)).body.pairs).toEqual([])
    const [first] = pairs as [{ a: string; b: string }]
    const again = await call(admin, 'POST', '/api/v1/roster/pairs', { a: first.a, b: [...unpaired][0] ?? first.b })
    expect([409, 422]).toContain(again.status)
    const far = pairs.at(-1) as { a: string; b: string }
    const notAdjacent = edges.includes(`${first.a}:${far.b}`)
      ? null
      : await call(admin, 'POST', '/api/v1/roster/pairs', { a: first.a, b: far.b })
    if (notAdjacent) expect([notAdjacent.status, notAdjacent.body.code]).toEqual([422, 'NOT_ADJACENT'])
  })
})

describe('roster and leave cover', () => {
  it('keeps the roster policy: one worker per grid, at most two grids per worker', async () => {
    const pairs = (await call(admin, 'GET', `/api/v1/roster/pairs?region=${street}`)).body as { a: string; b: string }[]
    const [p1, p2] = pairs as [{ a: string; b: string }, { a: string; b: string }]
    const w = await userWithToken(t.db, 'roster-busy', [])
    const other = await userWithToken(t.db, 'roster-other', [])
    for (const grid of [p1.a, p2.a])
      expect((await call(admin, 'PUT', `/api/v1/roster/grids/${grid}/workers`, { userIds: [w.userId] })).status).toBe(204)
    const third = await call(admin, 'PUT', `/api/v1/roster/grids/${p2.b}/workers`, { userIds: [w.userId] })
    expect([third.status, third.body.code]).toEqual([409, 'ROSTER_POLICY'])
    const two = await call(admin, 'PUT', `/api/v1/roster/grids/${p2.b}/workers`, { userIds: [w.userId, other.userId] })
    expect([two.status, two.body.code]).toEqual([409, 'ROSTER_POLICY'])
    // Clear them again.
    for (const grid of [p1.a, p2.a]) await call(admin, 'PUT', `/api/v1/roster/grids/${grid}/workers`, { userIds: [] })
    const roster = (await call(admin, 'GET', `/api/v1/roster?region=${street}`)).body
    expect(roster.policy).toEqual({ maxWorkersPerGrid: 1, maxGridsPerWorker: 2 })
    expect(roster.grids.find((g: { code: string }) => g.code === p1.a).pair.partner).toBe(p1.b)
  })

  it('lets the partner act on the absent worker’s grid while the leave runs, and only then', async () => {
    const pairs = (await call(admin, 'GET', `/api/v1/roster/pairs?region=${street}`)).body as { a: string; b: string }[]
    const [, , p3, p4] = pairs as { a: string; b: string }[]
    if (!p3 || !p4) throw new Error('too few pairs')
    const a = await userWithToken(t.db, 'roster-a', [])
    const b = await userWithToken(t.db, 'roster-b', [])
    const c = await userWithToken(t.db, 'roster-c', [])
    const d = await userWithToken(t.db, 'roster-d', [])
    for (const [grid, u] of [
      [p3.a, a],
      [p3.b, b],
      [p4.a, c],
      [p4.b, d],
    ] as const)
      expect((await call(admin, 'PUT', `/api/v1/roster/grids/${grid}/workers`, { userIds: [u.userId] })).status).toBe(204)
    const chief = await userWithToken(t.db, 'roster-chief', [])
    const community = p3.a.slice(0, 12)
    expect((await call(admin, 'PUT', `/api/v1/roster/communities/${community}/chiefs`, { userIds: [chief.userId] })).status).toBe(
      204,
    )
    const sees = async (who: { headers: Record<string, string> }, grid: string) =>
      (await call(who.headers, 'GET', `/api/v1/stats/population?region=${grid}`)).status
    expect(await sees(b, p3.a)).toBe(404)

    // A worker asks for leave from today: it waits for the chief; nothing changes yet.
    const asked = await call(a.headers, 'POST', '/api/v1/roster/leaves', { from: day(0), to: day(2), reason: '病假' })
    expect(asked.status, JSON.stringify(asked.body)).toBe(201)
    expect([asked.body.status, asked.body.coverUserId]).toEqual(['requested', b.userId])
    expect(await sees(b, p3.a)).toBe(404)
    // Only a manager of the grid decides; a stale version is refused.
    expect(
      (await call(c.headers, 'POST', `/api/v1/roster/leaves/${asked.body.id}/decision`, { decision: 'approve', version: 1 }))
        .status,
    ).toBe(404)
    const stale = await call(chief.headers, 'POST', `/api/v1/roster/leaves/${asked.body.id}/decision`, {
      decision: 'approve',
      version: 9,
    })
    expect(stale.body.code).toBe('VERSION_CONFLICT')
    // The community's grid chief approves.
    const approved = await call(chief.headers, 'POST', `/api/v1/roster/leaves/${asked.body.id}/decision`, {
      decision: 'approve',
      version: 1,
    })
    expect(approved.body.status).toBe('approved')
    // The partner now sees and acts on both grids; the roster says who covers.
    expect(await sees(b, p3.a)).toBe(200)
    expect(await sees(b, p3.b)).toBe(200)
    expect(await sees(b, p4.a)).toBe(404)
    const roster = (await call(admin, 'GET', `/api/v1/roster?region=${street}`)).body
    expect(roster.grids.find((g: { code: string }) => g.code === p3.a).coveredBy).toEqual({ userId: b.userId, until: day(2) })
    expect(
      (await call(admin, 'GET', `/api/v1/roster/leaves?region=${street}&running=true`)).body.map((l: { id: number }) => l.id),
    ).toEqual([asked.body.id])
    // A second leave of the same worker, overlapping: refused.
    const overlap = await call(a.headers, 'POST', '/api/v1/roster/leaves', { from: day(1), to: day(5), reason: '事假' })
    expect([overlap.status, overlap.body.code]).toEqual([409, 'LEAVE_OVERLAP'])

    // A leave that has not started (tomorrow on) or has ended gives nothing.
    const later = await call(admin, 'POST', '/api/v1/roster/leaves', {
      userId: c.userId,
      from: day(1),
      to: day(3),
      reason: '年假',
    })
    expect(later.body.status).toBe('approved')
    expect(await sees(d, p4.a)).toBe(404)
    const past = await call(admin, 'POST', '/api/v1/roster/leaves', {
      userId: d.userId,
      from: day(-5),
      to: day(-1),
      reason: '已休',
    })
    expect(past.body.coverUserId).toBe(c.userId)
    expect(await sees(c, p4.b)).toBe(404)

    // Cancelled (by the worker): the cover's grants fall back at once.
    const cancelled = await call(a.headers, 'POST', `/api/v1/roster/leaves/${asked.body.id}/decision`, {
      decision: 'cancel',
      version: 2,
    })
    expect(cancelled.body.status).toBe('cancelled')
    expect(await sees(b, p3.a)).toBe(404)
    // A worker without a paired partner has nobody to cover.
    const lone = await userWithToken(t.db, 'roster-lone', [])
    const unpaired = roster.grids.find((g: { pair: unknown; workers: unknown[] }) => !g.pair && !g.workers.length)
    if (unpaired) {
      await call(admin, 'PUT', `/api/v1/roster/grids/${unpaired.code}/workers`, { userIds: [lone.userId] })
      const none = await call(lone.headers, 'POST', '/api/v1/roster/leaves', { from: day(0), to: day(1), reason: '病假' })
      expect([none.status, none.body.code]).toEqual([409, 'NO_PARTNER'])
    }
  })
})
