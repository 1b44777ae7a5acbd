// Visits recorded door to door, in batches from a phone's offline queue, idempotent by client id
// (with the record changes made at the door, merged on the version the phone had), and visits made
// by others imported in bulk.
import { AppError } from '../../kernel/errors.js'
import type { Principal } from '../access/index.js'
import type { PersonCreate } from '../persons/index.js'
import type { VisitInput, VisitsContext } from './visit-model.js'

/**
 * The record changes of one visit, each merged on the version it was based on (see
 * `persons.mergeUpdate`). A new resident already registered (a re-send after a lost answer) is
 * not registered twice.
 */
async function applyUpdates(ctx: VisitsContext, p: Principal, v: VisitInput) {
  const out: { kind: string; personId: number; applied: string[]; flagged: string[] }[] = []
  if (!v.updates?.length) return out
  const { persons } = ctx
  if (!persons) throw new Error('visits: record changes need the persons service')
  const madeAt = new Date(v.visitedAt)
  const common = { madeAt, source: 'grid_worker', reason: '入户走访', clientId: v.clientId }
  for (const u of v.updates) {
    if (u.kind === 'newResident') {
      const existing = await ctx.repo.personByIdNumber(u.person.idNumber)
      if (existing) {
        out.push({ kind: u.kind, personId: Number(existing.id), applied: [], flagged: [] })
        continue
      }
      const created = await persons.create(p, { ...u.person, householdId: v.householdId, source: 'grid_worker' } as PersonCreate)
      out.push({ kind: u.kind, personId: Number((created as { id: number }).id), applied: ['*'], flagged: [] })
      continue
    }
    const fields = u.kind === 'status' ? { status: u.status } : u.fields
    const r = await persons.mergeUpdate(p, u.personId, { ...common, baseVersion: u.baseVersion, fields })
    out.push({ kind: u.kind, personId: u.personId, ...r })
  }
  return out
}

/** The households of some visits, each within the caller's write scope and none in the future
 *  (one refusal refuses the whole batch: nothing half-written). Answers household → place. */
async function checkedPlaces<T extends { clientId: string; householdId: number; visitedAt: string }>(
  ctx: VisitsContext,
  p: Principal,
  items: readonly T[],
  check?: (i: T) => void,
) {
  const homes = await ctx.repo.placesOf([...new Set(items.map((i) => i.householdId))])
  const where = new Map(homes.map((h) => [Number(h.id), h]))
  const now = ctx.clock().getTime()
  for (const i of items) {
    const h = where.get(i.householdId)
    const missing = () => new AppError('NOT_FOUND', `No household ${i.householdId}`, { householdId: i.householdId })
    if (!h) throw missing()
    p.check('person.write', h.grid_code ?? h.community_code, missing)
    check?.(i)
    if (Date.parse(i.visitedAt) > now + 5 * 60_000)
      throw new AppError('VALIDATION_FAILED', 'A visit cannot be in the future', {
        issues: [{ path: 'visitedAt', message: `${i.clientId}: after now` }],
      })
  }
  return where
}

/**
 * Records visits (one, or a phone's queue). A visit already received under its client id is
 * answered as it was recorded, and changes nothing. Households outside the caller's scope
 * refuse the whole batch (nothing half-written).
 */
export async function record(ctx: VisitsContext, p: Principal, items: VisitInput[]) {
  const where = await checkedPlaces(ctx, p, items)
  const clientIds = items.map((i) => i.clientId)
  // Record changes first (each in its own transaction), for visits not received before: a
  // visit re-sent after a crash between the two re-applies them harmlessly (same values).
  const seen = new Set((await ctx.repo.visitsByClient(ctx.db, clientIds)).map((r) => r.client_id))
  const changes = new Map<string, Awaited<ReturnType<typeof applyUpdates>>>()
  for (const i of items) if (!seen.has(i.clientId)) changes.set(i.clientId, await applyUpdates(ctx, p, i))
  return ctx.db.transaction().execute(async (trx) => {
    const fresh = await ctx.repo.insertVisits(
      trx,
      items.map((i) => ({
        client_id: i.clientId,
        household_id: i.householdId,
        grid_code: where.get(i.householdId)?.grid_code ?? null,
        user_id: p.user.id,
        visited_at: i.visitedAt,
        note: i.note ?? null,
      })),
    )
    const isFresh = new Set(fresh.map((f) => f.client_id))
    const byClient = new Map((await ctx.repo.visitsByClient(trx, clientIds)).map((v) => [v.client_id, v]))
    return items.map((i) => {
      const v = byClient.get(i.clientId)
      if (!v) throw new Error(`visit ${i.clientId} neither inserted nor found`)
      // A client id already used for another household is a client bug, not a replay.
      if (Number(v.household_id) !== i.householdId)
        throw new AppError('CONFLICT', `Client id ${i.clientId} was used for another household`, { clientId: i.clientId })
      return {
        id: Number(v.id),
        clientId: v.client_id,
        householdId: Number(v.household_id),
        visitedAt: new Date(v.visited_at).toISOString(),
        replayed: !isFresh.has(i.clientId),
        changes: changes.get(i.clientId) ?? [],
      }
    })
  })
}

/**
 * Visits made by others and recorded in bulk — a previous system's visit log taken over, a
 * paper register typed in, the demo's simulated months: each visit names the worker who made
 * it (a user holding the household's grid, or covering it). No record changes; idempotent by
 * client id like the phone's sync; the households' last visits and the open tasks follow as
 * for a visit recorded at the door. The importer needs `person.write` over every household.
 */
export async function importVisits(
  ctx: VisitsContext,
  p: Principal,
  items: readonly { clientId: string; householdId: number; userId: number; visitedAt: string; note?: string | undefined }[],
) {
  if (!items.length) return { inserted: 0, replayed: 0 }
  const where = await checkedPlaces(ctx, p, items, (i) => {
    if (i.clientId.length < 8 || i.clientId.length > 64 || Number.isNaN(Date.parse(i.visitedAt)))
      throw new AppError('VALIDATION_FAILED', 'A visit needs a client id of 8–64 characters and a time', {
        issues: [{ path: 'clientId', message: i.clientId }],
      })
  })
  const fresh = await ctx.db.transaction().execute((trx) =>
    ctx.repo.insertVisits(
      trx,
      items.map((i) => ({
        client_id: i.clientId,
        household_id: i.householdId,
        grid_code: where.get(i.householdId)?.grid_code ?? null,
        user_id: i.userId,
        visited_at: i.visitedAt,
        note: i.note ?? null,
      })),
    ),
  )
  return { inserted: fresh.length, replayed: items.length - fresh.length }
}
