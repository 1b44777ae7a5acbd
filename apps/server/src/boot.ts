// Start-up sequence shared by `main` and the CLI: open the database, migrate, load reference data.
import type { Config } from './config.js'
import { type Database, openDatabase } from './db/database.js'
import { migrate } from './db/migrate.js'
import { loadRegionDataset, readRegionDataset } from './modules/regions/regions.loader.js'

export interface BootLog {
  info(msg: string): void
}

export async function boot(
  config: Pick<Config, 'databaseUrl' | 'dataDir' | 'dbPoolSize' | 'city'>,
  log: BootLog,
): Promise<Database> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.dbPoolSize })
  try {
    log.info(`database: ${database.engine}${database.engine === 'pglite' ? ` in ${config.dataDir}` : ''}`)
    const m = await migrate(database.db)
    log.info(
      m.applied.length
        ? `migrations applied: ${m.applied.join(', ')} (now at ${m.version})`
        : `migrations: up to date at ${m.version}`,
    )
    const t0 = Date.now()
    const r = await loadRegionDataset(database.db, readRegionDataset(config.city))
    log.info(
      r.loaded
        ? `regions of ${config.city}: ${r.regions} loaded in ${Date.now() - t0} ms`
        : `regions of ${config.city}: up to date`,
    )
    return database
  } catch (err) {
    await database.close()
    throw err
  }
}
