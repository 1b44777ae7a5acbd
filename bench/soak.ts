// Soak (issue 23 §12): the real server process on PostgreSQL under 30 minutes of mixed load —
// hotline intake, cases taken through the loop step by step, grid workers' visit syncs, list and
// detail reads, live statistics and exports — recording every error, p50/p99 per kind, and the
// server's resident memory over time (target: 0 errors; after warm-up, no growth beyond 10 %).
//   WANGGE_TEST_DATABASE_URL=postgres://… npm run bench:soak -- [--minutes 30] [--rate 40] [--users 8]
//   (or `npm run bench:soak:pg`, which starts a local PostgreSQL first)
// A database `wangge_soak` on that server is seeded once by the server's own demo start (`--preset`,
// default liurong) and kept for later runs (`--fresh` seeds it again). The server then restarts, so
// the memory measured is the soak's and not the seeding's.
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { Kysely, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import sharp from 'sharp'
import type { DB } from '../apps/server/src/db/schema.js'
import { startServer, stopServer } from '../apps/server/src/testing/process.js'
import { userWithToken } from '../apps/server/src/testing/users.js'

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    'warm-up': { type: 'string', default: '' },
    rate: { type: 'string', default: '40' },
    users: { type: 'string', default: '8' },
    preset: { type: 'string', default: 'liurong' },
    fresh: { type: 'boolean', default: false },
  },
})
const MINUTES = Number(values.minutes)
const WARM_UP_S = values['warm-up'] ? Number(values['warm-up']) : Math.min(300, MINUTES * 10)
const RATE = Number(values.rate)
const USERS = Number(values.users)
const base = process.env.WANGGE_TEST_DATABASE_URL ?? process.env.DATABASE_URL
if (!base) throw new Error('WANGGE_TEST_DATABASE_URL (a PostgreSQL server) is required: npm run bench:soak:pg')

// The database: created (or recreated with --fresh) on the server, seeded by the server's demo.
const url = new URL(base)
const admin = new pg.Client({ connectionString: url.toString() })
await admin.connect()
const exists = (await admin.query(`select 1 from pg_database where datname = 'wangge_soak'`)).rowCount
if (exists && values.fresh) await admin.query('drop database wangge_soak with (force)')
if (!exists || values.fresh) await admin.query('create database wangge_soak')
await admin.end()
url.pathname = '/wangge_soak'
const DATABASE_URL = url.toString()
const env = { DATABASE_URL, WANGGE_DEMO: values.preset as string, LOG_LEVEL: 'info' }

const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: DATABASE_URL, max: 2 }) }) })
const seeded = async () =>
  (
    await sql<{ v: unknown }>`select value as v from settings where key = 'demo.services.done'`
      .execute(db)
      .catch(() => ({ rows: [] }))
  ).rows.length > 0
if (!(await seeded())) {
  console.log(`seeding the ${values.preset} demo in wangge_soak through the server's own start …`)
  const t0 = Date.now()
  const seeding = startServer(env)
  await seeding.ready
  while (!(await seeded())) await new Promise((r) => setTimeout(r, 5_000))
  await stopServer(seeding)
  console.log(`seeded in ${((Date.now() - t0) / 1000).toFixed(0)} s`)
}

// The principals: a city administrator (intake, the loop's steps, reads) and one grid's worker.
const run = Date.now().toString(36)
const chief = await userWithToken(db, `soak-admin-${run}`, [{ role: 'admin', scope: '4401' }])
const grid = String(
  (
    await sql<{
      g: string
    }>`select d.grid_code as g from households h join dwellings d on d.id = h.dwelling_id where d.grid_code is not null group by 1 order by count(*) desc, 1 limit 1`.execute(
      db,
    )
  ).rows[0]?.g,
)
const worker = await userWithToken(db, `soak-worker-${run}`, [{ role: 'grid_worker', scope: grid }])
const homes = (
  await sql<{
    id: number
  }>`select h.id from households h join dwellings d on d.id = h.dwelling_id where d.grid_code = ${grid} order by h.id`.execute(db)
).rows.map((r) => Number(r.id))
const points = (
  await sql<{
    lng: number
    lat: number
  }>`select lng, lat from buildings where grid_code is not null order by id limit 5000`.execute(db)
).rows.map((r) => [Number(r.lng), Number(r.lat)] as const)
const codes = (
  await db.selectFrom('case_catalog').select('code').where('kind', '=', 'event').where('active', '=', true).execute()
).map((r) => r.code)
const street = grid.slice(0, 9)
const community = grid.slice(0, 12)
const surnames = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周']

const server = startServer(env)
const port = await server.ready
const pid = server.child.pid as number
const api = `http://127.0.0.1:${port}/api/v1`

interface Tally {
  ms: number[]
  errors: number
}
const tallies = new Map<string, Tally>()
const errorSamples: string[] = []
async function call(kind: string, headers: Record<string, string>, method: string, path: string, body?: unknown, type?: string) {
  const t0 = performance.now()
  let status = 0
  let text = ''
  try {
    const r = await fetch(api + path, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': type ?? 'application/json' }) },
      ...(body === undefined ? {} : { body: Buffer.isBuffer(body) ? body : JSON.stringify(body) }),
    })
    status = r.status
    text = r.headers.get('content-type')?.includes('json') ? await r.text() : String((await r.arrayBuffer()).byteLength)
  } catch (err) {
    text = String(err)
  }
  const t = tallies.get(kind) ?? { ms: [], errors: 0 }
  tallies.set(kind, t)
  t.ms.push(performance.now() - t0)
  if (status < 200 || status >= 300) {
    t.errors++
    if (errorSamples.length < 20) errorSamples.push(`${kind} ${method} ${path} → ${status} ${text.slice(0, 200)}`)
    return undefined
  }
  return text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text
}

// One photo of the administrator's, cited by every handling and verification.
const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#4a7a3a' } })
  .png()
  .toBuffer()
const photo = ((await call('setup', chief.headers, 'POST', '/attachments', png, 'image/png')) as { id: number }).id

/** The loop, one step at a time: the case's next action and what it needs. */
const LOOP: [string, Record<string, unknown>][] = [
  ['register', {}],
  ['dispatch', {}],
  ['accept', {}],
  ['handle', { result: '已处置', photos: [photo] }],
  ['verify_pass', { photos: [photo] }],
  ['callback_satisfied', { satisfaction: 'satisfied' }],
]
interface Journey {
  id: number
  version: number
  next: number
}
const journeys: Journey[] = []
let seq = 0

const KINDS: [string, number, (u: number) => Promise<unknown>][] = [
  [
    'intake',
    6,
    async () => {
      const i = seq++
      const p = points[i % points.length] as readonly [number, number]
      const r = (await call('intake', chief.headers, 'POST', '/cases', {
        catalog: codes[(i * 7) % codes.length],
        description: `浸泡测试报告 ${run}-${i}`,
        lng: p[0],
        lat: p[1],
        source: 'hotline',
        reporterPhone: '13800138000',
      })) as { id: number; version: number } | undefined
      if (r) journeys.push({ id: r.id, version: r.version, next: 0 })
    },
  ],
  [
    'step',
    38,
    async () => {
      const j = journeys.shift()
      if (!j) return
      const [action, extra] = LOOP[j.next] as [string, Record<string, unknown>]
      const r = (await call(`step ${action}`, chief.headers, 'POST', `/cases/${j.id}/actions`, {
        action,
        version: j.version,
        ...extra,
      })) as { version: number } | undefined
      if (r && j.next + 1 < LOOP.length) journeys.push({ id: j.id, version: r.version, next: j.next + 1 })
    },
  ],
  [
    'visit sync',
    16,
    async () => {
      const i = seq++
      const items = Array.from({ length: 1 + (i % 5) }, (_, k) => ({
        clientId: `soak-${run}-${i}-${k}`,
        householdId: homes[(i + k) % homes.length] as number,
        visitedAt: new Date(Date.now() - k * 60_000).toISOString(),
        note: '入户走访，家中无异常',
      }))
      await call('visit sync', worker.headers, 'POST', '/visits', { items })
    },
  ],
  [
    'list',
    20,
    async () => {
      const i = seq++
      if (i % 3 === 0) await call('list', chief.headers, 'GET', `/cases?page=${1 + (i % 5)}&pageSize=20`)
      else if (i % 3 === 1)
        await call('list', chief.headers, 'GET', `/persons?q=${encodeURIComponent(surnames[i % 10] as string)}&pageSize=20`)
      else {
        const j = journeys[i % Math.max(1, journeys.length)]
        if (j) await call('list', chief.headers, 'GET', `/cases/${j.id}`)
      }
    },
  ],
  [
    'stats',
    15,
    async () => {
      const i = seq++
      if (i % 2)
        await call('stats', chief.headers, 'GET', `/stats/cases?region=${street}&by=${['children', 'class', 'day'][i % 3]}`)
      else
        await call(
          'stats',
          chief.headers,
          'GET',
          `/stats/population?region=${street}&by=${['ageBand', 'type', 'children'][i % 3]}`,
        )
    },
  ],
  [
    'export',
    5,
    async () => {
      const i = seq++
      if (i % 10 === 0) await call('export report', chief.headers, 'GET', `/stats/report?region=${community}`)
      else if (i % 2) await call('export', chief.headers, 'GET', `/stats/cases/export?region=${street}&by=children&format=xlsx`)
      else await call('export', chief.headers, 'GET', `/stats/population/export?region=${street}&by=ageBand&format=csv`)
    },
  ],
]
const totalWeight = KINDS.reduce((s, k) => s + k[1], 0)
const pick = (x: number) => {
  let w = x * totalWeight
  for (const k of KINDS) {
    w -= k[1]
    if (w < 0) return k
  }
  return KINDS[0] as (typeof KINDS)[number]
}

// Memory of the server process, every 15 s.
const rssMb = () => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Number(m[1]) / 1024 : Number.NaN
}
const started = Date.now()
const memory: [number, number][] = [[0, rssMb()]]
const sampler = setInterval(() => {
  const s = (Date.now() - started) / 1000
  memory.push([s, rssMb()])
  const done = [...tallies.values()].reduce((n, t) => n + t.ms.length, 0)
  const errors = [...tallies.values()].reduce((n, t) => n + t.errors, 0)
  process.stdout.write(
    `\r${(s / 60).toFixed(1)}/${MINUTES} min · ${done.toLocaleString('en')} requests · ${errors} errors · RSS ${rssMb().toFixed(0)} MB · ${journeys.length} open journeys   `,
  )
}, 15_000)

// The virtual users: each picks a kind by weight (a fixed sequence) and keeps the overall rate.
// Six steps take a case from report to closed: steps outweigh intake six to one and more, so the
// open journeys stay few and cases reach every status.
const end = started + MINUTES * 60_000
const gap = (USERS / RATE) * 1000
let draw = 0.5
await Promise.all(
  Array.from({ length: USERS }, async (_, u) => {
    await new Promise((r) => setTimeout(r, (u * gap) / USERS))
    while (Date.now() < end) {
      const t0 = Date.now()
      draw = (draw * 9301 + 49297) % 233280
      await (pick(draw / 233280)[2] as (u: number) => Promise<unknown>)(u)
      const wait = gap - (Date.now() - t0)
      if (wait > 0) await new Promise((r) => setTimeout(r, wait))
    }
  }),
)
clearInterval(sampler)
memory.push([(Date.now() - started) / 1000, rssMb()])
process.stdout.write('\n')
await stopServer(server)
await db.destroy()

// The record.
const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? Number.NaN
}
const all = [...tallies.entries()].filter(([k]) => k !== 'setup').sort(([a], [b]) => a.localeCompare(b))
const requests = all.reduce((n, [, t]) => n + t.ms.length, 0)
const errors = all.reduce((n, [, t]) => n + t.errors, 0)
console.log(
  `| soak ${MINUTES} min, ${USERS} users at ${RATE} req/s target (${values.preset}, PostgreSQL) | requests | errors | p50 | p99 | max |`,
)
console.log('|---|---|---|---|---|---|')
for (const [kind, t] of all)
  console.log(
    `| ${kind} | ${t.ms.length.toLocaleString('en')} | ${t.errors} | ${q(t.ms, 0.5).toFixed(1)} ms | ${q(t.ms, 0.99).toFixed(1)} ms | ${Math.max(...t.ms).toFixed(0)} ms |`,
  )
console.log(
  `| **all** | **${requests.toLocaleString('en')}** (${(requests / (MINUTES * 60)).toFixed(1)}/s) | **${errors}** | | | |`,
)
const after = memory.filter(([s]) => s >= WARM_UP_S)
const warm = after[0]?.[1] ?? Number.NaN
const last = memory.slice(-3).reduce((s, [, v]) => s + v, 0) / Math.min(3, memory.length)
const peak = Math.max(...after.map(([, v]) => v))
const growth = (last / warm - 1) * 100
console.log(
  `\nserver RSS: start ${memory[0]?.[1].toFixed(0)} MB, after the ${WARM_UP_S} s warm-up ${warm.toFixed(0)} MB, peak after it ${peak.toFixed(0)} MB, end (mean of the last three samples) ${last.toFixed(0)} MB → growth ${growth.toFixed(1)} % (target ≤ 10 %: ${growth <= 10 ? '✔' : '✘'}); errors ${errors} (target 0: ${errors === 0 ? '✔' : '✘'})`,
)
console.log(
  `RSS by minute: ${memory
    .filter(([s], i) => i === 0 || Math.floor(s / 60) !== Math.floor((memory[i - 1]?.[0] ?? 0) / 60))
    .map(([s, v]) => `${(s / 60).toFixed(0)}:${v.toFixed(0)}`)
    .join(' ')}`,
)
if (errorSamples.length) console.log(`errors (first ${errorSamples.length}):\n${errorSamples.join('\n')}`)
process.exit(errors === 0 && growth <= 10 ? 0 : 1)
