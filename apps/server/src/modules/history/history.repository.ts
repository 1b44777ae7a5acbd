// The change log's SQL: entries written in the caller's transaction (a thousand to a statement),
// and one record's entries read newest first; and the shared store's two statements over an
// owner's table (find by key, update from rows). Every statement is rendered to
// history.repository.sql by its test.
import { type Insertable, type Kysely, sql, type Transaction } from 'kysely'
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
  /**
   * The records of `table` whose `keyColumn` is one of `keys`, with the `[column, as]` fields. The
   * keys as one array that the key's index probes (`= any`): planned as a join from the keys, a
   * table without fresh statistics (the embedded engine has no autovacuum) was hashed whole for
   * every batch of 2,000 keys.
   */
  findByKey: async (
    db: Db,
    table: string,
    keyColumn: string,
    keys: readonly string[],
    fields: readonly (readonly [string, string])[],
  ) => {
    const cols = fields.map(([c, as]) => sql`t.${sql.ref(c)} as ${sql.ref(as)}`)
    return (
      await sql<Record<string, unknown>>`
        select t.id, t.version, t.community_code, t.${sql.ref(keyColumn)} as key ${cols.length ? sql`, ${sql.join(cols)}` : sql``}
        from ${sql.table(table)} t where t.${sql.ref(keyColumn)} = any(${[...keys]}::text[])`.execute(db)
    ).rows
  },
  /** New values from rows of one shape (`id` and the columns), each a new version with provenance. */
  updateByRows: (db: Db, table: string, rows: readonly Record<string, unknown>[], by: { actor: string; department: string }) => {
    const cols = Object.keys(rows[0] as object).filter((c) => c !== 'id')
    return sql`update ${sql.table(table)} t set
        ${sql.join(cols.map((c) => sql`${sql.ref(c)} = x.${sql.ref(c)}`))},
        version = t.version + 1, updated_at = now(), updated_by = ${by.actor}, source = ${by.department}
      from jsonb_populate_recordset(null::${sql.table(table)}, ${JSON.stringify(rows)}::jsonb) x
      where t.id = x.id`.execute(db)
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
