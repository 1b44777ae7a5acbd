// Grid queries and the writes a partition run makes (Kysely only).
import { type Kysely, sql, type Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import { startsWith } from '../../kernel/like.js'

type Db = Kysely<DB> | Transaction<DB>

export function createGridsRepository(db: Kysely<DB>) {
  return {
    communitiesUnder: (region: string) =>
      db
        .selectFrom('regions as r')
        .innerJoin('region_geometries as g', 'g.code', 'r.code')
        .select(['r.code', 'g.geometry'])
        .where('r.level', '=', 'community')
        .where('r.code', 'like', startsWith(region))
        .orderBy('r.code')
        .execute(),

    /** Occupied-household and resident counts per dwelling, with building positions. */
    dwellingsOf: async (community: string, trx: Db = db) => {
      const r = await sql<{
        id: number
        building_id: number
        unit: number
        floor: number
        lng: number
        lat: number
        households: number
        residents: number
      }>`
        select d.id, d.building_id, d.unit, d.floor, b.lng, b.lat,
               coalesce(h.n, 0)::int as households, coalesce(p.n, 0)::int as residents
        from dwellings d
        join buildings b on b.id = d.building_id
        left join (select dwelling_id, count(*) as n from households where community_code = ${community} group by dwelling_id) h on h.dwelling_id = d.id
        left join (select dwelling_id, count(*) as n from persons where community_code = ${community} and status = 'active' group by dwelling_id) p on p.dwelling_id = d.id
        where d.community_code = ${community}
        order by d.id`.execute(trx)
      return r.rows
    },

    buildingsWithoutDwellings: (community: string, trx: Db = db) =>
      trx
        .selectFrom('buildings as b')
        .select(['b.id', 'b.lng', 'b.lat'])
        .where('b.community_code', '=', community)
        .where((eb) => eb.not(eb.exists(eb.selectFrom('dwellings as d').select('d.id').whereRef('d.building_id', '=', 'b.id'))))
        .execute(),

    gridsOf: (community: string, trx: Db = db) =>
      trx.selectFrom('grids').select(['code', 'seq', 'signature', 'status']).where('community_code', '=', community).execute(),

    componentsOf: (community: string, trx: Db = db) =>
      trx.selectFrom('components').select(['id', 'lng', 'lat']).where('community_code', '=', community).execute(),

    /** Organizations take the grid of their building (households and persons follow their dwelling). */
    async propagate(trx: Transaction<DB>, community: string) {
      await sql`update organizations o set grid_code = b.grid_code from buildings b where b.id = o.building_id and o.community_code = ${community} and o.grid_code is distinct from b.grid_code`.execute(
        trx,
      )
    },

    async setCodes(trx: Transaction<DB>, table: 'buildings' | 'dwellings' | 'components', pairs: [number, string][]) {
      for (let i = 0; i < pairs.length; i += 2000) {
        const chunk = pairs.slice(i, i + 2000)
        const values = sql.join(chunk.map(([id, code]) => sql`(${id}::bigint, ${code}::text)`))
        await sql`update ${sql.table(table)} t set grid_code = m.code from (values ${values}) as m(id, code) where t.id = m.id and t.grid_code is distinct from m.code`.execute(
          trx,
        )
      }
    },

    activeShapes: (region?: string) => {
      let q = db
        .selectFrom('grids')
        .select(['code', 'geometry', 'min_lng', 'min_lat', 'max_lng', 'max_lat'])
        .where('status', '=', 'active')
      if (region) q = q.where('community_code', 'like', startsWith(region))
      return q.execute()
    },
  }
}

export type GridsRepository = ReturnType<typeof createGridsRepository>
