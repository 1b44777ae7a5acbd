import { codeAt } from '@wangge/domain'
// The demo's case history: the last weeks of a living city, so that a fresh `npm start` shows a
// dashboard, a map and queues with something in them. Reports arrive through the same services as
// the API's (numbers, grids, routing, deadlines, the audit log), on a simulated clock, and go as far
// through the loop as their age allows — the older closed after the call-back, a few returned,
// reworked or late, the newest still waiting to be registered, dispatched or handled; deadlines
// already passed leave overdue cases for the supervision jobs. Only for a demo area with no cases.
import { createRng } from '@wangge/geo'
import { sql } from 'kysely'
import sharp from 'sharp'
import type { Database } from '../db/database.js'
import { breathe } from '../kernel/breathe.js'
import { ALL_PERMISSIONS, Principal } from '../modules/access/index.js'
import { type ActInput, createCaseServices } from '../modules/cases/index.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR

interface Step {
  at: number
  action: string
  extra?: Partial<ActInput>
}

/** Seeds `days` of cases (≈ one a day per `householdsPerCase` households) unless the area has some. */
export async function seedDemoCases(
  database: Database,
  scope: string,
  opts: { days?: number; householdsPerCase?: number; now?: Date } = {},
): Promise<number> {
  const db = database.db
  const like = `${scope}%`
  if (await db.selectFrom('cases').select('id').where('community_code', 'like', like).limit(1).executeTakeFirst()) return 0
  const end = (opts.now ?? new Date()).getTime()
  const days = opts.days ?? 45
  const households = Number(
    (await sql<{ n: number }>`select count(*)::int as n from households where community_code like ${like}`.execute(db)).rows[0]
      ?.n ?? 0,
  )
  const perDay = Math.max(4, Math.round(households / (opts.householdsPerCase ?? 10_000)))
  const points = (
    await sql<{ lng: number; lat: number }>`
      select lng, lat from buildings where community_code like ${like} and grid_code is not null order by id`.execute(db)
  ).rows
  if (!points.length) return 0
  let now = new Date(end - days * DAY)
  const { cases, attachments } = await createCaseServices({ db, clock: () => now })
  // (After the services: they seed the catalog on a fresh database.)
  const codes = (
    await db
      .selectFrom('case_catalog')
      .select('code')
      .where('kind', '=', 'event')
      .where('active', '=', true)
      .orderBy('code')
      .execute()
  ).map((r) => r.code)

  const p = new Principal(
    { id: 0, username: 'demo', displayName: '演示数据', department: null },
    [{ role: 'admin', scope: codeAt(scope, 'city'), permissions: new Set(ALL_PERMISSIONS) }],
    'system',
  )
  const photo = (
    await attachments.upload(
      p,
      await sharp({ create: { width: 320, height: 240, channels: 3, background: '#6b8e6b' } })
        .jpeg()
        .toBuffer(),
    )
  ).id
  const rng = createRng(`demo-cases:${scope}`)
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rng() * xs.length)] as T
  const evidence = { photos: [photo] }

  // Each report's future: its steps at their times (those still ahead of `end` are not taken).
  const plan = (t0: number): Step[] => {
    const s: Step[] = []
    if (rng() < 0.03) return [{ at: t0 + HOUR / 2, action: 'cancel', extra: { reason: '重复或无效报告' } }]
    s.push({ at: t0 + HOUR / 2, action: 'register' }, { at: t0 + HOUR, action: 'dispatch' })
    let t = t0 + 2 * HOUR
    if (rng() < 0.04) {
      s.push({ at: t, action: 'return', extra: { reason: '非本部门职责' } }, { at: t + HOUR, action: 'dispatch' })
      t += 2 * HOUR
    }
    s.push({ at: t, action: 'accept' })
    // Most are handled within hours; one in ten runs days late (past its deadline).
    t += rng() < 0.1 ? (4 + Math.floor(rng() * 4)) * DAY : 2 * HOUR
    const handled = (at: number) => [
      { at, action: 'handle', extra: { result: '已处置完毕', ...evidence } },
      { at: at + 2 * HOUR, action: 'verify_pass', extra: evidence },
    ]
    if (rng() < 0.08) {
      s.push(
        { at: t, action: 'handle', extra: { result: '已处置', ...evidence } },
        { at: t + 2 * HOUR, action: 'verify_fail', extra: { reason: '现场仍未处理好', ...evidence } },
      )
      t += DAY
    }
    s.push(...handled(t))
    t += DAY
    if (rng() < 0.05) {
      s.push({ at: t, action: 'callback_dissatisfied', extra: { satisfaction: 'dissatisfied', reason: '处理不彻底' } })
      s.push(...handled(t + DAY))
      t += 2 * DAY
    }
    s.push({ at: t, action: 'callback_satisfied', extra: { satisfaction: rng() < 0.8 ? 'satisfied' : 'basically_satisfied' } })
    return s
  }

  // Reports day by day (at four moments of the working day), each with its planned steps.
  const pending: (Step & { id: number })[] = []
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
      const views = await Promise.all(
        Array.from({ length: n }, () => {
          const pt = pick(points)
          return cases.report(p, {
            catalog: pick(codes),
            description: '演示：网格员巡查发现的问题',
            lng: pt.lng,
            lat: pt.lat,
            source: rng() < 0.7 ? 'grid_worker' : 'hotline',
            photos: [photo],
          })
        }),
      )
      for (const v of views) {
        version.set(v.id, v.version)
        for (const s of plan(at)) if (s.at <= end) pending.push({ ...s, id: v.id })
      }
      reported += views.length
    }
  }
  // The steps in the order of time, those of one hour together; a case whose step fails stops.
  pending.sort((a, b) => a.at - b.at || a.id - b.id)
  const stopped = new Set<number>()
  for (let i = 0; i < pending.length; ) {
    const hour = Math.floor((pending[i] as Step).at / HOUR)
    const group: (Step & { id: number })[] = []
    const inGroup = new Set<number>()
    // (One step per case per batch: a case's next step waits for the next batch.)
    let j = i
    for (; j < pending.length && Math.floor((pending[j] as Step).at / HOUR) === hour; j++) {
      const s = pending[j] as Step & { id: number }
      if (inGroup.has(s.id)) break
      inGroup.add(s.id)
      if (!stopped.has(s.id)) group.push(s)
    }
    i = j
    if (!group.length) continue
    await breathe()
    now = new Date(Math.max(...group.map((s) => s.at)))
    const results = await cases.stepMany(
      p,
      group.map((s) => ({ id: s.id, action: s.action, version: version.get(s.id) as number, ...s.extra })),
    )
    results.forEach((r, k) => {
      const s = group[k] as Step & { id: number }
      if ('error' in r) stopped.add(s.id)
      else version.set(s.id, r.version)
    })
  }
  return reported
}
