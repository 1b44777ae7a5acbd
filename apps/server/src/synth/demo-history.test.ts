// The demo's people and their quarter (issue 22 §1, §2): every grid staffed and every community
// with a chief, the workers' backgrounds in the seed's mix, pairs and covered leaves, accounts that
// log in with the demo password; then months of cases, visits and patrols that leave the monthly
// evaluation with a spread of grades, a mostly green coverage map, varied report texts — the same
// history every time (a golden digest).
import { createHash } from 'node:crypto'
import { beijingDate } from '@wangge/domain'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAuthService } from '../modules/access/index.js'
import { createGridsService } from '../modules/grids/index.js'
import { createRosterService } from '../modules/roster/index.js'
import { createVisitsService } from '../modules/visits/index.js'
import { createTestDatabase, type TestDatabase } from '../testing/test-db.js'
import { seedDemoCases } from './demo-cases.js'
import { DEMO_PASSWORD, demoPrincipal, diligence, seedDemoStaff } from './demo-staff.js'
import { simulateVisits } from './demo-visits.js'
import { loadSynthetic } from './loader.js'
import { PRESETS } from './profiles.js'

const street = '440104004'
// A fixed "today" (a Wednesday): the history is the same on every run.
const now = new Date('2026-11-18T15:30:00+08:00')
let t: TestDatabase
const q = async <T>(s: ReturnType<typeof sql<T>>) => (await s.execute(t.db)).rows

beforeAll(async () => {
  t = await createTestDatabase()
  await loadSynthetic(t, { preset: PRESETS.tiny as never, seed: 'demo-history', city: '4401' })
  await createGridsService({ db: t.db }).partition(street, { target: 30, minHouseholds: 20 })
}, 180_000)
afterAll(() => t.destroy())

describe('the demo’s staff', () => {
  it('puts one worker on every grid and a chief on every community, pairs them and covers the leaves', async () => {
    const s = await seedDemoStaff(t, street, { now })
    const grids = await q(sql<{ code: string; workers: number }>`
      select g.code, (select count(*)::int from user_roles r where r.role_code = 'grid_worker' and r.scope = g.code) as workers
      from grids g where g.status = 'active'`)
    expect(grids.length).toBeGreaterThan(25)
    expect(s.workers).toBe(grids.length)
    expect(grids.every((g) => g.workers === 1)).toBe(true)
    const chiefless = await q(sql<{ code: string }>`
      select distinct g.community_code as code from grids g where g.status = 'active'
        and not exists (select from user_roles r where r.role_code = 'grid_chief' and r.scope = g.community_code)`)
    expect(chiefless).toEqual([])
    // One third former rental-housing administrators, two thirds social workers.
    const bg = await q(sql<{ background: string; n: number }>`
      select background, count(*)::int as n from worker_profiles w
      join user_roles r on r.user_id = w.user_id and r.role_code = 'grid_worker' group by 1`)
    const share = (bg.find((b) => b.background === 'rental_admin')?.n ?? 0) / grids.length
    expect(share).toBeGreaterThan(0.28)
    expect(share).toBeLessThan(0.38)
    expect(bg.find((b) => b.background === 'social_worker')?.n).toBeGreaterThan(grids.length * 0.6)
    // Pairs from the roster's matching; every leave covered by the partner.
    expect(s.pairs).toBeGreaterThanOrEqual(Math.floor(grids.length / 2) - 3)
    const leaves = await q(sql<{ user_id: number; cover_user_id: number; paired: boolean }>`
      select l.user_id, l.cover_user_id, exists (
        select from user_roles a join grid_pair_members ma on ma.grid_code = a.scope
          join grid_pair_members mb on mb.pair_id = ma.pair_id and mb.grid_code <> ma.grid_code
          join user_roles b on b.scope = mb.grid_code and b.role_code = 'grid_worker'
        where a.user_id = l.user_id and a.role_code = 'grid_worker' and b.user_id = l.cover_user_id) as paired
      from worker_leaves l where l.status = 'approved'`)
    expect(leaves.length).toBe(s.leaves)
    expect(leaves.every((l) => l.paired)).toBe(true)
    // A seeded worker logs in with the demo password.
    const auth = createAuthService({ db: t.db })
    const first = grids[0]?.code as string
    const login = await auth.login(`w${first}`, DEMO_PASSWORD, { clientIp: '127.0.0.1' })
    expect(login.cookie).toBeTruthy()
    // The roster shows who they are.
    const roster = await createRosterService({ db: t.db, invalidate: () => {} }).roster(demoPrincipal(street), street)
    const w = roster.grids.find((g) => g.code === first)?.workers[0]
    expect(w?.background).toMatch(/^(rental_admin|social_worker)$/)
    expect(w?.phone).toMatch(/^1[3-9]\d{9}$/)
    // A second run staffs nothing more.
    expect((await seedDemoStaff(t, street, { now })).workers).toBe(0)
  }, 120_000)

  it('spreads the workers over five grades of diligence, most of them good', () => {
    const tiers = new Map<string, number>()
    for (let i = 0; i < 2000; i++) {
      const d = diligence(`w${i}`)
      tiers.set(d.tier, (tiers.get(d.tier) ?? 0) + 1)
    }
    expect([...tiers.keys()].sort()).toEqual(['A', 'B', 'C', 'D', 'E'])
    expect((tiers.get('A') ?? 0) + (tiers.get('B') ?? 0)).toBeGreaterThan(2000 * 0.65)
    expect(tiers.get('E')).toBeLessThan(2000 * 0.08)
  })
})

describe('the demo’s quarter', () => {
  it('leaves cases, visits and patrols from which the evaluation and the coverage map read a living district', async () => {
    const reports = await seedDemoCases(t, street, { days: 60, householdsPerCase: 60, now })
    expect(reports).toBeGreaterThan(500)
    const v = await simulateVisits(t, street, { days: 60, patrolDays: 7, now })
    expect(v.visits).toBeGreaterThan(1000)
    expect(v.patrols).toBeGreaterThan(20)
    // Record changes at the door, a few of them in conflict with the office: flagged for the chief.
    expect(v.changes).toBeGreaterThan(4)
    expect(v.conflicts).toBeGreaterThan(0)
    const flagged = await q(sql<{ n: number }>`select count(*)::int as n from record_conflicts where status = 'open'`)
    expect(flagged[0]?.n).toBe(v.conflicts)

    // Most reports come from the grid workers, in texts that differ.
    const texts = await q(sql<{ distinct_texts: number; by_workers: number; all: number; self: number }>`
      select count(distinct description)::int as distinct_texts,
        count(*) filter (where reporter_user_id in (select user_id from user_roles where role_code = 'grid_worker'))::int as by_workers,
        count(*)::int as all, count(*) filter (where status = 'closed' and dispatch_count = 0)::int as self
      from cases`)
    expect(texts[0]?.distinct_texts).toBeGreaterThan(300)
    expect(texts[0]?.by_workers).toBeGreaterThan((texts[0]?.all ?? 0) * 0.6)
    // Residents report on the public page too: their cases carry the channel, and they are told.
    const publicReports = await q(sql<{ n: number; closed: number; told: number }>`
      select count(*)::int as n, count(*) filter (where c.status = 'closed')::int as closed,
        count(distinct n.case_id)::int as told
      from public_reports r join cases c on c.id = r.case_id and c.source = 'resident'
        left join notifications n on n.case_id = c.id and n.template = 'resident.received'
      where r.channel = 'web'`)
    expect(publicReports[0]?.n).toBeGreaterThan(20)
    expect(publicReports[0]?.closed).toBeGreaterThan(0)
    expect(publicReports[0]?.told).toBe(publicReports[0]?.n)
    expect(texts[0]?.self).toBeGreaterThan(0)

    // The evaluation of last month: at least four grades, most workers A or B.
    const month = beijingDate(new Date(now.getTime() - 30 * 86_400_000)).slice(0, 7)
    const evaluation = await createRosterService({ db: t.db, invalidate: () => {} }).evaluate(demoPrincipal(street), {
      region: street,
      month,
    })
    const grades = new Map<string, number>()
    for (const w of evaluation.workers) grades.set(w.grade ?? '-', (grades.get(w.grade ?? '-') ?? 0) + 1)
    expect(grades.size).toBeGreaterThanOrEqual(4)
    expect((grades.get('A') ?? 0) + (grades.get('B') ?? 0)).toBeGreaterThan(evaluation.workers.length * 0.5)

    // The coverage of the last 30 days: mostly green, some amber or red (the map: amber below 80 %).
    const coverage = await createVisitsService({ db: t.db, clock: () => now }).coverage(demoPrincipal(street), street, 30)
    const green = coverage.grids.filter((g) => g.share >= 0.9).length
    expect(green).toBeGreaterThan(coverage.grids.length * 0.6)
    expect(coverage.grids.some((g) => g.share < 0.8)).toBe(true)

    // Patrols walked most of their grid's buildings along a track.
    const walks = await q(sql<{ points: number; coverage: number }>`
      select (select count(*)::int from patrol_points x where x.patrol_id = p.id) as points,
        p.buildings_passed::float / nullif(p.buildings, 0) as coverage
      from patrols p`)
    expect(walks.every((w) => w.points > 0)).toBe(true)
    expect(walks.filter((w) => w.coverage >= 0.5).length).toBeGreaterThan(walks.length * 0.8)

    // The same history every time (numbers and ids aside: on PostgreSQL one moment's reports are
    // written by several connections at once, so which gets which number varies).
    const digest = createHash('sha256')
    const lines = [
      ...(await q(sql<{ line: string }>`
        select concat_ws('|', catalog_code, description, status, satisfaction, reporter_user_id,
          extract(epoch from reported_at)::bigint) as line from cases`)),
      ...(await q(sql<{ line: string }>`
        select concat_ws('|', household_id, user_id, extract(epoch from visited_at)::bigint) as line from visits`)),
    ].map((r) => r.line)
    for (const line of lines.sort()) digest.update(line)
    expect(digest.digest('hex').slice(0, 16)).toBe('0f81f31765e19e37')
  }, 600_000)
})
