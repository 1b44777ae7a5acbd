// Writes to organizations that other modules ask for.
import { sql, type Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import { startsWith } from '../../kernel/like.js'

/** Organizations under a region prefix take the grid of their building (after a partition). */
export async function organizationsFollowBuildings(trx: Transaction<DB>, prefix: string) {
  await sql`update organizations o set grid_code = b.grid_code from buildings b
    where b.id = o.building_id and o.community_code like ${startsWith(prefix)} and o.grid_code is distinct from b.grid_code`.execute(
    trx,
  )
}
