import { openDatabase } from '/work/main/apps/server/src/db/database.js'
import { migrate } from '/work/main/apps/server/src/db/migrate.js'

const t0 = performance.now()
const d = await openDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir: './var' })
console.log(JSON.stringify(await migrate(d.db)))
console.log('migrated in', ((performance.now() - t0) / 1000).toFixed(1), 's')
await d.close()
