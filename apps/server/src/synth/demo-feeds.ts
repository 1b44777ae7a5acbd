// The departments of the demo city at work (issue 19 §6): N days of deliveries drawn from the base
// database, as real departments send them — on their rhythm or late or not at all, and dirty:
// wrong check characters, impossible dates, typos in names, stale addresses, the dead still paid,
// expired permits, household sizes the grid worker would not recognise. Every delivery goes the
// real way (validation, matching, ownership, cross-checks); idempotent by delivery id, so a second
// run adds nothing. Then the older findings get answered, as the departments and grid workers
// would have, so the board shows a spread.
import { beijingDate, codeAt, idCheckChar, isWorkday } from '@wangge/domain'
import { createRng } from '@wangge/geo'
import { sql } from 'kysely'
import type { Database } from '../db/database.js'
import { breathe } from '../kernel/breathe.js'
import { seedDepartments } from '../modules/catalog/index.js'
import { sharedComponents } from '../modules/components/index.js'
import { sharedDwellings } from '../modules/housing/index.js'
import { sharedOrganizations } from '../modules/organizations/index.js'
import { sharedPersons } from '../modules/persons/index.js'
import { createSharingService, type RawRow } from '../modules/sharing/index.js'
import { demoPrincipal } from './demo-staff.js'

const DAY = 86_400_000

/** How each department behaves: the share of its slots it meets, and months it stays silent. */
const PROFILES: Record<string, { meets: number; silentMonthsAgo?: number[] }> = {
  'police.population': { meets: 0.96 },
  'migrant.permits': { meets: 0.85 },
  'health.deaths': { meets: 0.55 },
  'health.births': { meets: 0.5 },
  'civil_affairs.assistance': { meets: 1 },
  'civil_affairs.elderly_allowance': { meets: 1, silentMonthsAgo: [1] },
  'cdpf.disability': { meets: 1 },
  'hrss.employment': { meets: 1, silentMonthsAgo: [1, 2] },
  'housing.rentals': { meets: 0.75 },
  'market.entities': { meets: 0.9 },
  'city_mgmt.components': { meets: 0.8 },
  'weather.warnings': { meets: 0.95 },
  'veterans.registry': { meets: 0 },
  'justice.corrections': { meets: 1 },
}

interface Person {
  id_number: string
  name: string
  population_type: string
  relation_to_head: string | null
  members: number | null
  sex: string
  age: number
  care_tags: string[]
  employment: string | null
}

export interface FeedSimulation {
  deliveries: number
  rows: number
  findings: number
  ms: number
}

export async function simulateFeeds(
  database: Database,
  opts: { scope: string; days?: number; end?: Date; onProgress?: (done: number, total: number) => void },
): Promise<FeedSimulation> {
  const t0 = Date.now()
  const db = database.db
  const days = opts.days ?? 90
  const end = opts.end ?? new Date()
  const scope = opts.scope
  const rng = createRng(`demo-feeds:${scope}`)
  const chance = (p: number) => rng() < p
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rng() * xs.length)] as T
  const sample = <T>(xs: readonly T[], n: number) => Array.from({ length: Math.min(n, xs.length) }, () => pick(xs))
  await seedDepartments(db)
  const sharing = createSharingService({
    db,
    clock: () => end,
    stores: { person: sharedPersons, dwelling: sharedDwellings, organization: sharedOrganizations, component: sharedComponents },
  })
  await sharing.seed()
  const p = demoPrincipal(scope, 'feeds-simulation', '部门数据模拟')

  // What the departments know of the place (drawn once; deliveries sample from it).
  const like = `${scope}%`
  const persons = (
    await sql<Person>`
      select p.id_number, p.name, p.population_type, p.relation_to_head, h.members, p.sex, p.care_tags, p.employment,
        extract(year from age(current_date, p.birth_date))::int as age
      from persons p left join households h on h.id = p.household_id
      where p.community_code like ${like} and p.status = 'active'
      order by md5(p.id::text) limit 60000`.execute(db)
  ).rows
  if (!persons.length) return { deliveries: 0, rows: 0, findings: 0, ms: Date.now() - t0 }
  const elderly = (
    await sql<Person>`select id_number, name from persons where community_code like ${like} and status = 'active'
      and population_type = 'registered' and birth_date <= current_date - interval '80 years'`.execute(db)
  ).rows
  const assisted = (
    await sql<Person>`select id_number, name, care_tags from persons where community_code like ${like} and status = 'active'
      and care_tags && array['low_income', 'extreme_poverty']`.execute(db)
  ).rows
  const disabled = (
    await sql<Person>`select id_number, name from persons where community_code like ${like} and status = 'active'
      and 'disabled' = any(care_tags)`.execute(db)
  ).rows
  const migrants = persons.filter((x) => x.population_type === 'migrant')
  const working = persons.filter((x) => x.age >= 18 && x.age < 60)
  const mothers = persons.filter((x) => x.sex === '2' && x.age >= 22 && x.age <= 40)
  const old = persons.filter((x) => x.age >= 70)
  const rentals = (
    await sql<{ address: string; rent: number | null; landlord: string | null; empty: boolean }>`
      select w.address, w.rent_monthly as rent, w.landlord_name as landlord,
        not exists (select 1 from persons x where x.dwelling_id = w.id and x.status = 'active') as empty
      from dwellings w where w.community_code like ${like} and (w.occupancy = 'rental' or w.occupancy = 'vacant')
      order by md5(w.id::text) limit 5000`.execute(db)
  ).rows
  const orgs = (
    await sql<{ uscc: string; name: string; type: string; legal_representative: string; established_on: string | null }>`
      select uscc, name, type, legal_representative, to_char(established_on, 'YYYY-MM-DD') as established_on
      from organizations where community_code like ${like} and status = 'active' order by md5(id::text) limit 3000`.execute(db)
  ).rows
  const components = (
    await sql<{ code: string; owner_unit: string; maintainer_unit: string }>`
      select code, owner_unit, maintainer_unit from components where community_code like ${like} order by md5(id::text) limit 3000`.execute(
      db,
    )
  ).rows

  const wrongCheck = (id: string) => id.slice(0, 17) + (idCheckChar(id.slice(0, 17)) === '1' ? '2' : '1')
  const typo = (name: string) => (name.length > 1 ? `${name.slice(0, -1)}${pick(['明', '敏', '铭', '民'])}` : name)
  const monthsAgo = (day: string) => {
    const [y, m] = day.split('-').map(Number) as [number, number]
    const [ey, em] = beijingDate(end).split('-').map(Number) as [number, number]
    return (ey - y) * 12 + (em - m)
  }

  /** The records each dataset sends on a day (empty: nothing to send). */
  const build: Record<string, (day: string) => Record<string, unknown>[]> = {
    'police.population': () =>
      sample(persons, 120).map((x) => {
        const r: Record<string, unknown> = {
          id_number: chance(0.006) ? wrongCheck(x.id_number) : x.id_number,
          name: x.name,
          population_type: x.population_type,
          status: chance(0.004) ? 'moved_out' : 'active',
        }
        if (x.relation_to_head === '01' && x.members) r.household_size = chance(0.06) ? x.members + 1 : x.members
        return r
      }),
    'migrant.permits': (day) =>
      sample(migrants, 60).map((x) => ({
        id_number: x.id_number,
        name: chance(0.02) ? typo(x.name) : x.name,
        permit_type: '01',
        arrival_date: chance(0.02) ? '2024-02-30' : '2023-03-15',
        permit_expires_on: chance(0.05)
          ? new Date(Date.parse(day) - (30 + Math.floor(rng() * 200)) * DAY).toISOString().slice(0, 10)
          : '2027-06-30',
      })),
    'health.deaths': (day) =>
      sample(old, 1 + Math.floor(rng() * 3)).map((x) => ({ id_number: x.id_number, name: x.name, death_date: day })),
    'health.births': (day) =>
      sample(mothers, 1 + Math.floor(rng() * 4)).map((x, i) => ({
        certificate_no: `Q${day.replaceAll('-', '')}${String(i).padStart(3, '0')}${Math.floor(rng() * 1000)}`,
        mother_id_number: x.id_number,
        birth_date: day,
        sex: chance(0.5) ? '1' : '2',
      })),
    'civil_affairs.assistance': () =>
      [...assisted, ...sample(old, 3)].map((x) => ({
        id_number: x.id_number,
        name: x.name,
        care_tags: (x.care_tags ?? []).filter((t) => t === 'low_income' || t === 'extreme_poverty').join(',') || 'low_income',
        monthly_amount: 1300,
      })),
    'civil_affairs.elderly_allowance': () =>
      elderly.filter(() => !chance(0.03)).map((x) => ({ id_number: x.id_number, name: x.name, monthly_amount: 200 })),
    'cdpf.disability': () =>
      // (A person's grade is the same in every month's snapshot: a register does not reshuffle grades.)
      disabled.map((x) => ({
        id_number: x.id_number,
        name: x.name,
        care_tags: 'disabled',
        grade: 1 + (Number(x.id_number.slice(14, 17)) % 4),
      })),
    'hrss.employment': () =>
      sample(working, 400).map((x) => {
        const employed = x.employment === 'employed' || chance(0.02)
        return {
          id_number: x.id_number,
          name: x.name,
          employment: employed ? 'employed' : (x.employment ?? 'homemaker'),
          employer: employed ? (pick(orgs)?.name ?? null) : null,
          care_tags: x.care_tags?.includes('unemployed') ? 'unemployed' : '',
          insured: employed,
        }
      }),
    'housing.rentals': (day) =>
      sample(rentals, 80).map((d) => ({
        // A stale address now and then (the building was renumbered): matched to nothing.
        address: chance(0.02) ? `${d.address}（旧址）` : d.address,
        occupancy: 'rental',
        rent_monthly: d.rent ?? 1500 + Math.floor(rng() * 3000),
        landlord_name: d.landlord ?? '业主',
        filing_no: `ZL${day.replaceAll('-', '')}${Math.floor(rng() * 1e5)}`,
        filed_on: day,
      })),
    'market.entities': () =>
      sample(orgs, 25).map((o) => ({
        uscc: o.uscc,
        name: o.name,
        type: o.type,
        legal_representative: o.legal_representative,
        established_on: o.established_on,
        status: 'active',
      })),
    'city_mgmt.components': () =>
      sample(components, 60).map((c) => ({
        code: c.code,
        state: chance(0.05) ? 'damaged' : 'normal',
        owner_unit: c.owner_unit,
        maintainer_unit: c.maintainer_unit,
      })),
    'weather.warnings': (day) => [
      {
        warning_id: `GZ${day.replaceAll('-', '')}`,
        kind: pick(['暴雨', '台风', '高温', '寒冷', '大雾']),
        level: pick(['蓝色', '黄色', '橙色']),
        area: codeAt(scope, 'district'),
        issued_on: day,
      },
    ],
    'veterans.registry': () => [],
    'justice.corrections': (day) => sample(working, 5).map((x) => ({ id_number: x.id_number, name: x.name, started_on: day })),
  }

  // The days, oldest first; each dataset on its rhythm.
  const datasets = (await sharing.datasets(p)).filter((d) => d.active)
  const dayList = Array.from({ length: days }, (_, i) => beijingDate(new Date(end.getTime() - (days - 1 - i) * DAY)))
  const due = (rhythm: string, day: string) => {
    const d = new Date(`${day}T00:00:00Z`)
    if (rhythm === 'monthly') return d.getUTCDate() === 5 + (d.getUTCMonth() % 3)
    if (rhythm === 'weekly') return d.getUTCDay() === 3
    return isWorkday(day)
  }
  // A second run adds nothing: the days already delivered are skipped (the base has moved on since,
  // so rebuilding them would not give the same content).
  const sent = new Set(
    (await sql<{ key: string }>`select delivery_key as key from deliveries where channel = 'simulation'`.execute(db)).rows.map(
      (r) => r.key,
    ),
  )
  let deliveries = 0
  let rows = 0
  let step = 0
  for (const day of dayList) {
    for (const d of datasets) {
      const profile = PROFILES[d.code] ?? { meets: 0.8 }
      // Whether a department met this slot is decided by the slot alone (the same on every run).
      const meets = createRng(`demo-feeds:${scope}:${d.code}:${day}`)() < profile.meets
      if (!due(d.rhythm, day) || !meets || profile.silentMonthsAgo?.includes(monthsAgo(day))) continue
      if (sent.has(`sim-${d.code}-${day}`)) continue
      const records = build[d.code]?.(day) ?? []
      if (!records.length) continue
      await breathe()
      const columns = [...new Set(records.flatMap((r) => Object.keys(r)))]
      const raw: RawRow[] = records.map((values, i) => ({ rowNo: i + 1, values: values as RawRow['values'] }))
      const snapshot = d.rhythm === 'monthly' && d.code !== 'hrss.employment' && d.code !== 'justice.corrections'
      // Delivered in the evening, a late department's data a few days old.
      const receivedAt = new Date(Date.parse(`${day}T18:00:00+08:00`) + Math.floor(rng() * 3 * 3600_000))
      const asOf = new Date(Date.parse(`${day}T00:00:00+08:00`) - (profile.meets < 0.6 ? 2 * DAY : 0))
      await sharing.deliver(p, d.code, {
        deliveryKey: `sim-${d.code}-${day}`,
        mode: snapshot ? 'snapshot' : 'incremental',
        policy: 'valid_rows',
        channel: 'simulation',
        asOf,
        receivedAt,
        columns,
        rows: raw,
      })
      deliveries++
      rows += records.length
    }
    opts.onProgress?.(++step, dayList.length)
  }

  // The night's run over everything, then the older findings answered by whoever had the task:
  // most of those found more than ten days before the end, in a few days each.
  await sharing.crosschecks.runAll()
  await sql`update check_findings f set first_seen_at = d.received_at, last_seen_at = greatest(f.last_seen_at, d.received_at)
    from deliveries d where d.id = f.found_by_delivery and d.channel = 'simulation' and f.first_seen_at > d.received_at`.execute(
    db,
  )
  const older = (
    await sql<{ id: string; version: number; first_seen_at: Date }>`select id, version, first_seen_at from check_findings
      where status = 'open' and first_seen_at < ${new Date(end.getTime() - 10 * DAY)} order by id`.execute(db)
  ).rows
  for (const f of older) {
    if (!chance(0.7)) continue
    await breathe()
    const side = chance(0.6) ? 'department' : 'base'
    await sharing.crosschecks.resolve(p, Number(f.id), {
      side,
      note: side === 'department' ? '已核实并更正' : '上门核实，基础库无误',
      version: f.version,
    })
    const at = new Date(new Date(f.first_seen_at).getTime() + (1 + Math.floor(rng() * 9)) * DAY)
    await sql`update check_findings set resolved_at = ${at} where id = ${f.id}`.execute(db)
  }
  const findings = Number((await sql<{ n: string }>`select count(*) as n from check_findings`.execute(db)).rows[0]?.n ?? 0)
  return { deliveries, rows, findings, ms: Date.now() - t0 }
}
