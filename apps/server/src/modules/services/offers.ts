// The proactive offers in the console and on the phone (the night finds them: proactive.ts): the
// offers in the caller's area, and the grid worker's answer — applied, declined, not reachable.
import { OFFER_OUTCOMES, type OfferOutcome } from '@wangge/domain'
import { AppError } from '../../kernel/errors.js'
import { mask, type Principal, scopeSql } from '../access/index.js'
import { iso, notFound, type ServicesContext } from './services-context.js'

/** The proactive offers in the caller's area (grid workers: their grids). */
export async function offers(
  { repo, activeItems }: ServicesContext,
  p: Principal,
  f: { region?: string | undefined; status?: OfferOutcome | 'open' | undefined; item?: string | undefined },
  page: number,
  pageSize: number,
) {
  p.require('service.offer')
  const scope = scopeSql(p, 'service.offer', { community: 'o.community_code', grid: 'o.grid_code' })
  const { rows, total } = await repo.offers(scope, f, pageSize, (page - 1) * pageSize)
  const names = new Map((await activeItems()).map((i) => [i.code, i]))
  return {
    items: rows.map((o) => ({
      id: Number(o.id),
      item: o.item_code,
      itemName: names.get(o.item_code)?.name ?? o.item_code,
      personId: Number(o.person_id),
      name: mask.name(o.name),
      householdId: o.household_id === null ? null : Number(o.household_id),
      grid: o.grid_code,
      community: o.community_code,
      occasion: iso(o.occasion).slice(0, 10),
      reason: o.reason,
      createdOn: iso(o.created_on).slice(0, 10),
      status: o.status,
      outcomeAt: o.outcome_at ? iso(o.outcome_at) : null,
      outcomeBy: o.outcome_by,
      outcomeNote: o.outcome_note,
      notified: o.notified,
      version: o.version,
    })),
    total,
    page,
    pageSize,
  }
}

/** The grid worker's answer to an offer: applied, declined, not reachable. */
export async function offerOutcome(
  { repo, clock }: ServicesContext,
  p: Principal,
  id: number,
  input: { outcome: OfferOutcome; note?: string | undefined; version: number },
) {
  const o = await repo.offer(id)
  const missing = () => notFound(`offer ${id}`, { id })
  if (!o) throw missing()
  p.check('service.offer', o.grid_code ?? o.community_code, missing)
  if (o.status !== 'open') throw new AppError('INVALID_TRANSITION', `Offer ${id} is already ${o.status}`, { status: o.status })
  if (o.version !== input.version)
    throw new AppError('VERSION_CONFLICT', `Offer ${id} is at version ${o.version}`, { current: o.version })
  const r = await repo.answerOffer(id, input.version, {
    outcome: input.outcome,
    note: input.note ?? null,
    at: clock(),
    actor: p.actor,
  })
  if (!r) throw new AppError('VERSION_CONFLICT', `Offer ${id} changed meanwhile`, {})
  return { id: Number(r.id), status: r.status, version: r.version, label: OFFER_OUTCOMES[input.outcome].zh }
}
