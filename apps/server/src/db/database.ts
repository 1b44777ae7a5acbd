// The one database handle: Kysely's PostgresDialect over a `pg` Pool in both modes —
//  - PostgreSQL when DATABASE_URL is set;
//  - embedded PGlite (PostgreSQL compiled to WebAssembly) under DATA_DIR otherwise, reached
//    through PGlite's node-postgres adapter, so there is one driver and one SQL dialect.
// PGlite has no PostGIS: geometry is GeoJSON in jsonb plus bbox columns; spatial work is in the app.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { PGlite } from '@electric-sql/pglite'
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist'
import { ltree } from '@electric-sql/pglite/contrib/ltree'
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm'
import { pgcrypto } from '@electric-sql/pglite/contrib/pgcrypto'
import { createPgConfig } from '@electric-sql/pglite/node-postgres'
import { Kysely, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import type { DB } from './schema.js'

// int8 → number (counts), numeric → number; `date` stays the 'YYYY-MM-DD' string it is (a JS Date
// would drag a time zone into a calendar day); timestamps become Date.
pg.types.setTypeParser(20, (v) => Number(v))
pg.types.setTypeParser(1700, (v) => Number(v))
pg.types.setTypeParser(1082, (v) => v)

export type Engine = 'pglite' | 'postgres'

export interface Database {
  db: Kysely<DB>
  engine: Engine
  /**
   * Runs `fn` on one dedicated driver connection (for bulk work: explicit BEGIN/COMMIT, COPY).
   * `copyIn` bulk-loads COPY text into a table on that same connection and transaction:
   * COPY FROM STDIN on PostgreSQL, COPY FROM '/dev/blob' on PGlite.
   */
  withClient<T>(fn: (client: pg.PoolClient, copyIn: CopyIn) => Promise<T>): Promise<T>
  /** Round trip to the engine; throws when unreachable. */
  ping(): Promise<void>
  /** The embedded engine's whole data directory as a gzipped tar (backups); absent on PostgreSQL. */
  dumpDataDir?: () => Promise<Blob>
  close(): Promise<void>
}

/** COPY text, as a string or as its UTF-8 bytes; `freeze` writes the rows frozen and all-visible
 *  (the table must have been created or truncated in this transaction). */
export type CopyIn = (
  table: string,
  columns: readonly string[],
  text: string | Uint8Array,
  opts?: { freeze?: boolean },
) => Promise<void>

const copyOptions = (opts?: { freeze?: boolean }) => (opts?.freeze ? ' with (freeze)' : '')

export interface DatabaseOptions {
  databaseUrl?: string | undefined
  /** Directory for the embedded engine; `memory://` keeps it in memory (tests). */
  dataDir: string
  poolSize?: number
  /** A PGlite data-directory dump (tar) to start from instead of an empty cluster (tests). */
  loadDataDir?: Blob
}

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 10 })
    // An idle client whose server connection drops (restart, failover, a forced DROP DATABASE)
    // emits 'error'; unhandled, that would crash the process. The pool replaces the client.
    pool.on('error', (err) => {
      process.emitWarning(`idle PostgreSQL client lost: ${err.message}`)
    })
    const copyIn =
      (client: pg.PoolClient): CopyIn =>
      async (table, columns, text, opts) => {
        const stream = client.query(copyFrom(`copy ${table} (${columns.join(', ')}) from stdin${copyOptions(opts)}`))
        const chunk = typeof text === 'string' ? text : Buffer.from(text.buffer, text.byteOffset, text.byteLength)
        await pipeline(Readable.from([chunk]), stream)
      }
    return wrap(new Kysely<DB>({ dialect: new PostgresDialect({ pool }) }), 'postgres', pool, copyIn, async () => {})
  }
  let dir = 'memory://'
  if (!opts.dataDir.startsWith('memory://')) {
    dir = join(opts.dataDir, 'pglite')
    mkdirSync(dir, { recursive: true })
  }
  const lite = await PGlite.create(dir, {
    extensions: { ltree, pg_trgm, btree_gist, pgcrypto },
    ...(opts.loadDataDir ? { loadDataDir: opts.loadDataDir } : {}),
  })
  // PGlite is single-connection: a pool of one serialises transactions, which is what it needs.
  const pool = new pg.Pool(createPgConfig(lite) as unknown as pg.PoolConfig)
  // PGlite is one session: a COPY issued on the instance runs inside the transaction the pool's
  // single connection has open. (COPY FROM STDIN through the node-postgres adapter crashes PGlite.)
  const copyIn = (): CopyIn => async (table, columns, text, opts) => {
    await lite.query(`copy ${table} (${columns.join(', ')}) from '/dev/blob'${copyOptions(opts)}`, [], { blob: new Blob([text]) })
  }
  const database = wrap(new Kysely<DB>({ dialect: new PostgresDialect({ pool }) }), 'pglite', pool, copyIn, () => lite.close())
  return { ...database, dumpDataDir: () => lite.dumpDataDir('gzip') }
}

function wrap(
  db: Kysely<DB>,
  engine: Engine,
  pool: pg.Pool,
  copyIn: (client: pg.PoolClient) => CopyIn,
  closeEngine: () => Promise<void>,
): Database {
  return {
    db,
    engine,
    async withClient(fn) {
      const client = await pool.connect()
      try {
        return await fn(client, copyIn(client))
      } finally {
        client.release()
      }
    },
    async ping() {
      await sql`select 1`.execute(db)
    },
    async close() {
      await db.destroy()
      await closeEngine()
    },
  }
}
