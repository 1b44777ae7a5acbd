// The case catalog as data: events and component problems with their department, time limits per
// urgency, self-handling and photos; seeded once, listed, and edited by administrators as new
// versions (each edit audited with its reason and the fields it changed; a case keeps the version
// it started with).
import { DEPARTMENTS, defaultCatalog, type TimeLimit } from '@wangge/domain'
import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import { audit, listAudit, type Principal } from '../access/index.js'
import { type CatalogRepository, type CatalogRow, createCatalogRepository } from './catalog.repository.js'

export interface CatalogContext {
  db: Kysely<DB>
  repo: CatalogRepository
  /** After a committed edit: caches drop what they hold. */
  changed: () => void
}

export const entryOut = (r: CatalogRow) => ({
  code: r.code,
  kind: r.kind,
  major: r.major,
  sub: r.sub,
  name: r.name,
  nameEn: r.name_en,
  department: r.department,
  limits: {
    normal: { amount: r.normal_amount, unit: r.normal_unit } as TimeLimit,
    urgent: { amount: r.urgent_amount, unit: r.urgent_unit } as TimeLimit,
  },
  selfHandle: r.self_handle,
  photos: r.photos,
  active: r.active,
  version: r.version,
  updatedAt: new Date(r.updated_at).toISOString(),
  updatedBy: r.updated_by,
})
export type CatalogEntryOut = ReturnType<typeof entryOut>

export interface CatalogPatch {
  version: number
  department?: string | undefined
  limits?: { normal?: TimeLimit | undefined; urgent?: TimeLimit | undefined } | undefined
  selfHandle?: boolean | undefined
  photos?: number | undefined
  active?: boolean | undefined
  reason: string
}

const missing = (code: string) => new AppError('NOT_FOUND', `No catalog entry ${code}`, { code })

/** An entry's row, or NOT_FOUND. */
export async function entryRow({ repo }: CatalogContext, code: string) {
  const r = await repo.entry(code)
  if (!r) throw missing(code)
  return r
}

/** A department that exists, or a 400 naming the field. */
export async function requireDepartment({ repo }: CatalogContext, code: string) {
  if (!(await repo.departmentExists(code)))
    throw new AppError('VALIDATION_FAILED', `Unknown department ${code}`, {
      issues: [{ path: 'department', message: 'unknown' }],
    })
}

/** The departments (handlers and data providers), inserted when missing (edits are kept). */
export async function seedDepartments(db: Kysely<DB>) {
  await createCatalogRepository(db).seedDepartments(DEPARTMENTS.map((d) => ({ code: d.code, name: d.zh, name_en: d.en })))
}

/** Departments and the default catalog, inserted when missing (edits are kept). */
export async function seed({ db, repo }: CatalogContext) {
  await seedDepartments(db)
  await repo.seedEntries(
    defaultCatalog().map((e) => ({
      code: e.code,
      kind: e.kind,
      major: e.major,
      sub: e.sub,
      name: e.zh,
      name_en: e.en,
      department: e.department,
      normal_amount: e.limits.normal.amount,
      normal_unit: e.limits.normal.unit,
      urgent_amount: e.limits.urgent.amount,
      urgent_unit: e.limits.urgent.unit,
      self_handle: e.selfHandle,
      photos: e.photos,
    })),
  )
}

export async function list(
  { repo }: CatalogContext,
  p: Principal,
  f: { kind?: string | undefined; q?: string | undefined; active?: boolean | undefined },
) {
  p.require('region.read')
  return (await repo.entries({ ...f, kind: f.kind as CatalogRow['kind'] | undefined })).map(entryOut)
}

export async function get(ctx: CatalogContext, p: Principal, code: string) {
  p.require('region.read')
  return entryOut(await entryRow(ctx, code))
}

export async function departments({ repo }: CatalogContext, p: Principal) {
  p.require('region.read')
  return (await repo.departments()).map((d) => ({ code: d.code, name: d.name, nameEn: d.name_en }))
}

/** Versioned edit; applies to cases opened afterwards (a case keeps the version it started with). */
export async function update(ctx: CatalogContext, p: Principal, code: string, patch: CatalogPatch) {
  const { db, repo } = ctx
  p.require('catalog.admin')
  if (patch.department) await requireDepartment(ctx, patch.department)
  const result = await db.transaction().execute(async (trx) => {
    const r = await repo.entry(code, trx, true)
    if (!r) throw missing(code)
    if (r.version !== patch.version)
      throw new AppError('VERSION_CONFLICT', 'The catalog entry was changed by someone else', {
        current: r.version,
        given: patch.version,
      })
    const next = {
      department: patch.department ?? r.department,
      normal_amount: patch.limits?.normal?.amount ?? r.normal_amount,
      normal_unit: patch.limits?.normal?.unit ?? r.normal_unit,
      urgent_amount: patch.limits?.urgent?.amount ?? r.urgent_amount,
      urgent_unit: patch.limits?.urgent?.unit ?? r.urgent_unit,
      self_handle: patch.selfHandle ?? r.self_handle,
      photos: patch.photos ?? r.photos,
      active: patch.active ?? r.active,
    }
    const changes = Object.fromEntries(
      Object.entries(next)
        .filter(([k, v]) => r[k as keyof CatalogRow] !== v)
        .map(([k, v]) => [k, { old: r[k as keyof CatalogRow], new: v }]),
    )
    if (!Object.keys(changes).length) return entryOut(r)
    const updated = await repo.updateEntry(trx, code, next, r.version + 1, p.actor)
    await audit(trx, {
      actor: p.actor,
      action: 'catalog.update',
      objectType: 'catalog',
      objectId: code,
      reason: patch.reason,
      requestId: p.requestId,
      clientIp: p.clientIp,
      details: { version: r.version + 1, changes },
    })
    return entryOut(updated)
  })
  ctx.changed() // after the commit: a cache refilled before it would keep the old entry
  return result
}

/** Earlier versions of an entry: its changes as the audit log has them. */
export async function history(ctx: CatalogContext, p: Principal, code: string) {
  p.require('region.read')
  await entryRow(ctx, code)
  const { items } = await listAudit(ctx.db, { objectType: 'catalog', objectId: code }, 200, 0)
  return items.map((a) => ({
    at: a.at,
    actor: a.actor,
    reason: a.reason,
    version: Number((a.details as { version?: number }).version ?? 0),
    changes: ((a.details as { changes?: unknown }).changes ?? {}) as Record<string, { old: unknown; new: unknown }>,
  }))
}
