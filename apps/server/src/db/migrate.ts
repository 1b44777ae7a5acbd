// Numbered plain-SQL migrations (db/migrations/NNNN_name.sql), applied in order at start-up on both
// engines. Rules: a merged migration is never edited — its checksum is stored and a changed file
// stops start-up; each migration runs in its own transaction; concurrent starters serialise on a
// PostgreSQL advisory lock, so two processes never apply the same migration.
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { type Kysely, sql } from 'kysely'
import type { DB } from './schema.js'

export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url))
const LOCK_KEY = 0x77616e67 // 'wang'

export interface Migration {
  version: number
  name: string
  sql: string
  checksum: string
}

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.sql'))
  const migrations = files.map((file) => {
    const m = /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(file)
    if (!m) throw new Error(`migration file name must look like 0001_name.sql: ${file}`)
    const text = readFileSync(`${dir}/${file}`, 'utf8')
    return { version: Number(m[1]), name: m[2] as string, sql: text, checksum: createHash('sha256').update(text).digest('hex') }
  })
  migrations.sort((a, b) => a.version - b.version)
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(`migrations must be numbered 1..n without gaps; found ${m.version} at position ${i + 1}`)
  })
  return migrations
}

export interface MigrationResult {
  applied: number[]
  version: number
}

export async function migrate(db: Kysely<DB>, migrations = readMigrations()): Promise<MigrationResult> {
  return db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${LOCK_KEY})`.execute(conn)
    try {
      await sql`create table if not exists schema_migrations (
        version integer primary key,
        name text not null,
        checksum text not null,
        applied_at timestamptz not null default now()
      )`.execute(conn)
      const done = await conn.selectFrom('schema_migrations').selectAll().orderBy('version').execute()
      for (const row of done) {
        const m = migrations.find((x) => x.version === row.version)
        if (!m)
          throw new Error(
            `database has migration ${row.version} (${row.name}) that this code does not know; is the code older than the database?`,
          )
        if (m.checksum !== row.checksum)
          throw new Error(
            `migration ${row.version}_${row.name}.sql was edited after it was applied; write a new migration instead`,
          )
      }
      const applied: number[] = []
      for (const m of migrations) {
        if (done.some((d) => d.version === m.version)) continue
        await conn.transaction().execute(async (trx) => {
          await sql.raw(m.sql).execute(trx)
          await trx.insertInto('schema_migrations').values({ version: m.version, name: m.name, checksum: m.checksum }).execute()
        })
        applied.push(m.version)
      }
      return { applied, version: migrations.at(-1)?.version ?? 0 }
    } finally {
      await sql`select pg_advisory_unlock(${LOCK_KEY})`.execute(conn)
    }
  })
}

export async function currentVersion(db: Kysely<DB>): Promise<number> {
  const row = await db
    .selectFrom('schema_migrations')
    .select((eb) => eb.fn.max('version').as('v'))
    .executeTakeFirst()
  return Number(row?.v ?? 0)
}
