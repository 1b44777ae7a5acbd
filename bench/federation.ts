// Simulation: the province on paper, run on this machine (issue 25 §6, docs/SCALE.md). Two city
// databases with wangge's schema — 广州 (4401) and a synthetic 佛山 (4406) — publish their
// aggregate tables (case_counts, population_counts) and an anonymised person index (HMAC of the
// ID number → city, never the number, the name or the address) by logical replication to a
// province database, which subscribes to both. Measured: the initial copy (rows/s), the
// replication lag under a steady stream of statistics changes in both cities (a heartbeat row
// written every 100 ms in each city and watched on the province: p50/p99/max), that the
// province's totals equal the cities' own once caught up, and the cross-city question "who moved
// between the two cities" answered from the index alone.
//   npx tsx bench/federation.ts [--rows 1000000] [--seconds 60] [--rate 2000]
// Needs the PostgreSQL binaries (scripts/pg-pair.sh starts the three clusters and stops them).
import { execFileSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { openDatabase } from '../apps/server/src/db/database.js'
import { migrate } from '../apps/server/src/db/migrate.js'
import { loadRegionDataset, readRegionDataset } from '../apps/server/src/modules/regions/index.js'

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    seconds: { type: 'string', default: '60' },
    rate: { type: 'string', default: '2000' },
  },
})
const ROWS = Number(values.rows)
const SECONDS = Number(values.seconds)
/** Statistics rows changed per second in each city during the load. */
const RATE = Number(values.rate)
const GZ_PEOPLE = 200_000
const PAIR = new URL('../scripts/pg-pair.sh', import.meta.url).pathname
const pair = (...args: string[]) => execFileSync('bash', [PAIR, ...args], { encoding: 'utf8' }).trim()
const PORTS = { gz: 54381, fs: 54382, province: 54383 }
const url = (port: number) => `postgres://postgres@127.0.0.1:${port}/postgres`
// (A directory of its own per cluster: pg-pair.sh gives it to the postgres user when run as root.)
const dirs = {
  gz: mkdtempSync(join(tmpdir(), 'wangge-federation-gz-')),
  fs: mkdtempSync(join(tmpdir(), 'wangge-federation-fs-')),
  province: mkdtempSync(join(tmpdir(), 'wangge-federation-province-')),
}
const log = (msg: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${msg}`)
const client = async (port: number) => {
  const c = new pg.Client({ connectionString: url(port) })
  await c.connect()
  return c
}
const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN
}

/** What a city adds for the province: the anonymised person index and a heartbeat (a migration would add these). */
const FEDERATION_DDL = (city: string) => `
  create table province_person_index (
    city text not null default '${city}',
    id_hash text not null,
    since date not null,
    primary key (city, id_hash)
  );
  create table federation_heartbeat (city text primary key, at timestamptz not null);
  insert into federation_heartbeat values ('${city}', clock_timestamp());
  create publication province for table case_counts, population_counts, province_person_index, federation_heartbeat;`

/** A city's statistics: `rows` case_counts rows (every region × key, day after day back from today). */
async function seedCity(c: pg.Client, city: string, rows: number, people: number) {
  await c.query(`
    create temp table r as
      select '${city}' || substr(code, 5) as code from regions where level in ('city', 'district', 'street', 'community');
    create temp table k as
      select dim, key from (values ('all', 'all')) a(dim, key)
      union all select 'status', s from unnest(array['reported','registered','dispatched','handling','handled','verified','closed','returned']) s
      union all select 'class', 'E0' || g from generate_series(1, 9) g
      union all select 'subclass', 'E0' || a || '0' || b from generate_series(1, 9) a, generate_series(1, 9) b
      union all select 'department', 'D' || g from generate_series(10, 49) g;`)
  const regions = Number((await c.query('select count(*) from r')).rows[0]?.count)
  const keys = Number((await c.query('select count(*) from k')).rows[0]?.count)
  const days = Math.max(1, Math.ceil(rows / (regions * keys)))
  await c.query(
    `insert into case_counts (dim, region, day, key, reported, due, handled, handled_on_time, closed, closed_on_time)
     select k.dim, r.code, d.day, k.key, n, n, n - 1, n - 2, n - 1, n - 2
     from generate_series(current_date - ${days - 1}, current_date, interval '1 day') d(day)
     cross join r cross join k cross join lateral (select 3 + (abs(hashtext(r.code || k.key || d.day)) % 20) as n) x
     limit ${rows}`,
  )
  await c.query(`
    insert into population_counts (region, dim, key, n)
    select r.code, d.dim, d.key, 100 + abs(hashtext(r.code || d.key)) % 5000
    from r cross join (values ('all','all'), ('type','registered'), ('type','migrant'), ('sex','1'), ('sex','2'), ('tag','elderly')) d(dim, key)
    on conflict do nothing`)
  // The person index: a keyed hash of each ID number (HMAC under the province's key in earnest; the number never leaves
  // the city). The first 5,000 of 佛山's are people who since moved to 广州.
  await c.query(
    `insert into province_person_index (id_hash, since)
     select encode(sha256(convert_to('province-key:44' || lpad(g::text, 16, '0'), 'UTF8')), 'hex'), current_date - (g % 3000)
     from generate_series($1::int, $2::int) g`,
    city === '4401' ? [1, people] : [GZ_PEOPLE - 4_999, GZ_PEOPLE - 5_000 + people],
  )
  return { rows: Number((await c.query('select count(*) from case_counts')).rows[0]?.count), days }
}

async function main() {
  log(`clusters in ${Object.values(dirs).join(', ')}`)
  pair('single', dirs.gz, String(PORTS.gz), '-c wal_level=logical')
  pair('single', dirs.fs, String(PORTS.fs), '-c wal_level=logical')
  pair(
    'single',
    dirs.province,
    String(PORTS.province),
    '-c max_logical_replication_workers=8 -c max_sync_workers_per_subscription=4',
  )
  try {
    const cities = [
      { name: 'gz', code: '4401', port: PORTS.gz, rows: ROWS, people: GZ_PEOPLE },
      { name: 'fs', code: '4406', port: PORTS.fs, rows: Math.round(ROWS / 3), people: 100_000 },
    ] as const
    for (const city of cities) {
      const database = await openDatabase({ databaseUrl: url(city.port), dataDir: 'unused', poolSize: 2 })
      await migrate(database.db)
      await loadRegionDataset(database.db, readRegionDataset('4401'))
      await database.close()
      const c = await client(city.port)
      await c.query(FEDERATION_DDL(city.code))
      const seeded = await seedCity(c, city.code, city.rows, city.people)
      log(`${city.name}: wangge schema, ${seeded.rows.toLocaleString()} case_counts rows (${seeded.days} days), person index`)
      await c.end()
    }
    // The province: the federated tables only, their definitions taken from a city.
    const ddl = execFileSync(
      'pg_dump',
      [
        '--schema-only',
        '--no-owner',
        '--no-publications',
        ...['case_counts', 'population_counts', 'province_person_index', 'federation_heartbeat'].flatMap((t) => ['-t', t]),
        url(PORTS.gz),
      ],
      { encoding: 'utf8' },
    )
    const province = await client(PORTS.province)
    await province.query(ddl.replace(/^\\.*$/gm, ''))
    await province.query('reset search_path') // (pg_dump's script empties it)
    await province.query(`alter table province_person_index alter column city drop default`)
    const t0 = Date.now()
    for (const city of cities)
      await province.query(`create subscription ${city.name} connection '${url(city.port)}' publication province`)
    for (;;) {
      const r = await province.query(`select count(*) filter (where srsubstate <> 'r') as pending from pg_subscription_rel`)
      if (Number(r.rows[0]?.pending) === 0) break
      await new Promise((res) => setTimeout(res, 100))
    }
    const copySeconds = (Date.now() - t0) / 1000
    const copied = Number(
      (
        await province.query(
          'select (select count(*) from case_counts) + (select count(*) from population_counts) + (select count(*) from province_person_index) as n',
        )
      ).rows[0]?.n,
    )
    log(
      `initial copy: ${copied.toLocaleString()} rows in ${copySeconds.toFixed(1)} s (${Math.round(copied / copySeconds).toLocaleString()} rows/s)`,
    )

    // The load: each city changes RATE statistics rows a second (grouped upserts every 50 ms, as the
    // drain writes them) and beats every 100 ms; the province watches the beats.
    const lags: Record<string, number[]> = { '4401': [], '4406': [] }
    let running = true
    const written: Record<string, number> = {}
    const writers = cities.map(async (city) => {
      const c = await client(city.port)
      let beat = 0
      while (running) {
        const started = Date.now()
        const changed = await c.query(
          `update case_counts set reported = reported + 1, due = due + 1
           where (dim, region, day, key) in (
             select dim, region, day, key from case_counts tablesample system (1) limit $1)`,
          [Math.round(RATE / 20)],
        )
        written[city.code] = (written[city.code] ?? 0) + (changed.rowCount ?? 0)
        if (Date.now() - beat >= 100) {
          await c.query(`update federation_heartbeat set at = clock_timestamp()`)
          beat = Date.now()
        }
        await new Promise((res) => setTimeout(res, Math.max(0, 50 - (Date.now() - started))))
      }
      await c.end()
    })
    const watcher = (async () => {
      const seen = new Map<string, number>()
      while (running) {
        const r = await province.query<{ city: string; at: Date; now: Date }>(
          'select city, at, clock_timestamp() as now from federation_heartbeat',
        )
        for (const row of r.rows) {
          const at = row.at.getTime()
          if (seen.get(row.city) !== at) {
            if (seen.has(row.city)) lags[row.city]?.push(row.now.getTime() - at)
            seen.set(row.city, at)
          }
        }
        await new Promise((res) => setTimeout(res, 10))
      }
    })()
    log(`load: ${RATE} statistics rows/s changed in each city for ${SECONDS} s`)
    await new Promise((res) => setTimeout(res, SECONDS * 1000))
    running = false
    await Promise.all([...writers, watcher])

    // Caught up: the province's totals equal the cities' own.
    const sum = async (c: pg.Client, prefix: string) =>
      Number(
        (await c.query(`select coalesce(sum(reported), 0) as s from case_counts where region like $1`, [`${prefix}%`])).rows[0]
          ?.s,
      )
    let equal = false
    const cityTotals: Record<string, number> = {}
    for (const city of cities) {
      const c = await client(city.port)
      cityTotals[city.code] = await sum(c, city.code)
      await c.end()
    }
    const t1 = Date.now()
    while (!equal && Date.now() - t1 < 60_000) {
      equal = (await Promise.all(cities.map(async (city) => (await sum(province, city.code)) === cityTotals[city.code]))).every(
        Boolean,
      )
      if (!equal) await new Promise((res) => setTimeout(res, 100))
    }
    const moved = Number(
      (
        await province.query(
          `select count(*) as n from (select id_hash from province_person_index group by id_hash having count(distinct city) > 1) m`,
        )
      ).rows[0]?.n,
    )
    await province.end()
    const result = {
      copy: { rows: copied, seconds: copySeconds, rowsPerSecond: Math.round(copied / copySeconds) },
      lagMs: Object.fromEntries(
        Object.entries(lags).map(([city, xs]) => [
          city,
          { samples: xs.length, p50: percentile(xs, 50), p99: percentile(xs, 99), max: Math.max(...xs) },
        ]),
      ),
      rowsChangedPerSecond: Object.fromEntries(Object.entries(written).map(([city, n]) => [city, Math.round(n / SECONDS)])),
      provinceEqualsCities: equal,
      cityTotals,
      movedBetweenCities: moved,
    }
    console.log(JSON.stringify(result, null, 2))
    if (!equal || moved !== 5_000) process.exitCode = 1
  } finally {
    for (const d of Object.values(dirs)) pair('stop', d)
  }
}

await main()
