// Grid queries and the writes a partition run makes (Kysely only).
import { type Expression, type Kysely, type SqlBool, sql, type Transaction } from 'kysely'
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

    /** Every community's outline (the lookup index's second layer). */
    communityShapes: () =>
      db
        .selectFrom('region_geometries as g')
        .innerJoin('regions as r', 'r.code', 'g.code')
        .select(['g.code', 'g.geometry', 'g.min_lng', 'g.min_lat', 'g.max_lng', 'g.max_lat'])
        .where('r.level', '=', 'community')
        .execute(),

    /** Retires grids and drops their adjacency pairs. */
    async retire(trx: Transaction<DB>, codes: string[]) {
      await trx
        .updateTable('grids')
        .set({ status: 'retired', retired_at: new Date(), updated_at: new Date(), version: sql`version + 1` })
        .where('code', 'in', codes)
        .execute()
      await trx
        .deleteFrom('grid_adjacency')
        .where((eb) => eb.or([eb('a', 'in', codes), eb('b', 'in', codes)]))
        .execute()
    },

    /** The adjacency pairs of some grids, replaced by `pairs`. */
    async replaceAdjacency(trx: Transaction<DB>, codes: string[], pairs: { a: string; b: string; sharedM: number }[]) {
      for (let i = 0; i < codes.length; i += 5000) {
        const chunk = codes.slice(i, i + 5000)
        await trx
          .deleteFrom('grid_adjacency')
          .where((eb) => eb.or([eb('a', 'in', chunk), eb('b', 'in', chunk)]))
          .execute()
      }
      for (let i = 0; i < pairs.length; i += 2000)
        await trx
          .insertInto('grid_adjacency')
          .values(pairs.slice(i, i + 2000).map((p) => ({ a: p.a, b: p.b, shared_m: p.sharedM })))
          .execute()
    },

    /** Adjacent pairs with both grids in a community (under a lock the caller holds). */
    adjacencyWithin: (trx: Db, community: string) =>
      trx
        .selectFrom('grid_adjacency')
        .select(['a', 'b'])
        .where('a', 'like', startsWith(community))
        .where('b', 'like', startsWith(community))
        .execute(),

    startRun: async (region: string, policy: unknown) =>
      Number(
        (
          await db
            .insertInto('grid_partition_runs')
            .values({ region_code: region, policy: JSON.stringify(policy), quality: null })
            .returning('id')
            .executeTakeFirstOrThrow()
        ).id,
      ),

    finishRun: (id: number, report: unknown, changed: number) =>
      db
        .updateTable('grid_partition_runs')
        .set({ quality: JSON.stringify(report), changed_communities: changed, finished_at: new Date() })
        .where('id', '=', id)
        .execute(),

    /** A page of active grids under a region (or the one grid) within the caller's scope, and their number. */
    async page(
      f: { region: string | undefined; grid: string | undefined },
      scope: Expression<SqlBool>,
      limit: number,
      offset: number,
    ) {
      let q = db.selectFrom('grids').where('status', '=', 'active').where(scope)
      if (f.region) q = q.where('community_code', 'like', startsWith(f.region))
      if (f.grid) q = q.where('code', '=', f.grid)
      const [items, total] = await Promise.all([
        q.select(SUMMARY_COLUMNS).orderBy('code').limit(limit).offset(offset).execute(),
        q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ])
      return { items, total: Number(total.n) }
    },

    find: (code: string) => db.selectFrom('grids').selectAll().where('code', '=', code).executeTakeFirst(),

    exists: async (code: string) => !!(await db.selectFrom('grids').select('code').where('code', '=', code).executeTakeFirst()),

    statuses: (codes: string[]) => db.selectFrom('grids').select(['code', 'status']).where('code', 'in', codes).execute(),

    /** The map layer under a region as GeoJSON Feature texts joined by commas (null: none). */
    async layerFeatures(community: string, scope: Expression<SqlBool>) {
      const r = await db
        .selectFrom('grids')
        .where('status', '=', 'active')
        .where('community_code', 'like', startsWith(community))
        .where(scope)
        .select(
          sql<string | null>`string_agg(json_build_object('type', 'Feature', 'id', code::bigint, 'properties',
            json_build_object('code', code, 'name', name, 'community', community_code, 'households', households,
              'residents', residents), 'geometry', simplified)::text, ',' order by code)`.as('features'),
        )
        .executeTakeFirst()
      return r?.features ?? null
    },

    shape: (code: string) =>
      db
        .selectFrom('grids')
        .select([
          'code',
          'name',
          'community_code',
          'households',
          'status',
          'geometry',
          'simplified',
          'min_lng',
          'min_lat',
          'max_lng',
          'max_lat',
        ])
        .where('code', '=', code)
        .executeTakeFirst(),

    neighbours: (code: string) =>
      db
        .selectFrom('grid_adjacency as x')
        .innerJoin('grids as g', (j) => j.on(sql<boolean>`g.code = case when x.a = ${code} then x.b else x.a end`))
        .select(['g.code', 'g.name', 'g.community_code', 'g.households', 'x.shared_m'])
        .where((eb) => eb.or([eb('x.a', '=', code), eb('x.b', '=', code)]))
        .orderBy('g.code')
        .execute(),

    /** The active grids of a community with their household counts. */
    activeIn: (community: string) =>
      db
        .selectFrom('grids')
        .select(['code', 'households'])
        .where('community_code', '=', community)
        .where('status', '=', 'active')
        .orderBy('code')
        .execute(),

    /** The active grids of a community as the map draws them. */
    activeShapesIn: <G>(community: string) =>
      db
        .selectFrom('grids')
        .select(['code', 'households', 'residents', 'buildings', 'simplified'])
        .where('community_code', '=', community)
        .where('status', '=', 'active')
        .orderBy('code')
        .$narrowType<{ simplified: G }>()
        .execute(),

    /** Locks a community's active grids (a manual adjustment's transaction). */
    lockActiveIn: (trx: Transaction<DB>, community: string) =>
      trx
        .selectFrom('grids')
        .select(['code', 'version', 'geometry'])
        .where('community_code', '=', community)
        .where('status', '=', 'active')
        .orderBy('code')
        .forUpdate()
        .execute(),

    /** The communities of a building, or of some dwellings (an adjustment moving them). */
    placesOf: (a: { buildingId: number } | { dwellingIds: number[] }) =>
      'buildingId' in a
        ? db.selectFrom('buildings').select('community_code').where('id', '=', a.buildingId).execute()
        : db.selectFrom('dwellings').select('community_code').distinct().where('id', 'in', a.dwellingIds).execute(),

    countUnder: async (region: string) =>
      Number(
        (
          await db
            .selectFrom('grids')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('status', '=', 'active')
            .where('community_code', 'like', startsWith(region))
            .executeTakeFirstOrThrow()
        ).n,
      ),
  }
}

const SUMMARY_COLUMNS = [
  'code',
  'name',
  'community_code',
  'households',
  'residents',
  'buildings',
  'area_m2',
  'polsby_popper',
  'contiguous',
  'centroid_lng',
  'centroid_lat',
  'version',
] as const

export type GridsRepository = ReturnType<typeof createGridsRepository>
