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
