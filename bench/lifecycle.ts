// Benchmark: a simulated year of cases driven through the whole loop (issue: event loop — target
// 1,000,000 cases under 15 minutes on PostgreSQL).
//   DATABASE_URL=postgres://… npm run bench:lifecycle -- [--cases 1000000] [--year 2026] [--procs 2] [--fresh]
// The database must hold a partitioned demo. The services run on a simulated clock in `--procs`
// worker processes (as a 2-core deployment runs two server processes, WANGGE_WORKERS=2), each taking its share of
// every day: at 09:00 the day's reports arrive (through the same batched intake as the API), then
// the acceptor registers (3 % cancelled as invalid), the dispatcher dispatches by routing, 4 % are
// returned and re-dispatched, departments accept and handle (10 % a day late), grid workers verify
// (8 % fail → rework), the reporter is called back (5 % dissatisfied → rework). When every worker
// has finished the day, this process runs the day's due reminders and supervision cards and drains
// the case statistics' change log, then the next day begins. Steps go through `stepMany` — the same
// planning per case as a single step (answering status and version, no views), written in batches;
// the actions of one moment (register and cancel, verification passed and failed, call-backs) go
// in the same batches, `--streams` batches at a time per worker.
//   --days N stops after N simulated days and prints the pace for the year.
//   --fresh empties the case tables, their jobs and the audit log first (a bench database only).
import { type ChildProcess, fork } from 'node:child_process'
import { cpus } from 'node:os'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { createRng } from '@wangge/geo'
import { SingleBar } from 'cli-progress'
import { sql } from 'kysely'
import sharp from 'sharp'
import { openDatabase } from '../apps/server/src/db/database.js'
import { migrate } from '../apps/server/src/db/migrate.js'
import { ALL_PERMISSIONS, Principal } from '../apps/server/src/modules/access/index.js'
import { type ActInput, createCaseServices } from '../apps/server/src/modules/cases/index.js'
import { createScheduler } from '../apps/server/src/modules/jobs/index.js'
import { createCaseStats } from '../apps/server/src/modules/stats/index.js'

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string', default: './var' },
    cases: { type: 'string', default: '1000000' },
    year: { type: 'string', default: '2026' },
    batch: { type: 'string', default: '1000' },
    streams: { type: 'string', default: '1' },
    procs: { type: 'string', default: '2' },
    fresh: { type: 'boolean', default: false },
    // Stop after this many simulated days (a quick look at a full-scale run's pace).
    days: { type: 'string', default: '365' },
  },
})
const total = Number(values.cases)
const BATCH = Number(values.batch)
const STREAMS = Number(values.streams)
const PROCS = Math.max(1, Number(values.procs))
const DAYS = Math.min(365, Number(values.days))
const PER_DAY = Math.ceil(total / 365)
const database = await openDatabase({ databaseUrl: process.env.DATABASE_URL || undefined, dataDir: values['data-dir'] as string })
const db = database.db
let now = new Date()
const clock = () => now
const at = (day: number, hhmm: string) => {
  const d = new Date(Date.UTC(Number(values.year), 0, 1 + day))
  return new Date(`${d.toISOString().slice(0, 10)}T${hhmm}:00+08:00`)
}
type Tally = Record<string, number>
const add = (into: Tally, key: string, n: number) => {
  into[key] = (into[key] ?? 0) + n
}
async function timed<T>(timing: Tally, phase: string, f: () => Promise<T>): Promise<T> {
  const t0 = performance.now()
  try {
    return await f()
  } finally {
    add(timing, phase, (performance.now() - t0) / 1000)
  }
}

type ToWorker = { type: 'day'; day: number; n: number } | { type: 'end' }
type FromWorker = { type: 'ready' } | { type: 'done' } | { type: 'result'; timing: Tally; counts: Tally }

if (process.env.LIFECYCLE_WORKER === undefined) await coordinate()
else await work(Number(process.env.LIFECYCLE_WORKER))

/** The parent: prepares, starts the workers, keeps the days in step, runs the nightly jobs, reports. */
async function coordinate() {
  await migrate(db)
  if (values.fresh) {
    // (The audit log refuses deletes through its trigger; a bench database's is emptied anyway.)
    await db.transaction().execute(async (trx) => {
      await sql`set local session_replication_role = replica`.execute(trx)
      await sql`truncate cases, case_steps, case_notices, case_count_state, case_count_dirty, case_counts, case_sequences, notifications, case_followers, public_reports`.execute(
        trx,
      )
      await sql`delete from audit_log`.execute(trx)
      await sql`delete from jobs where kind like 'case.%'`.execute(trx)
    })
    await sql`vacuum analyze cases, case_steps, jobs, audit_log`.execute(db)
  }
  const { cases } = await createCaseServices({ db, clock })
  const caseStats = createCaseStats({ db, clock })
  const scheduler = createScheduler({ db, handlers: cases.jobHandlers, clock })
  const before = Number(
    (
      await db
        .selectFrom('cases')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  )
  const workers = Array.from({ length: PROCS }, (_, i) => channel(i))
  const all = async (msgs: ToWorker[]) => Promise.all(workers.map((w, i) => w.ask(msgs[i] as ToWorker)))
  await Promise.all(workers.map((w) => w.next()))

  const timing: Tally = {}
  const counts: Tally = {}
  const bar = new SingleBar({
    format: 'simulated year {bar} {value}/{total} days | {cases} cases | {duration}s',
    hideCursor: true,
  })
  bar.start(DAYS, 0, { cases: 0 })
  const t0 = performance.now()
  let reported = 0
  for (let day = 0; day < DAYS && reported < total; day++) {
    const n = Math.min(PER_DAY, total - reported)
    // Each worker its share of the day (the shares add up to n).
    await timed(timing, 'day (workers)', () =>
      all(workers.map((_, i) => ({ type: 'day', day, n: Math.floor((n * (i + 1)) / PROCS) - Math.floor((n * i) / PROCS) }))),
    )
    reported += n
    // The day's due reminders and supervision cards.
    now = at(day, '23:59')
    add(counts, 'jobs', await timed(timing, 'jobs', () => scheduler.runDue(now)))
    // The case statistics' change log, drained as the server does (it drains every 500 ms; once
    // per simulated day here — the same work, in larger batches).
    await timed(timing, 'stats', () => caseStats.drain())
    bar.update(day + 1, { cases: reported })
  }
  bar.stop()
  const seconds = (performance.now() - t0) / 1000
  const results = (await all(workers.map(() => ({ type: 'end' })))) as Extract<FromWorker, { type: 'result' }>[]
  // Phases run in every worker at once: the slowest worker's time is the phase's.
  const phases: Tally = {}
  for (const r of results) {
    for (const [k, v] of Object.entries(r.timing)) phases[k] = Math.max(phases[k] ?? 0, v)
    for (const [k, v] of Object.entries(r.counts)) add(counts, k, v)
  }
  const after = await db
    .selectFrom('cases')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('id', '>', 0)
    .groupBy('status')
    .execute()
  await database.close()

  const list = (t: Tally, f: (v: number) => string) =>
    Object.entries(t)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${f(v)}`)
      .join(', ')
  console.log(`\n## lifecycle: ${reported.toLocaleString('en')} cases through a simulated year, ${database.engine}`)
  console.log(
    `machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length}, Node ${process.version}; ${new Date().toISOString().slice(0, 10)}; ${PROCS} worker process(es), ${STREAMS} batch stream(s) each`,
  )
  console.log(
    `${seconds.toFixed(0)} s in all (${Math.round(reported / seconds).toLocaleString('en')} cases/s); cases before ${before.toLocaleString('en')}`,
  )
  console.log(`steps: ${list(counts, (v) => v.toLocaleString('en'))}`)
  console.log(`time: ${list(timing, (v) => `${v.toFixed(1)} s`)}`)
  console.log(`phases (slowest worker): ${list(phases, (v) => `${v.toFixed(1)} s`)}`)
  console.log(`statuses now: ${after.map((r) => `${r.status} ${Number(r.n).toLocaleString('en')}`).join(', ')}`)
  const target =
    reported >= 1_000_000
      ? seconds < 900
        ? '✔'
        : '✘'
      : DAYS < 365
        ? `(${DAYS} of 365 days: ≈ ${((seconds * 365) / DAYS / 60).toFixed(1)} min for the year at this pace)`
        : '(scaled run; the target is for 1,000,000)'
  console.log(`target 1,000,000 cases < 15 min: ${target}`)
}

/** A worker process and its messages, answered in order; a worker that dies ends the run. */
function channel(index: number) {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), process.argv.slice(2), {
    execArgv: process.execArgv,
    env: { ...process.env, LIFECYCLE_WORKER: String(index) },
  })
  const queued: FromWorker[] = []
  const waiting: ((m: FromWorker) => void)[] = []
  child.on('message', (m: FromWorker) => {
    const w = waiting.shift()
    if (w) w(m)
    else queued.push(m)
  })
  child.on('exit', (code) => {
    if (code) {
      console.error(`worker ${index} exited with ${code}`)
      process.exit(1)
    }
  })
  const next = () =>
    new Promise<FromWorker>((resolve) => (queued.length ? resolve(queued.shift() as FromWorker) : waiting.push(resolve)))
  return {
    next,
    ask(m: ToWorker) {
      child.send(m)
      return next()
    },
  }
}

/** A worker: its share of every day's reports, driven through the loop. */
async function work(index: number) {
  const send = (m: FromWorker) => new Promise<void>((resolve) => process.send?.(m, () => resolve()))
  const { cases, attachments } = await createCaseServices({ db, clock })
  const p = new Principal(
    { id: 0, username: 'simulator', displayName: '模拟', department: null },
    [{ role: 'admin', scope: '4401', permissions: new Set(ALL_PERMISSIONS) }],
    'system',
  )
  // The simulator's evidence photo (handling and verification need one).
  const photo = (
    await attachments.upload(
      p,
      await sharp({ create: { width: 64, height: 48, channels: 3, background: '#4a7' } })
        .jpeg()
        .toBuffer(),
    )
  ).id
  const points = (
    await sql<{
      lng: number
      lat: number
    }>`select lng, lat from buildings tablesample system (5) where grid_code is not null limit 20000`.execute(db)
  ).rows.map((r) => [r.lng, r.lat] as [number, number])
  if (!points.length) throw new Error('no partitioned buildings: load and partition a demo first')
  const codes = (
    await db.selectFrom('case_catalog').select('code').where('kind', '=', 'event').where('active', '=', true).execute()
  ).map((r) => r.code)
  const rng = createRng(`lifecycle:${index}`)
  const version = new Map<number, number>()
  const timing: Tally = {}
  const counts: Tally = {}

  type Group = { action: string; ids: number[]; extra?: Partial<ActInput> }
  /**
   * Steps taken at one moment: each group one action on its cases, all groups' items mixed in
   * batches of `--batch` (one `stepMany` each, as a dispatcher's or department's batch submission),
   * `--streams` batches at a time (as several work at once: each batch its own transaction).
   * Returns, per group, the ids that went through.
   */
  async function steps(phase: string, groups: Group[]): Promise<number[][]> {
    const items = groups.flatMap((g, gi) => g.ids.map((id) => ({ gi, id })))
    const ok: number[][] = groups.map(() => [])
    const chunks: (typeof items)[] = []
    for (let i = 0; i < items.length; i += BATCH) chunks.push(items.slice(i, i + BATCH))
    let next = 0
    const stream = async () => {
      for (let chunk = chunks[next++]; chunk; chunk = chunks[next++]) {
        const results = await cases.stepMany(
          p,
          chunk.map(({ gi, id }) => {
            const g = groups[gi] as Group
            return { id, action: g.action, version: version.get(id) as number, ...g.extra }
          }),
        )
        results.forEach((r, k) => {
          const { gi, id } = (chunk as typeof items)[k] as (typeof items)[number]
          const action = (groups[gi] as Group).action
          if ('error' in r) add(counts, `error ${action} ${r.error.code}`, 1)
          else {
            version.set(id, r.version)
            ;(ok[gi] as number[]).push(id)
            add(counts, action, 1)
          }
        })
      }
    }
    await timed(timing, phase, () => Promise.all(Array.from({ length: STREAMS }, stream)))
    return ok
  }
  /** One action on many cases (see `steps`). */
  const step = async (action: string, ids: number[], extra?: Partial<ActInput>) =>
    (await steps(action, [{ action, ids, ...(extra ? { extra } : {}) }]))[0] as number[]
  const split = (ids: number[], share: number) => {
    const a: number[] = []
    const b: number[] = []
    for (const id of ids) (rng() < share ? a : b).push(id)
    return [a, b] as const
  }

  let reported = 0
  let lateYesterday: number[] = []
  async function simulate(day: number, n: number) {
    // 09:00 the day's reports (through the batched intake, as over HTTP).
    now = at(day, '09:00')
    const views = await timed(timing, 'report', () =>
      Promise.all(
        Array.from({ length: n }, (_, k) => {
          const pt = points[(reported + k) % points.length] as [number, number]
          return cases.report(p, {
            catalog: codes[Math.floor(rng() * codes.length)] as string,
            description: `模拟报告 ${index}-${reported + k}`,
            lng: pt[0],
            lat: pt[1],
            source: 'hotline',
          })
        }),
      ),
    )
    const ids = views.map((v) => {
      version.set(v.id, v.version)
      return v.id
    })
    reported += n
    add(counts, 'report', n)
    now = at(day, '09:30')
    const [invalid, valid] = split(ids, 0.03)
    // The acceptor's morning batch: register the valid, cancel the invalid.
    const [, registered] = (await steps('register+cancel', [
      { action: 'cancel', ids: invalid, extra: { reason: '无效报告' } },
      { action: 'register', ids: valid },
    ])) as [number[], number[]]
    now = at(day, '10:00')
    const dispatched = await step('dispatch', registered)
    now = at(day, '10:30')
    const [returned, kept] = split(dispatched, 0.04)
    await step('return', returned, { reason: '非本部门职责' })
    now = at(day, '10:45')
    const redispatched = await step('dispatch', returned)
    now = at(day, '11:00')
    const accepted = await step('accept', [...kept, ...redispatched])
    const [late, onTime] = split(accepted, 0.1)
    // Yesterday's late ones are handled today at 16:00 (after their reminders and yellow cards).
    now = at(day, '11:30')
    const handled = await step('handle', onTime, { result: '已处置', photos: [photo] })
    now = at(day, '16:00')
    const handledLate = await step('handle', lateYesterday, { result: '已处置（超期）', photos: [photo] })
    lateYesterday = late
    now = at(day, '16:30')
    // The grid workers' verifications: 8 % fail and go back for rework, handled again at once.
    const [failed, passed] = split([...handled, ...handledLate], 0.08)
    const [failedOk, verified] = (await steps('verify', [
      { action: 'verify_fail', ids: failed, extra: { reason: '现场仍未处理好', photos: [photo] } },
      { action: 'verify_pass', ids: passed, extra: { photos: [photo] } },
    ])) as [number[], number[]]
    const reworked = await step('handle', failedOk, { result: '返工完成', photos: [photo] })
    verified.push(...(await step('verify_pass', reworked, { photos: [photo] })))
    now = at(day, '17:00')
    // The call-backs: 5 % dissatisfied, handled and verified again, then satisfied.
    const [unhappy, happy] = split(verified, 0.05)
    const [, unhappyOk] = (await steps('callback', [
      { action: 'callback_satisfied', ids: happy, extra: { satisfaction: 'satisfied' } },
      { action: 'callback_dissatisfied', ids: unhappy, extra: { satisfaction: 'dissatisfied', reason: '不满意' } },
    ])) as [number[], number[]]
    now = at(day, '17:30')
    const again = await step('handle', unhappyOk, { result: '再次处置', photos: [photo] })
    await step('callback_satisfied', await step('verify_pass', again, { photos: [photo] }), {
      satisfaction: 'basically_satisfied',
    })
  }

  // Days one at a time, as the coordinator asks.
  let chain = Promise.resolve()
  process.on('message', (m: ToWorker) => {
    chain = chain.then(async () => {
      if (m.type === 'day') {
        await simulate(m.day, m.n)
        await send({ type: 'done' })
      } else {
        await database.close()
        await send({ type: 'result', timing, counts })
        process.disconnect()
      }
    })
    chain.catch((err) => {
      console.error(err)
      process.exit(1)
    })
  })
  await send({ type: 'ready' })
}
