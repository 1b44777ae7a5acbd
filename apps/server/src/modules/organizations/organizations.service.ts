// Organizations (法人/机构): enterprises, individual businesses, social organizations, institutions,
// agencies — identified by the unified social credit code (GB 32100), placed in a building.
// Personal data: an organization's phone is masked like a person's (first 3 + last 4); an individual
// business (个体工商户) is a private person, so its legal representative's name is masked too
// (surname kept). `?unmask=true&reason=…` shows them, as for persons: person.unmask there, a
// reason (or an open emergency window), and an audit entry.
import type { Kysely, Selectable } from 'kysely'
import type { DB, OrganizationsTable } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import { actorOf, mask, type Principal, scopeSql, unmask } from '../access/index.js'
import { diff, recordChange } from '../history/index.js'
import {
  buildingPlace,
  countOrganizationsByType,
  findOrganization,
  insertOrganization,
  listOrganizations,
  type OrganizationFilter,
} from './organizations.repository.js'

type OrgRow = Selectable<OrganizationsTable>

const out = (o: OrgRow, unmasked = false) => ({
  id: Number(o.id),
  uscc: o.uscc,
  name: o.name,
  type: o.type,
  industry: o.industry,
  legalRepresentative:
    unmasked || o.type !== 'individual_business' ? o.legal_representative : (mask.name(o.legal_representative) as string),
  phone: unmasked ? o.phone : mask.phone(o.phone),
  masked: !unmasked,
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
  /** One organization; `unmask` shows the phone (and an individual business's representative). */
  const get = async (p: Principal, id: number, opts: { unmask?: boolean | undefined; reason?: string | undefined } = {}) => {
    const o = await findOrganization(db, id)
    const missing = () => new AppError('NOT_FOUND', `No organization ${id}`, { id })
    if (!o) throw missing()
    const code = o.grid_code ?? o.community_code
    p.check('organization.read', code, missing)
    if (opts.unmask)
      await unmask(db, p, { code, objectType: 'organization', objectId: id, reason: opts.reason, notFound: missing })
    return out(o, !!opts.unmask)
  }
  return {
    get,
    async list(p: Principal, f: OrganizationFilter, page: number, pageSize: number) {
      p.require('organization.read')
      const scope = scopeSql(p, 'organization.read', { community: 'community_code', grid: 'grid_code' })
      const { items, total } = await listOrganizations(db, scope, f, pageSize, (page - 1) * pageSize)
      return { items: items.map((o) => out(o)), total, page, pageSize }
    },
    async create(p: Principal, input: OrganizationCreate) {
      const actor = actorOf(p)
      const id = await db.transaction().execute(async (trx) => {
        const b = await buildingPlace(trx, input.buildingId)
        const unknownBuilding = () =>
          new AppError('VALIDATION_FAILED', 'Unknown building', {
            issues: [{ path: 'buildingId', message: `No building ${input.buildingId}` }],
          })
        if (!b) throw unknownBuilding()
        p.check('organization.write', b.grid_code ?? b.community_code, unknownBuilding)
        const orgId = await insertOrganization(trx, {
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
        await recordChange(trx, {
          entity: 'organization',
          entityId: orgId,
          version: 1,
          action: 'create',
          changes: diff({}, { ...input }),
          actor: actor.id,
          source: input.source,
          requestId: actor.requestId,
          clientIp: actor.clientIp,
        })
        return orgId
      })
      // The writer may lack organization.read (a data provider's feed): answer with what was written.
      return out((await findOrganization(db, id)) as OrgRow)
    },
    /** Rows per type under a region (used by dashboards later). */
    countByType: (region: string) => countOrganizationsByType(db, region),
  }
}

export type OrganizationsService = ReturnType<typeof createOrganizationsService>
