// Reading persons and households within the caller's scope: pages, one record (unmasked with a
// reason, audited; special-category reads audited too), its provenance per field group, its
// history (sensitive values masked) and who looked at it.
import { PERSON_FIELD_GROUPS } from '@wangge/domain'
import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import { audit, listAudit, type Principal, scopeSql, unmask } from '../access/index.js'
import { listChanges } from '../history/index.js'
import { householdOut, iso, maskChanges, personView } from './person-view.js'
import type { PersonFilter, PersonRow, PersonsRepository } from './persons.repository.js'

export interface PersonsContext {
  db: Kysely<DB>
  repo: PersonsRepository
}

export const personNotFound = (id: number) => () => new AppError('NOT_FOUND', `No person ${id}`, { id })
export const householdNotFound = (id: number) => () => new AppError('NOT_FOUND', `No household ${id}`, { id })
/** The code a record is checked against: its grid, else its community. */
export const codeOf = (r: { grid_code: string | null; community_code: string }) => r.grid_code ?? r.community_code

/** Each field group's source and freshness: its own entry, else (loaded rows) the group's
 *  answerable department as of the load. */
async function provenanceOf({ repo }: PersonsContext, p: PersonRow) {
  const explicit = await repo.fieldSources(Number(p.id))
  const out: Record<string, { source: string; updatedAt: string; updatedBy: string }> = {}
  for (const [g, def] of Object.entries(PERSON_FIELD_GROUPS)) {
    const e = explicit.find((x) => x.field_group === g)
    out[g] = e
      ? { source: e.source, updatedAt: iso(e.updated_at), updatedBy: e.updated_by }
      : { source: p.load_id ? def.defaultSource : p.source, updatedAt: iso(p.updated_at), updatedBy: p.updated_by }
  }
  return out
}

/** A readable person row (404 outside the caller's scopes, 403 without the permission there). */
async function getRow(ctx: PersonsContext, p: Principal, id: number) {
  const row = await ctx.repo.find(id)
  if (!row) throw personNotFound(id)()
  p.check('person.read', codeOf(row), personNotFound(id))
  return row
}

/** The record as written, for the writer (who may hold person.write without person.read). */
export async function present(ctx: PersonsContext, p: Principal, id: number) {
  const row = (await ctx.repo.find(id)) as PersonRow
  return { ...personView(p, row), provenance: await provenanceOf(ctx, row) }
}

/** A readable household (404 outside the caller's scopes). */
async function getHousehold(ctx: PersonsContext, p: Principal, id: number) {
  const h = await ctx.repo.findHousehold(id)
  if (!h) throw householdNotFound(id)()
  p.check('person.read', h.grid_code ?? h.community_code, householdNotFound(id))
  return h
}

export async function listPersons(ctx: PersonsContext, p: Principal, f: PersonFilter, page: number, pageSize: number) {
  p.require('person.read')
  const scope = scopeSql(p, 'person.read', { community: 'p.community_code', grid: 'd.grid_code' })
  const { items, total } = await ctx.repo.list(f, pageSize, (page - 1) * pageSize, scope)
  return { items: items.map((r) => personView(p, r)), total, page, pageSize }
}

/** One person; `unmask` (person.unmask here, and a reason unless an emergency window is open)
 *  shows the full ID number, phone and address and is written to the audit log. */
export async function getPerson(
  ctx: PersonsContext,
  p: Principal,
  id: number,
  opts: { unmask?: boolean | undefined; reason?: string | undefined } = {},
) {
  const row = await getRow(ctx, p, id)
  const code = codeOf(row)
  if (opts.unmask) {
    await unmask(ctx.db, p, { code, objectType: 'person', objectId: id, reason: opts.reason, notFound: personNotFound(id) })
  } else if (row.health_flags.length && p.allows('person.special', code))
    await audit(ctx.db, {
      actor: p.actor,
      action: 'person.special.read',
      objectType: 'person',
      objectId: id,
      scope: p.scopeOf('person.special', code),
      requestId: p.requestId,
      clientIp: p.clientIp,
    })
  return { ...personView(p, row, !!opts.unmask), provenance: await provenanceOf(ctx, row) }
}

export async function personHistory(ctx: PersonsContext, p: Principal, id: number, page: number, pageSize: number) {
  await getRow(ctx, p, id)
  const r = await listChanges(ctx.db, 'person', id, pageSize, (page - 1) * pageSize)
  return { ...r, items: maskChanges(r.items), page, pageSize }
}

/** Who looked at this person's unmasked or special data (the audit log). */
export async function accessLog(ctx: PersonsContext, p: Principal, id: number, page: number, pageSize: number) {
  const row = await getRow(ctx, p, id)
  p.check('person.unmask', codeOf(row), personNotFound(id))
  const r = await listAudit(
    ctx.db,
    { objectType: 'person', objectId: String(id), actions: ['person.unmask', 'person.special.read'] },
    pageSize,
    (page - 1) * pageSize,
  )
  return {
    items: r.items.map((a) => ({ id: a.id, at: a.at, actor: a.actor, action: a.action, reason: a.reason, scope: a.scope })),
    total: r.total,
    page,
    pageSize,
  }
}

export async function household(ctx: PersonsContext, p: Principal, id: number) {
  const h = await getHousehold(ctx, p, id)
  const members = (await ctx.repo.householdMembers(id)).map((m) => personView(p, { ...m, grid_code: h.grid_code } as PersonRow))
  return { ...householdOut(h, p), members }
}

export async function households(ctx: PersonsContext, p: Principal, region: string | undefined, page: number, pageSize: number) {
  p.require('person.read')
  const scope = scopeSql(p, 'person.read', { community: 'h.community_code', grid: 'd.grid_code' })
  const { items, total } = await ctx.repo.listHouseholds(region, pageSize, (page - 1) * pageSize, scope)
  return { items: items.map((h) => ({ ...householdOut(h, p), size: Number(h.size ?? 0) })), total, page, pageSize }
}

export async function householdHistory(ctx: PersonsContext, p: Principal, id: number, page: number, pageSize: number) {
  await getHousehold(ctx, p, id)
  const r = await listChanges(ctx.db, 'household', id, pageSize, (page - 1) * pageSize)
  return { ...r, items: maskChanges(r.items), page, pageSize }
}
