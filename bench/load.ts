// Benchmark: generate a synthetic city and bulk-load it, end to end.
//   npm run bench:load -- --preset yuexiu                      # into a fresh embedded PGlite
//   npm run bench:load:pg -- --preset guangzhou                # into a throw-away PostgreSQL
// Reports wall time, rows, rows/s and the loader's peak memory (max RSS of this process, which
// includes the generator's worker thread). The database starts empty each run.
import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { openDatabase } from '../apps/server/src/db/database.js'
import { migrate } from '../apps/server/src/db/migrate.js'
import { loadRegionDataset, readRegionDataset } from '../apps/server/src/modules/regions/index.js'
import { loadSynthetic } from '../apps/server/src/synth/loader.js'
import { PRESETS } from '../apps/server/src/synth/profiles.js'
import { progressReporter } from '../apps/server/src/synth/progress.js'

const { values } = parseArgs({
  options: { preset: { type: 'string', default: 'yuexiu' }, seed: { type: 'string', default: 'wangge' } },
})
const preset = PRESETS[values.preset as string]
if (!preset) throw new Error(`unknown preset ${values.preset}`)
const serverUrl = process.env.WANGGE_TEST_DATABASE_URL

let url: string | undefined
let dir: string | undefined
if (serverUrl) {
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  await admin.query('drop database if exists wangge_bench with (force)')
  await admin.query('create database wangge_bench')
  await admin.end()
  const u = new URL(serverUrl)
  u.pathname = '/wangge_bench'
  url = u.toString()
} else dir = mkdtempSync(join(tmpdir(), 'wangge-bench-'))

const database = await openDatabase({ databaseUrl: url, dataDir: dir ?? 'unused', poolSize: 2 })
await migrate(database.db)
await loadRegionDataset(database.db, readRegionDataset('4401'))
const progress = progressReporter(`${preset.name} → ${database.engine}`, { info: (m) => console.log(m) })
const t0 = Date.now()
const r = await loadSynthetic(database, { preset, seed: values.seed as string, city: '4401', onProgress: progress.update })
progress.stop()
const seconds = (Date.now() - t0) / 1000
const rows = Object.values(r.counts).reduce((a, b) => a + b, 0)
const peakMb = Math.round(process.resourceUsage().maxRSS / 1024)
await database.close()
if (dir) rmSync(dir, { recursive: true, force: true })

console.log(`\n## generate + load: ${preset.name} into ${database.engine}`)
console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; ${new Date().toISOString().slice(0, 10)}`,
)
console.log(
  `persons ${r.counts.persons.toLocaleString('en')}, households ${r.counts.households.toLocaleString('en')}, all rows ${rows.toLocaleString('en')}`,
)
console.log(
  `time ${seconds.toFixed(1)} s (${Math.round(r.counts.persons / seconds).toLocaleString('en')} persons/s), loader peak RSS ${peakMb} MB, fast path ${r.fastPath}`,
)
