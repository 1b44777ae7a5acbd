// Crash safety (PostgreSQL pass): the server process killed with SIGKILL in the middle of a burst
// of reports, with a supervision job falling due while it is down, then started again; in the
// middle of grid workers' visit syncs; a bulk load and a grid partition killed half-way.
// Afterwards: no case without its steps and every acknowledged report kept, each visit batch whole
// or absent (and whole once re-sent), the audit chain verifies, the statistics recount without
// drift, the job due during the outage fired once, the killed load left nothing behind and the
// killed partition no community half-divided.
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CLOCK_RUNNING } from '@wangge/domain'
import { sql } from 'kysely'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_PASSWORD } from './boot.js'
import { type Database, openDatabase } from './db/database.js'
import { REPO_ROOT } from './kernel/paths.js'
import { verifyAudit } from './modules/access/index.js'
import { createCaseStats, createStatsService } from './modules/stats/index.js'
import { startServer, stopServer } from './testing/process.js'
import { createEmptyTestDatabase, type TestDatabase } from './testing/test-db.js'

const PG = !!process.env.WANGGE_TEST_DATABASE_URL
let pgDb: TestDatabase
let database: Database
let dataDir: string
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const one = async <T>(q: ReturnType<typeof sql<T>>) => (await q.execute(database.db)).rows[0] as T

async function until(what: string, cond: () => boolean | Promise<boolean>, ms: number) {
  const end = Date.now() + ms
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await sleep(250)
  }
}

async function healthy() {
  const audit = await verifyAudit(database.db)
  const population = await createStatsService({ db: database.db }).drift()
  const cases = await createCaseStats({ db: database.db, clock: () => new Date() }).drift()
  if (cases.length || population.length) console.log('drift', JSON.stringify([...population, ...cases].slice(0, 6)))
  return { audit: audit.ok, problems: audit.problems.slice(0, 3), population: population.length, cases: cases.length }
}

/** A demo user's session on a running server: the headers of a cookie-authenticated write. */
async function sessionOf(base: string, username: string) {
  const login = await fetch(`${base}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: DEMO_PASSWORD }),
  })
  expect(login.status).toBe(200)
  const { csrfToken } = (await login.json()) as { csrfToken: string }
  return {
    'content-type': 'application/json',
    cookie: (login.headers.get('set-cookie') ?? '').split(';')[0] as string,
    'x-csrf-token': csrfToken,
  }
}

beforeAll(async () => {
  if (!PG) return
  pgDb = await createEmptyTestDatabase()
  database = await openDatabase({ databaseUrl: pgDb.url, dataDir: 'unused', poolSize: 2 })
  dataDir = mkdtempSync(join(tmpdir(), 'wangge-crash-'))
})
afterAll(async () => {
  if (!PG) return
  await database.close()
  await pgDb.destroy()
  rmSync(dataDir, { recursive: true, force: true })
})

describe.runIf(PG)('a server process killed mid-work (SIGKILL)', () => {
  it('keeps every acknowledged report whole, the audit chain, the statistics — and fires a job due meanwhile once', async () => {
    const env = { DATABASE_URL: pgDb.url as string, DATA_DIR: dataDir, LOG_LEVEL: 'info' }
    const first = startServer(env)
    const port = await first.ready
    // The demo's background work (grids, weeks of cases, feeds, windows) finished first.
    await until('the demo', () => /one-stop windows: \d+ applications/.test(first.output()), 240_000)
    expect(await healthy(), 'the demo as it stands').toEqual({ audit: true, problems: [], population: 0, cases: 0 })
    const base = `http://127.0.0.1:${port}/api/v1`
    const headers = await sessionOf(base, 'admin')
    // A running case whose reminder falls due 3 seconds from now — while the server is down.
    const due = await one(sql<{ id: number }>`
      update jobs set run_at = now() + interval '3 seconds'
      where id = (select j.id from jobs j join cases c on c.id = j.subject
        where j.state = 'pending' and j.kind = 'case.remind' and c.status = any(${[...CLOCK_RUNNING]}::text[])
        order by j.id limit 1)
      returning subject as id`)
    expect(due, 'a pending reminder in the demo').toBeDefined()
    const reminders = async () =>
      (await one(sql<{ n: number }>`select count(*)::int as n from case_steps where case_id = ${due.id} and action = 'remind'`)).n
    const remindedBefore = await reminders()
    // The burst: 400 reports at once, each citing the photo uploaded first, at the buildings of the city.
    const photo = await fetch(`${base}/attachments`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'image/jpeg' },
      body: await sharp({ create: { width: 640, height: 480, channels: 3, background: '#7a6' } })
        .jpeg()
        .toBuffer(),
    })
    expect(photo.status).toBe(201)
    const photoId = ((await photo.json()) as { id: number }).id
    const places = (
      await sql<{ lng: number; lat: number }>`select lng, lat from buildings order by id limit 40`.execute(database.db)
    ).rows
    const answers = Array.from({ length: 400 }, (_, i) => {
      const p = places[i % places.length] as (typeof places)[number]
      return fetch(`${base}/cases`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ catalog: 'E0102', description: `crash-${i} 暴露垃圾`, lng: p.lng, lat: p.lat, photos: [photoId] }),
      }).then(
        (r) => r.status,
        () => 0, // the connection died with the server
      )
    })
    const burst = async () =>
      (await one(sql<{ n: number }>`select count(*)::int as n from cases where description like 'crash-%'`)).n
    await until('the first reports of the burst', async () => (await burst()) >= 10, 60_000)
    first.child.kill('SIGKILL')
    const statuses = await Promise.all(answers)
    await first.exited
    const acknowledged = statuses.filter((s) => s === 201).length
    expect(statuses.filter((s) => s === 0).length, 'some reports were cut off by the crash').toBeGreaterThan(0)
    await sleep(4000) // the reminder falls due during the outage

    const second = startServer(env)
    await second.ready
    await until('the reminder due during the outage', async () => (await reminders()) > remindedBefore, 60_000)
    // Every report the server acknowledged is there, and no case lacks its first step.
    expect(await burst()).toBeGreaterThanOrEqual(acknowledged)
    const orphans = await one(sql<{ n: number }>`
      select count(*)::int as n from cases c where not exists (select 1 from case_steps s where s.case_id = c.id)`)
    expect(orphans.n).toBe(0)
    await sleep(3000) // fired once, not again after the restart
    expect(await reminders()).toBe(remindedBefore + 1)
    expect(await healthy()).toEqual({ audit: true, problems: [], population: 0, cases: 0 })
    expect(await stopServer(second)).toBe(0)
  }, 420_000)

  it('leaves nothing of a bulk load killed half-way', async () => {
    // Into a database of its own (the city above is already generated there).
    const target = await createEmptyTestDatabase()
    const other = await openDatabase({ databaseUrl: target.url, dataDir: 'unused', poolSize: 1 })
    const q1 = async <T>(q: ReturnType<typeof sql<T>>) => (await q.execute(other.db)).rows[0] as T
    const cli = execFile(
      process.execPath,
      [join(REPO_ROOT, 'apps/server/bin/wangge.mjs'), 'generate', '--preset', 'liurong', '--seed', 'crash'],
      { cwd: REPO_ROOT, env: { ...process.env, DATABASE_URL: target.url as string, DATA_DIR: dataDir } },
    )
    let out = ''
    cli.stdout?.on('data', (d) => {
      out += d
    })
    cli.stderr?.on('data', (d) => {
      out += d
    })
    let ended = false
    const exited = new Promise((resolve) => cli.on('exit', resolve)).then(() => {
      ended = true
    })
    // Killed while it copies (the transaction open, rows sent).
    const copying = async () => {
      if (ended) throw new Error(`the load ended before it could be killed: ${out}`)
      const active = await q1(
        sql<{
          n: number
        }>`select count(*)::int as n from pg_stat_activity where datname = current_database() and query ilike 'copy %'`,
      )
      return active.n > 0
    }
    await until('the load under way', copying, 120_000)
    await sleep(1500)
    cli.kill('SIGKILL')
    await exited
    await until(
      'the killed session to end',
      async () =>
        (
          await q1(
            sql<{
              n: number
            }>`select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`,
          )
        ).n === 0,
      30_000,
    )
    // Nothing of it: the load's rows, its record and its statistics went with its transaction.
    const after = await q1(sql<{ persons: number; buildings: number; loads: number; counts: number }>`
      select (select count(*)::int from persons) as persons, (select count(*)::int from buildings) as buildings,
        (select count(*)::int from data_loads) as loads, (select count(*)::int from population_counts) as counts`)
    expect(after).toEqual({ persons: 0, buildings: 0, loads: 0, counts: 0 })
    // And the database takes the load again, whole.
    const again = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        [join(REPO_ROOT, 'apps/server/bin/wangge.mjs'), 'generate', '--preset', 'tiny', '--seed', 'crash'],
        { cwd: REPO_ROOT, env: { ...process.env, DATABASE_URL: target.url as string, DATA_DIR: dataDir } },
        (err, stdout, stderr) => (err ? reject(new Error(stderr || stdout)) : resolve(stdout)),
      ),
    )
    expect(again).toMatch(/loaded .*persons/)
    await other.close()
    await target.destroy()
  }, 240_000)

  it('keeps each visit batch whole or absent when the server dies during the syncs, and whole once re-sent', async () => {
    // The demo city of the first test (its server stopped), started again.
    const env = { DATABASE_URL: pgDb.url as string, DATA_DIR: dataDir, LOG_LEVEL: 'info' }
    const server = startServer(env)
    const base = `http://127.0.0.1:${await server.ready}/api/v1`
    const headers = await sessionOf(base, 'worker')
    const grid = (
      await one(
        sql<{ g: string }>`select r.scope as g from user_roles r join users u on u.id = r.user_id where u.username = 'worker'`,
      )
    ).g
    const homes = (
      await sql<{
        id: number
      }>`select h.id from households h join dwellings d on d.id = h.dwelling_id where d.grid_code = ${grid} order by h.id`.execute(
        database.db,
      )
    ).rows
    expect(homes.length).toBeGreaterThan(10)
    // Six phones' queues of 1,000 visits each, sent at once.
    const batches = Array.from({ length: 6 }, (_, b) =>
      Array.from({ length: 1000 }, (_, i) => ({
        clientId: `crash-visit-${b}-${String(i).padStart(4, '0')}`,
        householdId: Number(homes[(b * 7 + i) % homes.length]?.id),
        visitedAt: new Date(Date.now() - (1000 - i) * 60_000).toISOString(),
        note: '入户走访',
      })),
    )
    const sync = (items: unknown[]) =>
      fetch(`${base}/visits`, { method: 'POST', headers, body: JSON.stringify({ items }) }).then(
        (r) => r.status,
        () => 0,
      )
    // Sent one after another, as phones coming back into coverage would; the server is killed
    // when the second has been answered, with the third in flight and the rest still to come.
    const statuses: number[] = []
    for (const items of batches) {
      const answered = statuses.filter((s) => s === 200).length
      if (answered === 2 && statuses.length === 2) setTimeout(() => server.child.kill('SIGKILL'), 100)
      statuses.push(await sync(items))
    }
    await server.exited
    const perBatch = async () =>
      (
        await sql<{ b: string; n: number }>`
          select split_part(client_id, '-', 3) as b, count(*)::int as n from visits
          where client_id like 'crash-visit-%' group by 1 order by 1`.execute(database.db)
      ).rows.map((r) => r.n)
    // Whole or absent: every batch the server acknowledged, and no batch in part.
    expect(statuses.filter((s) => s === 0).length, 'some syncs were cut off by the crash').toBeGreaterThan(0)
    const counts = await perBatch()
    expect(counts.every((n) => n === 1000)).toBe(true)
    expect(counts.length).toBeGreaterThanOrEqual(statuses.filter((s) => s === 200).length)

    // The phones send their queues again: each visit once, and the households' last visit agrees.
    const again = startServer(env)
    const base2 = `http://127.0.0.1:${await again.ready}/api/v1`
    const headers2 = await sessionOf(base2, 'worker')
    for (const items of batches) {
      const r = await fetch(`${base2}/visits`, { method: 'POST', headers: headers2, body: JSON.stringify({ items }) })
      expect(r.status).toBe(200)
    }
    expect(await perBatch()).toEqual(batches.map(() => 1000))
    const stale = await one(sql<{ n: number }>`
      select count(*)::int as n from households h
      where exists (select 1 from visits v where v.household_id = h.id
        and (v.visited_at at time zone 'Asia/Shanghai')::date > coalesce(h.last_visited_on, '1900-01-01'))`)
    expect(stale.n).toBe(0)
    expect(await healthy()).toEqual({ audit: true, problems: [], population: 0, cases: 0 })
    expect(await stopServer(again)).toBe(0)
  }, 300_000)

  it('leaves no community half-divided when a grid partition is killed, and partitions whole when run again', async () => {
    const target = await createEmptyTestDatabase()
    const other = await openDatabase({ databaseUrl: target.url, dataDir: 'unused', poolSize: 1 })
    const q1 = async <T>(q: ReturnType<typeof sql<T>>) => (await q.execute(other.db)).rows[0] as T
    const cliEnv = { ...process.env, DATABASE_URL: target.url as string, DATA_DIR: dataDir }
    const wangge = (args: string[]) =>
      new Promise<string>((resolve, reject) =>
        execFile(
          process.execPath,
          [join(REPO_ROOT, 'apps/server/bin/wangge.mjs'), ...args],
          { cwd: REPO_ROOT, env: cliEnv },
          (err, stdout, stderr) => (err ? reject(new Error(stderr || stdout)) : resolve(stdout)),
        ),
      )
    await wangge(['generate', '--preset', 'liurong', '--seed', 'crash-grids'])
    const cli = execFile(
      process.execPath,
      [join(REPO_ROOT, 'apps/server/bin/wangge.mjs'), 'grids', 'partition', '--region', '440104004'],
      {
        cwd: REPO_ROOT,
        env: cliEnv,
      },
    )
    const exited = new Promise((resolve) => cli.on('exit', resolve))
    // Killed while a street's transaction is writing (a transaction holding an id).
    await until(
      'the partition writing',
      async () =>
        (
          await q1(sql<{ n: number }>`
            select count(*)::int as n from pg_stat_activity
            where datname = current_database() and pid <> pg_backend_pid() and backend_xid is not null`)
        ).n > 0,
      180_000,
    )
    await sleep(300)
    cli.kill('SIGKILL')
    await exited
    await until(
      'the killed sessions to end',
      async () =>
        (
          await q1(sql<{ n: number }>`
            select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`)
        ).n === 0,
      30_000,
    )
    // Each community is divided whole or not at all, and every grid holds what its dwellings hold.
    const whole = async () =>
      q1(sql<{ half: number; wrong: number; grids: number }>`
        select
          (select count(*)::int from (select community_code from dwellings group by 1
             having count(grid_code) > 0 and count(grid_code) < count(*)) x) as half,
          (select count(*)::int from grids g where g.status = 'active' and g.households <>
             (select count(*) from households h join dwellings d on d.id = h.dwelling_id where d.grid_code = g.code)) as wrong,
          (select count(*)::int from grids where status = 'active') as grids`)
    const run = await q1(
      sql<{ finished: boolean }>`select bool_and(finished_at is not null) as finished from grid_partition_runs`,
    )
    expect(run.finished, 'the partition was cut off before it finished').toBe(false)
    expect(await whole()).toMatchObject({ half: 0, wrong: 0 })
    const drift = async () => ({
      audit: (await verifyAudit(other.db)).ok,
      population: (await createStatsService({ db: other.db }).drift()).length,
    })
    expect(await drift()).toEqual({ audit: true, population: 0 })
    // Run again: whole.
    await wangge(['grids', 'partition', '--region', '440104004'])
    const after = await whole()
    expect(after).toMatchObject({ half: 0, wrong: 0 })
    expect(after.grids).toBeGreaterThan(50)
    expect((await q1(sql<{ n: number }>`select count(*)::int as n from dwellings where grid_code is null`)).n).toBe(0)
    expect(await drift()).toEqual({ audit: true, population: 0 })
    await other.close()
    await target.destroy()
  }, 420_000)
})
