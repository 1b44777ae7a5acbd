// Numbered plain-SQL migrations (db/migrations/NNNN_name.sql), applied in order at start-up on both
// engines. Rules: a merged migration is never edited — its checksum is stored and a changed file
// stops start-up; each migration runs in its own transaction; concurrent starters serialise on a
// PostgreSQL advisory lock, so two processes never apply the same migration.
//
// Database functions and triggers are not migrations: their current text is db/functions/<name>.sql
// (one file per function, with the triggers that call it), re-applied with `create or replace` after
// the migrations whenever a file's checksum differs from the one last applied. A migration that
// needs a function to exist defines it itself (as the early ones did); dropping or renaming one is
// a migration, and its file goes with it. `functions.test.ts` checks that the files are exactly
// what the database holds.
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { type Kysely, sql } from 'kysely'
import type { DB } from './schema.js'

export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url))
export const FUNCTIONS_DIR = fileURLToPath(new URL('./functions/', import.meta.url))
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
  /** Function files (re)applied because they were new or changed. */
  functions: string[]
}

export interface FunctionFile {
  name: string
  sql: string
  checksum: string
}

export function readFunctions(dir = FUNCTIONS_DIR): FunctionFile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((file) => {
      const text = readFileSync(`${dir}/${file}`, 'utf8')
      return { name: file.slice(0, -4), sql: text, checksum: createHash('sha256').update(text).digest('hex') }
    })
}

export async function migrate(
  db: Kysely<DB>,
  migrations = readMigrations(),
  functions = readFunctions(),
): Promise<MigrationResult> {
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
      return { applied, version: migrations.at(-1)?.version ?? 0, functions: await applyFunctions(conn, functions) }
    } finally {
      await sql`select pg_advisory_unlock(${LOCK_KEY})`.execute(conn)
    }
  })
}

/** Applies the function files whose text changed since they were last applied, in one transaction.
 *  Bodies are not checked at creation (as pg_dump restores them), so the files' order is free. */
async function applyFunctions(conn: Kysely<DB>, files: FunctionFile[]): Promise<string[]> {
  await sql`create table if not exists schema_functions (
    name text primary key,
    checksum text not null,
    applied_at timestamptz not null default now()
  )`.execute(conn)
  const known = new Map(
    (await sql<{ name: string; checksum: string }>`select name, checksum from schema_functions`.execute(conn)).rows.map((r) => [
      r.name,
      r.checksum,
    ]),
  )
  const changed = files.filter((f) => known.get(f.name) !== f.checksum)
  if (changed.length === 0) return []
  await conn.transaction().execute(async (trx) => {
    await sql`set local check_function_bodies = off`.execute(trx)
    for (const f of changed) {
      await sql.raw(f.sql).execute(trx)
      await sql`insert into schema_functions (name, checksum) values (${f.name}, ${f.checksum})
        on conflict (name) do update set checksum = excluded.checksum, applied_at = now()`.execute(trx)
    }
  })
  return changed.map((f) => f.name)
}

export async function currentVersion(db: Kysely<DB>): Promise<number> {
  const row = await db
    .selectFrom('schema_migrations')
    .select((eb) => eb.fn.max('version').as('v'))
    .executeTakeFirst()
  return Number(row?.v ?? 0)
}
