// The database a benchmark runs on: with WANGGE_TEST_DATABASE_URL (scripts/with-postgres.sh), a
// `wangge_bench` database on that server (created when missing); otherwise PGlite in `dataDir` (a
// fresh temporary directory when none is given). Migrated, with Guangzhou's regions loaded.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { openDatabase } from '../apps/server/src/db/database.js'
import { migrate } from '../apps/server/src/db/migrate.js'
import { loadRegionDataset, readRegionDataset } from '../apps/server/src/modules/regions/index.js'

export async function openBenchDatabase(dataDir: string | undefined) {
  let url: string | undefined
  if (process.env.WANGGE_TEST_DATABASE_URL) {
    const u = new URL(process.env.WANGGE_TEST_DATABASE_URL)
    const admin = new pg.Client({ connectionString: u.toString() })
    await admin.connect()
    const exists = await admin.query(`select 1 from pg_database where datname = 'wangge_bench'`)
    if (!exists.rowCount) await admin.query('create database wangge_bench')
    await admin.end()
    u.pathname = '/wangge_bench'
    url = u.toString()
  }
  const database = await openDatabase({
    databaseUrl: url,
    dataDir: dataDir ?? mkdtempSync(join(tmpdir(), 'wangge-bench-')),
    poolSize: 3,
  })
  await migrate(database.db)
  await loadRegionDataset(database.db, readRegionDataset('4401'))
  return database
}
