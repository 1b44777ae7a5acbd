// Region queries (Kysely only). Subtrees and ancestors go through the ltree path and its GiST index.
import { type Insertable, type Kysely, sql, type Transaction } from 'kysely'
import type { DB, RegionGeometriesTable, RegionsTable } from '../../db/schema.js'
import { contains, startsWith } from '../../kernel/like.js'

const SUMMARY = ['code', 'name', 'level', 'kind'] as const

export function createRegionsRepository(db: Kysely<DB>) {
  return {
    findByCode: (code: string) =>
      db
        .selectFrom('regions')
        .select([
          ...SUMMARY,
          'parent_code',
          'path',
          'pinyin',
          'initials',
          'centroid_lng',
          'centroid_lat',
          'source',
          'version',
          'updated_at',
        ])
        .where('code', '=', code)
        .executeTakeFirst(),

    /** Ancestors from the city down, excluding the region itself. */
    listAncestors: (path: string) =>
      db
        .selectFrom('regions')
        .select(SUMMARY)
        .where(sql<boolean>`path @> ${path}::ltree`)
        .where(sql<boolean>`path <> ${path}::ltree`)
        .orderBy(sql`nlevel(path)`)
        .execute(),

    listChildren: (code: string) =>
      db.selectFrom('regions').select(SUMMARY).where('parent_code', '=', code).orderBy('code').execute(),

    countDescendantsByLevel: (path: string) =>
      db
        .selectFrom('regions')
        .select(['level', (eb) => eb.fn.countAll<number>().as('n')])
        .where(sql<boolean>`path <@ ${path}::ltree`)
        .where(sql<boolean>`path <> ${path}::ltree`)
        .groupBy('level')
        .execute(),

    findGeometry: (code: string) =>
      db
        .selectFrom('region_geometries as g')
        .innerJoin('regions as r', 'r.code', 'g.code')
        .select([
          'r.code',
          'r.name',
          'r.level',
          'g.geometry',
          'g.synthetic',
          'g.source',
          'g.area_m2',
          'g.min_lng',
          'g.min_lat',
          'g.max_lng',
          'g.max_lat',
          'r.centroid_lng',
          'r.centroid_lat',
        ])
        .where('g.code', '=', code)
        .executeTakeFirst(),

    listChildGeometries: (code: string) =>
      db
        .selectFrom('region_geometries as g')
        .innerJoin('regions as r', 'r.code', 'g.code')
        .select([
          'r.code',
          'r.name',
          'r.level',
          'g.geometry',
          'g.synthetic',
          'g.source',
          'g.area_m2',
          'g.min_lng',
          'g.min_lat',
          'g.max_lng',
          'g.max_lat',
          'r.centroid_lng',
          'r.centroid_lat',
        ])
        .where('r.parent_code', '=', code)
        .orderBy('r.code')
        .execute(),

    /** Name fragment, full pinyin prefix or pinyin-initials prefix; best matches first. */
    search: async (f: {
      q?: string | undefined
      level?: string | undefined
      within?: string | undefined
      limit: number
      offset: number
    }) => {
      let query = db.selectFrom('regions')
      if (f.level) query = query.where('level', '=', f.level as DB['regions']['level'])
      if (f.within) query = query.where(sql<boolean>`path <@ (select path from regions w where w.code = ${f.within})`)
      const q = f.q?.trim()
      const lower = q?.toLowerCase().replace(/\s+/g, '')
      if (q && lower) {
        const like = contains(q)
        const prefix = startsWith(lower)
        query = query.where((eb) =>
          eb.or([
            eb('name', 'ilike', like),
            eb('initials', 'like', prefix),
            eb('pinyin', 'like', prefix),
            eb('code', 'like', startsWith(q)),
          ]),
        )
      }
      const total = await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
      let ordered = query.select([...SUMMARY, 'parent_code', 'path'])
      if (q && lower) {
        ordered = ordered.orderBy(
          sql`case when name = ${q} then 0 when initials = ${lower} or pinyin = ${lower} then 1 when name like ${startsWith(q)} then 2 when initials like ${startsWith(lower)} then 3 else 4 end`,
        )
      }
      const items = await ordered.orderBy(sql`nlevel(path)`).orderBy('code').limit(f.limit).offset(f.offset).execute()
      return { items, total: Number(total.n) }
    },
  }
}

export type RegionsRepository = ReturnType<typeof createRegionsRepository>

/** The loader's statements: a data file's regions and outlines written as one dataset, by checksum. */
export const regionsLoad = {
  /** The checksum of the dataset last loaded under this name. */
  checksum: async (db: Kysely<DB>, name: string) =>
    (await db.selectFrom('reference_datasets').select('checksum').where('name', '=', name).executeTakeFirst())?.checksum,
  /** Regions inserted, or renamed and moved (their version up). */
  upsertRegions: (trx: Transaction<DB>, rows: Insertable<RegionsTable>[]) =>
    trx
      .insertInto('regions')
      .values(rows)
      .onConflict((oc) =>
        oc.column('code').doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          pinyin: eb.ref('excluded.pinyin'),
          initials: eb.ref('excluded.initials'),
          centroid_lng: eb.ref('excluded.centroid_lng'),
          centroid_lat: eb.ref('excluded.centroid_lat'),
          source: eb.ref('excluded.source'),
          version: sql<number>`regions.version + 1`,
          updated_at: sql`now()`,
        })),
      )
      .execute(),
  upsertGeometries: (trx: Transaction<DB>, rows: Insertable<RegionGeometriesTable>[]) =>
    trx
      .insertInto('region_geometries')
      .values(rows)
      .onConflict((oc) =>
        oc.column('code').doUpdateSet((eb) => ({
          geometry: eb.ref('excluded.geometry'),
          min_lng: eb.ref('excluded.min_lng'),
          min_lat: eb.ref('excluded.min_lat'),
          max_lng: eb.ref('excluded.max_lng'),
          max_lat: eb.ref('excluded.max_lat'),
          area_m2: eb.ref('excluded.area_m2'),
          synthetic: eb.ref('excluded.synthetic'),
          source: eb.ref('excluded.source'),
        })),
      )
      .execute(),
  /** The dataset noted as loaded, with its checksum. */
  loaded: (trx: Transaction<DB>, d: { name: string; checksum: string; meta: string }) =>
    trx
      .insertInto('reference_datasets')
      .values(d)
      .onConflict((oc) => oc.column('name').doUpdateSet({ checksum: d.checksum, meta: d.meta, loaded_at: sql`now()` }))
      .execute(),
}
