// A resident's facts for the eligibility rules, read set-based for many persons at once (one at
// the window, the night's candidates in batches): the person, their household and dwelling, and
// the departments' live records about them (a permit's expiry, a disability grade, a birth, a
// death in the household). The same reading feeds the window and the nightly run, so that what a
// clerk is shown and what the night finds cannot disagree.
import {
  ageOn,
  checkRule,
  DEFAULT_DATASETS,
  daysBetween,
  PERSON_FIELD_GROUPS,
  type PersonFieldGroup,
  type ProofEvidence,
  type ServiceFact,
  type ServiceFacts,
  type ServiceItemDefinition,
} from '@wangge/domain'
import { type Kysely, sql } from 'kysely'
import type { DB } from '../../db/schema.js'

export interface PersonRaw {
  id: number
  id_number: string
  name: string
  sex: string
  birth_date: string
  status: string
  population_type: string
  permit_type: string | null
  arrival_date: string | null
  marital_status: string | null
  employment: string | null
  care_tags: string[]
  health_flags: string[]
  phone: string | null
  household_id: number | null
  community_code: string
  grid_code: string | null
  address: string | null
  lng: number | null
  lat: number | null
  members: number | null
  occupancy: string | null
  area_m2: number | null
  children_under18: number
  household_low_income: boolean
  load_id: number | null
  source: string
  updated_at: Date
}

interface RecordRaw {
  dataset_code: string
  person_id: number
  record: Record<string, unknown>
  updated_at: Date
}

export interface PersonFacts {
  person: PersonRaw
  facts: ServiceFacts
  evidence: ProofEvidence
}

const DEPARTMENT_OF = new Map(DEFAULT_DATASETS.map((d) => [d.code, d.department]))
/** The datasets whose live record about the person itself is a fact or a proof. */
const OWN_DATASETS = [
  'migrant.permits',
  'cdpf.disability',
  'hrss.employment',
  'civil_affairs.elderly_allowance',
  'civil_affairs.assistance',
  'veterans.registry',
]
const iso = (d: unknown) => (d instanceof Date ? d.toISOString() : String(d))
/** The dataset a fact is read from, for the facts that come from a department's record. */
const FACT_DATASET: Partial<Record<ServiceFact, string>> = {
  permitDaysLeft: 'migrant.permits',
  disabilityGrade: 'cdpf.disability',
  insured: 'hrss.employment',
  receivesElderlyAllowance: 'civil_affairs.elderly_allowance',
}

/** What to read: every fact and the evidence for the materials (the window), or only the facts a
 *  rule names (the night's run over many candidates: a permit's renewal needs no household). */
export interface FactsWanted {
  facts?: ReadonlySet<ServiceFact>
  evidence?: boolean
}

/** Only what these items' rules name, without the evidence for the materials. */
export const rulesFacts = (items: readonly Pick<ServiceItemDefinition, 'conditions'>[]): FactsWanted => ({
  facts: new Set(items.flatMap((i) => i.conditions.flatMap((x) => checkRule(x.rule).facts)) as ServiceFact[]),
  evidence: false,
})

/** The facts of these persons on `today` (Beijing date), with what the shared data can prove. */
export async function readFacts(
  db: Kysely<DB>,
  ids: readonly number[],
  today: string,
  wanted: FactsWanted = {},
): Promise<Map<number, PersonFacts>> {
  const out = new Map<number, PersonFacts>()
  if (!ids.length) return out
  const evidence = wanted.evidence ?? true
  const need = (f: ServiceFact) => evidence || !wanted.facts || wanted.facts.has(f)
  const idList = sql.join(ids.map((i) => sql`${i}`))
  const own = evidence ? OWN_DATASETS : Object.entries(FACT_DATASET).flatMap(([f, d]) => (need(f as ServiceFact) ? [d] : []))
  const persons = (
    await sql<PersonRaw>`
      select p.id, p.id_number, p.name, p.sex, p.birth_date::text as birth_date, p.status, p.population_type,
        p.permit_type, p.arrival_date::text as arrival_date, p.marital_status, p.employment, p.care_tags, p.health_flags,
        p.phone, p.household_id, p.community_code, d.grid_code, d.address, ${evidence ? sql`b.lng, b.lat` : sql`null as lng, null as lat`},
        h.members, d.occupancy, d.area_m2, p.load_id, p.source, p.updated_at,
        ${
          need('childrenUnder18')
            ? sql`coalesce((select count(*)::int from persons m where m.household_id = p.household_id and m.status = 'active'
          and m.birth_date > ${today}::date - interval '18 years'), 0)`
            : sql`0`
        } as children_under18,
        ${
          need('householdLowIncome')
            ? sql`coalesce((select bool_or('low_income' = any(m.care_tags) or 'extreme_poverty' = any(m.care_tags)) from persons m
          where m.household_id = p.household_id and m.status = 'active'), false)`
            : sql`false`
        } as household_low_income
      from persons p
      left join households h on h.id = p.household_id
      left join dwellings d on d.id = p.dwelling_id
      ${evidence ? sql`left join buildings b on b.id = d.building_id` : sql``}
      where p.id in (${idList})`.execute(db)
  ).rows
  if (!persons.length) return out
  const idNumbers = sql.join(persons.map((p) => sql`${p.id_number}`))
  const households = persons.map((p) => p.household_id).filter((h): h is number => h !== null)
  // The departments' records in one statement (the person's own; births by a parent's ID number;
  // deaths in the household), the provenance beside it: two round trips after the persons.
  const householdList = households.length ? sql.join(households.map((h) => sql`${h}`)) : sql`null`
  const parts = [
    own.length
      ? sql`select 'own' as kind, dataset_code, entity_id as person_id, null::bigint as household_id, record, updated_at
      from shared_records
      where entity_id in (${idList}) and not removed and dataset_code in (${sql.join(own.map((d) => sql`${d}`))})`
      : null,
    need('newbornDays')
      ? sql`select 'birth' as kind, 'health.births' as dataset_code, p.id as person_id, null::bigint as household_id, r.record, r.updated_at
      from shared_records r join persons p on p.id_number in (r.record ->> 'mother_id_number', r.record ->> 'father_id_number')
      where r.dataset_code = 'health.births' and not r.removed
        and (r.record ->> 'mother_id_number' in (${idNumbers}) or r.record ->> 'father_id_number' in (${idNumbers}))
        and p.id in (${idList})`
      : null,
    need('householdDeathDays')
      ? sql`select 'death' as kind, 'health.deaths' as dataset_code, m.id as person_id, m.household_id, r.record, r.updated_at
      from shared_records r join persons m on m.id = r.entity_id
      where r.dataset_code = 'health.deaths' and not r.removed and m.household_id in (${householdList})`
      : null,
  ].filter((x) => x !== null) // (each part names its columns: any of them may come first)
  type Row = RecordRaw & { kind: 'own' | 'birth' | 'death'; household_id: number | null }
  const [records, sources] = await Promise.all([
    parts.length ? sql<Row>`${sql.join(parts, sql` union all `)}`.execute(db) : { rows: [] as Row[] },
    evidence
      ? sql<{ person_id: number; field_group: PersonFieldGroup; source: string; updated_at: Date }>`
      select person_id, field_group, source, updated_at from person_field_sources where person_id in (${idList})`.execute(db)
      : { rows: [] },
  ])
  const group = <K, T>(rows: T[], key: (r: T) => K) => {
    const m = new Map<K, T[]>()
    for (const r of rows) m.set(key(r), [...(m.get(key(r)) ?? []), r])
    return m
  }
  const ownOf = group(
    records.rows.filter((r) => r.kind === 'own'),
    (r) => Number(r.person_id),
  )
  const birthsOf = group(
    records.rows.filter((r) => r.kind === 'birth'),
    (r) => Number(r.person_id),
  )
  const deathsOf = group(
    records.rows.filter((r) => r.kind === 'death'),
    (r) => Number(r.household_id),
  )
  const sourcesOf = group(sources.rows, (r) => Number(r.person_id))
  for (const p of persons) {
    const id = Number(p.id)
    const records = new Map((ownOf.get(id) ?? []).map((r) => [r.dataset_code, r]))
    const myBirths = birthsOf.get(id) ?? []
    const myDeaths =
      p.household_id === null ? [] : (deathsOf.get(Number(p.household_id)) ?? []).filter((r) => Number(r.person_id) !== id)
    const latest = <T extends RecordRaw>(rs: T[], field: string) =>
      rs.reduce<T | null>((a, r) => (a === null || String(r.record[field]) > String(a.record[field]) ? r : a), null)
    const birth = latest(myBirths, 'birth_date')
    const death = latest(myDeaths, 'death_date')
    const permit = records.get('migrant.permits')
    const disability = records.get('cdpf.disability')
    const employment = records.get('hrss.employment')
    const expires = permit?.record.permit_expires_on
    const grade = disability?.record.grade
    const members = p.members === null ? null : Number(p.members)
    const facts: ServiceFacts = {
      age: ageOn(p.birth_date, today),
      sex: p.sex,
      status: p.status,
      populationType: p.population_type,
      permitType: p.permit_type ?? '99',
      permitDaysLeft: typeof expires === 'string' ? daysBetween(today, expires) : null,
      residedDays: p.arrival_date ? daysBetween(p.arrival_date, today) : null,
      maritalStatus: p.marital_status,
      employment: p.employment,
      careTags: p.care_tags,
      healthFlags: p.health_flags,
      disabilityGrade: grade === undefined || grade === null || grade === '' ? null : Number(grade),
      insured: employment && typeof employment.record.insured === 'boolean' ? employment.record.insured : null,
      receivesElderlyAllowance: records.has('civil_affairs.elderly_allowance'),
      newbornDays: birth ? daysBetween(String(birth.record.birth_date), today) : null,
      householdDeathDays: death ? daysBetween(String(death.record.death_date), today) : null,
      householdMembers: members,
      childrenUnder18: Number(p.children_under18),
      householdLowIncome: !!p.household_low_income,
      occupancy: p.occupancy,
      areaPerPerson: p.area_m2 !== null && members ? Math.round((Number(p.area_m2) / members) * 10) / 10 : null,
    }
    // Provenance per field group: an explicit source, or the group's department as of the load.
    const groups: ProofEvidence['groups'] = {}
    for (const [g, def] of Object.entries(PERSON_FIELD_GROUPS) as [
      PersonFieldGroup,
      (typeof PERSON_FIELD_GROUPS)[PersonFieldGroup],
    ][]) {
      const e = (sourcesOf.get(id) ?? []).find((s) => s.field_group === g)
      groups[g] = e
        ? { source: e.source, asOf: iso(e.updated_at) }
        : { source: p.load_id ? def.defaultSource : p.source, asOf: iso(p.updated_at) }
    }
    const datasets: ProofEvidence['datasets'] = {}
    const held = (code: string, r: RecordRaw | null | undefined) => {
      if (r) datasets[code] = { department: DEPARTMENT_OF.get(code) ?? code, asOf: iso(r.updated_at) }
    }
    for (const [code, r] of records) held(code, r)
    held('health.births', birth)
    held('health.deaths', death)
    out.set(id, { person: { ...p, id }, facts, evidence: { groups, datasets } })
  }
  return out
}
