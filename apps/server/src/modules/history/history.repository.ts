// The change log's SQL: entries written in the caller's transaction (a thousand to a statement),
// and one record's entries read newest first. Every statement is rendered to
// history.repository.sql by its test.
import type { Insertable, Kysely, Transaction } from 'kysely'
import type { ChangeLogTable, DB } from '../../db/schema.js'

type Db = Kysely<DB> | Transaction<DB>

export const historyRepository = {
  /** Entries appended, a thousand to a statement. */
  async append(trx: Db, rows: Insertable<ChangeLogTable>[]) {
    for (let i = 0; i < rows.length; i += 1000)
      await trx
        .insertInto('change_log')
        .values(rows.slice(i, i + 1000))
        .execute()
  },
  /** A record's entries, newest first, and how many it has. */
  async of(db: Kysely<DB>, entity: string, entityId: number, limit: number, offset: number) {
    const base = db.selectFrom('change_log').where('entity', '=', entity).where('entity_id', '=', entityId)
    const [items, total] = await Promise.all([
      base.selectAll().orderBy('id', 'desc').limit(limit).offset(offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ])
    return { items, total: Number(total.n) }
  },
}
