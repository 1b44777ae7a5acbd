// Backup and restore (`wangge backup`, `wangge restore`). PostgreSQL through its own tools: pg_dump's
// custom format (compressed, restorable table by table) and pg_restore in parallel jobs; the
// embedded engine as its data directory's gzipped tarball (PGlite's dumpDataDir), which is the
// whole cluster. A restore is verified at once: the audit chain recomputed, the statistics
// recounted from the base tables. (Point-in-time recovery on PostgreSQL is WAL archiving plus a base
// backup — PostgreSQL's own mechanism, described in docs/OPERATIONS.md.)
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { sql } from 'kysely'
import { type Database, openDatabase } from '../db/database.js'
import { verifyAudit } from '../modules/access/index.js'
import { createCaseStats, createStatsService } from '../modules/stats/index.js'

export interface Target {
  databaseUrl?: string | undefined
  dataDir: string
}

export class BackupError extends Error {}

/** A PostgreSQL client tool: on PATH, else the newest under /usr/lib/postgresql (Debian's layout). */
export function pgTool(name: 'pg_dump' | 'pg_restore'): string {
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir && existsSync(join(dir, name))) return join(dir, name)
  const root = '/usr/lib/postgresql'
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : []
  for (const v of versions) if (existsSync(join(root, v, 'bin', name))) return join(root, v, 'bin', name)
  throw new BackupError(`${name} not found (apt-get install postgresql-client)`)
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'pipe'] })
    let err = ''
    child.stderr.on('data', (d) => {
      err += String(d)
    })
    child.on('error', reject)
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new BackupError(`${cmd.split('/').pop()} exited with ${code}: ${err.trim()}`)),
    )
  })
}

/** Writes a backup of the configured database to `out`. */
export async function backup(t: Target, out: string): Promise<{ engine: Database['engine']; bytes: number; ms: number }> {
  const t0 = Date.now()
  if (t.databaseUrl) {
    await run(pgTool('pg_dump'), [
      '--format=custom',
      '--no-owner',
      '--no-privileges',
      `--file=${out}`,
      `--dbname=${t.databaseUrl}`,
    ])
    return { engine: 'postgres', bytes: statSync(out).size, ms: Date.now() - t0 }
  }
  if (!existsSync(join(t.dataDir, 'pglite'))) throw new BackupError(`no embedded database under ${t.dataDir}`)
  const database = await openDatabase({ dataDir: t.dataDir })
  try {
    const dump = await (database.dumpDataDir as NonNullable<Database['dumpDataDir']>)()
    writeFileSync(out, Buffer.from(await dump.arrayBuffer()))
  } finally {
    await database.close()
  }
  return { engine: 'pglite', bytes: statSync(out).size, ms: Date.now() - t0 }
}

/** Restores a backup into the configured database: an empty one, or (`clean`) replacing what is there. */
export async function restore(
  t: Target,
  from: string,
  opts: { clean?: boolean; jobs?: number } = {},
): Promise<{ engine: Database['engine']; ms: number; replaced?: string }> {
  const t0 = Date.now()
  if (!existsSync(from)) throw new BackupError(`no backup file ${from}`)
  if (t.databaseUrl) {
    const database = await openDatabase({ databaseUrl: t.databaseUrl, dataDir: 'unused', poolSize: 1 })
    const tables = await sql<{ n: number }>`
      select count(*)::int as n from pg_tables where schemaname = 'public'`
      .execute(database.db)
      .finally(() => database.close())
    if ((tables.rows[0]?.n ?? 0) > 0 && !opts.clean)
      throw new BackupError('the target database is not empty: restore into an empty database, or pass --clean to replace it')
    await run(pgTool('pg_restore'), [
      `--jobs=${opts.jobs ?? 2}`,
      '--no-owner',
      '--no-privileges',
      '--exit-on-error',
      ...(opts.clean ? ['--clean', '--if-exists'] : []),
      `--dbname=${t.databaseUrl}`,
      from,
    ])
    return { engine: 'postgres', ms: Date.now() - t0 }
  }
  const dir = join(t.dataDir, 'pglite')
  let replaced: string | undefined
  if (existsSync(dir) && readdirSync(dir).length) {
    if (!opts.clean)
      throw new BackupError(`${dir} holds a database: restore into an empty data directory, or pass --clean to replace it`)
    // Kept aside, not deleted: a restore that goes wrong must not have cost the data it replaced.
    replaced = `${dir}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`
    renameSync(dir, replaced)
  }
  const database = await openDatabase({ dataDir: t.dataDir, loadDataDir: new Blob([readFileSync(from)]) })
  await database.close()
  return { engine: 'pglite', ms: Date.now() - t0, ...(replaced ? { replaced } : {}) }
}

/** What a restored database says about itself: its audit chain and its statistics. */
export async function verifyDatabase(t: Target) {
  const database = await openDatabase({ databaseUrl: t.databaseUrl, dataDir: t.dataDir, poolSize: 2 })
  try {
    const audit = await verifyAudit(database.db)
    const population = await createStatsService({ db: database.db }).drift()
    const cases = await createCaseStats({ db: database.db, clock: () => new Date() }).drift()
    return { audit, drift: population.length + cases.length }
  } finally {
    await database.close()
  }
}
