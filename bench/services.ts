// Benchmark: the night's proactive-service run (issue 21 §3) and the incremental re-evaluation of
// one person, over a loaded preset.
//   npm run bench:services -- [--preset yuexiu] [--people 1000]
//   npm run bench:services:pg -- --preset guangzhou
// Loads the preset first when the database has no persons (not timed), then lays down what the
// departments would have delivered in the last 60 days (not timed, straight into the shared
// store): a residence permit with its expiry for every permit holder, births, deaths, new
// disability, unemployment and veterans' registrations at the city's yearly rates. Timed:
//  1. a first night (the run looks back 30 days: birthdays, records, expiries, half-years of residence);
//  2. the next night (one day of events);
//  3. one person's eligibility for every item, for `--people` random persons (p50, p99).
import { parseArgs } from 'node:util'
import { beijingDate } from '@wangge/domain'
import { sql } from 'kysely'
import { createCaseServices } from '../apps/server/src/modules/cases/index.js'
import { createServicesService } from '../apps/server/src/modules/services/index.js'
import { createSharingService } from '../apps/server/src/modules/sharing/index.js'
import { loadSynthetic } from '../apps/server/src/synth/loader.js'
import { PRESETS } from '../apps/server/src/synth/profiles.js'
import { progressReporter } from '../apps/server/src/synth/progress.js'
import { openBenchDatabase } from './bench-db.js'

const { values } = parseArgs({
  options: {
    preset: { type: 'string', default: 'yuexiu' },
    people: { type: 'string', default: '1000' },
    'data-dir': { type: 'string' },
  },
})
const preset = PRESETS[values.preset as string]
if (!preset) throw new Error(`unknown preset ${values.preset}`)
const database = await openBenchDatabase(values['data-dir'])
const db = database.db
const count = async (q: string) =>
  Number((await sql<{ n: string }>`select count(*) as n from ${sql.raw(q)}`.execute(db)).rows[0]?.n)
if (!(await count('persons'))) {
  const load = progressReporter(`load ${preset.name}`, { info: (m) => console.log(m) })
  await loadSynthetic(database, { preset, seed: 'services', city: '4401', onProgress: load.update })
  load.stop()
}
const persons = await count('persons')
const today = beijingDate(new Date())
console.log(`${database.engine}, ${persons.toLocaleString('en')} persons, ${today}`)

// (The case services seed the departments and the catalog; the sharing service the datasets.)
const { cases, settings } = await createCaseServices({ db, clock: () => new Date() })
await createSharingService({ db, stores: {} }).seed()
// What the departments delivered lately (yearly rates per person: births 1.0 %, deaths 0.55 %,
// new disability registrations 0.1 %, unemployment registrations 1 %, veterans 0.05 %; new
// migrants 8 % of the migrants, about 35 % of the residents).
const t0 = Date.now()
await sql`delete from service_offers`.execute(db)
await sql`delete from service_runs`.execute(db)
await sql`delete from shared_records where record ->> 'bench' = 'services'`.execute(db)
const delivery = async (dataset: string, department: string) =>
  Number(
    (
      await sql<{ id: string }>`
        insert into deliveries (dataset_code, dataset_version, department, delivery_key, channel, mode, policy, content_sha256,
          as_of, created_by, status, finished_at)
        values (${dataset}, 1, ${department}, ${`bench-services-${dataset}-${Date.now()}`}, 'cli', 'incremental', 'valid_rows', '', now(), 'bench', 'applied', now())
        returning id`.execute(db)
    ).rows[0]?.id,
  )
const perDay = (yearly: number) => Math.max(1, Math.round((persons * yearly) / 365))
const days60 = sql.raw(`(abs(hashtext(p.id::text)) % 60)`)
async function lay(dataset: string, department: string, where: string, n: number, record: string) {
  // (After a first delivery: a register's first delivery is its baseline, not news.)
  await delivery(dataset, department)
  const id = await delivery(dataset, department)
  await sql`
    insert into shared_records (dataset_code, record_key, entity_id, community_code, record, delivery_id, updated_at)
    select ${dataset}, p.id_number, p.id, p.community_code, ${sql.raw(record)} || '{"bench": "services"}'::jsonb, ${id},
      now() - ${days60} * interval '1 day'
    from persons p where ${sql.raw(where)} order by md5(p.id::text) limit ${n}
    on conflict (dataset_code, record_key) do update set record = excluded.record, updated_at = excluded.updated_at,
      removed = false, delivery_id = excluded.delivery_id`.execute(db)
}
await lay(
  'migrant.permits',
  'migrant',
  `p.permit_type = '01' and p.status = 'active'`,
  persons,
  `jsonb_build_object('id_number', p.id_number, 'permit_expires_on', (current_date + (abs(hashtext(p.id_number)) % 730) - 30)::text)`,
)
await lay(
  'cdpf.disability',
  'cdpf',
  `'disabled' = any(p.care_tags)`,
  perDay(0.001) * 60,
  `jsonb_build_object('grade', 1 + abs(hashtext(p.id_number)) % 4)`,
)
await lay(
  'hrss.employment',
  'hrss',
  `'unemployed' = any(p.care_tags)`,
  perDay(0.01) * 60,
  `jsonb_build_object('employment', 'unemployed', 'insured', false)`,
)
await lay('veterans.registry', 'veterans', `'veteran' = any(p.care_tags)`, perDay(0.0005) * 60, `'{}'::jsonb`)
await lay(
  'health.deaths',
  'health',
  `p.birth_date < current_date - interval '70 years' and p.status = 'active'`,
  perDay(0.0055) * 60,
  `jsonb_build_object('death_date', (current_date - (abs(hashtext(p.id_number)) % 60))::text)`,
)
{
  const id = await delivery('health.births', 'health')
  await sql`
    insert into shared_records (dataset_code, record_key, entity_id, community_code, record, delivery_id, updated_at)
    select 'health.births', 'BENCH' || p.id, null, p.community_code,
      jsonb_build_object('certificate_no', 'BENCH' || p.id, 'mother_id_number', p.id_number, 'bench', 'services',
        'birth_date', (current_date - (abs(hashtext(p.id::text)) % 60))::text),
      ${id}, now() - ${days60} * interval '1 day' + interval '1 day'
    from persons p where p.sex = '2' and p.status = 'active' and p.birth_date between current_date - interval '40 years' and current_date - interval '22 years'
    order by md5(p.id::text) limit ${perDay(0.01) * 60}
    on conflict (dataset_code, record_key) do nothing`.execute(db)
}
// Migrants who arrived over the last months (8 % of them a year, as the registrations say).
await sql`
  update persons p set arrival_date = current_date - 180 - ${days60}
  where p.id in (select id from persons where population_type = 'migrant' and status = 'active' and coalesce(permit_type, '99') <> '01'
    order by md5(id::text) limit ${perDay(0.08 * 0.35) * 60})`.execute(db)
await sql`analyze shared_records`.execute(db)
const laid = Number(
  (await sql<{ n: string }>`select count(*) as n from shared_records where record ->> 'bench' = 'services'`.execute(db)).rows[0]
    ?.n,
)
console.log(
  `departments' records laid down: ${laid.toLocaleString('en')} in ${((Date.now() - t0) / 1000).toFixed(1)} s (not timed)`,
)

const services = createServicesService({ db, cases, calendar: async () => (await settings.current()).calendar })
await services.seed()

const first = await services.proactive.run(today)
console.log(
  `first night (30 days back): ${first.candidates.toLocaleString('en')} candidates, ${first.eligible.toLocaleString('en')} eligible, ${first.offers.toLocaleString('en')} offers in ${(first.ms / 1000).toFixed(1)} s`,
)
for (const [code, s] of Object.entries(first.byItem))
  console.log(`  ${code}: ${s.candidates} candidates → ${s.offers} offers in ${s.ms} ms (found in ${s.findMs} ms)`)
const tomorrow = new Date(Date.parse(today) + 86_400_000).toISOString().slice(0, 10)
const next = await services.proactive.run(tomorrow)
console.log(
  `next night (1 day): ${next.candidates.toLocaleString('en')} candidates, ${next.offers.toLocaleString('en')} offers in ${(next.ms / 1000).toFixed(1)} s`,
)
const again = await services.proactive.run(tomorrow)
console.log(`the same night again: ${again.offers} new offers (idempotent) in ${(again.ms / 1000).toFixed(1)} s`)

const ids = (
  await sql<{ id: string }>`select id from persons tablesample system (1) limit ${Number(values.people)}`.execute(db)
).rows.map((r) => Number(r.id))
const times: number[] = []
for (const id of ids) {
  const s = performance.now()
  await services.eligibilityOf(id)
  times.push(performance.now() - s)
}
times.sort((a, b) => a - b)
const q = (f: number) => (times[Math.min(times.length - 1, Math.floor(f * times.length))] as number).toFixed(2)
console.log(`one person's eligibility for every item (${times.length} persons): p50 ${q(0.5)} ms, p99 ${q(0.99)} ms`)
await database.close()
