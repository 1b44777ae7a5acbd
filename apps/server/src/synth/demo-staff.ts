// The demo's people at work (issue 22 §1): one grid worker per grid, a grid chief per community,
// A/B pairs over the whole district from the roster's own matching, and leave — a few workers
// away today and some earlier in the quarter, each covered by the partner. Workers are enrolled
// through the access service in one transaction (one password hash: every seeded account logs in
// with the demo password, documented as demo only) and their profiles through the roster: in each
// street one third came from the former rental-housing administrators and two thirds are social
// workers, as the seed reports for 六榕街. Each worker also gets a diligence — how reliably they
// visit on time, verify within the day and satisfy the residents — that the history simulation
// (demo-cases.ts, demo-visits.ts) follows, so the monthly evaluation has a spread of grades.
import { beijingDate, codeAt } from '@wangge/domain'
import { createRng, type Rng } from '@wangge/geo'
import { sql } from 'kysely'
import type { Database } from '../db/database.js'
import { ALL_PERMISSIONS, createAuthService, type Permission, Principal } from '../modules/access/index.js'
import { createRosterService } from '../modules/roster/index.js'
import { makeName } from './names.js'

const DAY = 86_400_000
/** The demo password (demo data only): every seeded account uses it. */
export const DEMO_PASSWORD = 'Wangge-Demo-2026!grid'

export type Tier = 'A' | 'B' | 'C' | 'D' | 'E'
export interface Diligence {
  tier: Tier
  /** The chance that a visit is made on the day it falls due. */
  visits: number
  /** The chance that a handled case is verified on site within the day. */
  verify: number
  /** The chance that the reporter of a case is satisfied at the call-back. */
  satisfaction: number
}
const TIERS: readonly [Tier, number, [number, number], number, number][] = [
  // tier, share of workers, visits on time (range), verified within the day, satisfied
  ['A', 0.42, [0.96, 1], 0.97, 0.97],
  ['B', 0.3, [0.84, 0.92], 0.88, 0.88],
  ['C', 0.15, [0.7, 0.8], 0.75, 0.78],
  ['D', 0.08, [0.52, 0.64], 0.6, 0.62],
  ['E', 0.05, [0.3, 0.45], 0.4, 0.45],
]

/** A worker's diligence, fixed by their user name (the same in every simulation). */
export function diligence(username: string): Diligence {
  const rng = createRng(`diligence:${username}`)
  let r = rng()
  for (const [tier, share, [lo, hi], verify, satisfaction] of TIERS) {
    r -= share
    if (r < 0 || tier === 'E') return { tier, visits: lo + rng() * (hi - lo), verify, satisfaction }
  }
  throw new Error('unreachable')
}

const LEAVE_REASONS = ['年休假', '病假', '事假', '参加区网格员业务培训', '婚假', '陪产假']

export interface StaffDemo {
  workers: number
  chiefs: number
  pairs: number
  leaves: number
  ms: number
}

/** An all-powerful principal for the demo's seeding (audited as `demo`). */
export function demoPrincipal(scope: string, username = 'demo', displayName = '演示数据') {
  return new Principal(
    { id: 0, username, displayName, department: null },
    [{ role: 'admin', scope: codeAt(scope, 'city'), permissions: new Set(ALL_PERMISSIONS) }],
    'system',
  )
}

const phone = (rng: Rng) =>
  `1${['35', '37', '38', '39', '58', '59', '88', '36'][Math.floor(rng() * 8)]}${String(Math.floor(rng() * 1e8)).padStart(8, '0')}`

/**
 * Staffs every grid and community under `scope` that has nobody yet (the demo's own accounts keep
 * theirs), pairs the grids, and grants the leaves. Idempotent: a second run finds everything held.
 */
export async function seedDemoStaff(database: Database, scope: string, opts: { now?: Date } = {}): Promise<StaffDemo> {
  const t0 = Date.now()
  const db = database.db
  const now = opts.now ?? new Date()
  const auth = createAuthService({ db })
  await auth.seedRoles()
  const roster = createRosterService({ db, invalidate: auth.invalidate, clock: () => now })
  const p = demoPrincipal(scope)
  const like = `${scope}%`
  const grids = (
    await sql<{ code: string; community: string }>`
      select g.code, g.community_code as community from grids g
      where g.status = 'active' and g.code like ${like}
        and not exists (select from user_roles r where r.role_code = 'grid_worker' and r.scope = g.code)
      order by g.code`.execute(db)
  ).rows
  const communities = (
    await sql<{ code: string; name: string }>`
      select c.code, c.name from regions c
      where c.level = 'community' and c.code like ${like}
        and exists (select from grids g where g.community_code = c.code and g.status = 'active')
        and not exists (select from user_roles r where r.role_code = 'grid_chief' and r.scope = c.code)
      order by c.code`.execute(db)
  ).rows
  const rng = createRng(`demo-staff:${scope}`)
  const enrol = [
    ...grids.map((g) => {
      const name = makeName(rng, rng() < 0.64 ? '2' : '1').name
      return {
        username: `w${g.code}`,
        password: DEMO_PASSWORD,
        displayName: name,
        roles: [{ role: 'grid_worker', scope: g.code }],
      }
    }),
    ...communities.map((c) => ({
      username: `c${c.code}`,
      password: DEMO_PASSWORD,
      displayName: makeName(rng, rng() < 0.6 ? '2' : '1').name,
      roles: [{ role: 'grid_chief', scope: c.code }],
    })),
  ]
  await auth.createUsers('demo', enrol)
  // Profiles of everyone at work here who has none (the demo's own accounts too): per street,
  // every third worker a former rental-housing administrator.
  const holders = (
    await sql<{ user_id: number; scope: string }>`
      select r.user_id, r.scope from user_roles r
      where r.role_code in ('grid_worker', 'grid_chief') and r.scope like ${like}
        and not exists (select from worker_profiles w where w.user_id = r.user_id)
      order by r.scope, r.user_id`.execute(db)
  ).rows
  const nth = new Map<string, number>()
  const started = (r: Rng) => beijingDate(new Date(Date.UTC(2014, 2, 1) + Math.floor(r() * 12 * 365) * DAY))
  const seen = new Set<number>()
  const profiles = holders
    .filter((h) => !seen.has(Number(h.user_id)) && seen.add(Number(h.user_id)))
    .map((h) => {
      const street = codeAt(h.scope, 'street')
      const k = nth.get(street) ?? 0
      const chief = h.scope.length === 12
      if (!chief) nth.set(street, k + 1)
      return {
        userId: Number(h.user_id),
        background: chief ? ('community_staff' as const) : k % 3 === 1 ? ('rental_admin' as const) : ('social_worker' as const),
        phone: phone(rng),
        startedOn: started(rng),
      }
    })
  await roster.setProfiles(p, profiles)
  const paired = await roster.suggestPairs(p, scope, true)

  // Leaves: about one worker in a hundred away today, one in twenty for some days of the last
  // quarter; each covered by the partner (the roster picks the worker of the paired grid).
  const workers = (
    await sql<{ user_id: number; scope: string }>`
      select r.user_id, r.scope from user_roles r join grid_pair_members m on m.grid_code = r.scope
      where r.role_code = 'grid_worker' and r.scope like ${like}
        and not exists (select from worker_leaves l where l.user_id = r.user_id)
      order by r.scope`.execute(db)
  ).rows
  const lrng = createRng(`demo-leaves:${scope}`)
  let leaves = 0
  for (const w of workers) {
    const r = lrng()
    let from: string | undefined
    let days = 0
    if (r < 0.012) {
      from = beijingDate(new Date(now.getTime() - Math.floor(lrng() * 3) * DAY))
      days = 2 + Math.floor(lrng() * 4)
    } else if (r < 0.06) {
      from = beijingDate(new Date(now.getTime() - (10 + Math.floor(lrng() * 75)) * DAY))
      days = 1 + Math.floor(lrng() * 5)
    }
    if (!from) continue
    const to = beijingDate(new Date(Date.parse(`${from}T00:00:00+08:00`) + (days - 1) * DAY))
    try {
      await roster.requestLeave(p, {
        userId: Number(w.user_id),
        from,
        to,
        reason: LEAVE_REASONS[Math.floor(lrng() * LEAVE_REASONS.length)] as string,
      })
      leaves++
    } catch {
      // (The partner is away at the same time: this one stays at work.)
    }
  }
  return { workers: grids.length, chiefs: communities.length, pairs: paired.pairs.length, leaves, ms: Date.now() - t0 }
}

/** Who works where in the demo, for the simulations: each grid's worker, and who covers whom. */
export interface Staff {
  /** grid → its worker. */
  worker: Map<string, { id: number; username: string; displayName: string }>
  /** The approved leaves (Beijing dates). */
  leaves: { userId: number; cover: number; from: string; to: string }[]
  /** The grid_worker role's permissions (to act as a worker). */
  permissions: Set<string>
}

export async function loadStaff(database: Database, scope: string): Promise<Staff> {
  const db = database.db
  const rows = (
    await sql<{ scope: string; id: number; username: string; display_name: string }>`
      select r.scope, u.id, u.username, u.display_name from user_roles r join users u on u.id = r.user_id
      where r.role_code = 'grid_worker' and length(r.scope) = 15 and r.scope like ${`${scope}%`} and u.status = 'active'
      order by r.scope, u.id`.execute(db)
  ).rows
  const worker = new Map<string, { id: number; username: string; displayName: string }>()
  for (const r of rows)
    if (!worker.has(r.scope)) worker.set(r.scope, { id: Number(r.id), username: r.username, displayName: r.display_name })
  const leaves = (
    await sql<{ user_id: number; cover_user_id: number; starts_on: string; ends_on: string }>`
      select user_id, cover_user_id, starts_on::text, ends_on::text from worker_leaves where status = 'approved'`.execute(db)
  ).rows.map((l) => ({ userId: Number(l.user_id), cover: Number(l.cover_user_id), from: l.starts_on, to: l.ends_on }))
  const role = await db.selectFrom('roles').select('permissions').where('code', '=', 'grid_worker').executeTakeFirst()
  return { worker, leaves, permissions: new Set(role?.permissions ?? []) }
}

/** Who did a grid's work on a Beijing date: its worker, or the cover while the worker is away. */
export function actorOn(staff: Staff, grid: string, day: string) {
  const w = staff.worker.get(grid)
  if (!w) return undefined
  const away = staff.leaves.find((l) => l.userId === w.id && l.from <= day && day <= l.to)
  if (!away) return { ...w, grid, covering: false }
  for (const [g, x] of staff.worker) if (x.id === away.cover) return { ...x, grid: g, covering: true }
  return { ...w, grid, covering: false }
}

/** The principal of a grid worker acting in their grid(s) (as the phone app would). */
export function workerPrincipal(staff: Staff, user: { id: number; username: string; displayName: string }, grids: string[]) {
  return new Principal(
    { id: user.id, username: user.username, displayName: user.displayName, department: null },
    grids.map((scope) => ({ role: 'grid_worker', scope, permissions: staff.permissions as Set<Permission> })),
    'system',
  )
}
