// Many rows in one statement with one parameter: the rows travel as a JSON array and PostgreSQL
// turns it into the table's row type (`jsonb_populate_recordset(null::table, …)`). Against a
// multi-row VALUES list this saves the query builder a node per value and the driver a parameter
// per value (9,000 parameters for 1,000 steps), which measured as most of the client's time in
// bulk writes. JSON carries dates as ISO strings, arrays as arrays and jsonb columns as objects —
// give a jsonb column its value, not a JSON string.
import { type Kysely, type RawBuilder, sql, type Transaction } from 'kysely'
import type { DB } from '../db/schema.js'

type Db = Kysely<DB> | Transaction<DB>

/** One row of `table`: column name → value (`undefined` columns are left out of every row). */
export type JsonRow<T extends keyof DB> = { [K in keyof DB[T] & string]?: unknown }

/**
 * `insert into table (columns) select columns from <rows> [tail]`, where the columns are those any
 * row gives (a row that lacks one gets null there, not the column default) and `tail` is e.g.
 * `on conflict … do nothing` or `returning *`.
 */
export async function insertJson<T extends keyof DB & string, R = never>(
  db: Db,
  table: T,
  rows: readonly JsonRow<T>[],
  tail: RawBuilder<unknown> = sql``,
): Promise<R[]> {
  if (!rows.length) return []
  const cols = new Set<string>()
  for (const r of rows) for (const k in r) if ((r as Record<string, unknown>)[k] !== undefined) cols.add(k)
  const list = sql.join([...cols].map((c) => sql.ref(c)))
  const result = await sql<R>`
    insert into ${sql.table(table)} (${list})
    select ${list} from jsonb_populate_recordset(null::${sql.table(table)}, ${JSON.stringify(rows)}::jsonb)
    ${tail}`.execute(db)
  return result.rows
}

/** `update table set column = value where id = …` for many (id, text value) pairs, one statement per
 *  50k rows; rows already holding the value are not rewritten. For the owner module of `table`. */
export async function setTextById(db: Db, table: keyof DB & string, column: string, pairs: readonly [number, string][]) {
  for (let i = 0; i < pairs.length; i += 50_000) {
    const chunk = pairs.slice(i, i + 50_000)
    await sql`update ${sql.table(table)} t set ${sql.ref(column)} = m.v
      from unnest(${chunk.map((p) => p[0])}::bigint[], ${chunk.map((p) => p[1])}::text[]) as m(id, v)
      where t.id = m.id and t.${sql.ref(column)} is distinct from m.v`.execute(db)
  }
}
