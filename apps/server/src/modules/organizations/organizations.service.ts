// Organizations (法人/机构): enterprises, individual businesses, social organizations, institutions,
// agencies — identified by the unified social credit code (GB 32100), placed in a building.
import { type Kysely, type Selectable, sql } from 'kysely'
import type { DB, OrganizationsTable } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import { contains, startsWith } from '../../kernel/like.js'
import { actorOf, type Principal, scopeSql } from '../access/index.js'
import { diff, recordChange } from '../history/index.js'

type OrgRow = Selectable<OrganizationsTable>

const out = (o: OrgRow) => ({
  id: Number(o.id),
  uscc: o.uscc,
  name: o.name,
  type: o.type,
  industry: o.industry,
  legalRepresentative: o.legal_representative,
  phone: o.phone,
  employees: o.employees,
  buildingId: o.building_id == null ? null : Number(o.building_id),
  address: o.address,
  communityCode: o.community_code,
  gridCode: o.grid_code,
  location: o.lng == null || o.lat == null ? null : ([o.lng, o.lat] as [number, number]),
  establishedOn: o.established_on,
  status: o.status,
  source: o.source,
  version: o.version,
})

export interface OrganizationCreate {
  uscc: string
  name: string
  type: string
  industry?: string | undefined
  legalRepresentative: string
  phone?: string | undefined
  employees: number
  buildingId: number
  establishedOn?: string | undefined
  source: string
}

export function createOrganizationsService({ db }: { db: Kysely<DB> }) {
  const get = async (p: Principal, id: number) => {
    const o = await db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst()
    const missing = () => new AppError('NOT_FOUND', `No organization ${id}`, { id })
    if (!o) throw missing()
    p.check('organization.read', o.grid_code ?? o.community_code, missing)
    return out(o)
  }
  return {
    get,
    async list(
      p: Principal,
      f: { region?: string | undefined; q?: string | undefined; uscc?: string | undefined; type?: string | undefined },
      page: number,
      pageSize: number,
    ) {
      p.require('organization.read')
      let q = db
        .selectFrom('organizations')
        .where(scopeSql(p, 'organization.read', { community: 'community_code', grid: 'grid_code' }))
      if (f.region) q = q.where('community_code', 'like', startsWith(f.region))
      if (f.q) q = q.where('name', 'like', contains(f.q))
      if (f.uscc) q = q.where('uscc', '=', f.uscc.toUpperCase())
      if (f.type) q = q.where('type', '=', f.type as OrganizationsTable['type'])
      const [items, total] = await Promise.all([
        q
          .selectAll()
          .orderBy('id')
          .limit(pageSize)
          .offset((page - 1) * pageSize)
          .execute(),
        q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ])
      return { items: items.map(out), total: Number(total.n), page, pageSize }
    },
    async create(p: Principal, input: OrganizationCreate) {
      const actor = actorOf(p)
      const id = await db.transaction().execute(async (trx) => {
        const b = await trx
          .selectFrom('buildings')
          .select(['id', 'address', 'community_code', 'grid_code', 'lng', 'lat'])
          .where('id', '=', input.buildingId)
          .executeTakeFirst()
        const unknownBuilding = () =>
          new AppError('VALIDATION_FAILED', 'Unknown building', {
            issues: [{ path: 'buildingId', message: `No building ${input.buildingId}` }],
          })
        if (!b) throw unknownBuilding()
        p.check('organization.write', b.grid_code ?? b.community_code, unknownBuilding)
        const row = await trx
          .insertInto('organizations')
          .values({
            uscc: input.uscc,
            name: input.name,
            type: input.type as OrganizationsTable['type'],
            industry: input.industry ?? null,
            legal_representative: input.legalRepresentative,
            phone: input.phone ?? null,
            employees: input.employees,
            building_id: b.id,
            dwelling_id: null,
            address: b.address,
            community_code: b.community_code,
            grid_code: b.grid_code,
            lng: b.lng,
            lat: b.lat,
            established_on: input.establishedOn ?? null,
            source: input.source,
            load_id: null,
            updated_by: actor.id,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
        await recordChange(trx, {
          entity: 'organization',
          entityId: Number(row.id),
          version: 1,
          action: 'create',
          changes: diff({}, { ...input }),
          actor: actor.id,
          source: input.source,
          requestId: actor.requestId,
          clientIp: actor.clientIp,
        })
        return Number(row.id)
      })
      // The writer may lack organization.read (a data provider's feed): answer with what was written.
      const o = await db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
      return out(o)
    },
    /** Rows per type under a region (used by dashboards later). */
    countByType: (region: string) =>
      db
        .selectFrom('organizations')
        .select(['type', sql<number>`count(*)::int`.as('n')])
        .where('community_code', 'like', startsWith(region))
        .groupBy('type')
        .execute(),
  }
}

export type OrganizationsService = ReturnType<typeof createOrganizationsService>
