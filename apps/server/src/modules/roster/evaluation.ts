import { codeAt } from '@wangge/domain'
// Monthly evaluation of grid workers (绩效考核): per worker of a region's grids, for one month —
//   visits on schedule   = scheduled visits (household × due date in the month) done by the due date
//   overdue visits       = scheduled visits not done by the due date
//   events reported      = cases the worker reported in the month; valid = not cancelled
//   self-handled         = of those, closed without being dispatched
//   verifications on time = the worker's on-site verifications within 24 h of the handling
//   satisfaction         = reported cases called back satisfied or basically satisfied / called back
//   proactive services   = offers (主动服务) found in the worker's grids in the month that the worker
//                          answered (told the household: applied, declined or not reachable); the
//                          uptake (applied / offers) is shown beside it
// Each rate is a component score of 0–100; the composite weighs the components that have data
// (weights in settings `evaluation.weights`), graded A ≥ 90, B ≥ 80, C ≥ 70, D ≥ 60, E below;
// ranked within the worker's community and street.
import { type Kysely, sql } from 'kysely'
import type { DB } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import { readSetting } from '../../kernel/settings.js'
import type { Principal } from '../access/index.js'

export const DEFAULT_WEIGHTS = { visits: 40, validity: 15, verification: 20, satisfaction: 25, proactive: 10 }
export type Weights = typeof DEFAULT_WEIGHTS

export function grade(score: number): 'A' | 'B' | 'C' | 'D' | 'E' {
  return score >= 90 ? 'A' : score >= 80 ? 'B' : score >= 70 ? 'C' : score >= 60 ? 'D' : 'E'
}

/** The composite of the components that have data (their weights renormalised), 0–100. */
export function composite(components: Partial<Record<keyof Weights, number | null>>, weights: Weights): number | null {
  let sum = 0
  let w = 0
  for (const [k, weight] of Object.entries(weights) as [keyof Weights, number][]) {
    const v = components[k]
    if (v === null || v === undefined) continue
    sum += v * weight
    w += weight
  }
  return w ? Math.round((sum / w) * 10) / 10 : null
}

const pct = (a: number, b: number) => (b ? Math.round((a / b) * 1000) / 10 : null)

export async function evaluateWorkers(db: Kysely<DB>, p: Principal, q: { region: string; month: string }) {
  p.check('roster.read', q.region, () => new AppError('NOT_FOUND', `No region ${q.region}`, { region: q.region }))
  const from = `${q.month}-01`
  const [y, m] = q.month.split('-').map(Number) as [number, number]
  const to = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10)
  const setting = await readSetting<Partial<Weights>>(db, 'evaluation.weights')
  const weights: Weights = { ...DEFAULT_WEIGHTS, ...(setting?.value ?? {}) }
  // A month of a district's tasks is grouped by household and due date: more than the default
  // work_mem, and a spill to disk doubles the time.
  const rows = await db.transaction().execute(async (trx) => {
    await sql`set local work_mem = '64MB'`.execute(trx)
    return sql<{
      user_id: number
      username: string
      display_name: string
      grids: string[]
      due: number
      on_time: number
      reported: number
      valid: number
      self_handled: number
      verified: number
      verified_on_time: number
      called_back: number
      satisfied: number
      offers: number
      offers_answered: number
      offers_applied: number
    }>`
    with workers as (
      select u.id as user_id, u.username, u.display_name, array_agg(ur.scope order by ur.scope) as grids
      from user_roles ur join users u on u.id = ur.user_id
      where ur.role_code = 'grid_worker' and length(ur.scope) = 15 and ur.scope like ${`${q.region}%`}
      group by u.id
    ),
    -- Per grid first, from the tasks alone (each carries the day its visit was made), over the
    -- due-date index: joined to the workers' grid arrays, and then to each task's visit, 越秀's
    -- month (1.4M task rows) took minutes, then 12 s.
    worker_grids as (
      select w.user_id, unnest(w.grids) as grid from workers w
    ),
    scheduled as (
      select t.grid_code, t.household_id, t.due_on, bool_or(t.done_on <= t.due_on) as on_time
      from visit_tasks t
      where t.due_on between ${from}::date and ${to}::date and t.grid_code like ${`${q.region}%`}
      group by 1, 2, 3
    ),
    per_grid as (
      select grid_code, count(*)::int as due, count(*) filter (where on_time)::int as on_time from scheduled group by 1
    ),
    visits_due as materialized (
      select wg.user_id, sum(g.due)::int as due, sum(g.on_time)::int as on_time
      from worker_grids wg join per_grid g on g.grid_code = wg.grid group by 1
    ),
    reports as materialized (
      select w.user_id, count(*)::int as reported,
        count(*) filter (where c.status <> 'cancelled')::int as valid,
        count(*) filter (where c.dispatch_count = 0 and c.status = 'closed')::int as self_handled,
        count(*) filter (where c.satisfaction is not null)::int as called_back,
        count(*) filter (where c.satisfaction in ('satisfied', 'basically_satisfied'))::int as satisfied
      from workers w join cases c on c.reporter_user_id = w.user_id
      where (c.reported_at at time zone 'Asia/Shanghai')::date between ${from}::date and ${to}::date
      group by 1
    ),
    -- The month's verifications once (the workers' row estimate is one: a join to it was planned
    -- as a rescan of the steps per worker, 57 s for one street).
    verify_steps as materialized (
      select s.case_id, s.actor, s.at from case_steps s
      where s.action in ('verify_pass', 'verify_fail')
        and (s.at at time zone 'Asia/Shanghai')::date between ${from}::date and ${to}::date
    ),
    verifications as materialized (
      select w.user_id, count(*)::int as verified,
        count(*) filter (where h.at is not null and s.at <= h.at + interval '24 hours')::int as verified_on_time
      from verify_steps s join workers w on w.username = s.actor
        left join lateral (
          select max(x.at) as at from case_steps x where x.case_id = s.case_id and x.action = 'handle' and x.at <= s.at
        ) h on true
      group by 1
    ),
    offers as materialized (
      select w.user_id, count(*)::int as offers, count(*) filter (where o.status <> 'open')::int as answered,
        count(*) filter (where o.status = 'applied')::int as applied
      from worker_grids w join service_offers o on o.grid_code = w.grid
      where o.created_on between ${from}::date and ${to}::date
      group by 1
    )
    select w.user_id, w.username, w.display_name, w.grids,
      coalesce(vd.due, 0) as due, coalesce(vd.on_time, 0) as on_time,
      coalesce(r.reported, 0) as reported, coalesce(r.valid, 0) as valid, coalesce(r.self_handled, 0) as self_handled,
      coalesce(v.verified, 0) as verified, coalesce(v.verified_on_time, 0) as verified_on_time,
      coalesce(r.called_back, 0) as called_back, coalesce(r.satisfied, 0) as satisfied,
      coalesce(o.offers, 0) as offers, coalesce(o.answered, 0) as offers_answered, coalesce(o.applied, 0) as offers_applied
    from workers w left join reports r on r.user_id = w.user_id left join verifications v on v.user_id = w.user_id
      left join offers o on o.user_id = w.user_id left join visits_due vd on vd.user_id = w.user_id
    order by w.user_id`.execute(trx)
  })

  const evaluated = rows.rows.map((r) => {
    const components = {
      visits: pct(r.on_time, r.due),
      validity: pct(r.valid, r.reported),
      verification: pct(r.verified_on_time, r.verified),
      satisfaction: pct(r.satisfied, r.called_back),
      proactive: pct(r.offers_answered, r.offers),
    }
    const score = composite(components, weights)
    const first = r.grids[0] as string
    return {
      userId: Number(r.user_id),
      username: r.username,
      displayName: r.display_name,
      grids: r.grids,
      community: codeAt(first, 'community'),
      street: codeAt(first, 'street'),
      visits: { due: r.due, onTime: r.on_time, overdue: r.due - r.on_time, rate: components.visits },
      cases: { reported: r.reported, valid: r.valid, validRate: components.validity, selfHandled: r.self_handled },
      verifications: { done: r.verified, onTime: r.verified_on_time, rate: components.verification },
      satisfaction: { calledBack: r.called_back, satisfied: r.satisfied, rate: components.satisfaction },
      proactive: {
        offers: r.offers,
        answered: r.offers_answered,
        applied: r.offers_applied,
        rate: components.proactive,
        uptake: pct(r.offers_applied, r.offers),
      },
      score,
      grade: score === null ? null : grade(score),
      rank: { community: 0, street: 0 },
    }
  })
  // Ranks within the community and the street (equal scores share a rank; no score: last).
  for (const level of ['community', 'street'] as const) {
    const groups = new Map<string, typeof evaluated>()
    for (const e of evaluated) groups.set(e[level], [...(groups.get(e[level]) ?? []), e])
    for (const g of groups.values())
      for (const e of g) e.rank[level] = 1 + g.filter((o) => (o.score ?? -1) > (e.score ?? -1)).length
  }
  return { region: q.region, month: q.month, weights, workers: evaluated }
}
