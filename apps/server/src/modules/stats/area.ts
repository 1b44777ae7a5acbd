// Whether a statistics area exists: a region (district, street, community) or a grid — the two
// tables the figures of a region subtree can be asked for.
import { isGridCode } from '@wangge/domain'
import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'

export async function areaExists(db: Kysely<DB>, code: string): Promise<boolean> {
  const row = await db
    .selectFrom(isGridCode(code) ? 'grids' : 'regions')
    .select('code')
    .where('code', '=', code)
    .executeTakeFirst()
  return row !== undefined
}
