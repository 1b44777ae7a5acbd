// 共享校核 — cross-checks of the shared data as rules (data, not code paths). A rule names the
// base record it is about, conditions on that record and on the departments' latest records
// (a dataset's record present or absent, with conditions on its fields), the two values a finding
// shows side by side, who answers for the disputed field, who gets the task (the department:
// "correct your data"; or the grid worker of the place: a door-to-door question), and the
// correction when the department's side turns out right. The server compiles a rule to one
// set-based statement over a whitelist of fields; nothing here is SQL.

import type { CODE_TABLES } from './codes.js'

export type CheckSubject = 'person' | 'dwelling' | 'organization'

/** What a predicate may ask of a field (the compiler's whitelist). */
export const PREDICATE_OPS = [
  'eq',
  'ne',
  'in',
  'not_in',
  'null',
  'not_null',
  'contains',
  'lacks',
  'before_today',
  'age_gte',
  'differs_from_members',
] as const
export type PredicateOp = (typeof PREDICATE_OPS)[number]

export interface Predicate {
  field: string
  op: PredicateOp
  value?: string | number | readonly string[]
}

export type Condition =
  /** The subject's own base fields. */
  | { base: Predicate }
  /** A record of the dataset for the subject (not removed), matching every predicate on its fields. */
  | { has: string; where?: Predicate[] }
  /** No record of the dataset for the subject. */
  | { lacks: string }
  /** No active resident lives in the dwelling. */
  | { empty: true }
  /** Another active person has the same name, birth date and dwelling (the later id is the finding). */
  | { duplicate: true }

/** One side of a finding: a base field, or a field of a dataset's record. */
export type ValueRef = { base: string; label: string } | { dataset: string; field: string; label: string }

export interface CheckRule {
  code: string
  name: string
  nameEn: string
  subject: CheckSubject
  when: Condition[]
  left: ValueRef
  right: ValueRef
  /** The department that answers for the disputed field (谁提供、谁负责). */
  owner: string
  /** Who gets the task: the owning department, or the grid worker of the place (a visit question). */
  assignee: 'department' | 'grid_worker'
  question: string
  /** When the department's side is right: the base fields to set (a value, or `=dataset.field`). */
  fix?: Record<string, string>
}

/** The seeded rules; administrators may switch them off or change them (versioned in the database). */
export const DEFAULT_CHECK_RULES: CheckRule[] = [
  {
    code: 'deceased_still_active',
    name: '已死亡但仍为在册人口',
    nameEn: 'Deceased per Health but still active',
    subject: 'person',
    when: [{ has: 'health.deaths' }, { base: { field: 'status', op: 'eq', value: 'active' } }],
    left: { dataset: 'health.deaths', field: 'death_date', label: '死亡日期（卫健）' },
    right: { base: 'status', label: '户籍状态（基础库）' },
    owner: 'police',
    assignee: 'department',
    question: '卫健已签发死亡医学证明，请核实并办理户籍注销',
    fix: { status: 'deceased' },
  },
  {
    code: 'deceased_receiving_assistance',
    name: '已死亡仍享受低保特困',
    nameEn: 'Deceased but still receiving assistance',
    subject: 'person',
    when: [{ has: 'health.deaths' }, { has: 'civil_affairs.assistance' }],
    left: { dataset: 'health.deaths', field: 'death_date', label: '死亡日期（卫健）' },
    right: { dataset: 'civil_affairs.assistance', field: 'care_tags', label: '救助类别（民政）' },
    owner: 'civil_affairs',
    assignee: 'department',
    question: '该人员已死亡，请停发低保/特困待遇并追回多发款项',
  },
  {
    code: 'deceased_receiving_allowance',
    name: '已死亡仍发放高龄津贴',
    nameEn: 'Deceased but still paid the old-age allowance',
    subject: 'person',
    when: [{ has: 'health.deaths' }, { has: 'civil_affairs.elderly_allowance' }],
    left: { dataset: 'health.deaths', field: 'death_date', label: '死亡日期（卫健）' },
    right: { dataset: 'civil_affairs.elderly_allowance', field: 'monthly_amount', label: '高龄津贴（民政）' },
    owner: 'civil_affairs',
    assignee: 'department',
    question: '该人员已死亡，请停发高龄津贴',
  },
  {
    code: 'moved_out_still_resident',
    name: '公安登记迁出但仍在网格名单',
    nameEn: 'Moved out per Police but still listed as living here',
    subject: 'person',
    when: [
      { has: 'police.population', where: [{ field: 'status', op: 'in', value: ['moved_out', 'deceased'] }] },
      { base: { field: 'status', op: 'eq', value: 'active' } },
    ],
    left: { dataset: 'police.population', field: 'status', label: '户籍状态（公安）' },
    right: { base: 'status', label: '实有状态（网格）' },
    owner: 'police',
    assignee: 'grid_worker',
    question: '公安登记该人员已迁出（或注销），请上门核实是否仍在此居住',
    fix: { status: '=police.population.status' },
  },
  {
    code: 'permit_expired_still_resident',
    name: '居住证已过期仍在住',
    nameEn: 'Residence permit expired but still living here',
    subject: 'person',
    when: [
      { has: 'migrant.permits', where: [{ field: 'permit_expires_on', op: 'before_today' }] },
      { base: { field: 'status', op: 'eq', value: 'active' } },
      { base: { field: 'population_type', op: 'eq', value: 'migrant' } },
    ],
    left: { dataset: 'migrant.permits', field: 'permit_expires_on', label: '居住证有效期至（来穗局）' },
    right: { base: 'status', label: '实有状态（网格）' },
    owner: 'migrant',
    assignee: 'grid_worker',
    question: '该人员居住证已过期，请上门核实是否仍居住，提醒办理签注',
  },
  {
    code: 'rental_without_tenants',
    name: '登记出租但无人居住',
    nameEn: 'Filed as rented but nobody lives there',
    subject: 'dwelling',
    when: [{ base: { field: 'occupancy', op: 'eq', value: 'rental' } }, { has: 'housing.rentals' }, { empty: true }],
    left: { dataset: 'housing.rentals', field: 'filing_no', label: '租赁备案（住建）' },
    right: { base: 'occupancy', label: '使用状况（基础库）' },
    owner: 'housing',
    assignee: 'grid_worker',
    question: '该房屋已备案出租但无登记住户，请上门核实租客情况并登记',
  },
  {
    code: 'unemployed_but_employed',
    name: '失业登记人员有就业记录',
    nameEn: 'Registered unemployed but reported employed',
    subject: 'person',
    when: [
      { has: 'hrss.employment', where: [{ field: 'employment', op: 'eq', value: 'employed' }] },
      { base: { field: 'care_tags', op: 'contains', value: 'unemployed' } },
    ],
    left: { dataset: 'hrss.employment', field: 'employer', label: '就业单位（人社）' },
    right: { base: 'care_tags', label: '失业登记（基础库）' },
    owner: 'hrss',
    assignee: 'department',
    question: '该人员已有就业登记，请核实并注销失业登记',
  },
  {
    code: 'over80_without_allowance',
    name: '80周岁以上户籍老人未领高龄津贴',
    nameEn: 'Registered residents aged 80+ without the old-age allowance',
    subject: 'person',
    when: [
      { base: { field: 'birth_date', op: 'age_gte', value: 80 } },
      { base: { field: 'population_type', op: 'eq', value: 'registered' } },
      { base: { field: 'status', op: 'eq', value: 'active' } },
      { lacks: 'civil_affairs.elderly_allowance' },
    ],
    left: { base: 'birth_date', label: '出生日期（基础库）' },
    right: { dataset: 'civil_affairs.elderly_allowance', field: 'monthly_amount', label: '高龄津贴（民政）' },
    owner: 'civil_affairs',
    assignee: 'department',
    question: '该老人符合高龄津贴条件但无发放记录，请核实并主动办理',
  },
  {
    code: 'household_size_differs',
    name: '户内人数与网格走访不一致',
    nameEn: "Household size per Police differs from the grid worker's",
    subject: 'person',
    when: [
      { has: 'police.population', where: [{ field: 'household_size', op: 'differs_from_members' }] },
      { base: { field: 'relation_to_head', op: 'eq', value: '01' } },
      { base: { field: 'status', op: 'eq', value: 'active' } },
    ],
    left: { dataset: 'police.population', field: 'household_size', label: '户内人数（公安）' },
    right: { base: 'household_members', label: '在册人数（网格）' },
    owner: 'police',
    assignee: 'grid_worker',
    question: '公安登记的户内人数与网格在册人数不一致，请上门核实实际居住人数',
  },
  {
    code: 'deregistered_still_active',
    name: '已注销企业仍在经营',
    nameEn: 'Deregistered per Market Regulation but still active',
    subject: 'organization',
    when: [
      { has: 'market.entities', where: [{ field: 'status', op: 'eq', value: 'closed' }] },
      { base: { field: 'status', op: 'eq', value: 'active' } },
    ],
    left: { dataset: 'market.entities', field: 'status', label: '登记状态（市场监管）' },
    right: { base: 'status', label: '经营状态（网格）' },
    owner: 'market',
    assignee: 'grid_worker',
    question: '该主体已注销登记，请上门核实是否仍在经营（无照经营应上报事件）',
    fix: { status: 'closed' },
  },
  {
    code: 'duplicate_person',
    name: '疑似重复人员',
    nameEn: 'Probable duplicate person',
    subject: 'person',
    when: [{ duplicate: true }, { base: { field: 'status', op: 'eq', value: 'active' } }],
    left: { base: 'name', label: '姓名' },
    right: { base: 'birth_date', label: '出生日期' },
    owner: 'police',
    assignee: 'grid_worker',
    question: '同一房屋有同名同出生日期的两条人员记录，请上门核实是否为同一人',
  },
]

/** The base fields a rule may name, per subject (the compiler's whitelist). */
export const CHECK_FIELDS: Record<CheckSubject, readonly string[]> = {
  person: [
    'status',
    'population_type',
    'birth_date',
    'care_tags',
    'relation_to_head',
    'name',
    'employment',
    'permit_type',
    'household_members',
  ],
  dwelling: ['occupancy', 'rent_monthly', 'use'],
  organization: ['status', 'type', 'name'],
}

/** The code table of each base field a rule may name that holds codes (for showing a value in words). */
export const CHECK_FIELD_CODES: Record<CheckSubject, Readonly<Record<string, keyof typeof CODE_TABLES>>> = {
  person: {
    status: 'personStatus',
    population_type: 'populationType',
    care_tags: 'careTag',
    relation_to_head: 'relationToHead',
    employment: 'employment',
    permit_type: 'permitType',
  },
  dwelling: { occupancy: 'occupancy', use: 'dwellingUse' },
  organization: { status: 'orgStatus', type: 'orgType' },
}

/** The code table of one side of a finding: a base field's, or the dataset field's (from `datasetCodes`). */
export function sideCodeTable(
  subject: CheckSubject,
  ref: ValueRef,
  datasetCodes: (dataset: string, field: string) => string | undefined,
): string | null {
  if ('base' in ref) return CHECK_FIELD_CODES[subject][ref.base] ?? null
  return datasetCodes(ref.dataset, ref.field) ?? null
}

/** What a rule may know of a dataset: the kind of record it is about and its field names. */
export interface RuleDatasetFacts {
  entity: string
  fields: readonly string[]
  /** The code table of each coded field. */
  codes?: Readonly<Record<string, string>>
}

/** What a rule may know of a dataset, from its definition (the server's check and the console's). */
export function ruleDatasetFacts(d: {
  entity: string
  fields: readonly { name: string; codeTable?: string | null | undefined }[]
}): RuleDatasetFacts {
  return {
    entity: d.entity,
    fields: d.fields.map((f) => f.name),
    codes: Object.fromEntries(d.fields.flatMap((f) => (f.codeTable ? [[f.name, f.codeTable]] : []))),
  }
}

/**
 * Problems of a rule definition: unknown fields, datasets absent from `datasets` or about another
 * kind of record, dataset fields the dataset does not have, corrections of fields a rule may not
 * name, rules that compare nothing.
 */
export function checkRuleDefinition(r: CheckRule, datasets: ReadonlyMap<string, RuleDatasetFacts>): string[] {
  const problems: string[] = []
  const fields = CHECK_FIELDS[r.subject]
  if (!fields) return [`Unknown subject ${r.subject}`]
  const base = (f: string) => {
    if (!fields.includes(f)) problems.push(`${r.subject} has no field ${f} a rule may use`)
  }
  const dataset = (d: string, field?: string) => {
    const facts = datasets.get(d)
    if (!facts) problems.push(`Unknown dataset ${d}`)
    else if (facts.entity !== r.subject) problems.push(`Dataset ${d} is about ${facts.entity}, not ${r.subject}`)
    else if (field !== undefined && !facts.fields.includes(field)) problems.push(`Dataset ${d} has no field ${field}`)
  }
  for (const c of r.when) {
    if ('base' in c) base(c.base.field)
    else if ('has' in c) {
      dataset(c.has)
      for (const p of c.where ?? []) dataset(c.has, p.field)
    } else if ('lacks' in c) dataset(c.lacks)
    else if ('empty' in c && r.subject !== 'dwelling') problems.push('Only a dwelling can be empty')
    else if ('duplicate' in c && r.subject !== 'person') problems.push('Only persons have duplicates')
  }
  for (const v of [r.left, r.right]) {
    if ('base' in v) base(v.base)
    else dataset(v.dataset, v.field)
  }
  for (const [field, v] of Object.entries(r.fix ?? {})) {
    if (!fields.includes(field) || field === 'household_members' || field === 'name')
      problems.push(`A correction may not set ${r.subject}.${field}`)
    if (v.startsWith('=')) {
      const at = v.lastIndexOf('.')
      if (at < 2) problems.push(`A correction's source ${v} names no dataset field`)
      else dataset(v.slice(1, at), v.slice(at + 1))
    }
  }
  if (!r.when.some((c) => 'has' in c || 'duplicate' in c || 'lacks' in c)) problems.push('A rule compares at least one source')
  return problems
}
