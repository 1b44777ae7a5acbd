// The organizations' SQL: the register's list and record, registration, counts, and the grid codes
// the partition writes (asked for through organizations' face).
import { type Expression, type Insertable, type Kysely, type SqlBool, sql, type Transaction } from 'kysely'
import type { DB, OrganizationsTable } from '../../db/schema.js'
import { contains, startsWith } from '../../kernel/like.js'

type Db = Kysely<DB> | Transaction<DB>

export interface OrganizationFilter {
  region?: string | undefined
  q?: string | undefined
  uscc?: string | undefined
  type?: string | undefined
}

/** A page of organizations in scope, by id; and how many there are. */
export async function listOrganizations(
  db: Db,
  scope: Expression<SqlBool>,
  f: OrganizationFilter,
  limit: number,
  offset: number,
) {
  let q = db.selectFrom('organizations').where(scope)
  if (f.region) q = q.where('community_code', 'like', startsWith(f.region))
  if (f.q) q = q.where('name', 'like', contains(f.q))
  if (f.uscc) q = q.where('uscc', '=', f.uscc.toUpperCase())
  if (f.type) q = q.where('type', '=', f.type as OrganizationsTable['type'])
  const [items, total] = await Promise.all([
    q.selectAll().orderBy('id').limit(limit).offset(offset).execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { items, total: Number(total.n) }
}

export const findOrganization = (db: Db, id: number) =>
  db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst()

/** The building an organization is registered in (its address and place). */
export const buildingPlace = (db: Db, id: number) =>
  db
    .selectFrom('buildings')
    .select(['id', 'address', 'community_code', 'grid_code', 'lng', 'lat'])
    .where('id', '=', id)
    .executeTakeFirst()

export async function insertOrganization(trx: Transaction<DB>, values: Insertable<OrganizationsTable>): Promise<number> {
  const row = await trx.insertInto('organizations').values(values).returning('id').executeTakeFirstOrThrow()
  return Number(row.id)
}

/** Organizations per type under a region. */
export const countOrganizationsByType = (db: Db, region: string) =>
  db
    .selectFrom('organizations')
    .select(['type', sql<number>`count(*)::int`.as('n')])
    .where('community_code', 'like', startsWith(region))
    .groupBy('type')
    .execute()

/** Organizations under a region prefix take the grid of their building (after a partition). */
export async function organizationsFollowBuildings(trx: Transaction<DB>, prefix: string) {
  await sql`update organizations o set grid_code = b.grid_code from buildings b
    where b.id = o.building_id and o.community_code like ${startsWith(prefix)} and o.grid_code is distinct from b.grid_code`.execute(
    trx,
  )
}
