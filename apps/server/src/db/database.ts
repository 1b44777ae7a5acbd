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
import { createPrimaryPool } from './primary.js'
import { createReadRouting, type ReadRouting } from './replicas.js'
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
  /** PostgreSQL: the single-host URL of the current primary (DATABASE_URL may list several hosts). */
  primaryUrl?: () => string
  /** PostgreSQL with DATABASE_READ_URL: the replicas taking lag-tolerant reads. */
  reads?: ReadRouting
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
  /** PostgreSQL; several hosts (`postgres://u@h1:5432,h2:5432/db`): the one not in recovery is the primary. */
  databaseUrl?: string | undefined
  /** Hot standbys for lag-tolerant reads (db/replicas.ts). */
  readUrls?: string[] | undefined
  /** A replica further behind than this is out of rotation (ms). */
  readMaxLagMs?: number | undefined
  /** Directory for the embedded engine; `memory://` keeps it in memory (tests). */
  dataDir: string
  poolSize?: number
  /** A PGlite data-directory dump (tar) to start from instead of an empty cluster (tests). */
  loadDataDir?: Blob
}

/** The options the server's configuration gives. */
export const databaseOptions = (c: {
  databaseUrl: string | undefined
  dataDir: string
  dbPoolSize: number
  databaseReadUrls?: string[] | undefined
  readMaxLagMs?: number | undefined
}): DatabaseOptions => ({
  databaseUrl: c.databaseUrl,
  dataDir: c.dataDir,
  poolSize: c.dbPoolSize,
  readUrls: c.databaseReadUrls,
  readMaxLagMs: c.readMaxLagMs,
})

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.databaseUrl) {
    const max = opts.poolSize ?? 10
    const log = (msg: string) => process.emitWarning(msg)
    const primary = createPrimaryPool({ url: opts.databaseUrl, max, log })
    const reads = opts.readUrls?.length
      ? createReadRouting({ primary, replicaUrls: opts.readUrls, max, maxLagMs: opts.readMaxLagMs, log })
      : undefined
    const copyIn =
      (client: pg.PoolClient): CopyIn =>
      async (table, columns, text, opts) => {
        const stream = client.query(copyFrom(`copy ${table} (${columns.join(', ')}) from stdin${copyOptions(opts)}`))
        const chunk = typeof text === 'string' ? text : Buffer.from(text.buffer, text.byteOffset, text.byteLength)
        await pipeline(Readable.from([chunk]), stream)
      }
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: reads?.pool ?? primary }) })
    const database = wrap(
      db,
      'postgres',
      () => primary.connect(),
      copyIn,
      async () => {
        await reads?.end()
        await primary.end()
      },
    )
    return { ...database, primaryUrl: () => primary.url(), ...(reads ? { reads } : {}) }
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
  const database = wrap(
    new Kysely<DB>({ dialect: new PostgresDialect({ pool }) }),
    'pglite',
    () => pool.connect(),
    copyIn,
    () => lite.close(),
  )
  return { ...database, dumpDataDir: () => lite.dumpDataDir('gzip') }
}

function wrap(
  db: Kysely<DB>,
  engine: Engine,
  connect: () => Promise<pg.PoolClient>,
  copyIn: (client: pg.PoolClient) => CopyIn,
  closeEngine: () => Promise<void>,
): Database {
  return {
    db,
    engine,
    async withClient(fn) {
      const client = await connect()
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
