// Department data sharing (信息共享, DOMAIN.md): the dataset catalog (信息资源目录), who owns which
// field group of the base database (谁提供、谁负责), and the validation of a delivered row.
// Pure data and functions shared by the server (deliveries), the web app (forms, labels) and tests.
import { CARE_TAG, CODE_TABLES, COMPONENT_CLASSES, type CodeEntry, PERSON_FIELD_GROUPS } from './codes.js'
import { DIVISION_CODES } from './data/division-codes.js'
import { parseIdNumber, parsePhone, parseUscc } from './identity.js'
import { beijingDate } from './working-time.js'

export type SharedEntity = 'person' | 'dwelling' | 'organization' | 'component' | 'none'

/** A field group of the base database as one department answers for it. `fields` are the base
 *  record's field names (API spelling); a care group owns some of the care tags only. */
export interface SharedFieldGroup {
  entity: Exclude<SharedEntity, 'none'>
  zh: string
  en: string
  fields: readonly string[]
  /** The person field group whose provenance a write updates (persons only). */
  provenance?: 'identity' | 'residence' | 'contact' | 'social' | 'care' | 'health'
  /** For care groups: the care tags this group answers for. */
  tags?: readonly string[]
}

const careTagsOf = (source: string) => CARE_TAG.filter((c) => c.source === source).map((c) => c.code as string)

export const SHARED_FIELD_GROUPS = {
  'person.identity': {
    entity: 'person',
    zh: '身份信息',
    en: 'identity',
    fields: ['name', 'ethnicity', 'nativePlace'],
    provenance: 'identity',
  },
  'person.registration': {
    entity: 'person',
    zh: '户籍登记',
    en: 'household registration',
    fields: ['populationType', 'registeredAddress', 'status'],
    provenance: 'residence',
  },
  'person.permit': {
    entity: 'person',
    zh: '居住登记与居住证',
    en: 'residence registration and permit',
    fields: ['migrantReason', 'permitType', 'residenceType', 'arrivalDate'],
    provenance: 'residence',
  },
  'person.employment': {
    entity: 'person',
    zh: '就业信息',
    en: 'employment',
    fields: ['employment', 'occupation', 'employer'],
    provenance: 'social',
  },
  'person.care.assistance': {
    entity: 'person',
    zh: '低保与特困救助',
    en: 'minimum living allowance and extreme-poverty support',
    fields: ['careTags'],
    provenance: 'care',
    tags: ['low_income', 'extreme_poverty'],
  },
  'person.care.cdpf': {
    entity: 'person',
    zh: '残疾人登记',
    en: 'disability registration',
    fields: ['careTags'],
    provenance: 'care',
    tags: careTagsOf('cdpf'),
  },
  'person.care.hrss': {
    entity: 'person',
    zh: '失业登记',
    en: 'unemployment registration',
    fields: ['careTags'],
    provenance: 'care',
    tags: careTagsOf('hrss'),
  },
  'person.care.veterans': {
    entity: 'person',
    zh: '退役军人登记',
    en: 'veterans registration',
    fields: ['careTags'],
    provenance: 'care',
    tags: careTagsOf('veterans'),
  },
  'person.health': { entity: 'person', zh: '健康标识', en: 'health flags', fields: ['healthFlags'], provenance: 'health' },
  'dwelling.tenure': {
    entity: 'dwelling',
    zh: '房屋租赁登记',
    en: 'tenure and rental filing',
    fields: ['occupancy', 'rentMonthly', 'landlordName', 'landlordPhone'],
  },
  'organization.registration': {
    entity: 'organization',
    zh: '商事登记',
    en: 'business registration',
    fields: ['name', 'type', 'industry', 'legalRepresentative', 'establishedOn', 'status'],
  },
  'component.state': {
    entity: 'component',
    zh: '部件状态与权属',
    en: 'component state and ownership',
    fields: ['state', 'ownerUnit', 'maintainerUnit'],
  },
} as const satisfies Record<string, SharedFieldGroup>
export type SharedFieldGroupCode = keyof typeof SHARED_FIELD_GROUPS

/** The base database's fields in words, for people: `entity.field` where a name means different
 *  things by entity (a person's name, an organization's), else the field alone. */
const FIELD_TITLES: Record<string, [string, string]> = {
  idNumber: ['公民身份号码', 'ID number'],
  'person.name': ['姓名', 'name'],
  sex: ['性别', 'sex'],
  birthDate: ['出生日期', 'date of birth'],
  ethnicity: ['民族', 'ethnicity'],
  nativePlace: ['籍贯', 'native place'],
  populationType: ['人口类型', 'population type'],
  registeredAddress: ['户籍地址', 'registered address'],
  migrantReason: ['流入原因', 'reason for coming'],
  permitType: ['居住证件', 'residence permit'],
  residenceType: ['居住类型', 'residence type'],
  arrivalDate: ['来穗日期', 'arrival date'],
  phone: ['联系电话', 'phone'],
  maritalStatus: ['婚姻状况', 'marital status'],
  education: ['文化程度', 'education'],
  employment: ['就业状况', 'employment'],
  occupation: ['职业', 'occupation'],
  employer: ['工作单位', 'employer'],
  careTags: ['关怀对象标识', 'care tags'],
  relationToHead: ['与户主关系', 'relation to the head'],
  householdMembers: ['户内在册人数', 'members on record'],
  use: ['房屋用途', 'use'],
  healthFlags: ['健康标识', 'health flags'],
  status: ['状态', 'status'],
  occupancy: ['使用状况', 'occupancy'],
  rentMonthly: ['月租金', 'monthly rent'],
  landlordName: ['出租人', 'landlord'],
  landlordPhone: ['出租人电话', 'landlord’s phone'],
  'organization.name': ['单位名称', 'name'],
  'organization.type': ['单位类型', 'type'],
  'organization.status': ['经营状态', 'status'],
  industry: ['行业门类', 'industry'],
  legalRepresentative: ['法定代表人', 'legal representative'],
  establishedOn: ['成立日期', 'established on'],
  state: ['部件状态', 'state'],
  ownerUnit: ['权属单位', 'owner'],
  maintainerUnit: ['养护单位', 'maintainer'],
}

/** A base-record field in words (the field's own name when it has no title). */
export function fieldTitle(entity: string, field: string, lang: 'zh' | 'en'): string {
  const t = FIELD_TITLES[`${entity}.${field}`] ?? FIELD_TITLES[field]
  return t ? t[lang === 'zh' ? 0 : 1] : field
}

/** A care tag in words (`veteran` → 退役军人). */
export const careTagTitle = (code: string, lang: 'zh' | 'en') => {
  const c = CARE_TAG.find((x) => x.code === code)
  return c ? c[lang] : code
}

/** Dataset field types, for people. */
export const FIELD_TYPE_LABELS: Record<FieldType, [string, string]> = {
  text: ['文本', 'text'],
  id_number: ['身份证号', 'ID number'],
  uscc: ['统一社会信用代码', 'credit code'],
  date: ['日期', 'date'],
  integer: ['整数', 'integer'],
  number: ['数值', 'number'],
  boolean: ['是/否', 'yes/no'],
  code: ['代码', 'code'],
  division: ['区划代码', 'division code'],
  phone: ['电话', 'phone'],
  component_code: ['部件编码', 'component code'],
}

export const FIELD_TYPES = [
  'text',
  'id_number',
  'uscc',
  'date',
  'integer',
  'number',
  'boolean',
  'code',
  'division',
  'phone',
  'component_code',
] as const
export type FieldType = (typeof FIELD_TYPES)[number]

export type CodeTableName = keyof typeof CODE_TABLES

export interface DatasetField {
  /** Column name in files and key in pushed records (snake_case). */
  name: string
  /** Chinese column title, also accepted as a header. */
  label: string
  type: FieldType
  required?: boolean
  /** For `code`: the code table the value must come from. */
  codeTable?: CodeTableName
  /** For `code`: several codes separated by `,`, `;`, `、` or `|`. */
  multiple?: boolean
  maxLength?: number
  /** For dates that lie ahead by nature (an expiry, an end): not refused as "in the future". */
  allowFuture?: boolean
  /** The base record's field this column writes (within the dataset's field groups); without a
   *  target the value is kept with the department's record only (a fact for the cross-checks). */
  target?: string
}

export const RHYTHMS = ['realtime', 'daily', 'weekly', 'monthly'] as const
export type Rhythm = (typeof RHYTHMS)[number]
export const CONFIDENTIALITY = ['open', 'internal', 'secret'] as const
export type Confidentiality = (typeof CONFIDENTIALITY)[number]
export const RECORD_KEYS = ['id_number', 'uscc', 'address', 'component_code', 'record_id'] as const
export type RecordKey = (typeof RECORD_KEYS)[number]

export interface DatasetDefinition {
  code: string
  department: string
  name: string
  nameEn: string
  description: string
  entity: SharedEntity
  recordKey: RecordKey
  /** The field holding the record key. */
  keyField: string
  rhythm: Rhythm
  /** Data older than this many days is stale (the board's freshness). */
  freshnessDays: number
  confidentiality: Confidentiality
  fieldGroups: SharedFieldGroupCode[]
  /** A record the department removes (or leaves out of a snapshot): clear what it supplied to the
   *  base record (care tags), or only mark the department's record removed (a fact the cross-checks see). */
  onRemove: 'clear' | 'keep'
  fields: DatasetField[]
}

/** Due deliveries per month by rhythm (the board's "due"). */
export const DUE_PER_MONTH: Record<Rhythm, number> = { realtime: 22, daily: 22, weekly: 4, monthly: 1 }

const f = (
  name: string,
  label: string,
  type: FieldType,
  more: Omit<DatasetField, 'name' | 'label' | 'type'> = {},
): DatasetField => ({ name, label, type, ...more })
const idField = f('id_number', '公民身份号码', 'id_number', { required: true })
const personName = f('name', '姓名', 'text', { required: true, maxLength: 60 })

/** The catalog as seeded: one dataset per providing department (administrators edit it). */
export const DEFAULT_DATASETS: DatasetDefinition[] = [
  {
    code: 'police.population',
    department: 'police',
    name: '实有人口与户籍登记',
    nameEn: 'Population and household registration',
    description: '公安户籍与实有人口登记：身份、户籍、迁入迁出、死亡注销',
    entity: 'person',
    recordKey: 'id_number',
    keyField: 'id_number',
    rhythm: 'daily',
    freshnessDays: 2,
    confidentiality: 'internal',
    fieldGroups: ['person.identity', 'person.registration'],
    onRemove: 'keep',
    fields: [
      idField,
      f('name', '姓名', 'text', { required: true, maxLength: 60, target: 'name' }),
      f('ethnicity', '民族', 'code', { codeTable: 'ethnicity', target: 'ethnicity' }),
      f('native_place', '籍贯', 'division', { target: 'nativePlace' }),
      f('population_type', '人口类型', 'code', { required: true, codeTable: 'populationType', target: 'populationType' }),
      f('registered_address', '户籍地址', 'text', { maxLength: 200, target: 'registeredAddress' }),
      f('status', '户籍状态', 'code', { required: true, codeTable: 'personStatus', target: 'status' }),
      f('household_number', '户号', 'text', { maxLength: 12 }),
      f('household_size', '户内人数', 'integer'),
      f('address', '居住地址', 'text', { maxLength: 200 }),
    ],
  },
  {
    code: 'migrant.permits',
    department: 'migrant',
    name: '来穗人员居住登记与居住证',
    nameEn: 'Migrant residence registration and permits',
    description: '来穗人员居住登记、居住证办理与签注',
    entity: 'person',
    recordKey: 'id_number',
    keyField: 'id_number',
    rhythm: 'daily',
    freshnessDays: 3,
    confidentiality: 'internal',
    fieldGroups: ['person.permit'],
    onRemove: 'keep',
    fields: [
      idField,
      personName,
      f('migrant_reason', '来穗事由', 'code', { codeTable: 'migrantReason', target: 'migrantReason' }),
      f('permit_type', '证件类型', 'code', { required: true, codeTable: 'permitType', target: 'permitType' }),
      f('residence_type', '居住方式', 'code', { codeTable: 'residenceType', target: 'residenceType' }),
      f('arrival_date', '来穗日期', 'date', { target: 'arrivalDate' }),
      f('permit_expires_on', '居住证有效期至', 'date', { allowFuture: true }),
      f('address', '居住地址', 'text', { maxLength: 200 }),
    ],
  },
  {
    code: 'civil_affairs.assistance',
    department: 'civil_affairs',
    name: '低保与特困人员',
    nameEn: 'Minimum living allowance and extreme-poverty support',
    description: '民政最低生活保障、特困人员供养对象',
    entity: 'person',
    recordKey: 'id_number',
    keyField: 'id_number',
    rhythm: 'monthly',
    freshnessDays: 35,
    confidentiality: 'internal',
    fieldGroups: ['person.care.assistance'],
    onRemove: 'clear',
    fields: [
      idField,
      personName,
      f('care_tags', '救助类别', 'code', { required: true, codeTable: 'careTag', multiple: true, target: 'careTags' }),
      f('granted_on', '批准日期', 'date'),
      f('monthly_amount', '月发放金额', 'number'),
    ],
  },
  {
    code: 'civil_affairs.elderly_allowance',
    department: 'civil_affairs',
    name: '高龄津贴发放',
    nameEn: 'Old-age allowance payments',
    description: '80周岁以上户籍老人高龄津贴发放名册',
    entity: 'person',
    recordKey: 'id_number',
    keyField: 'id_number',
    rhythm: 'monthly',
    freshnessDays: 35,
    confidentiality: 'internal',
    fieldGroups: [],
    onRemove: 'keep',
    fields: [
      idField,
      personName,
      f('monthly_amount', '月发放金额', 'number', { required: true }),
      f('paid_on', '发放日期', 'date'),
    ],
  },
  {
    code: 'cdpf.disability',
    department: 'cdpf',
    name: '持证残疾人',
    nameEn: 'Registered disabled persons',
    description: '残联第二代残疾人证持证人员',
    entity: 'person',
    recordKey: 'id_number',
    keyField: 'id_number',
    rhythm: 'monthly',
    freshnessDays: 35,
    confidentiality: 'internal',
    fieldGroups: ['person.care.cdpf'],
    onRemove: 'clear',
    fields: [
      idField,
      personName,
      f('care_tags', '残疾标识', 'code', { required: true, codeTable: 'careTag', multiple: true, target: 'careTags' }),
      f('category', '残疾类别', 'integer'),
      f('grade', '残疾等级', 'integer'),
    ],
  },
  {
    code: 'health.births',
    department: 'health',
    name: '出生医学证明',
    nameEn: 'Birth certificates',
    description: '卫健出生医学证明签发信息（新生儿入户、计划生育服务的依据）',
    entity: 'none',
    recordKey: 'record_id',
    keyField: 'certificate_no',
    rhythm: 'daily',
    freshnessDays: 3,
    confidentiality: 'internal',
    fieldGroups: [],
    onRemove: 'keep',
    fields: [
      f('certificate_no', '出生医学证明编号', 'text', { required: true, maxLength: 20 }),
      f('mother_id_number', '母亲身份号码', 'id_number', { required: true }),
      f('father_id_number', '父亲身份号码', 'id_number'),
      f('birth_date', '出生日期', 'date', { required: true }),
      f('sex', '性别', 'code', { codeTable: 'sex', required: true }),
    ],
  },
  {
    code: 'health.deaths',
    department: 'health',
    name: '死亡医学证明',
    nameEn: 'Death certificates',
    description: '卫健死亡医学证明（推断）书签发信息',
    entity: 'person',
    recordKey: 'id_number',
    keyField: 'id_number',
    rhythm: 'daily',
    freshnessDays: 3,
    confidentiality: 'internal',
    fieldGroups: [],
    onRemove: 'keep',
    fields: [idField, personName, f('death_date', '死亡日期', 'date', { required: true }), f('place', '死亡地点', 'text')],
  },
  {
    code: 'hrss.employment',
    department: 'hrss',
    name: '就业与失业登记',
    nameEn: 'Employment and unemployment registration',
    description: '人社就业登记、失业登记、参保状态',
    entity: 'person',
    recordKey: 'id_number',
    keyField: 'id_number',
    rhythm: 'monthly',
    freshnessDays: 35,
    confidentiality: 'internal',
    fieldGroups: ['person.employment', 'person.care.hrss'],
    onRemove: 'keep',
    fields: [
      idField,
      personName,
      f('employment', '就业状态', 'code', { required: true, codeTable: 'employment', target: 'employment' }),
      f('employer', '就业单位', 'text', { maxLength: 200, target: 'employer' }),
      f('occupation', '职业', 'text', { maxLength: 100, target: 'occupation' }),
      f('care_tags', '失业登记', 'code', { codeTable: 'careTag', multiple: true, target: 'careTags' }),
      f('insured', '参加社会保险', 'boolean'),
    ],
  },
  {
    code: 'veterans.registry',
    department: 'veterans',
    name: '退役军人信息',
    nameEn: 'Veterans registry',
    description: '退役军人和其他优抚对象信息采集',
    entity: 'person',
    recordKey: 'id_number',
    keyField: 'id_number',
    rhythm: 'monthly',
    freshnessDays: 35,
    confidentiality: 'internal',
    fieldGroups: ['person.care.veterans'],
    onRemove: 'clear',
    fields: [
      idField,
      personName,
      f('care_tags', '优抚标识', 'code', { required: true, codeTable: 'careTag', multiple: true, target: 'careTags' }),
      f('discharged_on', '退役日期', 'date'),
    ],
  },
  {
    code: 'housing.rentals',
    department: 'housing',
    name: '出租屋租赁登记备案',
    nameEn: 'Rental filings',
    description: '住建房屋租赁登记备案（出租屋）',
    entity: 'dwelling',
    recordKey: 'address',
    keyField: 'address',
    rhythm: 'weekly',
    freshnessDays: 10,
    confidentiality: 'internal',
    fieldGroups: ['dwelling.tenure'],
    onRemove: 'keep',
    fields: [
      f('address', '房屋地址', 'text', { required: true, maxLength: 200 }),
      f('occupancy', '使用状况', 'code', { required: true, codeTable: 'occupancy', target: 'occupancy' }),
      f('rent_monthly', '月租金', 'integer', { target: 'rentMonthly' }),
      f('landlord_name', '出租人', 'text', { maxLength: 60, target: 'landlordName' }),
      f('landlord_phone', '出租人电话', 'phone', { target: 'landlordPhone' }),
      f('filing_no', '备案编号', 'text', { maxLength: 30 }),
      f('filed_on', '备案日期', 'date'),
    ],
  },
  {
    code: 'market.entities',
    department: 'market',
    name: '商事主体登记',
    nameEn: 'Business registrations',
    description: '市场监管商事主体设立、变更、注销登记',
    entity: 'organization',
    recordKey: 'uscc',
    keyField: 'uscc',
    rhythm: 'daily',
    freshnessDays: 3,
    confidentiality: 'open',
    fieldGroups: ['organization.registration'],
    onRemove: 'keep',
    fields: [
      f('uscc', '统一社会信用代码', 'uscc', { required: true }),
      f('name', '名称', 'text', { required: true, maxLength: 200, target: 'name' }),
      f('type', '主体类型', 'code', { required: true, codeTable: 'orgType', target: 'type' }),
      f('industry', '行业门类', 'code', { codeTable: 'industry', target: 'industry' }),
      f('legal_representative', '法定代表人', 'text', { required: true, maxLength: 60, target: 'legalRepresentative' }),
      f('established_on', '成立日期', 'date', { target: 'establishedOn' }),
      f('status', '登记状态', 'code', { required: true, codeTable: 'orgStatus', target: 'status' }),
      f('address', '住所', 'text', { maxLength: 200 }),
    ],
  },
  {
    code: 'city_mgmt.components',
    department: 'city_mgmt',
    name: '城市部件普查与更新',
    nameEn: 'City components census and updates',
    description: '城管部件普查、权属与状态更新',
    entity: 'component',
    recordKey: 'component_code',
    keyField: 'code',
    rhythm: 'weekly',
    freshnessDays: 10,
    confidentiality: 'open',
    fieldGroups: ['component.state'],
    onRemove: 'keep',
    fields: [
      f('code', '部件编码', 'component_code', { required: true }),
      f('state', '部件状态', 'code', { required: true, codeTable: 'componentState', target: 'state' }),
      f('owner_unit', '权属单位', 'text', { maxLength: 100, target: 'ownerUnit' }),
      f('maintainer_unit', '养护单位', 'text', { maxLength: 100, target: 'maintainerUnit' }),
    ],
  },
  {
    code: 'weather.warnings',
    department: 'weather',
    name: '气象预警信号',
    nameEn: 'Weather warnings',
    description: '气象灾害预警信号发布与解除',
    entity: 'none',
    recordKey: 'record_id',
    keyField: 'warning_id',
    rhythm: 'realtime',
    freshnessDays: 1,
    confidentiality: 'open',
    fieldGroups: [],
    onRemove: 'keep',
    fields: [
      f('warning_id', '预警编号', 'text', { required: true, maxLength: 40 }),
      f('kind', '预警类型', 'text', { required: true, maxLength: 20 }),
      f('level', '预警级别', 'text', { required: true, maxLength: 10 }),
      f('area', '影响区域', 'division', { required: true }),
      f('issued_on', '发布日期', 'date', { required: true }),
      f('lifted_on', '解除日期', 'date'),
    ],
  },
  {
    code: 'justice.corrections',
    department: 'justice',
    name: '社区矫正对象',
    nameEn: 'Community corrections',
    description: '司法社区矫正对象（涉密，免于共享考核）',
    entity: 'person',
    recordKey: 'id_number',
    keyField: 'id_number',
    rhythm: 'monthly',
    freshnessDays: 35,
    confidentiality: 'secret',
    fieldGroups: [],
    onRemove: 'keep',
    fields: [
      idField,
      personName,
      f('started_on', '矫正开始日期', 'date', { required: true }),
      f('ends_on', '矫正期满日期', 'date', { allowFuture: true }),
    ],
  },
]

// ---------------------------------------------------------------------------------------------
// Validation of one delivered row.

export type RowProblem =
  | 'required'
  | 'format'
  | 'check_digit'
  | 'unknown_code'
  | 'unknown_division'
  | 'invalid_date'
  | 'future_date'
  | 'too_long'
  | 'not_owned'
  | 'duplicate_key'
  | 'inconsistent'

/** What each problem is called, for the people who correct their data. */
export const ROW_PROBLEMS: Record<RowProblem, { zh: string; en: string }> = {
  required: { zh: '必填项为空', en: 'required value missing' },
  format: { zh: '格式不正确', en: 'wrong format' },
  check_digit: { zh: '校验码错误', en: 'wrong check character' },
  unknown_code: { zh: '不在代码表中', en: 'not in the code table' },
  unknown_division: { zh: '行政区划代码不存在', en: 'unknown division code' },
  invalid_date: { zh: '日期无效', en: 'not a real date' },
  future_date: { zh: '日期晚于数据日期', en: 'date in the future' },
  too_long: { zh: '内容过长', en: 'too long' },
  not_owned: { zh: '该字段由其他部门负责', en: 'another department answers for it' },
  duplicate_key: { zh: '主键在本批次中重复', en: 'key repeated in this delivery' },
  inconsistent: { zh: '与其他字段矛盾', en: 'contradicts another field' },
}

export interface RowError {
  field: string
  problem: RowProblem
  message: string
  value?: string
}

export type RowValue = string | number | boolean | Date | null | undefined

const MULTI_SPLIT = /[,;、|，；]/
const codeTable = (name: CodeTableName): readonly CodeEntry[] => CODE_TABLES[name] as readonly CodeEntry[]

function toText(v: RowValue): string {
  if (v instanceof Date) return v.toISOString().slice(0, 10)
  return v == null ? '' : String(v).normalize('NFKC').trim()
}

function toDate(v: RowValue): string | null {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString().slice(0, 10)
  // A spreadsheet's day number (1900 date system, as Excel and WPS store dates).
  if (typeof v === 'number' && Number.isInteger(v) && v > 0 && v < 2958466)
    return new Date(Date.UTC(1899, 11, 30) + v * 86_400_000).toISOString().slice(0, 10)
  const s = toText(v)
  const m = /^(\d{4})[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})日?$/.exec(s)
  if (!m) return null
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const dt = new Date(Date.UTC(y, mo - 1, d))
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d || y < 1880) return null
  return dt.toISOString().slice(0, 10)
}

const COMPONENT_CODE = /^[0-9]{16}$/
const TRUE = new Set(['1', 'true', 'y', 'yes', '是', 't'])
const FALSE = new Set(['0', 'false', 'n', 'no', '否', 'f'])

/** Checks one value of `field`; answers the normalised value or the problem. */
export function validateValue(
  field: DatasetField,
  raw: RowValue,
  today: Date,
): { ok: true; value: string | number | boolean | string[] | null } | { ok: false; problem: RowProblem; message: string } {
  const text = toText(raw)
  if (!text)
    return field.required ? { ok: false, problem: 'required', message: `${field.label} is required` } : { ok: true, value: null }
  if (field.maxLength && text.length > field.maxLength)
    return { ok: false, problem: 'too_long', message: `At most ${field.maxLength} characters` }
  switch (field.type) {
    case 'text':
      return { ok: true, value: text }
    case 'id_number': {
      const r = parseIdNumber(text, today)
      if (r.ok) return { ok: true, value: r.idNumber }
      const problem: RowProblem =
        r.problem === 'check_char'
          ? 'check_digit'
          : r.problem === 'region'
            ? 'unknown_division'
            : r.problem === 'format'
              ? 'format'
              : 'invalid_date'
      return { ok: false, problem, message: r.message }
    }
    case 'uscc': {
      const r = parseUscc(text)
      if (r.ok) return { ok: true, value: r.uscc }
      return { ok: false, problem: r.message === 'Wrong check character' ? 'check_digit' : 'format', message: r.message }
    }
    case 'date': {
      const d = toDate(raw)
      if (!d) return { ok: false, problem: 'invalid_date', message: `Not a date: ${text}` }
      // Dates are Beijing dates: compared with the Beijing day of the check, not the UTC one.
      if (!field.allowFuture && d > beijingDate(today))
        return { ok: false, problem: 'future_date', message: `${d} is in the future` }
      return { ok: true, value: d }
    }
    case 'integer':
    case 'number': {
      const n = Number(text.replaceAll(',', ''))
      if (!Number.isFinite(n) || (field.type === 'integer' && !Number.isInteger(n)) || Math.abs(n) > 1e12)
        return {
          ok: false,
          problem: 'format',
          message: `Not ${field.type === 'integer' ? 'a whole number' : 'a number'}: ${text}`,
        }
      return { ok: true, value: n }
    }
    case 'boolean': {
      const l = text.toLowerCase()
      if (TRUE.has(l)) return { ok: true, value: true }
      if (FALSE.has(l)) return { ok: true, value: false }
      return { ok: false, problem: 'format', message: `Not yes/no: ${text}` }
    }
    case 'code': {
      const table = codeTable(field.codeTable as CodeTableName)
      const find = (s: string) => table.find((c) => c.code === s || ('zh' in c && c.zh === s))?.code
      if (field.multiple) {
        const parts = text
          .split(MULTI_SPLIT)
          .map((s) => s.trim())
          .filter(Boolean)
        const codes = parts.map(find)
        const bad = parts.filter((_, i) => !codes[i])
        if (bad.length) return { ok: false, problem: 'unknown_code', message: `Not in ${field.codeTable}: ${bad.join(', ')}` }
        return { ok: true, value: [...new Set(codes as string[])].sort() }
      }
      const code = find(text)
      return code
        ? { ok: true, value: code }
        : { ok: false, problem: 'unknown_code', message: `Not in ${field.codeTable}: ${text}` }
    }
    case 'division':
      if (!/^\d{6}(\d{3}(\d{3})?)?$/.test(text))
        return { ok: false, problem: 'format', message: 'A division code has 6, 9 or 12 digits' }
      return DIVISION_CODES.has(text.slice(0, 6))
        ? { ok: true, value: text }
        : { ok: false, problem: 'unknown_division', message: `Unknown division ${text}` }
    case 'phone': {
      const r = parsePhone(text)
      return r.ok ? { ok: true, value: r.phone } : { ok: false, problem: 'format', message: r.message }
    }
    case 'component_code':
      if (!COMPONENT_CODE.test(text)) return { ok: false, problem: 'format', message: 'A component code has 16 digits' }
      if (!DIVISION_CODES.has(text.slice(0, 6)))
        return { ok: false, problem: 'unknown_division', message: `Unknown division ${text.slice(0, 6)}` }
      if (!COMPONENT_CLASSES.some((c) => c.code === text.slice(6, 8) && c.subclasses.some((s) => s.code === text.slice(8, 10))))
        return { ok: false, problem: 'unknown_code', message: `Unknown component class ${text.slice(6, 10)}` }
      return { ok: true, value: text }
  }
}

export type RecordValues = Record<string, string | number | boolean | string[] | null>

/**
 * Validates a row of `dataset` (values by field name). Answers the normalised values and every
 * problem found (not only the first), so a department fixes a row once.
 */
export function validateRow(
  dataset: Pick<DatasetDefinition, 'fields' | 'fieldGroups'>,
  row: Record<string, RowValue>,
  today: Date,
): { values: RecordValues; errors: RowError[] } {
  const values: RecordValues = {}
  const errors: RowError[] = []
  for (const field of dataset.fields) {
    const raw = row[field.name]
    const r = validateValue(field, raw, today)
    if (!r.ok) {
      errors.push({ field: field.name, problem: r.problem, message: r.message, value: toText(raw).slice(0, 100) })
      continue
    }
    values[field.name] = r.value
    // A care-tag column may only carry the tags the dataset's groups answer for.
    if (field.target === 'careTags' && Array.isArray(r.value)) {
      const owned = ownedTags(dataset.fieldGroups)
      const foreign = r.value.filter((t) => !owned.has(t))
      if (foreign.length)
        errors.push({
          field: field.name,
          problem: 'not_owned',
          message: `Tags answered for by another department: ${foreign.join(', ')}`,
          value: foreign.join(','),
        })
    }
  }
  return { values, errors }
}

export function ownedTags(groups: readonly string[]): Set<string> {
  return new Set(groups.flatMap((g) => [...((SHARED_FIELD_GROUPS as Record<string, SharedFieldGroup>)[g]?.tags ?? [])]))
}

/** The base fields a set of groups may write. */
export function ownedFields(groups: readonly string[]): Set<string> {
  return new Set(groups.flatMap((g) => [...((SHARED_FIELD_GROUPS as Record<string, SharedFieldGroup>)[g]?.fields ?? [])]))
}

/** Every base field some group covers, by entity, with its group (for FIELD_NOT_OWNED answers). */
export function groupOfField(entity: SharedEntity, field: string): string[] {
  return Object.entries(SHARED_FIELD_GROUPS as Record<string, SharedFieldGroup>)
    .filter(([, g]) => g.entity === entity && g.fields.includes(field))
    .map(([code]) => code)
}

/** The fields of each base record (whoever answers for them: a department or the grid workers). */
export const BASE_FIELDS: Record<SharedEntity, readonly string[]> = {
  person: [...Object.values(PERSON_FIELD_GROUPS).flatMap((g) => g.fields), 'status', 'householdId', 'dwellingId'],
  dwelling: ['address', 'use', 'areaM2', 'occupancy', 'rentMonthly', 'landlordName', 'landlordPhone', 'hazardType'],
  organization: ['name', 'type', 'industry', 'legalRepresentative', 'phone', 'employees', 'address', 'establishedOn', 'status'],
  component: ['name', 'state', 'competentDepartment', 'ownerUnit', 'maintainerUnit', 'address', 'note'],
  none: [],
}

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)

/**
 * The columns of a delivery checked against the dataset before any row: each must be one of its
 * fields (by name or Chinese label). Answers the column → field mapping, the columns that name a
 * base field another department answers for (refused), and the unknown ones.
 */
export function mapColumns(
  dataset: Pick<DatasetDefinition, 'fields' | 'fieldGroups' | 'entity'>,
  columns: readonly string[],
): { mapping: Map<string, string>; notOwned: string[]; unknown: string[]; missing: string[] } {
  const mapping = new Map<string, string>()
  const notOwned: string[] = []
  const unknown: string[] = []
  for (const raw of columns) {
    const c = raw.normalize('NFKC').trim()
    if (!c) continue
    const field = dataset.fields.find((x) => x.name === c || x.label === c || x.name === c.toLowerCase())
    if (field) {
      mapping.set(raw, field.name)
      continue
    }
    const base = (BASE_FIELDS[dataset.entity] as readonly string[]).some((x) => x === c || snake(x) === c)
    if (base) notOwned.push(raw)
    else unknown.push(raw)
  }
  const present = new Set(mapping.values())
  const missing = dataset.fields.filter((x) => x.required && !present.has(x.name)).map((x) => x.name)
  return { mapping, notOwned, unknown, missing }
}

/** Addresses as keys: full-width to half-width, no spaces, one kind of dash. */
export function normaliseAddress(address: string): string {
  return address
    .normalize('NFKC')
    .replace(/\s+/g, '')
    .replace(/[‐‑‒–—―－]/g, '-')
}

/**
 * A dataset definition an administrator sends is checked against the ownership map: each target
 * lies in one of the dataset's groups and of its entity, and each group belongs to its entity.
 */
export function checkDatasetDefinition(d: DatasetDefinition): string[] {
  const problems: string[] = []
  const groups = SHARED_FIELD_GROUPS as Record<string, SharedFieldGroup>
  for (const g of d.fieldGroups) {
    if (!groups[g]) problems.push(`Unknown field group ${g}`)
    else if (groups[g].entity !== d.entity) problems.push(`Field group ${g} is not about ${d.entity}`)
  }
  const owned = ownedFields(d.fieldGroups)
  const names = new Set<string>()
  for (const x of d.fields) {
    if (names.has(x.name)) problems.push(`Field ${x.name} is listed twice`)
    names.add(x.name)
    if (x.target && !owned.has(x.target)) problems.push(`Field ${x.name} writes ${x.target}, outside the dataset's field groups`)
    if (x.type === 'code' && !x.codeTable) problems.push(`Field ${x.name} needs a code table`)
    if (x.codeTable && !(x.codeTable in CODE_TABLES)) problems.push(`Field ${x.name}: unknown code table ${x.codeTable}`)
  }
  const key = d.fields.find((x) => x.name === d.keyField)
  if (!key) problems.push(`The key field ${d.keyField} is not among the fields`)
  else if (!key.required) problems.push(`The key field ${d.keyField} must be required`)
  const keyType: Record<RecordKey, FieldType[]> = {
    id_number: ['id_number'],
    uscc: ['uscc'],
    address: ['text'],
    component_code: ['component_code'],
    record_id: ['text'],
  }
  if (key && !keyType[d.recordKey].includes(key.type)) problems.push(`The key field ${d.keyField} is not a ${d.recordKey}`)
  const entityOf: Record<RecordKey, SharedEntity[]> = {
    id_number: ['person'],
    uscc: ['organization'],
    address: ['dwelling'],
    component_code: ['component'],
    record_id: ['none'],
  }
  if (!entityOf[d.recordKey].includes(d.entity)) problems.push(`A ${d.recordKey} key does not identify a ${d.entity}`)
  return problems
}
