// Benchmark (issue 26): a city from zero — generate and load the preset, recount its statistics,
// partition it into grids — back to back, as an operator does on the first day:
//   npm run bench:city                              # guangzhou on a fresh PostgreSQL (the target: < 10 min)
//   npm run bench:city -- --preset yuexiu           # a district, the same path (PGlite without a server)
//   npm run bench:city -- --repartition 440112      # then 黄埔 again at 550 and at 200 households
// The database starts empty (a fresh `wangge_bench` database). Prints each phase's time, the
// loader's peak RSS, the partition's quality, and whether the statistics are exact afterwards
// (the recount `wangge stats verify` runs, not timed).
import { cpus, totalmem } from 'node:os'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { createGridsService } from '../apps/server/src/modules/grids/index.js'
import { createStatsService } from '../apps/server/src/modules/stats/index.js'
import { loadSynthetic } from '../apps/server/src/synth/loader.js'
import { PRESETS } from '../apps/server/src/synth/profiles.js'
import { gridProgress, progressReporter } from '../apps/server/src/synth/progress.js'
import { openBenchDatabase } from './bench-db.js'

const { values } = parseArgs({
  options: {
    preset: { type: 'string', default: 'guangzhou' },
    seed: { type: 'string', default: 'wangge' },
    repartition: { type: 'string' },
    'skip-verify': { type: 'boolean', default: false },
  },
})
const preset = PRESETS[values.preset as string]
if (!preset) throw new Error(`unknown preset ${values.preset}`)

// A fresh database each run: the path measured is the first day's.
if (process.env.WANGGE_TEST_DATABASE_URL) {
  const admin = new pg.Client({ connectionString: process.env.WANGGE_TEST_DATABASE_URL })
  await admin.connect()
  await admin.query('drop database if exists wangge_bench with (force)')
  await admin.end()
}
const say = (line: string) => console.log(line)
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`
const t0 = Date.now()
const database = await openBenchDatabase(undefined)
const setupMs = Date.now() - t0

const phases: [string, number][] = []
const load = progressReporter(`load ${preset.name}`, { info: (m) => console.log(m) })
const r = await loadSynthetic(database, {
  preset,
  seed: values.seed as string,
  city: '4401',
  onProgress: load.update,
  onPhase: (name, ms) => phases.push([name, ms]),
})
load.stop()
const loadMs = r.ms
const loadPeakMb = Math.round(process.resourceUsage().maxRSS / 1024)

const service = createGridsService({ db: database.db })
const writers = database.engine === 'postgres' ? 2 : 1
const bar = gridProgress(`partition ${preset.scope}`, { info: (m) => console.log(m) })
const tp = Date.now()
const q = await service.partition(preset.scope, { target: 200 }, bar.update, 0, writers)
bar.stop()
const partitionMs = Date.now() - tp
const totalMs = Date.now() - t0

const repartitions: string[] = []
if (values.repartition) {
  for (const target of [550, 200]) {
    const tr = Date.now()
    const rq = await service.partition(values.repartition, { target, minHouseholds: target / 2 }, undefined, 0, writers)
    repartitions.push(
      `re-partition of ${values.repartition} at ${target} households: ${s(Date.now() - tr)} (${rq.grids} grids, ${(rq.withinTwentyPercent * 100).toFixed(1)}% within ±20%; phases ${JSON.stringify(rq.phaseMs)})`,
    )
    console.log(repartitions.at(-1))
  }
}

let verify = 'not run'
if (!values['skip-verify']) {
  const tv = Date.now()
  const drift = await createStatsService({ db: database.db }).drift()
  verify = `${drift.length} difference(s) (recounted in ${s(Date.now() - tv)})`
}
await database.close()

console.log('')
say(`## city from zero: ${preset.name} into ${database.engine}`)
say(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; ${new Date().toISOString().slice(0, 10)}`,
)
say(
  `persons ${r.counts.persons.toLocaleString('en')}, households ${r.counts.households.toLocaleString('en')}, dwellings ${r.counts.dwellings.toLocaleString('en')}`,
)
say(
  `**total ${s(totalMs)}** (target < 10 min for guangzhou): migrations and regions ${s(setupMs)}, load ${s(loadMs)}, partition ${s(partitionMs)}`,
)
let prev = 0
say(
  `load phases: ${phases
    .map(([name, ms]) => {
      const part = `${name} ${s(ms - prev)}`
      prev = ms
      return part
    })
    .join(', ')}; loader peak RSS ${loadPeakMb} MB (target < 1.5 GB)`,
)
say(
  `partition: ${q.grids} grids, ${(q.withinTwentyPercent * 100).toFixed(1)}% within ±20%, contiguous ${(q.contiguous * 100).toFixed(1)}%; phases (ms) ${JSON.stringify(q.phaseMs)}`,
)
for (const line of repartitions) say(line)
say(`statistics afterwards (wangge stats verify): ${verify}`)
say(`peak RSS of the whole run ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`)
