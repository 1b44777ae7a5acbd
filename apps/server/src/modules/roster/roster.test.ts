// The roster: A/B pairs as a maximum matching of adjacent grids, the roster policy, and leave
// cover — the partner acts on the absent worker's grid only while the leave runs.
import { beijingDate } from '@wangge/domain'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type App, buildApp } from '../../app.js'
import { loadSynthetic } from '../../synth/loader.js'
import { PRESETS } from '../../synth/profiles.js'
import { caller } from '../../testing/http.js'
import { createTestDatabase, type TestDatabase } from '../../testing/test-db.js'
import { adminHeaders, userWithToken } from '../../testing/users.js'
import { createGridsService } from '../grids/index.js'
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

  it('keeps workers’ profiles: background and phone in the roster, written only over one’s own grids', async () => {
    const pairs = (await call(admin, 'GET', `/api/v1/roster/pairs?region=${street}`)).body as { a: string; b: string }[]
    const [p1, p2] = pairs.slice(-2) as [{ a: string; b: string }, { a: string; b: string }]
    const w1 = await userWithToken(t.db, 'roster-profile-1', [])
    const w2 = await userWithToken(t.db, 'roster-profile-2', [])
    await call(admin, 'PUT', `/api/v1/roster/grids/${p1.a}/workers`, { userIds: [w1.userId] })
    await call(admin, 'PUT', `/api/v1/roster/grids/${p2.a}/workers`, { userIds: [w2.userId] })
    // A chief of the first grid's community manages that worker only (the other is "not found"
    // unless it shares the community).
    const chief = await userWithToken(t.db, 'roster-profile-chief', [{ role: 'admin', scope: p1.a }])
    const ok = await call(chief.headers, 'PUT', '/api/v1/roster/profiles', {
      profiles: [{ userId: w1.userId, background: 'rental_admin', phone: '13800138000', startedOn: '2014-03-01' }],
    })
    expect([ok.status, ok.body]).toEqual([200, { updated: 1 }])
    if (p2.a !== p1.a) {
      const far = await call(chief.headers, 'PUT', '/api/v1/roster/profiles', {
        profiles: [{ userId: w2.userId, background: 'social_worker' }],
      })
      expect([far.status, far.body.code]).toEqual([404, 'NOT_FOUND'])
    }
    const bad = await call(admin, 'PUT', '/api/v1/roster/profiles', {
      profiles: [{ userId: w1.userId, background: 'social_worker', phone: '12345' }],
    })
    expect([bad.status, bad.body.code]).toEqual([400, 'VALIDATION_FAILED'])
    const roster = (await call(admin, 'GET', `/api/v1/roster?region=${street}`)).body
    const w = roster.grids.find((g: { code: string }) => g.code === p1.a).workers[0]
    expect([w.background, w.phone]).toEqual(['rental_admin', '13800138000'])
    expect(roster.grids.find((g: { code: string }) => g.code === p2.a).workers[0].background).toBeNull()
    for (const grid of [p1.a, p2.a]) await call(admin, 'PUT', `/api/v1/roster/grids/${grid}/workers`, { userIds: [] })
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

    // Someone else's leave, asked by a worker who does not manage them: not found — before anything
    // is said about whether that user works a grid (the chief works none: once that was 409 NO_PARTNER).
    for (const other of [a.userId, chief.userId])
      expect(
        (await call(c.headers, 'POST', '/api/v1/roster/leaves', { userId: other, from: day(0), to: day(1), reason: '代请假' }))
          .status,
      ).toBe(404)

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
    // Their day's visit list covers both grids too (tasks follow the grants).
    expect((await call(b.headers, 'GET', '/api/v1/visits/tasks')).body.grids.sort()).toEqual([p3.a, p3.b].sort())
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
    expect((await call(b.headers, 'GET', '/api/v1/visits/tasks')).body.grids).toEqual([p3.b])
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

describe('monthly evaluation', () => {
  it('computes each rate, the composite, the grade and the ranks against a hand-checked fixture', async () => {
    const grids = (
      await t.db.selectFrom('grids').select('code').where('code', 'like', `${street}%`).orderBy('code').execute()
    ).map((g) => g.code)
    const community = (grids.at(-1) as string).slice(0, 12)
    const [g1, g2] = grids.filter((g) => g.startsWith(community)) as [string, string]
    const w = await userWithToken(t.db, 'eval-worker', [])
    const idle = await userWithToken(t.db, 'eval-idle', [])
    await call(admin, 'PUT', `/api/v1/roster/grids/${g1}/workers`, { userIds: [w.userId] })
    await call(admin, 'PUT', `/api/v1/roster/grids/${g2}/workers`, { userIds: [idle.userId] })
    const hh = (
      await sql<{
        id: number
      }>`select h.id from households h join dwellings d on d.id = h.dwelling_id where d.grid_code = ${g1} order by h.id limit 4`.execute(
        t.db,
      )
    ).rows.map((r) => Number(r.id)) as [number, number, number, number]
    // Four visits due on 5 October: on the 4th, on the 5th, late on the 7th, never (its task
    // repeated on the 6th: still one scheduled visit); one due in September (not this month).
    const visit = async (household: number, day: string, tag: string) => ({
      day,
      id: Number(
        (
          await sql<{ id: number }>`insert into visits (client_id, household_id, grid_code, user_id, visited_at)
            values (${`evaluation-${tag}`}, ${household}, ${g1}, ${w.userId}, ${`${day}T10:00:00+08:00`}) returning id`.execute(
            t.db,
          )
        ).rows[0]?.id,
      ),
    })
    const task = (day: string, household: number, due: string, v: { id: number; day: string } | null) =>
      sql`insert into visit_tasks (day, grid_code, household_id, rule_code, priority, due_on, visit_id, done_on)
        values (${day}, ${g1}, ${household}, 'household', 5, ${due}, ${v?.id ?? null}, ${v?.day ?? null})`.execute(t.db)
    await task('2026-10-04', hh[0], '2026-10-05', await visit(hh[0], '2026-10-04', 'a'))
    await task('2026-10-05', hh[1], '2026-10-05', await visit(hh[1], '2026-10-05', 'b'))
    await task('2026-10-05', hh[2], '2026-10-05', await visit(hh[2], '2026-10-07', 'c'))
    await task('2026-10-05', hh[3], '2026-10-05', null)
    await task('2026-10-06', hh[3], '2026-10-05', null)
    await task('2026-09-28', hh[0], '2026-09-28', null)
    // Four reports: closed and satisfied; cancelled; self-handled; closed and dissatisfied.
    const report = async (n: number, status: string, dispatched: number, satisfaction: string | null) =>
      Number(
        (
          await sql<{ id: number }>`insert into cases (number, kind, catalog_code, catalog_version, urgency, limit_amount,
              limit_unit, status, source, description, lng, lat, cell, community_code, grid_code, reporter, reporter_user_id,
              reported_at, closed_at, dispatch_count, satisfaction)
            values (${`S0101202610${String(n).padStart(6, '0')}`}, 'service', 'S0101', 1, 'normal', 5, 'working_days',
              ${status}, 'grid_worker', '评估', 113.26, 23.13, 'x', ${community}, ${g1}, 'eval-worker', ${w.userId},
              '2026-10-09T09:00:00+08:00', '2026-10-20T09:00:00+08:00', ${dispatched}, ${satisfaction})
            returning id`.execute(t.db)
        ).rows[0]?.id,
      )
    const c1 = await report(1, 'closed', 1, 'satisfied')
    await report(2, 'cancelled', 0, null)
    await report(3, 'closed', 0, null)
    const c4 = await report(4, 'closed', 1, 'dissatisfied')
    // Verifications: 6 h after the handling (on time), 27 h after (late).
    const step = (c: number, at: string, action: string, actor: string) =>
      sql`insert into case_steps (case_id, at, action, to_status, actor) values (${c}, ${at}, ${action}, 'x', ${actor})`.execute(
        t.db,
      )
    await step(c1, '2026-10-10T09:00:00+08:00', 'handle', 'dept')
    await step(c1, '2026-10-10T15:00:00+08:00', 'verify_pass', 'eval-worker')
    await step(c4, '2026-10-12T09:00:00+08:00', 'handle', 'dept')
    await step(c4, '2026-10-13T12:00:00+08:00', 'verify_fail', 'eval-worker')
    // Two proactive offers found in October in the grid: one answered (applied), one still open;
    // one of September (not this month).
    const offer = (day: string, status: string, n: number) =>
      sql`insert into service_offers (item_code, person_id, community_code, grid_code, occasion, reason, created_on, status)
        select 'S0101', p.id, p.community_code, ${g1}, ${day}::date, '评估', ${day}::date, ${status}
        from persons p where p.community_code = ${community} order by p.id offset ${n} limit 1`.execute(t.db)
    await offer('2026-10-03', 'applied', 0)
    await offer('2026-10-08', 'open', 1)
    await offer('2026-09-20', 'declined', 2)

    const r = (await call(admin, 'GET', `/api/v1/roster/evaluation?region=${community}&month=2026-10`)).body
    const me = r.workers.find((x: { userId: number }) => x.userId === w.userId)
    expect(me).toMatchObject({
      visits: { due: 4, onTime: 2, overdue: 2, rate: 50 },
      cases: { reported: 4, valid: 3, validRate: 75, selfHandled: 1 },
      verifications: { done: 2, onTime: 1, rate: 50 },
      satisfaction: { calledBack: 2, satisfied: 1, rate: 50 },
      proactive: { offers: 2, answered: 1, applied: 1, rate: 50, uptake: 50 },
      // (50·40 + 75·15 + 50·20 + 50·25 + 50·10) / 110 = 53.41
      score: 53.4,
      grade: 'E',
      rank: { community: 1, street: 1 },
    })
    const other = r.workers.find((x: { userId: number }) => x.userId === idle.userId)
    expect(other).toMatchObject({ score: null, grade: null, rank: { community: 2 } })
    // The export carries the same numbers.
    const x = await app.inject({
      method: 'GET',
      url: `/api/v1/roster/evaluation/export?region=${community}&month=2026-10&format=csv&lang=en`,
      headers: admin,
    })
    const lines = x.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n')
    expect(lines[0]?.split(',').slice(0, 7)).toEqual([
      'Username',
      'Name',
      'Grids',
      'Visits due',
      'On time',
      'Overdue',
      'Visits on schedule',
    ])
    const row = lines.find((l) => l.startsWith('eval-worker,'))?.split(',') ?? []
    expect([row[3], row[4], row[5], row[6], row[12], row[13], row[14], row[15]]).toEqual([
      '4',
      '2',
      '2',
      '0.5',
      '0.5',
      '0.5',
      '53.4',
      'E',
    ])
  })
})
