// Benchmark: a typhoon night on the residents' channel (issue 20) — N public reports with photos in
// M minutes from many addresses, each resident going through the page's steps: a challenge (solved
// by the client: its work is the resident's phone's, not the server's), a photo, the me-too check
// nearby, then "me too" on an open case of the same class within 250 m or a report of their own.
// A share of the residents stand at one fallen tree: the me-too check should keep them to one case.
//   npm run bench:residents -- [--preset yuexiu] [--reports 5000] [--minutes 10] [--residents 40]
//   npm run bench:residents:pg -- --preset guangzhou
// Loads and partitions the preset first when the database has no grids (not timed). Every resident
// comes from an address of its own (X-Forwarded-For, behind a trusted proxy), so the per-address
// limits hold as in production.
import { cpus } from 'node:os'
import { parseArgs } from 'node:util'
import { solveChallenge } from 'altcha-lib'
import { deriveKey } from 'altcha-lib/algorithms/sha'
import { sql } from 'kysely'
import sharp from 'sharp'
import { buildApp } from '../apps/server/src/app.js'
import { createGridsService } from '../apps/server/src/modules/grids/index.js'
import { loadSynthetic } from '../apps/server/src/synth/loader.js'
import { PRESETS } from '../apps/server/src/synth/profiles.js'
import { progressReporter } from '../apps/server/src/synth/progress.js'
import { openBenchDatabase } from './bench-db.js'

const { values } = parseArgs({
  options: {
    preset: { type: 'string', default: 'yuexiu' },
    reports: { type: 'string', default: '5000' },
    minutes: { type: 'string', default: '10' },
    residents: { type: 'string', default: '40' },
    'tree-share': { type: 'string', default: '0.05' },
    'data-dir': { type: 'string' },
  },
})
const preset = PRESETS[values.preset as string]
if (!preset) throw new Error(`unknown preset ${values.preset}`)
const N = Number(values.reports)
const SECONDS = Number(values.minutes) * 60
const database = await openBenchDatabase(values['data-dir'])
const db = database.db
const district = preset.name === 'guangzhou' ? '4401' : '440104'
const grids = Number((await sql<{ n: string }>`select count(*) as n from grids where status = 'active'`.execute(db)).rows[0]?.n)
if (!grids) {
  const load = progressReporter(`load ${preset.name}`, { info: (m) => console.log(m) })
  await loadSynthetic(database, { preset, seed: 'typhoon', city: '4401', onProgress: load.update })
  load.stop()
  console.log(`partitioning ${district} …`)
  const q = await createGridsService({ db }).partition(district, {}, undefined, 25)
  console.log(`${q.grids} grids`)
}
const points = (
  await sql<{ lng: number; lat: number }>`select lng, lat from buildings
    where grid_code is not null order by md5(id::text) limit 20000`.execute(db)
).rows
if (points.length < 10) throw new Error('too few buildings: load a larger preset')
const tree = points[0] as { lng: number; lat: number }

const app = await buildApp({
  config: { bodyLimit: 8 << 20, logLevel: 'warn', logPretty: false, trustProxy: true },
  database,
  residents: { powDigits: 3 },
})
await app.listen({ port: 0, host: '127.0.0.1' })
const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/api/v1`
const casesBefore = Number((await sql<{ n: string }>`select count(*) as n from cases`.execute(db)).rows[0]?.n)
const followersBefore = Number((await sql<{ n: string }>`select count(*) as n from case_followers`.execute(db)).rows[0]?.n)

// Fifty distinct photos (≈ 100 kB each, as a phone's page sends them after shrinking).
const photos = await Promise.all(
  Array.from({ length: 50 }, (_, i) =>
    sharp(Buffer.from(Array.from({ length: 320 * 240 * 3 }, (_, k) => (k * 31 + i * 97 + ((k * i) % 251)) % 256)), {
      raw: { width: 320, height: 240, channels: 3 },
    })
      .resize(1280, 960)
      .jpeg({ quality: 70 })
      .toBuffer(),
  ),
)
const CLASSES = ['E0102', 'E0104', 'C0118', 'C0114', 'E0404', 'E0503', 'E0504', 'C0305']
const jitter = (m: number) => ((Math.random() - 0.5) * 2 * m) / 111_320

const lat = { report: [] as number[], metoo: [] as number[], photo: [] as number[], nearby: [] as number[] }
let lost = 0
let refused = 0
const answered: string[] = []
const errors = new Map<string, number>()

async function timed<T>(into: number[], f: () => Promise<Response>): Promise<T> {
  const t = performance.now()
  const r = await f()
  into.push(performance.now() - t)
  const text = await r.text()
  if (!r.ok) {
    const code = `${r.status} ${(JSON.parse(text || '{}') as { code?: string }).code ?? ''}`
    errors.set(code, (errors.get(code) ?? 0) + 1)
    throw new Error(code)
  }
  return JSON.parse(text) as T
}

async function resident(i: number) {
  const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`
  const headers = { 'x-forwarded-for': ip }
  const json = { ...headers, 'content-type': 'application/json' }
  const key = `typhoon-resident-${i.toString(36).padStart(6, '0')}`
  const atTree = Math.random() < Number(values['tree-share'])
  const p = atTree ? tree : (points[(i * 7919) % points.length] as { lng: number; lat: number })
  const catalog = atTree ? 'C0402' : (CLASSES[i % CLASSES.length] as string)
  const where = { lng: p.lng + jitter(atTree ? 20 : 40), lat: p.lat + jitter(atTree ? 20 : 40) }
  const pow = async () => {
    const challenge = (await (await fetch(`${base}/public/challenge`, { headers })).json()) as Parameters<
      typeof solveChallenge
    >[0]['challenge']
    return { challenge, solution: await solveChallenge({ challenge, deriveKey }) }
  }
  try {
    const near = await timed<{ number: string }[]>(lat.nearby, () =>
      fetch(`${base}/public/nearby?catalog=${catalog}&lng=${where.lng}&lat=${where.lat}`, { headers }),
    )
    if (near[0]) {
      const body = JSON.stringify({ key, pow: await pow() })
      await timed(lat.metoo, () =>
        fetch(`${base}/public/reports/${near[0]?.number}/metoo`, { method: 'POST', headers: json, body }),
      )
      return
    }
    const photo = await timed<{ id: number }>(lat.photo, () =>
      fetch(`${base}/public/photos?key=${key}`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'image/jpeg' },
        body: photos[i % photos.length],
      }),
    )
    const body = JSON.stringify({
      key,
      catalog,
      description: atTree ? '台风把大树吹倒了，挡住了路' : `台风天反映问题 ${i}`,
      ...where,
      photos: [photo.id],
      pow: await pow(),
    })
    const out = await timed<{ number: string }>(lat.report, () =>
      fetch(`${base}/public/reports`, { method: 'POST', headers: json, body }),
    )
    answered.push(out.number)
  } catch (e) {
    if (/^4\d\d /.test((e as Error).message)) refused++
    else lost++
  }
}

// The residents arrive evenly over the night; at most `--residents` at once.
const started = performance.now()
const running = new Set<Promise<void>>()
for (let i = 0; i < N; i++) {
  const due = started + (i * SECONDS * 1000) / N
  const wait = due - performance.now()
  if (wait > 0) await new Promise((r) => setTimeout(r, wait))
  while (running.size >= Number(values.residents)) await Promise.race(running)
  const job = resident(i).finally(() => running.delete(job))
  running.add(job)
}
await Promise.all(running)
const took = (performance.now() - started) / 1000

const written = Number(
  (await sql<{ n: string }>`select count(*) as n from cases where number = any(${answered}::text[])`.execute(db)).rows[0]?.n,
)
const casesAfter = Number((await sql<{ n: string }>`select count(*) as n from cases`.execute(db)).rows[0]?.n)
const followersAfter = Number((await sql<{ n: string }>`select count(*) as n from case_followers`.execute(db)).rows[0]?.n)
const trees = (
  await sql<{ number: string; followers: number }>`select c.number,
      (select count(*)::int from case_followers f where f.case_id = c.id) as followers
    from cases c where c.catalog_code = 'C0402' and c.reported_at >= now() - interval '1 day'
      and abs(c.lng - ${tree.lng}) < 0.001 and abs(c.lat - ${tree.lat}) < 0.001`.execute(db)
).rows
await app.close()
await database.close()

const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length ? Math.round(s[Math.min(s.length - 1, Math.floor(p * s.length))] as number) : 0
}
const writes = [...lat.report, ...lat.metoo]
console.log(`\n## residents' channel, typhoon night: ${database.engine}, preset ${preset.name}`)
console.log(
  `machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length}, Node ${process.version}; ${new Date().toISOString().slice(0, 10)}`,
)
console.log(
  `${N.toLocaleString('en')} residents in ${took.toFixed(0)} s (${(N / took).toFixed(1)}/s, ≤ ${values.residents} at once): ${answered.length} reports, ${followersAfter - followersBefore} me-too; refused ${refused} (${[...errors].map(([k, v]) => `${k}: ${v}`).join(', ') || 'none'}), lost ${lost}`,
)
console.log(
  `report POST p50 ${q(lat.report, 0.5)} ms, p99 ${q(lat.report, 0.99)} ms · me-too p99 ${q(lat.metoo, 0.99)} ms · photo p99 ${q(lat.photo, 0.99)} ms · nearby p99 ${q(lat.nearby, 0.99)} ms · all writes p99 ${q(writes, 0.99)} ms`,
)
console.log(
  `every answered report written: ${written}/${answered.length} (cases +${casesAfter - casesBefore}); the fallen tree: ${trees.length} case(s), followers ${trees.map((t) => t.followers).join(' + ') || '0'}`,
)
const ok = lost === 0 && written === answered.length && q(writes, 0.99) < 300 && trees.length <= 1
console.log(
  ok ? 'target: none lost, p99 < 300 ms, one case for the tree ✔' : 'target: none lost, p99 < 300 ms, one case for the tree ✘',
)
