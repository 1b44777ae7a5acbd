// Grid queries and the writes a partition run makes (Kysely only).
import { type Kysely, sql, type Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import { startsWith } from '../../kernel/like.js'
import type { GridRow } from './grids.plan.js'

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

    /** Occupied-household and resident counts per dwelling, with building positions, for some
     *  communities (a street at a time keeps a partition run to few round trips). */
    dwellingsIn: async (communities: string[], trx: Db = db) => {
      // The codes are inlined (digits only) and matched with `in`, so that PostgreSQL estimates
      // each street from its statistics: `like 'street%'` as a filter next to the index range was
      // estimated at a few rows, and the nested loops it chose took minutes on the whole city.
      for (const c of communities) if (!/^\d{12}$/.test(c)) throw new Error(`not a community code: ${c}`)
      const list = sql.join(communities.map((c) => sql.lit(c)))
      const r = await sql<{
        id: string
        building_id: string
        community_code: string
        grid_code: string | null
        building_grid_code: string | null
        unit: number
        floor: number
        lng: number
        lat: number
        households: number
        residents: number
      }>`
        select d.id, d.building_id, d.community_code, d.grid_code, b.grid_code as building_grid_code, d.unit, d.floor, b.lng, b.lat,
               coalesce(h.n, 0)::int as households, coalesce(p.n, 0)::int as residents
        from dwellings d
        join buildings b on b.id = d.building_id and b.community_code in (${list})
        left join (select dwelling_id, count(*) as n from households where community_code in (${list}) group by dwelling_id) h on h.dwelling_id = d.id
        left join (select dwelling_id, count(*) as n from persons where community_code in (${list}) and status = 'active' group by dwelling_id) p on p.dwelling_id = d.id
        where d.community_code in (${list})`.execute(trx)
      return r.rows
    },

    buildingsWithoutDwellingsUnder: (prefix: string, trx: Db = db) =>
      trx
        .selectFrom('buildings as b')
        .select(['b.id', 'b.community_code', 'b.grid_code', 'b.lng', 'b.lat'])
        .where('b.community_code', 'like', startsWith(prefix))
        .where((eb) => eb.not(eb.exists(eb.selectFrom('dwellings as d').select('d.id').whereRef('d.building_id', '=', 'b.id'))))
        .execute(),

    gridsUnder: (prefix: string, trx: Db = db) =>
      trx
        .selectFrom('grids')
        .select(['code', 'community_code', 'seq', 'signature', 'status'])
        .where('community_code', 'like', startsWith(prefix))
        .execute(),

    componentsUnder: (prefix: string, trx: Db = db) =>
      trx
        .selectFrom('components')
        .select(['id', 'community_code', 'lng', 'lat'])
        .where('community_code', 'like', startsWith(prefix))
        .execute(),

    /** Inserts or replaces grid rows (multi-row upsert; a replaced row's version goes up). */
    async upsertGrids(trx: Transaction<DB>, rows: GridRow[], runId: number | null) {
      const cols = [...Object.keys(rows[0] ?? {}).filter((c) => c !== 'code'), 'run_id'] as (keyof GridRow | 'run_id')[]
      for (let i = 0; i < rows.length; i += 500)
        await trx
          .insertInto('grids')
          .values(rows.slice(i, i + 500).map((r) => ({ ...r, run_id: runId, retired_at: null })))
          .onConflict((oc) =>
            oc.column('code').doUpdateSet((eb) => ({
              ...Object.fromEntries(cols.map((c) => [c, eb.ref(`excluded.${c}`)])),
              retired_at: null,
              version: sql`grids.version + 1`,
              updated_at: sql`now()`,
            })),
          )
          .execute()
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
