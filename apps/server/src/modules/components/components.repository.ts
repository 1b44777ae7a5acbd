// The components' SQL: the register's list and lookup, and the grid codes the partition writes.
import type { Expression, Kysely, Selectable, SqlBool, Transaction } from 'kysely'
import type { ComponentsTable, DB } from '../../db/schema.js'
import { setTextById } from '../../kernel/bulk.js'
import { startsWith } from '../../kernel/like.js'

export interface ComponentFilter {
  region?: string | undefined
  major?: string | undefined
  sub?: string | undefined
  state?: string | undefined
}

/** A page of components in scope, by code; and how many there are. */
export async function listComponents(
  db: Kysely<DB>,
  scope: Expression<SqlBool>,
  f: ComponentFilter,
  limit: number,
  offset: number,
) {
  let q = db.selectFrom('components').where(scope)
  if (f.region) q = q.where('community_code', 'like', startsWith(f.region))
  if (f.major) q = q.where('major', '=', f.major)
  if (f.sub) q = q.where('sub', '=', f.sub)
  if (f.state) q = q.where('state', '=', f.state as Selectable<ComponentsTable>['state'])
  const [items, total] = await Promise.all([
    q.selectAll().orderBy('code').limit(limit).offset(offset).execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { items, total: Number(total.n) }
}

export const findComponent = (db: Kysely<DB>, code: string) =>
  db.selectFrom('components').selectAll().where('code', '=', code).executeTakeFirst()

/** Components' grid codes by id. */
export const setComponentGrids = (trx: Transaction<DB>, pairs: readonly [number, string][]) =>
  setTextById(trx, 'components', 'grid_code', pairs)
