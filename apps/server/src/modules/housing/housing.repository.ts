// The SQL of buildings and dwellings: the register's lists and records, and the grid codes the
// partition writes (other modules ask for those through housing's face).
import { type Expression, type Kysely, type SqlBool, sql, type Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import { setTextById } from '../../kernel/bulk.js'
import { startsWith } from '../../kernel/like.js'

/** A page of buildings in scope, by id; and how many there are. */
export async function listBuildings(
  db: Kysely<DB>,
  scope: Expression<SqlBool>,
  f: { region?: string | undefined; address?: string | undefined },
  limit: number,
  offset: number,
) {
  let q = db.selectFrom('buildings').where(scope)
  if (f.region) q = q.where('community_code', 'like', startsWith(f.region))
  if (f.address) q = q.where('address', 'like', startsWith(f.address))
  const [items, total] = await Promise.all([
    q.selectAll().orderBy('id').limit(limit).offset(offset).execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { items, total: Number(total.n) }
}

/**
 * Street addresses of buildings starting with `prefix` (for the residents' page: a public address,
 * never a flat or a resident), with the building's position.
 */
export const publicAddresses = (db: Kysely<DB>, prefix: string, limit: number) =>
  db
    .selectFrom('buildings')
    .select(['address', 'lng', 'lat'])
    .where('address', 'like', startsWith(prefix))
    .orderBy('address')
    .limit(limit)
    .execute()

/** A community's buildings as points with their street address (no flat, no resident): the
 *  residents' page draws them to place a pin without a tile server. */
export const publicBuildingsOf = (db: Kysely<DB>, community: string, limit: number) =>
  db
    .selectFrom('buildings')
    .select(['address', 'lng', 'lat'])
    .where('community_code', '=', community)
    .orderBy('id')
    .limit(limit)
    .execute()

/** Some community that has buildings (where a page with no position yet opens). */
export const someBuiltCommunity = async (db: Kysely<DB>) =>
  (await db.selectFrom('buildings').select('community_code').orderBy('id').limit(1).executeTakeFirst())?.community_code ?? null

export const findBuilding = (db: Kysely<DB>, id: number) =>
  db.selectFrom('buildings').selectAll().where('id', '=', id).executeTakeFirst()

/** A building's dwellings, unit by unit, floor by floor. */
export const dwellingsOfBuilding = (db: Kysely<DB>, buildingId: number) =>
  db
    .selectFrom('dwellings')
    .selectAll()
    .where('building_id', '=', buildingId)
    .orderBy('unit')
    .orderBy('floor')
    .orderBy('room')
    .execute()

export const findDwelling = (db: Kysely<DB>, id: number) =>
  db.selectFrom('dwellings').selectAll().where('id', '=', id).executeTakeFirst()

/** Buildings' grid codes by id. */
export const setBuildingGrids = (trx: Transaction<DB>, pairs: readonly [number, string][]) =>
  setTextById(trx, 'buildings', 'grid_code', pairs)

/** Dwellings' grid codes by id (a building split between grids). */
export const setDwellingGrids = (trx: Transaction<DB>, pairs: readonly [number, string][]) =>
  setTextById(trx, 'dwellings', 'grid_code', pairs)

/**
 * After a partition has written many grid codes: the planner's statistics of the buildings and
 * dwellings again (before them, a fresh load's grid codes were all null, and every query filtering
 * on a grid prefix was planned for one row — the night's visit lists of 越秀 took 16 s instead of 8).
 */
export async function analyzeGridCodes(db: Kysely<DB>) {
  await sql`analyze buildings (grid_code, community_code)`.execute(db)
  await sql`analyze dwellings (grid_code, community_code)`.execute(db)
}

/** The dwellings of these buildings (in these communities) take their building's grid code.
 *  The communities are inlined so that the planner reaches the dwellings through their
 *  community index instead of scanning the table. */
export async function dwellingsFollowBuildings(trx: Transaction<DB>, buildingIds: number[], communities: string[]) {
  for (const c of communities) if (!/^\d{12}$/.test(c)) throw new Error(`not a community code: ${c}`)
  const list = sql.join(communities.map((c) => sql.lit(c)))
  for (let i = 0; i < buildingIds.length; i += 20_000)
    await sql`update dwellings d set grid_code = b.grid_code from buildings b
      where d.community_code in (${list}) and b.id = any(${buildingIds.slice(i, i + 20_000)}::bigint[])
        and d.building_id = b.id and d.grid_code is distinct from b.grid_code`.execute(trx)
}
