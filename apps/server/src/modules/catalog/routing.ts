// Routing rules (data, edited by administrators) and the routing dry run: "who would get this
// case?" for a subclass and a point or a component. Responsibility (DOMAIN.md §4): a component
// problem goes to the component's competent department first (部件 先属主后属地); an event goes to
// the territory's rule for the subclass — the most specific region with a routing rule — and
// otherwise to the catalog's answerable department.
import { codeAt, componentOwner } from '@wangge/domain'
import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import { audit, type Principal } from '../access/index.js'
import type { GridsService } from '../grids/index.js'
import type { RoutingRuleRow } from './catalog.repository.js'
import { type CatalogContext, entryOut, entryRow, requireDepartment } from './entries.js'

/**
 * The rules by catalog code, longest region first, kept in memory: refreshed after an edit seen by
 * this process (`changes()` moved), or after 5 s (another process's edit).
 */
export class Router {
  private cache: { at: number; stamp: number; byCode: Map<string, RoutingRuleRow[]> } | undefined

  constructor(
    private readonly ctx: CatalogContext,
    private readonly changes: () => number,
  ) {}

  private async rulesFor(code: string, trx: Kysely<DB>) {
    if (!this.cache || this.cache.stamp !== this.changes() || Date.now() - this.cache.at > 5_000) {
      const stamp = this.changes()
      const byCode = new Map<string, RoutingRuleRow[]>()
      for (const r of await this.ctx.repo.allRules(trx)) byCode.set(r.catalog_code, [...(byCode.get(r.catalog_code) ?? []), r])
      for (const rules of byCode.values()) rules.sort((a, b) => b.region.length - a.region.length)
      this.cache = { at: Date.now(), stamp, byCode }
    }
    return this.cache.byCode.get(code) ?? []
  }

  /** The department for a subclass at a place: the component's, else the most specific rule's, else the catalog's. */
  async responsible(
    entry: { code: string; department: string },
    place: { grid: string | null; community: string },
    componentDepartment?: string,
    /** The caller's transaction, when in one (the embedded engine has a single connection). */
    trx: Kysely<DB> = this.ctx.db,
  ) {
    const at = place.grid ?? place.community
    const rule = (await this.rulesFor(entry.code, trx)).find((r) => at.startsWith(r.region))
    return componentDepartment
      ? { department: componentDepartment, basis: 'component' as const, rule: null }
      : rule
        ? { department: rule.department, basis: 'routing_rule' as const, rule: { id: Number(rule.id), region: rule.region } }
        : { department: entry.department, basis: 'catalog' as const, rule: null }
  }
}

export async function rules({ repo }: CatalogContext, p: Principal, catalogCode?: string) {
  p.require('region.read')
  return (await repo.rules(catalogCode)).map((r) => ({
    id: Number(r.id),
    catalogCode: r.catalog_code,
    region: r.region,
    department: r.department,
    note: r.note,
    createdBy: r.created_by,
  }))
}

export async function addRule(
  ctx: CatalogContext,
  p: Principal,
  input: { catalogCode: string; region: string; department: string; note?: string | undefined },
) {
  const { db, repo } = ctx
  p.require('catalog.admin')
  await entryRow(ctx, input.catalogCode)
  await requireDepartment(ctx, input.department)
  if (!(await repo.regionExists(input.region)))
    throw new AppError('REGION_NOT_FOUND', `No region ${input.region}`, { region: input.region })
  const created = await db.transaction().execute(async (trx) => {
    const r = await repo.insertRule(trx, {
      catalog_code: input.catalogCode,
      region: input.region,
      department: input.department,
      note: input.note ?? null,
      created_by: p.actor,
    })
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
  ctx.changed()
  return created
}

export async function deleteRule(ctx: CatalogContext, p: Principal, id: number) {
  p.require('catalog.admin')
  await ctx.db.transaction().execute(async (trx) => {
    const r = await ctx.repo.deleteRule(trx, id)
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
  ctx.changed()
}

/** Who would get a case of this subclass at this point (or about this component)? */
export async function route(
  ctx: CatalogContext,
  router: Router,
  grids: GridsService,
  p: Principal,
  input: { catalog: string; lng?: number | undefined; lat?: number | undefined; component?: string | undefined },
) {
  p.require('region.read')
  const entry = await entryRow(ctx, input.catalog)
  let place: { grid: string | null; community: string } | undefined
  let componentDepartment: string | undefined
  let owner: { kind: 'enterprise' | 'department' | 'territory'; unit: string } | null = null
  if (input.component) {
    const c = await ctx.repo.component(input.component)
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
  const decided = await router.responsible(entry, place, componentDepartment)
  return {
    catalog: entry.code,
    ...decided,
    owner,
    grid: place.grid,
    community: place.community,
    street: codeAt(place.community, 'street'),
    district: codeAt(place.community, 'district'),
    limits: entryOut(entry).limits,
  }
}
