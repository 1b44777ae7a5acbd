// Writes to buildings and dwellings that other modules ask for (the grid partition assigns them
// to grids). The read side lives in housing.service.ts.
import { sql, type Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import { setTextById } from '../../kernel/bulk.js'

/** Buildings' grid codes by id. */
export const setBuildingGrids = (trx: Transaction<DB>, pairs: readonly [number, string][]) =>
  setTextById(trx, 'buildings', 'grid_code', pairs)

/** Dwellings' grid codes by id (a building split between grids). */
export const setDwellingGrids = (trx: Transaction<DB>, pairs: readonly [number, string][]) =>
  setTextById(trx, 'dwellings', 'grid_code', pairs)

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
