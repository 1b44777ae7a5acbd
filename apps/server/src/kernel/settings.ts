// The settings store: one versioned JSON value per key (`cases.settings`, `roster.policy`,
// `evaluation.weights`, `access.known_permissions` …). Each key belongs to the module that names it;
// the table belongs to no module, and this is the only code that touches it.
import { type Kysely, sql } from 'kysely'
import type { DB } from '../db/schema.js'

export interface SettingRow<T> {
  value: T
  version: number
}

/** A key's value and version (`forUpdate`: locked until the caller's transaction ends). */
export async function readSetting<T>(
  conn: Kysely<DB>,
  key: string,
  opts: { forUpdate?: boolean } = {},
): Promise<SettingRow<T> | undefined> {
  let q = conn.selectFrom('settings').select(['value', 'version']).where('key', '=', key)
  if (opts.forUpdate) q = q.forUpdate()
  const row = await q.executeTakeFirst()
  return row ? { value: row.value as T, version: row.version } : undefined
}

/** Writes a key's value; its version goes up by one (a new key starts at 1). Answers the version. */
export async function writeSetting(conn: Kysely<DB>, key: string, value: unknown, updatedBy: string): Promise<number> {
  const row = await conn
    .insertInto('settings')
    .values({ key, value: JSON.stringify(value), updated_by: updatedBy })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        value: JSON.stringify(value),
        version: sql`settings.version + 1`,
        updated_by: updatedBy,
        updated_at: sql`now()`,
      }),
    )
    .returning('version')
    .executeTakeFirstOrThrow()
  return row.version
}

/** A key's value, written first as `value` when the key is absent (concurrent first writers agree on one). */
export async function ensureSetting<T>(conn: Kysely<DB>, key: string, value: T, updatedBy: string): Promise<T> {
  await conn
    .insertInto('settings')
    .values({ key, value: JSON.stringify(value), updated_by: updatedBy })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute()
  return (await readSetting<T>(conn, key))?.value as T
}
