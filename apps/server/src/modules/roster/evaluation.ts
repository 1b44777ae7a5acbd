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
import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import { readSetting } from '../../kernel/settings.js'
import type { Principal } from '../access/index.js'
import { evaluationCounts } from './roster.repository.js'

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
  // In a transaction of its own: the statement raises work_mem for it.
  const rows = await db.transaction().execute((trx) => evaluationCounts(trx, q.region, from, to))

  const evaluated = rows.map((r) => {
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
