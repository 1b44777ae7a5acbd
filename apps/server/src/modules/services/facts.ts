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
import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import { factsRepository as repo } from './facts.repository.js'

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

export interface RecordRaw {
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
  const own = evidence ? OWN_DATASETS : Object.entries(FACT_DATASET).flatMap(([f, d]) => (need(f as ServiceFact) ? [d] : []))
  const persons = await repo.persons(db, ids, today, {
    evidence,
    childrenUnder18: need('childrenUnder18'),
    householdLowIncome: need('householdLowIncome'),
  })
  if (!persons.length) return out
  const households = persons.map((p) => p.household_id).filter((h): h is number => h !== null)
  // The departments' records in one statement (the person's own; births by a parent's ID number;
  // deaths in the household), the provenance beside it: two round trips after the persons.
  const [records, sources] = await Promise.all([
    repo.records(db, {
      ids,
      idNumbers: persons.map((p) => p.id_number),
      households,
      own,
      births: need('newbornDays'),
      deaths: need('householdDeathDays'),
    }),
    evidence ? repo.sources(db, ids) : [],
  ])
  const group = <K, T>(rows: T[], key: (r: T) => K) => {
    const m = new Map<K, T[]>()
    for (const r of rows) m.set(key(r), [...(m.get(key(r)) ?? []), r])
    return m
  }
  const ownOf = group(
    records.filter((r) => r.kind === 'own'),
    (r) => Number(r.person_id),
  )
  const birthsOf = group(
    records.filter((r) => r.kind === 'birth'),
    (r) => Number(r.person_id),
  )
  const deathsOf = group(
    records.filter((r) => r.kind === 'death'),
    (r) => Number(r.household_id),
  )
  const sourcesOf = group(sources, (r) => Number(r.person_id))
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
