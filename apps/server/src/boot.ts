import { codeAt } from '@wangge/domain'
// Start-up sequence shared by `main` and the CLI: open the database, migrate, load reference data.
import type { Config } from './config.js'
import { type Database, databaseOptions, openDatabase } from './db/database.js'
import { migrate } from './db/migrate.js'
import type { ChangeBus } from './kernel/change-bus.js'
import { type DemoProgress, reportDemoProgress } from './kernel/demo-progress.js'
import { readSetting, writeSetting } from './kernel/settings.js'
import { createAuthService } from './modules/access/index.js'
import { createGridsService } from './modules/grids/index.js'
import { analyzeAll } from './modules/jobs/index.js'
import { loadRegionDataset, readRegionDataset } from './modules/regions/index.js'
import { seedDemoCases } from './synth/demo-cases.js'
import { simulateFeeds } from './synth/demo-feeds.js'
import { seedDemoServices } from './synth/demo-services.js'
import { DEMO_PASSWORD, seedDemoStaff } from './synth/demo-staff.js'
import { simulateVisits } from './synth/demo-visits.js'

export { DEMO_PASSWORD }

import { loadSynthetic } from './synth/loader.js'
import { PRESETS } from './synth/profiles.js'
import { gridProgress, progressReporter } from './synth/progress.js'

/** A fresh database (no persons yet) gets the demo city of WANGGE_DEMO; anything else is left alone. */
async function seedDemo(database: Database, config: Pick<Config, 'demo' | 'demoSeed' | 'city'>, log: BootLog) {
  if (config.demo === 'none') return
  const any = await database.db.selectFrom('persons').select('id').limit(1).executeTakeFirst()
  const loads = await database.db.selectFrom('data_loads').select('id').limit(1).executeTakeFirst()
  if (any || loads) return
  const preset = PRESETS[config.demo]
  if (!preset) return
  log.info(`seeding the demo city "${preset.name}" (${preset.description}); WANGGE_DEMO=none skips this`)
  const progress = progressReporter(`demo ${preset.name}`, log)
  const r = await loadSynthetic(database, { preset, seed: config.demoSeed, city: config.city, onProgress: progress.update })
  progress.stop()
  log.info(
    `demo ${preset.name}: ${r.counts.persons.toLocaleString('en')} persons in ${r.counts.households.toLocaleString('en')} households loaded in ${(r.ms / 1000).toFixed(1)} s`,
  )
  await seedDemoUsers(database, preset.scope, log)
}

/** Demo accounts, one per kind of user, all with the password DEMO_PASSWORD (demo data only). */
async function seedDemoUsers(database: Database, scope: string, log: BootLog) {
  const auth = createAuthService({ db: database.db })
  await auth.seedRoles()
  const community = await database.db
    .selectFrom('regions')
    .select('code')
    .where('level', '=', 'community')
    .where('code', 'like', `${scope}%`)
    .orderBy('code')
    .executeTakeFirst()
  const users: [string, string, string, string][] = [
    ['admin', '系统管理员', 'admin', codeAt(scope, 'city')],
    ['leader', '越秀区领导', 'leader', scope],
    ['dispatcher', '调度员', 'dispatcher', scope],
    ['chief', '网格长', 'grid_chief', community?.code ?? scope],
    // The first grid of that community (its code is the community's and 001 once partitioned).
    ['worker', '网格员', 'grid_worker', community ? `${community.code}001` : scope],
  ]
  for (const [username, displayName, role, at] of users)
    await auth.createUser('demo', { username, password: DEMO_PASSWORD, displayName }, [{ role, scope: at }])
  log.info(`demo users: ${users.map((u) => `${u[0]} (${u[2]} @ ${u[3]})`).join(', ')} — password "${DEMO_PASSWORD}"`)
}

/** The region the demo's generator loaded (none: no demo). */
export async function demoScope(database: Database): Promise<string | undefined> {
  const load = await database.db
    .selectFrom('data_loads')
    .select('params')
    .where('kind', '=', 'generator')
    .where('finished_at', 'is not', null)
    .executeTakeFirst()
  return (load?.params as { scope?: string } | undefined)?.scope
}

/**
 * The scope of a demo load whose grids are not (completely) partitioned yet: a fresh start, or a
 * start after one that was stopped mid-partition. The partition is idempotent and keeps codes.
 */
export async function pendingDemoPartition(database: Database): Promise<string | undefined> {
  const scope = await demoScope(database)
  if (!scope) return undefined
  const done = await database.db
    .selectFrom('grid_partition_runs')
    .select('id')
    .where('region_code', '=', scope)
    .where('finished_at', 'is not', null)
    .executeTakeFirst()
  return done ? undefined : scope
}

/**
 * A phase's progress at each tenth: a line in the log and the demo's progress setting (the
 * health answer and the dashboard's banner show it).
 */
function tenths(database: Database, log: BootLog, phase: DemoProgress['phase'], label: string, unit: string) {
  let shown = -1
  return (done: number, total: number) => {
    const pct = Math.floor((done / total) * 10) * 10
    if (pct === shown) return
    shown = pct
    log.info(`${label}: ${pct}% (${done}/${total} ${unit})`)
    void reportDemoProgress(database.db, { phase, done, total })
  }
}

/** Partitions the demo area into grids of 200 households (runs after the server listens: each
 *  community is its own short transaction, so requests are served meanwhile). */
export async function partitionDemo(database: Database, scope: string, log: BootLog, bus?: ChangeBus) {
  log.info(`partitioning ${scope} into grids of about 200 households`)
  const bar = gridProgress(`grids ${scope}`, log)
  const q = await createGridsService({ db: database.db, bus }).partition(
    scope,
    {},
    (p) => {
      bar.update(p)
      if (p.communities % 20 === 0)
        void reportDemoProgress(database.db, { phase: 'partition', done: p.communities, total: p.total })
    },
    25,
  )
  bar.stop()
  log.info(
    `grids ${scope}: ${q.grids} grids (median ${q.households.median} households, ${(q.withinTwentyPercent * 100).toFixed(1)}% within ±20%) in ${(q.ms / 1000).toFixed(1)} s`,
  )
  await continueDemo(database, log)
}

const STAFF_DONE = 'demo.staff.done'
const VISITS_DONE = 'demo.visits.done'

/** What the demo still owes after its partition (a stopped start resumes): its grid workers and
 *  chiefs, the quarter of cases before today (reports located in the new grids), the departments'
 *  feeds, the windows' applications and the proactive offers, and last (the longest) the quarter's
 *  household visits and the last weeks' patrols. */
export async function continueDemo(database: Database, log: BootLog) {
  const scope = await demoScope(database)
  if (!scope || (await pendingDemoPartition(database))) return
  if (!(await readSetting(database.db, STAFF_DONE))) {
    await reportDemoProgress(database.db, { phase: 'staff', done: 0, total: 1 })
    const s = await seedDemoStaff(database, scope)
    await writeSetting(database.db, STAFF_DONE, { at: new Date().toISOString(), ...s }, 'demo')
    log.info(
      `demo staff: ${s.workers} grid workers, ${s.chiefs} grid chiefs, ${s.pairs} A/B pairs, ${s.leaves} leaves (password "${DEMO_PASSWORD}") in ${(s.ms / 1000).toFixed(1)} s`,
    )
  }
  const t0 = Date.now()
  await reportDemoProgress(database.db, { phase: 'cases', done: 0, total: 1 })
  const n = await seedDemoCases(database, scope)
  if (n)
    log.info(
      `demo cases: ${n.toLocaleString('en')} reports of the last 90 days through the loop in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    )
  // Each phase grows tables the next ones (and the console) query: the embedded engine has no
  // autovacuum to refresh their statistics (modules/jobs/maintenance.ts).
  await analyzeAll(database.db)
  const feeds = await pendingDemoFeeds(database)
  if (feeds) await demoFeeds(database, feeds, log)
  const services = await pendingDemoServices(database)
  if (services) await demoServices(database, services, log)
  await analyzeAll(database.db)
  if (!(await readSetting(database.db, VISITS_DONE))) {
    log.info('simulating 90 days of household visits and two weeks of patrols')
    const v = await simulateVisits(database, scope, {
      onProgress: tenths(database, log, 'visits', 'household visits', 'days'),
    })
    await analyzeAll(database.db)
    await writeSetting(database.db, VISITS_DONE, { at: new Date().toISOString(), ...v }, 'demo')
    log.info(
      `household visits: ${v.visits.toLocaleString('en')} visits of ${v.tasks.toLocaleString('en')} tasks, ${v.patrols.toLocaleString('en')} patrols in ${(v.ms / 1000).toFixed(1)} s`,
    )
  }
  await reportDemoProgress(database.db, { phase: 'done', done: 1, total: 1 })
  log.info('demo: the history is complete')
}

const SERVICES_DONE = 'demo.services.done'
/** The demo's scope while its 90 days at the windows are not seeded. */
export async function pendingDemoServices(database: Database): Promise<string | undefined> {
  const scope = await demoScope(database)
  if (!scope) return undefined
  return (await readSetting(database.db, SERVICES_DONE)) ? undefined : scope
}

/** 90 days of one-window applications and proactive offers (synth/demo-services.ts). */
export async function demoServices(database: Database, scope: string, log: BootLog) {
  log.info('simulating 90 days at the one-stop windows (一窗通办) and the proactive offers (主动服务)')
  const r = await seedDemoServices(database, scope, {
    onProgress: tenths(database, log, 'services', 'one-stop windows', 'days'),
    onFollowUps: (done, total) => log.info(`one-stop windows: decisions, deliveries and answers ${done}/${total}`),
  })
  await writeSetting(database.db, SERVICES_DONE, { at: new Date().toISOString(), applications: r.applications }, 'demo')
  log.info(`one-stop windows: ${r.applications} applications, ${r.offers} proactive offers in ${(r.ms / 1000).toFixed(1)} s`)
}

/** The demo's scope while its departments' 90 days are not all delivered (a stopped run resumes:
 *  the simulation skips the slots it delivered already). */
export async function pendingDemoFeeds(database: Database): Promise<string | undefined> {
  const scope = await demoScope(database)
  if (!scope) return undefined
  return (await readSetting(database.db, FEEDS_DONE)) ? undefined : scope
}
const FEEDS_DONE = 'demo.feeds.done'

/** 90 days of the departments' deliveries (synth/demo-feeds.ts), with progress in the log. */
export async function demoFeeds(database: Database, scope: string, log: BootLog) {
  log.info('simulating 90 days of department data deliveries (信息共享)')
  const r = await simulateFeeds(database, {
    scope,
    days: 90,
    onProgress: tenths(database, log, 'feeds', 'department feeds', 'days'),
  })
  await writeSetting(database.db, FEEDS_DONE, { at: new Date().toISOString(), deliveries: r.deliveries }, 'demo')
  log.info(
    `department feeds: ${r.deliveries} deliveries, ${r.rows.toLocaleString('en')} rows, ${r.findings} cross-check findings in ${(r.ms / 1000).toFixed(1)} s`,
  )
}

export interface BootLog {
  info(msg: string): void
}

export async function boot(
  config: Pick<Config, 'databaseUrl' | 'dataDir' | 'dbPoolSize' | 'city' | 'demo' | 'demoSeed'> &
    Partial<Pick<Config, 'databaseReadUrls' | 'readMaxLagMs'>>,
  log: BootLog,
): Promise<Database> {
  const database = await openDatabase(databaseOptions(config))
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
    await seedDemo(database, config, log)
    return database
  } catch (err) {
    await database.close()
    throw err
  }
}
