// Buildings (楼栋) and dwellings (房屋): read side. A building lists its dwellings with their
// occupancy, rent and residents — what a grid needs to know about who rents and at what price.
import type { Kysely, Selectable } from 'kysely'
import type { BuildingsTable, DB, DwellingsTable } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import { mask, type Principal, scopeSql, unmask } from '../access/index.js'
import { activeResidentsOf, personView } from '../persons/index.js'
import { dwellingsOfBuilding, findBuilding, findDwelling, listBuildings } from './housing.repository.js'

export function createHousingService({ db }: { db: Kysely<DB> }) {
  const buildingOut = (b: Selectable<BuildingsTable>) => ({
    id: Number(b.id),
    code: b.code,
    communityCode: b.community_code,
    gridCode: b.grid_code,
    name: b.name,
    address: b.address,
    use: b.use,
    floors: b.floors,
    units: b.units,
    builtYear: b.built_year,
    location: [b.lng, b.lat] as [number, number],
    source: b.source,
    version: b.version,
  })
  return {
    async listBuildings(
      p: Principal,
      f: { region?: string | undefined; address?: string | undefined },
      page: number,
      pageSize: number,
    ) {
      p.require('housing.read')
      const scope = scopeSql(p, 'housing.read', { community: 'community_code', grid: 'grid_code' })
      const { items, total } = await listBuildings(db, scope, f, pageSize, (page - 1) * pageSize)
      return { items: items.map(buildingOut), total, page, pageSize }
    },

    async building(p: Principal, id: number) {
      const b = await findBuilding(db, id)
      const missing = () => new AppError('NOT_FOUND', `No building ${id}`, { id })
      if (!b) throw missing()
      p.check('housing.read', b.grid_code ?? b.community_code, missing)
      const dwellings = await dwellingsOfBuilding(db, id)
      // Residents only for callers who may read persons here (masked as in the person API).
      const canSeePersons = dwellings.some((d) => p.allows('person.read', d.grid_code ?? d.community_code))
      const residents = await activeResidentsOf(
        db,
        dwellings.map((d) => Number(d.id)),
      )
      const byDwelling = new Map<number, ReturnType<typeof personView>[]>()
      for (const r of residents) {
        if (!canSeePersons || !p.allows('person.read', r.grid_code ?? r.community_code)) continue
        const list = byDwelling.get(Number(r.dwelling_id)) ?? []
        list.push(personView(p, r))
        byDwelling.set(Number(r.dwelling_id), list)
      }
      const rented = dwellings.filter((d) => d.occupancy === 'rental')
      return {
        ...buildingOut(b),
        summary: {
          dwellings: dwellings.length,
          residents: residents.length,
          rented: rented.length,
          vacant: dwellings.filter((d) => d.occupancy === 'vacant').length,
          averageRent: rented.length ? Math.round(rented.reduce((s, d) => s + (d.rent_monthly ?? 0), 0) / rented.length) : null,
        },
        dwellings: dwellings.map((d) => ({ ...dwellingOut(d), residents: byDwelling.get(Number(d.id)) ?? [] })),
      }
    },

    /** One dwelling; `unmask` (with a reason, audited) shows the landlord's name and phone. */
    async dwelling(p: Principal, id: number, opts: { unmask?: boolean | undefined; reason?: string | undefined } = {}) {
      const d = await findDwelling(db, id)
      const missing = () => new AppError('NOT_FOUND', `No dwelling ${id}`, { id })
      if (!d) throw missing()
      const code = d.grid_code ?? d.community_code
      p.check('housing.read', code, missing)
      if (opts.unmask) await unmask(db, p, { code, objectType: 'dwelling', objectId: id, reason: opts.reason, notFound: missing })
      return dwellingOut(d, !!opts.unmask)
    },
  }
}

/** A landlord is a private person: name (surname kept) and phone masked unless unmasked, as for persons. */
function dwellingOut(d: Selectable<DwellingsTable>, unmasked = false) {
  return {
    id: Number(d.id),
    buildingId: Number(d.building_id),
    communityCode: d.community_code,
    gridCode: d.grid_code,
    unit: d.unit,
    floor: d.floor,
    room: d.room,
    address: d.address,
    areaM2: d.area_m2,
    use: d.use,
    occupancy: d.occupancy,
    rentMonthly: d.rent_monthly,
    landlordName: unmasked ? d.landlord_name : mask.name(d.landlord_name),
    landlordPhone: unmasked ? d.landlord_phone : mask.phone(d.landlord_phone),
    masked: !unmasked,
    hazardType: d.hazard_type,
    source: d.source,
    version: d.version,
  }
}

export type HousingService = ReturnType<typeof createHousingService>
