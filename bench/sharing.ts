// Benchmark (issue 19, department data sharing):
//   1. a full snapshot of the police population dataset (up to 1,000,000 rows, as a CSV file
//      streamed through the reader) validated, matched and applied — rows/s end to end and the
//      process's peak RSS (targets: ≥ 20,000 rows/s, < 1 GB);
//   2. the nightly run of every cross-check rule over the whole database (target < 5 min);
//   3. a 10,000-record push batch through the HTTP API, 10 times (target p99 < 2 s).
//   npm run bench:sharing -- --preset yuexiu [--data-dir DIR] [--rows 1000000]
//   npm run bench:sharing:pg -- --preset guangzhou
// Loads the preset first when the database does not have it (not timed), in a child process of its
// own: the loader's heap (and on PGlite the engine's WebAssembly memory, which never shrinks) would
// otherwise count in the delivery's peak RSS.
import { spawn } from 'node:child_process'
import { createReadStream, createWriteStream, mkdtempSync, statSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { sql } from 'kysely'
import { buildApp } from '../apps/server/src/app.js'
import { ALL_PERMISSIONS, Principal } from '../apps/server/src/modules/access/index.js'
import { seedDepartments } from '../apps/server/src/modules/catalog/index.js'
import { sharedComponents } from '../apps/server/src/modules/components/index.js'
import { sharedDwellings } from '../apps/server/src/modules/housing/index.js'
import { sharedOrganizations } from '../apps/server/src/modules/organizations/index.js'
import { sharedPersons } from '../apps/server/src/modules/persons/index.js'
import { createSharingService, openTable } from '../apps/server/src/modules/sharing/index.js'
import { loadSynthetic } from '../apps/server/src/synth/loader.js'
import { PRESETS } from '../apps/server/src/synth/profiles.js'
import { progressReporter } from '../apps/server/src/synth/progress.js'
import { userWithToken } from '../apps/server/src/testing/users.js'
import { openBenchDatabase } from './bench-db.js'

const { values } = parseArgs({
  options: {
    preset: { type: 'string', default: 'yuexiu' },
    seed: { type: 'string', default: 'wangge' },
    rows: { type: 'string', default: '1000000' },
    'data-dir': { type: 'string' },
    'load-only': { type: 'boolean', default: false },
  },
})
const preset = PRESETS[values.preset as string]
if (!preset) throw new Error(`unknown preset ${values.preset}`)
const dataDir = values['data-dir'] ?? mkdtempSync(join(tmpdir(), 'wangge-bench-'))
if (values['load-only']) {
  const database = await openBenchDatabase(dataDir)
  const load = progressReporter(`load ${preset.name}`, { info: (m) => console.log(m) })
  await loadSynthetic(database, { preset, seed: values.seed as string, city: '4401', onProgress: load.update })
  load.stop()
  await database.close()
  process.exit(0)
}
const loader = spawn(
  process.execPath,
  [
    ...process.execArgv,
    process.argv[1] as string,
    '--load-only',
    '--preset',
    preset.name,
    '--seed',
    values.seed as string,
    '--data-dir',
    dataDir,
  ],
  { stdio: 'inherit' },
)
const loaded = await new Promise<number | null>((resolve) => loader.on('exit', resolve))
if (loaded !== 0) throw new Error(`loading ${preset.name} failed (${loaded})`)
const database = await openBenchDatabase(dataDir)
const db = database.db
await seedDepartments(db)
const stores = {
  person: sharedPersons,
  dwelling: sharedDwellings,
  organization: sharedOrganizations,
  component: sharedComponents,
}
const sharing = createSharingService({ db, stores, readsBeside: database.engine === 'postgres' })
await sharing.seed()
const p = new Principal(
  { id: 0, username: 'bench', displayName: 'bench', department: null },
  [{ role: 'admin', scope: '4401', permissions: new Set(ALL_PERMISSIONS) }],
  'system',
)
const run = Date.now().toString(36)

// 1. The snapshot file: the police's view of the first N persons, 1 in 100 with a changed name
// spelling or status, 1 in 1,000 with a wrong check character — written first (not timed). Twice:
// the first delivery (every record new to the shared store), then the next day's (1% changed).
const limit = Number(values.rows)
const rate = (n: number, ms: number) => Math.round(n / (ms / 1000)).toLocaleString('en')
console.log(`\n## sharing: department deliveries and cross-checks, ${database.engine}, preset ${preset.name}`)
console.log(
  `machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length}, Node ${process.version}; ${new Date().toISOString().slice(0, 10)}`,
)

async function snapshot(label: string, key: string) {
  const file = join(mkdtempSync(join(tmpdir(), 'wangge-feed-')), 'police-population.csv')
  const out = createWriteStream(file)
  out.write('id_number,name,population_type,status,registered_address\n')
  let written = 0
  for (let after = 0; written < limit; ) {
    const page = (
      await sql<{
        id: string
        id_number: string
        name: string
        population_type: string
        status: string
        registered_address: string | null
      }>`
        select id, id_number, name, population_type, status, registered_address from persons
        where id > ${after} order by id limit 20000`.execute(db)
    ).rows
    if (!page.length) break
    for (const r of page) {
      if (written >= limit) break
      written++
      const id = written % 1000 === 0 ? `${r.id_number.slice(0, 17)}${r.id_number[17] === '1' ? '2' : '1'}` : r.id_number
      // A changed spelling (toggled, so each run changes it again).
      const name = written % 100 === 7 ? (r.name.endsWith('氏') ? r.name.slice(0, -1) : `${r.name}氏`) : r.name
      const status = written % 100 === 3 && r.status === 'active' ? 'moved_out' : r.status
      out.write(`${id},${name},${r.population_type},${status},${r.registered_address ?? ''}\n`)
    }
    after = Number(page[page.length - 1]?.id)
  }
  await new Promise<void>((resolve) => out.end(resolve))
  const bytes = statSync(file).size
  const before = process.memoryUsage().rss
  let peak = 0
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss)
  }, 100)
  const t0 = performance.now()
  const { columns, rows } = await openTable(createReadStream(file), 'csv')
  const delivered = await sharing.deliver(p, 'police.population', {
    deliveryKey: key,
    mode: 'snapshot',
    policy: 'valid_rows',
    channel: 'cli',
    fileName: 'police-population.csv',
    columns,
    rows,
  })
  const totalMs = performance.now() - t0
  clearInterval(sampler)
  const times = (
    await sql<{
      ms: number
    }>`select extract(epoch from finished_at - received_at)::float8 * 1000 as ms from deliveries where id = ${delivered.id}`.execute(
      db,
    )
  ).rows[0]
  const applyMs = Number(times?.ms ?? totalMs)
  console.log(
    `${label}: ${written.toLocaleString('en')} rows (${(bytes / 1e6).toFixed(0)} MB CSV): ${delivered.rows.changed.toLocaleString('en')} changed, ${delivered.rows.unchanged.toLocaleString('en')} unchanged, ${delivered.rows.rejected} rejected`,
  )
  console.log(
    `  validated + matched + applied in ${(applyMs / 1000).toFixed(1)} s = ${rate(written, applyMs)} rows/s (target ≥ 20,000) ${written / (applyMs / 1000) >= 20_000 ? '✔' : '✘'}; with the cross-checks of the changed records ${(totalMs / 1000).toFixed(1)} s = ${rate(written, totalMs)} rows/s; peak RSS ${Math.round(peak / 1048576)} MB (${Math.round(before / 1048576)} MB before it; target < 1 GB) ${peak < 1 << 30 ? '✔' : '✘'}`,
  )
}
await snapshot('first snapshot of police.population (every record new to the shared store)', `bench-${run}-1`)
await snapshot("next day's snapshot (1% changed)", `bench-${run}-2`)

// 2. The nightly run over everything.
let t1 = performance.now()
const night = await sharing.crosschecks.runAll()
const nightMs = performance.now() - t1
const opened = Object.values(night).reduce((n, r) => n + r.seen, 0)
console.log(
  `nightly cross-checks (${Object.keys(night).length} rules): ${(nightMs / 1000).toFixed(1)} s (target < 300 s) ${nightMs < 300_000 ? '✔' : '✘'}; ${opened.toLocaleString('en')} findings open`,
)

// 3. Pushes of 10,000 records through the API.
const app = await buildApp({ config: { bodyLimit: 64 << 20, logLevel: 'silent', logPretty: false }, database })
const police = await userWithToken(db, `bench-police-${run}`, [{ role: 'data_provider', scope: '4401' }], undefined, 'police')
const sampleRows = (
  await sql<{ id_number: string; name: string; population_type: string }>`
    select id_number, name, population_type from persons where status = 'active' order by id limit 100000`.execute(db)
).rows
const lat: number[] = []
for (let i = 0; i < 10; i++) {
  const records = sampleRows.slice((i * 10_000) % sampleRows.length, ((i * 10_000) % sampleRows.length) + 10_000).map((r) => ({
    id_number: r.id_number,
    name: r.name,
    population_type: r.population_type,
    status: 'active',
  }))
  t1 = performance.now()
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/sharing/datasets/police.population/deliveries',
    headers: police.headers,
    payload: { deliveryKey: `bench-push-${run}-${i}`, records },
  })
  lat.push(performance.now() - t1)
  if (res.statusCode !== 201) throw new Error(`push: ${res.statusCode} ${res.body.slice(0, 300)}`)
}
lat.sort((a, b) => a - b)
const p99 = lat[Math.min(lat.length - 1, Math.ceil(lat.length * 0.99) - 1)] as number
console.log(
  `push of 10,000 records × ${lat.length}: p50 ${Math.round(lat[Math.floor(lat.length / 2)] as number)} ms, p99 ${Math.round(p99)} ms (target < 2,000 ms) ${p99 < 2000 ? '✔' : '✘'}`,
)
await app.close()
await database.close()
