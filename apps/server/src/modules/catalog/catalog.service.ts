// The case catalog and routing rules (data, edited by administrators) and the routing dry run:
// "who would get this case?" for a subclass and a point or a component. Responsibility
// (DOMAIN.md §4): a component problem goes to the component's competent department first
// (部件 先属主后属地); an event goes to the territory's rule for the subclass — the most specific
// region with a routing rule — and otherwise to the catalog's answerable department.
import { codeAt, componentOwner, DEPARTMENTS, defaultCatalog, type TimeLimit } from '@wangge/domain'
import { type Kysely, type Selectable, sql } from 'kysely'
import type { CaseCatalogTable, DB, RoutingRulesTable } from '../../db/schema.js'
import type { ChangeBus } from '../../kernel/change-bus.js'
import { AppError } from '../../kernel/errors.js'
import { contains } from '../../kernel/like.js'
import { audit, listAudit, type Principal } from '../access/index.js'
import type { GridsService } from '../grids/index.js'

type Row = Selectable<CaseCatalogTable>
const out = (r: Row) => ({
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
export type CatalogEntryOut = ReturnType<typeof out>

export interface CatalogPatch {
  version: number
  department?: string | undefined
  limits?: { normal?: TimeLimit | undefined; urgent?: TimeLimit | undefined } | undefined
  selfHandle?: boolean | undefined
  photos?: number | undefined
  active?: boolean | undefined
  reason: string
}

const missing = (code: string) => () => new AppError('NOT_FOUND', `No catalog entry ${code}`, { code })

/** The departments (handlers and data providers), inserted when missing (edits are kept). */
export async function seedDepartments(db: Kysely<DB>) {
  await db
    .insertInto('departments')
    .values(DEPARTMENTS.map((d) => ({ code: d.code, name: d.zh, name_en: d.en })))
    .onConflict((oc) => oc.column('code').doNothing())
    .execute()
}

export function createCatalogService({ db, grids, bus }: { db: Kysely<DB>; grids: GridsService; bus?: ChangeBus | undefined }) {
  let changes = 0 // edits seen by this process (caches compare it)
  bus?.on('catalog', () => {
    changes++
  })
  const changed = () => {
    changes++
    bus?.publish('catalog')
  }
  async function row(code: string) {
    const r = await db.selectFrom('case_catalog').selectAll().where('code', '=', code).executeTakeFirst()
    if (!r) throw missing(code)()
    return r
  }
  async function requireDepartment(code: string) {
    const d = await db.selectFrom('departments').select('code').where('code', '=', code).executeTakeFirst()
    if (!d)
      throw new AppError('VALIDATION_FAILED', `Unknown department ${code}`, {
        issues: [{ path: 'department', message: 'unknown' }],
      })
  }

  // Routing rules by catalog code, longest region first; refreshed after an edit here, or 5 s.
  let ruleCache: { at: number; stamp: number; byCode: Map<string, Selectable<RoutingRulesTable>[]> } | undefined
  async function rulesFor(code: string, trx: Kysely<DB>) {
    if (!ruleCache || ruleCache.stamp !== changes || Date.now() - ruleCache.at > 5_000) {
      const stamp = changes
      const all = await trx.selectFrom('routing_rules').selectAll().execute()
      const byCode = new Map<string, Selectable<RoutingRulesTable>[]>()
      for (const r of all) byCode.set(r.catalog_code, [...(byCode.get(r.catalog_code) ?? []), r])
      for (const list of byCode.values()) list.sort((a, b) => b.region.length - a.region.length)
      ruleCache = { at: Date.now(), stamp, byCode }
    }
    return ruleCache.byCode.get(code) ?? []
  }

  /** The department for a subclass at a place: the component's, else the most specific rule's, else the catalog's. */
  async function responsible(
    entry: { code: string; department: string },
    place: { grid: string | null; community: string },
    componentDepartment?: string,
    /** The caller's transaction, when in one (the embedded engine has a single connection). */
    trx: Kysely<DB> = db,
  ) {
    const at = place.grid ?? place.community
    // The most specific region with a rule for this subclass (rules are few: kept in memory).
    const rule = (await rulesFor(entry.code, trx)).find((r) => at.startsWith(r.region))
    return componentDepartment
      ? { department: componentDepartment, basis: 'component' as const, rule: null }
      : rule
        ? { department: rule.department, basis: 'routing_rule' as const, rule: { id: Number(rule.id), region: rule.region } }
        : { department: entry.department, basis: 'catalog' as const, rule: null }
  }

  return {
    responsible,
    /** Bumped by every edit in this process (caches compare it). */
    changes: () => changes,

    /** Departments and the default catalog, inserted when missing (edits are kept). */
    async seed() {
      await seedDepartments(db)
      await db
        .insertInto('case_catalog')
        .values(
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
        .onConflict((oc) => oc.column('code').doNothing())
        .execute()
    },

    async list(p: Principal, f: { kind?: string | undefined; q?: string | undefined; active?: boolean | undefined }) {
      p.require('region.read')
      let q = db.selectFrom('case_catalog').selectAll()
      if (f.kind) q = q.where('kind', '=', f.kind as 'event')
      if (f.active !== undefined) q = q.where('active', '=', f.active)
      if (f.q)
        q = q.where((eb) => eb.or([eb('name', 'like', contains(f.q as string)), eb('code', '=', (f.q as string).toUpperCase())]))
      return (await q.orderBy('code').execute()).map(out)
    },

    async get(p: Principal, code: string) {
      p.require('region.read')
      return out(await row(code))
    },

    async departments(p: Principal) {
      p.require('region.read')
      return (await db.selectFrom('departments').selectAll().orderBy('code').execute()).map((d) => ({
        code: d.code,
        name: d.name,
        nameEn: d.name_en,
      }))
    },

    /** Versioned edit; applies to cases opened afterwards (a case keeps the version it started with). */
    async update(p: Principal, code: string, patch: CatalogPatch) {
      p.require('catalog.admin')
      if (patch.department) await requireDepartment(patch.department)
      const result = await db.transaction().execute(async (trx) => {
        const r = await trx.selectFrom('case_catalog').selectAll().where('code', '=', code).forUpdate().executeTakeFirst()
        if (!r) throw missing(code)()
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
        const changed = Object.fromEntries(
          Object.entries(next)
            .filter(([k, v]) => r[k as keyof Row] !== v)
            .map(([k, v]) => [k, { old: r[k as keyof Row], new: v }]),
        )
        if (!Object.keys(changed).length) return out(r)
        const updated = await trx
          .updateTable('case_catalog')
          .set({ ...next, version: r.version + 1, updated_at: sql`now()`, updated_by: p.actor })
          .where('code', '=', code)
          .returningAll()
          .executeTakeFirstOrThrow()
        await audit(trx, {
          actor: p.actor,
          action: 'catalog.update',
          objectType: 'catalog',
          objectId: code,
          reason: patch.reason,
          requestId: p.requestId,
          clientIp: p.clientIp,
          details: { version: r.version + 1, changes: changed },
        })
        return out(updated)
      })
      changed() // after the commit: a cache refilled before it would keep the old entry
      return result
    },

    /** Earlier versions of an entry: its changes as the audit log has them. */
    async history(p: Principal, code: string) {
      p.require('region.read')
      await row(code)
      const { items } = await listAudit(db, { objectType: 'catalog', objectId: code }, 200, 0)
      return items.map((a) => ({
        at: a.at,
        actor: a.actor,
        reason: a.reason,
        version: Number((a.details as { version?: number }).version ?? 0),
        changes: ((a.details as { changes?: unknown }).changes ?? {}) as Record<string, { old: unknown; new: unknown }>,
      }))
    },

    async rules(p: Principal, catalogCode?: string) {
      p.require('region.read')
      let q = db.selectFrom('routing_rules').selectAll()
      if (catalogCode) q = q.where('catalog_code', '=', catalogCode)
      return (await q.orderBy('catalog_code').orderBy('region').execute()).map((r) => ({
        id: Number(r.id),
        catalogCode: r.catalog_code,
        region: r.region,
        department: r.department,
        note: r.note,
        createdBy: r.created_by,
      }))
    },

    async addRule(p: Principal, input: { catalogCode: string; region: string; department: string; note?: string | undefined }) {
      p.require('catalog.admin')
      await row(input.catalogCode)
      await requireDepartment(input.department)
      const region = await db.selectFrom('regions').select('code').where('code', '=', input.region).executeTakeFirst()
      if (!region) throw new AppError('REGION_NOT_FOUND', `No region ${input.region}`, { region: input.region })
      const created = await db.transaction().execute(async (trx) => {
        const r = await trx
          .insertInto('routing_rules')
          .values({
            catalog_code: input.catalogCode,
            region: input.region,
            department: input.department,
            note: input.note ?? null,
            created_by: p.actor,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
        await audit(trx, {
          actor: p.actor,
          action: 'routing_rule.create',
          objectType: 'routing_rule',
          objectId: Number(r.id),
          requestId: p.requestId,
          clientIp: p.clientIp,
          details: input,
        })
        return { id: Number(r.id), ...input, note: input.note ?? null, createdBy: p.actor }
      })
      changed()
      return created
    },

    async deleteRule(p: Principal, id: number) {
      p.require('catalog.admin')
      await db.transaction().execute(async (trx) => {
        const r = await trx.deleteFrom('routing_rules').where('id', '=', id).returningAll().executeTakeFirst()
        if (!r) throw new AppError('NOT_FOUND', `No routing rule ${id}`, { id })
        await audit(trx, {
          actor: p.actor,
          action: 'routing_rule.delete',
          objectType: 'routing_rule',
          objectId: id,
          requestId: p.requestId,
          clientIp: p.clientIp,
          details: { catalogCode: r.catalog_code, region: r.region, department: r.department },
        })
      })
      changed()
    },

    /** Who would get a case of this subclass at this point (or about this component)? */
    async route(
      p: Principal,
      input: { catalog: string; lng?: number | undefined; lat?: number | undefined; component?: string | undefined },
    ) {
      p.require('region.read')
      const entry = await row(input.catalog)
      let place: { grid: string | null; community: string } | undefined
      let componentDepartment: string | undefined
      let owner: { kind: 'enterprise' | 'department' | 'territory'; unit: string } | null = null
      if (input.component) {
        const c = await db
          .selectFrom('components')
          .select(['code', 'community_code', 'grid_code', 'competent_department', 'major', 'sub', 'owner_unit'])
          .where('code', '=', input.component)
          .executeTakeFirst()
        if (!c) throw new AppError('NOT_FOUND', `No component ${input.component}`, { code: input.component })
        place = { grid: c.grid_code, community: c.community_code }
        // The owner answers for its component (先属主) — unless the owner is the territory (后属地).
        owner = { kind: componentOwner(c.major, c.sub).kind, unit: c.owner_unit }
        if (entry.kind === 'component' && owner.kind !== 'territory') componentDepartment = c.competent_department
      } else if (input.lng !== undefined && input.lat !== undefined) {
        const l = await grids.lookup(input.lng, input.lat)
        place = { grid: l.grid, community: l.community }
      } else
        throw new AppError('VALIDATION_FAILED', 'Give a point (lng, lat) or a component', {
          issues: [{ path: 'lng', message: 'required without component' }],
        })
      const decided = await responsible(entry, place, componentDepartment)
      return {
        catalog: entry.code,
        ...decided,
        owner,
        grid: place.grid,
        community: place.community,
        street: codeAt(place.community, 'street'),
        district: codeAt(place.community, 'district'),
        limits: out(entry).limits,
      }
    },
  }
}

export type CatalogService = ReturnType<typeof createCatalogService>
