// wangge — command-line entry for operators: migrations and reference data. Long work shows a
// progress bar. Configuration comes from the same environment variables as the server.
import { createReadStream, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { basename } from 'node:path'
import { fileURLToPath } from 'node:url'
import { SingleBar } from 'cli-progress'
import { Command } from 'commander'
import { APP_VERSION } from '../app.js'
import { demoScope } from '../boot.js'
import { ConfigError, loadConfig } from '../config.js'
import { openDatabase } from '../db/database.js'
import { migrate } from '../db/migrate.js'
import { databaseTypes, TYPES_FILE } from '../db/types.generate.js'
import { API_TYPES_FILE, apiTypes, openApiDocument } from '../http/api-types.generate.js'
import { createS3Store } from '../kernel/object-store.js'
import { ALL_PERMISSIONS, createAuthService, Principal, verifyAudit } from '../modules/access/index.js'
import { moveAttachmentsToStore } from '../modules/cases/index.js'
import { seedDepartments } from '../modules/catalog/index.js'
import { sharedComponents } from '../modules/components/index.js'
import { createGridsService } from '../modules/grids/index.js'
import { sharedDwellings } from '../modules/housing/index.js'
import { sharedOrganizations } from '../modules/organizations/index.js'
import { sharedPersons } from '../modules/persons/index.js'
import { loadRegionDataset, readRegionDataset } from '../modules/regions/index.js'
import { createSharingService, formatOf, openTable } from '../modules/sharing/index.js'
import { createCaseStats, createStatsService } from '../modules/stats/index.js'
import { simulateFeeds } from '../synth/demo-feeds.js'
import { writeGenerated } from '../synth/files.js'
import { loadSynthetic } from '../synth/loader.js'
import { PRESETS } from '../synth/profiles.js'
import { gridProgress, progressReporter } from '../synth/progress.js'
import { BackupError, backup, restore, verifyDatabase } from './backup.js'

function config() {
  try {
    return loadConfig()
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message)
      process.exit(78)
    }
    throw err
  }
}

async function withDatabase<T>(fn: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>): Promise<T> {
  const c = config()
  const database = await openDatabase({ databaseUrl: c.databaseUrl, dataDir: c.dataDir, poolSize: 3 })
  try {
    return await fn(database)
  } finally {
    await database.close()
  }
}

const program = new Command()
  .name('wangge')
  .description('wangge (网格) — grid-based community service management')
  .version(APP_VERSION)

program
  .command('migrate')
  .description('apply pending database migrations (also done at server start)')
  .action(() =>
    withDatabase(async ({ db, engine }) => {
      const r = await migrate(db)
      console.log(
        `${engine}: ${r.applied.length ? `applied ${r.applied.join(', ')}` : 'nothing to apply'}; schema version ${r.version}`,
      )
    }),
  )

/** Writes a generated file, or with `check` only compares it (exit 1 when it differs). */
function writeGeneratedFile(file: URL, text: string, check: boolean | undefined, what: string, command: string) {
  const same = existsSync(file) && readFileSync(file, 'utf8') === text
  if (check) {
    console.log(same ? `${what} are current` : `${what} differ: run ${command}`)
    process.exitCode = same ? 0 : 1
  } else {
    if (!same) writeFileSync(file, text)
    console.log(same ? `${what} unchanged` : `wrote ${fileURLToPath(file)}`)
  }
}

program
  .command('db-types')
  .description('write the Kysely database types (db/database.types.ts) from a freshly migrated in-memory database')
  .option('--check', 'only compare; exit 1 when the committed file differs')
  .action(async (opts: { check?: boolean }) => {
    const database = await openDatabase({ dataDir: 'memory://' })
    try {
      await migrate(database.db)
      writeGeneratedFile(TYPES_FILE, await databaseTypes(database.db), opts.check, 'database types', 'npm run db:types')
    } finally {
      await database.close()
    }
  })

program
  .command('api-types')
  .description("write the web app's API types (apps/web/src/shared/api.types.ts) from the routes' OpenAPI document")
  .option('--check', 'only compare; exit 1 when the committed file differs')
  .action(async (opts: { check?: boolean }) =>
    writeGeneratedFile(API_TYPES_FILE, await apiTypes(await openApiDocument()), opts.check, 'API types', 'npm run api:types'),
  )

const regions = program.command('regions').description('administrative regions')
regions
  .command('load')
  .description('load a city’s region hierarchy and boundaries from data/regions/<city>')
  .option('--city <code>', 'four-digit city code', '4401')
  .option('--force', 'reload even when the dataset is unchanged')
  .action((opts: { city: string; force?: boolean }) =>
    withDatabase(async ({ db }) => {
      await migrate(db)
      const ds = readRegionDataset(opts.city)
      if (opts.force) ds.checksum = `${ds.checksum}:forced:${Date.now()}`
      const bar = new SingleBar({ format: 'regions {bar} {value}/{total} ({percentage}%) {duration}s', hideCursor: true })
      bar.start(ds.rows.length, 0)
      const r = await loadRegionDataset(db, ds, (done) => bar.update(done))
      bar.update(ds.rows.length)
      bar.stop()
      console.log(r.loaded ? `loaded ${r.regions} regions of ${opts.city}` : `regions of ${opts.city} are up to date`)
    }),
  )

program
  .command('generate')
  .description('generate a synthetic city (deterministic from the seed) and load it, or write it as COPY files with --out')
  .requiredOption('--preset <name>', `one of ${Object.keys(PRESETS).join(', ')}`)
  .option('--seed <seed>', 'random seed; the same seed gives byte-identical data', 'wangge')
  .option('--out <dir>', 'write <table>.tsv files (PostgreSQL COPY text format) instead of loading')
  .option('--replace', 'delete earlier generated data in the same transaction, then load')
  .action(async (opts: { preset: string; seed: string; out?: string; replace?: boolean }) => {
    const preset = PRESETS[opts.preset]
    if (!preset) throw new Error(`unknown preset ${opts.preset}; choose one of ${Object.keys(PRESETS).join(', ')}`)
    const city = config().city
    if (opts.out) {
      const hashes = await writeGenerated(preset, opts.seed, city, opts.out)
      for (const [file, hash] of Object.entries(hashes)) console.log(`${hash}  ${file}`)
      return
    }
    await withDatabase(async (database) => {
      await migrate(database.db)
      await loadRegionDataset(database.db, readRegionDataset(city))
      const progress = progressReporter(`generate ${preset.name}`, { info: (m) => console.log(m) })
      const r = await loadSynthetic(database, {
        preset,
        seed: opts.seed,
        city,
        replace: Boolean(opts.replace),
        onProgress: progress.update,
      })
      progress.stop()
      if (!r.loaded)
        console.log(`preset ${preset.name} with seed ${opts.seed} is already loaded (load ${r.loadId}); --replace reloads it`)
      else
        console.log(
          `loaded ${Object.entries(r.counts)
            .map(([t, n]) => `${n.toLocaleString('en')} ${t}`)
            .join(', ')} in ${(r.ms / 1000).toFixed(1)} s`,
        )
    })
  })

const grids = program.command('grids').description('unit grids')
grids
  .command('partition')
  .description('divide communities into grids of about --target households (codes of unchanged grids are kept)')
  .option('--region <code>', 'city, district, street or community to partition', '4401')
  .option('--target <n>', 'target households per grid', '200')
  .option('--min <n>', 'a community with fewer households forms one grid', '100')
  .action((opts: { region: string; target: string; min: string }) =>
    withDatabase(async ({ db, engine }) => {
      await migrate(db)
      const service = createGridsService({ db })
      const bar = gridProgress(`partition ${opts.region}`, { info: (m) => console.log(m) })
      const q = await service.partition(
        opts.region,
        { target: Number(opts.target), minHouseholds: Number(opts.min) },
        bar.update,
        0,
        engine === 'postgres' ? 2 : 1,
      )
      bar.stop()
      console.log(JSON.stringify(q, null, 2))
    }),
  )

const feeds = program.command('feeds').description("departments' data deliveries (信息共享)")
feeds
  .command('import')
  .description("deliver a department's file (CSV UTF-8/GBK, xlsx or JSON Lines) to a dataset, as an administrator of sharing")
  .requiredOption('--dataset <code>', 'dataset code, e.g. police.population')
  .requiredOption('--file <path>', 'the file')
  .option('--key <id>', 'delivery id (the same id again applies nothing; default: dataset and file name)')
  .option('--mode <mode>', 'snapshot or incremental', 'snapshot')
  .option('--policy <policy>', 'all_or_nothing or valid_rows', 'all_or_nothing')
  .option('--as-of <date>', 'the day the data describe (YYYY-MM-DD; default today)')
  .option('--city <code>', 'the city', '4401')
  .action((opts: { dataset: string; file: string; key?: string; mode: string; policy: string; asOf?: string; city: string }) =>
    withDatabase(async ({ db, engine }) => {
      await migrate(db)
      const format = formatOf(opts.file, undefined)
      if (!format) throw new Error('the file name must end in .csv, .xlsx or .jsonl')
      const sharing = createSharingService({
        db,
        readsBeside: engine === 'postgres',
        stores: {
          person: sharedPersons,
          dwelling: sharedDwellings,
          organization: sharedOrganizations,
          component: sharedComponents,
        },
      })
      await seedDepartments(db)
      await sharing.seed()
      const p = new Principal(
        { id: 0, username: 'cli', displayName: '命令行导入', department: null },
        [{ role: 'admin', scope: opts.city, permissions: new Set(ALL_PERMISSIONS) }],
        'system',
      )
      const size = statSync(opts.file).size
      const input = createReadStream(opts.file)
      const bar = new SingleBar({
        format: `${opts.dataset} {bar} {percentage}% | {rows} rows | {duration}s`,
        hideCursor: true,
      })
      bar.start(size, 0, { rows: 0 })
      const { columns, rows } = await openTable(input, format)
      const key = opts.key ?? `${opts.dataset}-${basename(opts.file)}`.replace(/[^A-Za-z0-9._:-]/g, '_').slice(0, 100)
      const out = await sharing.deliver(p, opts.dataset, {
        deliveryKey: key,
        mode: opts.mode === 'incremental' ? 'incremental' : 'snapshot',
        policy: opts.policy === 'valid_rows' ? 'valid_rows' : 'all_or_nothing',
        channel: 'cli',
        fileName: basename(opts.file),
        asOf: opts.asOf ? new Date(`${opts.asOf}T00:00:00+08:00`) : undefined,
        columns,
        rows,
        onProgress: (n) => bar.update(input.bytesRead, { rows: n }),
      })
      bar.update(size)
      bar.stop()
      console.log(JSON.stringify(out, null, 2))
      if (out.status === 'rejected') process.exitCode = 1
    }),
  )

feeds
  .command('simulate')
  .description("the demo city's departments delivering their data over the last N days (idempotent: a second run adds nothing)")
  .option('--days <n>', 'days to simulate', '90')
  .option('--scope <code>', 'the region whose base records the departments describe (default: the demo load)')
  .action((opts: { days: string; scope?: string }) =>
    withDatabase(async (database) => {
      await migrate(database.db)
      const scope = opts.scope ?? (await demoScope(database)) ?? '440104'
      const bar = new SingleBar({ format: 'feeds {bar} {value}/{total} days | {duration}s', hideCursor: true })
      bar.start(Number(opts.days), 0)
      const r = await simulateFeeds(database, { scope, days: Number(opts.days), onProgress: (done) => bar.update(done) })
      bar.stop()
      console.log(
        `${r.deliveries} deliveries, ${r.rows.toLocaleString('en')} rows, ${r.findings} cross-check findings in ${(r.ms / 1000).toFixed(1)} s`,
      )
    }),
  )

const users = program.command('users').description('user accounts')
users
  .command('create-admin')
  .description('create a city-wide administrator (the first user); the password must be strong')
  .requiredOption('--username <name>', 'login name')
  .option('--password <password>', 'password (or set WANGGE_ADMIN_PASSWORD; never logged)')
  .option('--city <code>', 'the city the administrator administers', '4401')
  .action((opts: { username: string; password?: string; city: string }) =>
    withDatabase(async ({ db }) => {
      await migrate(db)
      const password = opts.password ?? process.env.WANGGE_ADMIN_PASSWORD
      if (!password) throw new Error('give --password or WANGGE_ADMIN_PASSWORD')
      const auth = createAuthService({ db })
      await auth.seedRoles()
      const id = await auth.createUser('cli', { username: opts.username, password, displayName: '系统管理员' }, [
        { role: 'admin', scope: opts.city },
      ])
      console.log(`administrator ${opts.username} created (id ${id}, scope ${opts.city})`)
    }),
  )

const auditCmd = program.command('audit').description('the tamper-evident audit log')
auditCmd
  .command('verify')
  .description('recompute the hash chain; exits 1 when a row was altered or deleted')
  .action(() =>
    withDatabase(async ({ db }) => {
      const bar = new SingleBar({ format: 'audit {value} rows verified {duration}s', hideCursor: true })
      bar.start(0, 0)
      const r = await verifyAudit(db, (done) => bar.update(done))
      bar.stop()
      if (r.ok) console.log(`audit log intact: ${r.rows} rows; head ${r.head ? `#${r.head.id} ${r.head.hash}` : '(empty)'}`)
      else {
        console.log(`audit log TAMPERED: ${r.problems.length} problem(s)`)
        for (const p of r.problems.slice(0, 50)) console.log(`  row ${p.id}: ${p.problem}`)
        process.exitCode = 1
      }
    }),
  )

const attachmentsCmd = program.command('attachments').description('photos and other evidence')
attachmentsCmd
  .command('to-s3')
  .description('move the photos kept in database rows to the object store named by S3_URL (stops and resumes safely)')
  .action(() =>
    withDatabase(async ({ db }) => {
      const { s3Url } = config()
      if (!s3Url) {
        console.error('S3_URL is not set: name the object store (http(s)://KEY:SECRET@host/bucket)')
        process.exitCode = 78
        return
      }
      const objects = createS3Store(s3Url)
      const bar = new SingleBar({ format: 'attachments {bar} {value}/{total} moved {duration}s', hideCursor: true })
      bar.start(0, 0)
      try {
        const moved = await moveAttachmentsToStore(db, objects, (done, total) => {
          bar.setTotal(total)
          bar.update(done)
        })
        bar.stop()
        console.log(`${moved} attachment(s) moved to ${objects.where}`)
      } finally {
        bar.stop()
        objects.close()
      }
    }),
  )

const statsCmd = program.command('stats').description('live statistics')
statsCmd
  .command('verify')
  .description('recount the population and case statistics from the base tables; exits 1 on any drift')
  .action(() =>
    withDatabase(async ({ db }) => {
      const t0 = performance.now()
      const population = await createStatsService({ db }).drift()
      const cases = await createCaseStats({ db, clock: () => new Date() }).drift()
      const s = ((performance.now() - t0) / 1000).toFixed(1)
      if (!population.length && !cases.length) console.log(`statistics exact: no drift (recounted in ${s} s)`)
      else {
        console.log(`statistics DRIFT: ${population.length} population and ${cases.length} case difference(s) (${s} s)`)
        for (const d of population.slice(0, 20))
          console.log(`  population ${d.region} ${d.dim}=${d.key}: kept ${d.kept}, counted ${d.counted}`)
        for (const d of cases.slice(0, 20)) console.log(`  cases ${JSON.stringify(d)}`)
        console.log('repair: select population_counts_rebuild(); select case_counts_rebuild();')
        process.exitCode = 1
      }
    }),
  )

program
  .command('backup')
  .description(
    'back the database up: PostgreSQL with pg_dump (custom format), the embedded engine as its data directory (tar.gz)',
  )
  .requiredOption('--out <file>', 'where to write the backup')
  .action(async (o: { out: string }) => {
    const c = config()
    try {
      const r = await backup({ databaseUrl: c.databaseUrl, dataDir: c.dataDir }, o.out)
      console.log(
        `backup of the ${r.engine} database written to ${o.out}: ${(r.bytes / 2 ** 20).toFixed(1)} MiB in ${(r.ms / 1000).toFixed(1)} s`,
      )
    } catch (err) {
      if (!(err instanceof BackupError)) throw err
      console.error(err.message)
      process.exitCode = 1
    }
  })

program
  .command('restore')
  .description(
    'restore a backup into an empty database (or --clean: replacing it), then verify the audit chain and the statistics',
  )
  .requiredOption('--from <file>', 'the backup file')
  .option(
    '--clean',
    'replace what the target holds (PostgreSQL: drop its objects first; embedded: keep the old data directory aside)',
  )
  .option('--jobs <n>', 'parallel restore jobs (PostgreSQL)', '2')
  .action(async (o: { from: string; clean?: boolean; jobs: string }) => {
    const c = config()
    const target = { databaseUrl: c.databaseUrl, dataDir: c.dataDir }
    try {
      const r = await restore(target, o.from, { clean: !!o.clean, jobs: Number(o.jobs) || 2 })
      console.log(
        `restored into the ${r.engine} database in ${(r.ms / 1000).toFixed(1)} s${r.replaced ? ` (the data it replaced kept in ${r.replaced})` : ''}`,
      )
    } catch (err) {
      if (!(err instanceof BackupError)) throw err
      console.error(err.message)
      process.exitCode = 1
      return
    }
    const v = await verifyDatabase(target)
    console.log(
      v.audit.ok
        ? `audit log intact: ${v.audit.rows} rows`
        : `audit log TAMPERED: ${v.audit.problems.length} problem(s) — the backup is not trustworthy`,
    )
    console.log(v.drift ? `statistics DRIFT: ${v.drift} difference(s) — run wangge stats verify` : 'statistics exact: no drift')
    if (!v.audit.ok || v.drift) process.exitCode = 1
  })

program.parseAsync().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err)
  process.exit(1)
})
