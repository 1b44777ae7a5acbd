// The demo's case history: the last weeks of a living city, so that a fresh `npm start` shows a
// dashboard, a map and queues with something in them. Reports arrive through the same services as
// the API's (numbers, grids, routing, deadlines, the audit log), on a simulated clock, and go as far
// through the loop as their age allows — the older closed after the call-back, a few returned,
// reworked or late, the newest still waiting to be registered, dispatched or handled; deadlines
// already passed leave overdue cases for the supervision jobs. Only for a demo area with no cases.
import { beijingDate, RESIDENT_CLASSES } from '@wangge/domain'
import { createRng } from '@wangge/geo'
import { sql } from 'kysely'
import sharp from 'sharp'
import type { Database } from '../db/database.js'
import { breathe } from '../kernel/breathe.js'
import type { Principal } from '../modules/access/index.js'
import { type ActInput, createCaseServices } from '../modules/cases/index.js'
import { createResidentsService } from '../modules/residents/index.js'
import { describeEvent, handlingResult, weightedEvent } from './case-texts.js'
import { actorOn, demoPrincipal, diligence, loadStaff, workerPrincipal } from './demo-staff.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR

interface Step {
  at: number
  action: string
  extra?: Partial<ActInput>
  /** Taken by the grid's worker of the day (a verification on site), not the command centre. */
  onSite?: boolean
}

/**
 * Seeds `days` of cases (≈ one a day per `householdsPerCase` households) unless the area has some.
 * Where the grids are staffed (demo-staff.ts), the grid's worker of the day reports most of them
 * (the rest come through the hotline and, for the classes residents may report, the public page), handles the minor ones on the spot, and verifies the
 * departments' work on site — within the day or late, as diligently as that worker is — and the
 * residents' satisfaction at the call-back follows the worker's diligence too.
 */
export async function seedDemoCases(
  database: Database,
  scope: string,
  opts: { days?: number; householdsPerCase?: number; now?: Date } = {},
): Promise<number> {
  const db = database.db
  const like = `${scope}%`
  if (await db.selectFrom('cases').select('id').where('community_code', 'like', like).limit(1).executeTakeFirst()) return 0
  const end = (opts.now ?? new Date()).getTime()
  const days = opts.days ?? 90
  const households = Number(
    (await sql<{ n: number }>`select count(*)::int as n from households where community_code like ${like}`.execute(db)).rows[0]
      ?.n ?? 0,
  )
  const perDay = Math.max(4, Math.round(households / (opts.householdsPerCase ?? 10_000)))
  const points = (
    await sql<{ lng: number; lat: number; grid_code: string; address: string }>`
      select lng, lat, grid_code, address from buildings where community_code like ${like} and grid_code is not null order by id`.execute(
      db,
    )
  ).rows
  if (!points.length) return 0
  let now = new Date(end - days * DAY)
  const { cases, attachments } = await createCaseServices({ db, clock: () => now })
  const residents = createResidentsService({ db, cases, attachments, clock: () => now })
  const residentCodes = new Set(RESIDENT_CLASSES.map((c) => c.code))
  // (After the services: they seed the catalog on a fresh database.)
  const catalog = await db
    .selectFrom('case_catalog')
    .select(['code', 'self_handle'])
    .where('kind', '=', 'event')
    .where('active', '=', true)
    .orderBy('code')
    .execute()
  const codes = catalog.map((r) => r.code)
  const selfHandled = new Set(catalog.filter((r) => r.self_handle).map((r) => r.code))
  const staff = await loadStaff(database, scope)

  const p = demoPrincipal(scope)
  const jpeg = (background: string) =>
    sharp({ create: { width: 320, height: 240, channels: 3, background } })
      .jpeg()
      .toBuffer()
  const images = { before: await jpeg('#6b8e6b'), after: await jpeg('#8eaec8') }
  // Everyone attaches their own photos (a report or step names only its actor's uploads).
  const uploads = new Map<number, Promise<{ before: number; after: number }>>()
  const photosOf = (by: Principal) => {
    let u = uploads.get(by.user.id)
    if (!u) {
      u = (async () => ({
        before: (await attachments.upload(by, images.before)).id,
        after: (await attachments.upload(by, images.after)).id,
      }))()
      uploads.set(by.user.id, u)
    }
    return u
  }
  const rng = createRng(`demo-cases:${scope}`)
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rng() * xs.length)] as T
  /** The principal of a grid's worker of the day (cover included), or the command centre's. */
  const principals = new Map<string, Principal>()
  const onSite = (grid: string, at: number): { p: Principal; username: string } => {
    const who = actorOn(staff, grid, beijingDate(new Date(at)))
    if (!who) return { p, username: '' }
    const key = `${who.id}:${grid}`
    let wp = principals.get(key)
    if (!wp) {
      wp = workerPrincipal(staff, who, who.covering ? [grid, who.grid] : [grid])
      principals.set(key, wp)
    }
    return { p: wp, username: staff.worker.get(grid)?.username ?? who.username }
  }

  // Each report's future: its steps at their times (those still ahead of `end` are not taken).
  const plan = (t0: number, grid: string, code: string): Step[] => {
    const s: Step[] = []
    if (rng() < 0.03)
      return [{ at: t0 + HOUR / 2, action: 'cancel', extra: { reason: pick(['重复报告', '经核实不属实', '已自行消除']) } }]
    const worker = onSite(grid, t0).username
    const d = diligence(worker || 'hotline')
    s.push({ at: t0 + HOUR / 2, action: 'register' }, { at: t0 + HOUR, action: 'dispatch' })
    let t = t0 + 2 * HOUR
    if (rng() < 0.04) {
      s.push({ at: t, action: 'return', extra: { reason: '非本部门职责' } }, { at: t + HOUR, action: 'dispatch' })
      t += 2 * HOUR
    }
    s.push({ at: t, action: 'accept' })
    // Most are handled within hours; one in ten runs days late (past its deadline).
    t += rng() < 0.1 ? (4 + Math.floor(rng() * 4)) * DAY : 2 * HOUR
    // Verified on site within the day — or a day or two later by a worker who falls behind.
    const verifyAfter = () => (rng() < d.verify ? 2 * HOUR : (26 + Math.floor(rng() * 30)) * HOUR)
    const handled = (at: number): Step[] => {
      const v = at + verifyAfter()
      return [
        { at, action: 'handle', extra: { result: handlingResult(rng, code) } },
        { at: v, action: 'verify_pass', onSite: true },
      ]
    }
    if (rng() < 0.08) {
      s.push(
        { at: t, action: 'handle', extra: { result: handlingResult(rng, code) } },
        { at: t + 2 * HOUR, action: 'verify_fail', extra: { reason: '现场仍未处理好' }, onSite: true },
      )
      t += DAY
    }
    const first = handled(t)
    s.push(...first)
    t = (first[1] as Step).at + DAY
    if (rng() >= d.satisfaction) {
      // Dissatisfied at the call-back: back to the department; after the second handling the
      // centre closes it, the dissatisfaction on record.
      s.push({
        at: t,
        action: 'callback_dissatisfied',
        extra: { satisfaction: 'dissatisfied', reason: pick(['处理不彻底', '问题反复出现', '处理太慢']) },
      })
      const again = handled(t + DAY)
      s.push(...again, {
        at: (again[1] as Step).at + DAY,
        action: 'close',
        extra: { reason: '已按要求整改，回访仍不满意，依程序结案' },
      })
      return s
    }
    s.push({ at: t, action: 'callback_satisfied', extra: { satisfaction: rng() < 0.8 ? 'satisfied' : 'basically_satisfied' } })
    return s
  }

  // Reports day by day (at four moments of the working day), each with its planned steps.
  const pending: (Step & { id: number; grid: string; seq: number })[] = []
  const version = new Map<number, number>()
  let reported = 0
  for (let d = days; d >= 0; d--) {
    const midnight = Math.floor((end - d * DAY + 8 * HOUR) / DAY) * DAY - 8 * HOUR // Beijing
    for (const hour of [9, 11, 14, 16]) {
      await breathe()
      const at = midnight + hour * HOUR
      if (at > end) break
      now = new Date(at)
      const n = Math.round((perDay / 4) * (0.6 + rng() * 0.8))
      const reports = Array.from({ length: n }, () => {
        const pt = pick(points)
        const code = weightedEvent(rng, codes)
        // 70 % by the grid's worker; of the rest, residents' own reports on the public page (a
        // class they may report) one time in three, and the hotline's calls.
        const roll = rng()
        const hotline = roll >= 0.7 || !staff.worker.size
        const publicPage = hotline && roll < 0.8 && residentCodes.has(code)
        const by = hotline ? p : onSite(pt.grid_code, at).p
        // A worker handles a minor problem on the spot (before and after photos) a third of the time.
        const self = !hotline && selfHandled.has(code) && rng() < 0.35
        const resident = publicPage
          ? { phone: `13${String(Math.floor(rng() * 1e9)).padStart(9, '0')}`, anonymous: rng() < 0.3, key: `demo-${reported}` }
          : null
        return { pt, code, by, self, resident }
      })
      const inputs = reports.map((r) => ({
        catalog: r.code,
        description: describeEvent(rng, r.code, r.pt.address),
        lng: r.pt.lng,
        lat: r.pt.lat,
        address: r.pt.address,
      }))
      // (Photos first, one reporter after another: uploads make thumbnails off the main thread, and
      // the reports must reach the database in the same order on every run.)
      for (const r of [p, ...reports.map((x) => x.by)]) await photosOf(r)
      const views = await Promise.all(
        reports.map(async (r, k) => {
          const input = inputs[k] as (typeof inputs)[number]
          if (r.resident) {
            // Through the residents' channel as the public page files it (its checks of the
            // proof of work and the phone code are the page's, before this).
            const out = await residents.file(
              { ...input, phone: r.resident.phone, clientId: `demo-r-${scope}-${reported + k}` },
              { key: `${r.resident.key}-${k}` },
              { channel: 'web', anonymous: r.resident.anonymous, phoneVerified: true },
            )
            const row = await db
              .selectFrom('cases')
              .select(['id', 'version', 'grid_code'])
              .where('number', '=', out.number)
              .executeTakeFirstOrThrow()
            return { id: Number(row.id), version: row.version, gridCode: row.grid_code }
          }
          if (r.by !== p)
            try {
              return await cases.report(r.by, { ...input, source: 'grid_worker', photos: [(await photosOf(r.by)).before] })
            } catch {
              // (A building on its grid's edge whose point falls in the neighbour's polygon: the
              // worker cannot report there — the call centre takes it, as a hotline report.)
              r.by = p
              r.self = false
            }
          return cases.report(p, { ...input, source: 'hotline', photos: [(await photosOf(p)).before] })
        }),
      )
      views.forEach((v, k) => {
        const r = reports[k] as (typeof reports)[number]
        version.set(v.id, v.version)
        const steps: Step[] = r.self
          ? [
              {
                at: at + HOUR / 2,
                action: 'self_handle',
                extra: { result: handlingResult(rng, r.code) },
                onSite: true,
              },
            ]
          : plan(at, v.gridCode ?? r.pt.grid_code, r.code)
        // (On-site steps by the worker of the grid the case was located in.)
        for (const s of steps)
          if (s.at <= end) pending.push({ ...s, id: v.id, grid: v.gridCode ?? r.pt.grid_code, seq: reported + k })
      })
      reported += views.length
    }
  }
  // The steps in the order of time, those of one hour together (by who takes them); a case whose
  // step fails stops.
  // (By the report's place in the simulation, not its id: on PostgreSQL one moment's reports are
  // written by several connections at once, in any order.)
  pending.sort((a, b) => a.at - b.at || a.seq - b.seq)
  const stopped = new Set<number>()
  for (let i = 0; i < pending.length; ) {
    const hour = Math.floor((pending[i] as Step).at / HOUR)
    const groups = new Map<Principal, (Step & { id: number })[]>()
    const inGroup = new Set<number>()
    // (One step per case per batch: a case's next step waits for the next batch.)
    let j = i
    for (; j < pending.length && Math.floor((pending[j] as Step).at / HOUR) === hour; j++) {
      const s = pending[j] as Step & { id: number; grid: string }
      if (inGroup.has(s.id)) break
      inGroup.add(s.id)
      if (stopped.has(s.id)) continue
      const by = s.onSite && staff.worker.size ? onSite(s.grid, s.at).p : p
      const list = groups.get(by) ?? []
      list.push(s)
      groups.set(by, list)
    }
    i = j
    for (const [by, group] of groups) {
      await breathe()
      now = new Date(Math.max(...group.map((s) => s.at)))
      // Evidence where the step asks for it: the actor's own photos (before and after on the spot).
      const own = await photosOf(by)
      const photos: Record<string, number[]> = {
        handle: [own.after],
        verify_pass: [own.after],
        verify_fail: [own.before],
        self_handle: [own.before, own.after],
      }
      const results = await cases.stepMany(
        by,
        group.map((s) => ({
          id: s.id,
          action: s.action,
          version: version.get(s.id) as number,
          ...(photos[s.action] ? { photos: photos[s.action] } : {}),
          ...s.extra,
        })),
      )
      results.forEach((r, k) => {
        const s = group[k] as Step & { id: number }
        if ('error' in r) stopped.add(s.id)
        else version.set(s.id, r.version)
      })
    }
  }
  return reported
}
