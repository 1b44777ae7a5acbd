// Test databases on the real engines, never mocks:
//  - default: a fresh in-memory PGlite per call;
//  - when WANGGE_TEST_DATABASE_URL points at a PostgreSQL server (CI's second pass), a fresh
//    database created on that server per call and dropped afterwards.
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { type Database, openDatabase } from '../db/database.js'
import { migrate } from '../db/migrate.js'
import { loadRegionDataset, readRegionDataset } from '../modules/regions/index.js'

export const TEST_PG_URL = process.env.WANGGE_TEST_DATABASE_URL || undefined
export const TEST_ENGINE = TEST_PG_URL ? 'postgres' : 'pglite'

export interface TestDatabase extends Database {
  /** Set when the database lives on a PostgreSQL server (for spawning a server process on it). */
  url: string | undefined
  destroy(): Promise<void>
}

/** An empty database (no migrations). */
export async function createEmptyTestDatabase(): Promise<TestDatabase> {
  if (!TEST_PG_URL) {
    const database = await openDatabase({ dataDir: 'memory://' })
    return { ...database, url: undefined, destroy: () => database.close() }
  }
  const name = `wangge_test_${process.pid}_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: TEST_PG_URL })
  await admin.connect()
  await admin.query(`create database ${name}`)
  await admin.end()
  const url = new URL(TEST_PG_URL)
  url.pathname = `/${name}`
  const database = await openDatabase({ databaseUrl: url.toString(), dataDir: 'unused', poolSize: 4 })
  return {
    ...database,
    url: url.toString(),
    async destroy() {
      await database.close()
      const a = new pg.Client({ connectionString: TEST_PG_URL })
      await a.connect()
      await a.query(`drop database if exists ${name} with (force)`)
      await a.end()
    },
  }
}

let cachedDataset: ReturnType<typeof readRegionDataset> | undefined

/** A migrated database with Guangzhou's regions loaded. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const database = await createEmptyTestDatabase()
  await migrate(database.db)
  cachedDataset ??= readRegionDataset('4401')
  await loadRegionDataset(database.db, cachedDataset)
  return database
}
