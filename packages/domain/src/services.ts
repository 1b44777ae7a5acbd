// One-window services (一窗通办) on the shared data: service items with eligibility rules as data
// (JSON Logic, evaluated by json-logic-js), the materials each needs and which of them the shared
// data proves instead (免提交), the steps and their limits, and the events that make a resident
// newly eligible (主动服务). The server computes a person's facts; everything here is pure.
import jsonLogic, { type RulesLogic } from 'json-logic-js'
import { CARE_TAG, PERSON_FIELD_GROUPS, type PersonFieldGroup } from './codes.js'
import { defaultCatalog } from './event-catalog.js'

/** The facts a rule may name: one person's, their household's and their dwelling's, as the base
 *  database and the departments' shared records hold them today. */
export const SERVICE_FACTS = {
  age: { zh: '年龄（周岁）', en: 'age (full years)', type: 'integer', group: 'identity' },
  sex: { zh: '性别', en: 'sex', type: 'code', group: 'identity' },
  status: { zh: '户籍状态', en: 'registration status', type: 'code', group: 'residence' },
  populationType: { zh: '人口类型', en: 'population type', type: 'code', group: 'residence' },
  permitType: { zh: '居住证件', en: 'residence document', type: 'code', group: 'residence' },
  permitDaysLeft: {
    zh: '居住证剩余有效天数',
    en: 'days left on the residence permit',
    type: 'integer',
    dataset: 'migrant.permits',
  },
  residedDays: { zh: '来穗居住天数', en: 'days since arrival in Guangzhou', type: 'integer', group: 'residence' },
  maritalStatus: { zh: '婚姻状况', en: 'marital status', type: 'code', group: 'social' },
  employment: { zh: '就业状态', en: 'employment', type: 'code', group: 'social' },
  careTags: { zh: '关爱标识', en: 'care tags', type: 'codes', group: 'care' },
  healthFlags: { zh: '健康标识', en: 'health flags', type: 'codes', group: 'health' },
  disabilityGrade: { zh: '残疾等级', en: 'disability grade', type: 'integer', dataset: 'cdpf.disability' },
  insured: { zh: '参加社会保险', en: 'insured', type: 'boolean', dataset: 'hrss.employment' },
  receivesElderlyAllowance: {
    zh: '已领取高龄津贴',
    en: 'already paid the old-age allowance',
    type: 'boolean',
    dataset: 'civil_affairs.elderly_allowance',
  },
  newbornDays: { zh: '子女出生天数', en: 'days since a child was born', type: 'integer', dataset: 'health.births' },
  householdDeathDays: {
    zh: '家庭成员死亡天数',
    en: 'days since a household member died',
    type: 'integer',
    dataset: 'health.deaths',
  },
  householdMembers: { zh: '户内人数', en: 'household members', type: 'integer', group: 'residence' },
  childrenUnder18: { zh: '户内未成年子女数', en: 'children under 18 in the household', type: 'integer', group: 'identity' },
  householdLowIncome: { zh: '家庭享受低保', en: 'household on the minimum allowance', type: 'boolean', group: 'care' },
  occupancy: { zh: '住房使用状况', en: 'dwelling occupancy', type: 'code', group: 'residence' },
  areaPerPerson: { zh: '人均住房面积（㎡）', en: 'floor area per person (m²)', type: 'number', group: 'residence' },
} as const satisfies Record<
  string,
  {
    zh: string
    en: string
    type: 'integer' | 'number' | 'code' | 'codes' | 'boolean'
    group?: PersonFieldGroup
    dataset?: string
  }
>
export type ServiceFact = keyof typeof SERVICE_FACTS
export type ServiceFacts = {
  [K in ServiceFact]: (typeof SERVICE_FACTS)[K]['type'] extends 'codes'
    ? string[]
    : (typeof SERVICE_FACTS)[K]['type'] extends 'boolean'
      ? boolean | null
      : (typeof SERVICE_FACTS)[K]['type'] extends 'code'
        ? string | null
        : number | null
}

/** How the shared data proves a material instead of a paper: a person field group's provenance
 *  (the department answering for it, as of its last update) or a department's live record. */
export type MaterialProof =
  | { group: PersonFieldGroup; maxAgeDays: number; when?: RulesLogic }
  | { dataset: string; maxAgeDays: number; when?: RulesLogic }

export interface ServiceMaterial {
  code: string
  zh: string
  en: string
  proof?: MaterialProof
}

/** Papers an item may ask for (the items name them by code). */
export const SERVICE_MATERIALS: Record<string, ServiceMaterial> = {
  id_card: { code: 'id_card', zh: '居民身份证', en: 'identity card', proof: { group: 'identity', maxAgeDays: 365 } },
  hukou_book: {
    code: 'hukou_book',
    zh: '户口簿',
    en: 'household register',
    // Only a registered resident's registration proves a Guangzhou household register.
    proof: { group: 'residence', maxAgeDays: 90, when: { '==': [{ var: 'populationType' }, 'registered'] } },
  },
  residence_permit: {
    code: 'residence_permit',
    zh: '广东省居住证',
    en: 'residence permit',
    // Asked of those without a Guangzhou registration only.
    proof: { dataset: 'migrant.permits', maxAgeDays: 30, when: { '!=': [{ var: 'populationType' }, 'registered'] } },
  },
  disability_card: {
    code: 'disability_card',
    zh: '残疾人证',
    en: 'disability card',
    proof: { dataset: 'cdpf.disability', maxAgeDays: 35 },
  },
  low_income_card: {
    code: 'low_income_card',
    zh: '低保证或特困证',
    en: 'minimum-allowance card',
    proof: { dataset: 'civil_affairs.assistance', maxAgeDays: 35 },
  },
  unemployment_card: {
    code: 'unemployment_card',
    zh: '就业创业证（失业登记）',
    en: 'unemployment registration',
    proof: { dataset: 'hrss.employment', maxAgeDays: 35 },
  },
  birth_certificate: {
    code: 'birth_certificate',
    zh: '出生医学证明',
    en: 'birth certificate',
    proof: { dataset: 'health.births', maxAgeDays: 30 },
  },
  death_certificate: {
    code: 'death_certificate',
    zh: '死亡医学证明',
    en: 'death certificate',
    proof: { dataset: 'health.deaths', maxAgeDays: 30 },
  },
  veteran_proof: {
    code: 'veteran_proof',
    zh: '退役证明',
    en: 'discharge papers',
    proof: { dataset: 'veterans.registry', maxAgeDays: 35 },
  },
  marriage_certificate: { code: 'marriage_certificate', zh: '结婚证', en: 'marriage certificate' },
  photo: { code: 'photo', zh: '近期免冠照片', en: 'recent photo' },
  bank_card: { code: 'bank_card', zh: '本人银行卡', en: 'bank card' },
  income_statement: { code: 'income_statement', zh: '家庭收入与财产申报', en: 'household income and assets statement' },
  medical_report: { code: 'medical_report', zh: '医疗诊断证明', en: 'medical report' },
  only_child_certificate: { code: 'only_child_certificate', zh: '独生子女父母光荣证', en: 'single-child parents’ certificate' },
  housing_statement: { code: 'housing_statement', zh: '家庭住房情况申报', en: 'housing statement' },
  tenancy_contract: { code: 'tenancy_contract', zh: '租赁合同或住所证明', en: 'tenancy contract or proof of address' },
  termination_proof: { code: 'termination_proof', zh: '解除劳动合同证明', en: 'proof of contract termination' },
  hardship_statement: { code: 'hardship_statement', zh: '困难情况说明', en: 'statement of the hardship' },
  funeral_invoice: { code: 'funeral_invoice', zh: '殡葬服务收费票据', en: 'funeral invoice' },
}

/** One condition of an item's rule: all must hold (so that the window can say which one fails). */
export interface ServiceCondition {
  zh: string
  en: string
  rule: RulesLogic
}

/** The event that makes someone newly eligible, found by the nightly run (主动服务). */
export type ProactiveTrigger =
  | { kind: 'birthday'; years: number }
  | { kind: 'record'; dataset: string; who: 'self' | 'parent' | 'household' }
  | { kind: 'expiry'; withinDays: number }
  | { kind: 'residence'; days: number }

export interface ServiceItemDefinition {
  /** The catalog subclass the application runs as (S + class + subclass). */
  code: string
  name: string
  nameEn: string
  department: string
  conditions: ServiceCondition[]
  materials: string[]
  /** Working days: the window's acceptance, the department's review and decision, delivery. */
  steps: { accept: number; review: number; decide: number; deliver: number }
  fee: string
  legalBasis: string
  proactive?: { trigger: ProactiveTrigger; reason: string; tell: string }
}

const DAY_MS = 86_400_000
const v = (name: ServiceFact) => ({ var: name })
const has = (name: 'careTags' | 'healthFlags', code: string): RulesLogic => ({ in: [code, v(name)] })
const not = (rule: RulesLogic): RulesLogic => ({ '!': rule })
const c = (zh: string, en: string, rule: RulesLogic): ServiceCondition => ({ zh, en, rule })

const ALIVE = c('在册（未迁出、未死亡）', 'on the register (not moved out or deceased)', { '==': [v('status'), 'active'] })
const HUKOU = c('广州市户籍', 'Guangzhou household registration', { '==': [v('populationType'), 'registered'] })
const RESIDENT = c('本市户籍或持居住证', 'Guangzhou registration or a residence permit', {
  or: [{ '==': [v('populationType'), 'registered'] }, { '==': [v('permitType'), '01'] }],
})
const atLeast = (years: number) => c(`年满${years}周岁`, `aged ${years} or over`, { '>=': [v('age'), years] })

export const DEFAULT_SERVICE_ITEMS: ServiceItemDefinition[] = [
  {
    code: 'S0101',
    name: '老年人优待证办理',
    nameEn: 'Senior citizen card',
    department: 'civil_affairs',
    conditions: [ALIVE, atLeast(60), RESIDENT],
    materials: ['id_card', 'hukou_book', 'residence_permit', 'photo'],
    steps: { accept: 1, review: 3, decide: 2, deliver: 3 },
    fee: '免费',
    legalBasis: '《中华人民共和国老年人权益保障法》；《广州市老年人优待办法》',
    proactive: {
      trigger: { kind: 'birthday', years: 60 },
      reason: '本月年满60周岁',
      tell: '可免费办理老年人优待证，凭证乘坐公交地铁、游览公园享受优待；身份证和户口簿已由共享数据核验，只需带一张近期照片。',
    },
  },
  {
    code: 'S0102',
    name: '高龄津贴申领',
    nameEn: 'Old-age allowance',
    department: 'civil_affairs',
    conditions: [
      ALIVE,
      atLeast(80),
      HUKOU,
      c('尚未领取高龄津贴', 'not yet paid the allowance', not(v('receivesElderlyAllowance'))),
    ],
    materials: ['id_card', 'hukou_book', 'bank_card'],
    steps: { accept: 1, review: 6, decide: 4, deliver: 5 },
    fee: '免费',
    legalBasis: '《广州市高龄老人津贴发放办法》',
    proactive: {
      trigger: { kind: 'birthday', years: 80 },
      reason: '本月年满80周岁',
      tell: '可申领高龄津贴（每月发放）；身份证和户口簿已由共享数据核验，请准备本人银行卡。',
    },
  },
  {
    code: 'S0103',
    name: '居家养老服务申请',
    nameEn: 'Home care for the elderly',
    department: 'civil_affairs',
    conditions: [
      ALIVE,
      atLeast(60),
      HUKOU,
      c('独居、空巢或失能', 'living alone, empty nest or bedridden', {
        or: [has('careTags', 'elderly_alone'), has('careTags', 'empty_nest'), has('healthFlags', 'bedridden')],
      }),
    ],
    materials: ['id_card', 'hukou_book', 'medical_report'],
    steps: { accept: 1, review: 6, decide: 4, deliver: 5 },
    fee: '按评估等级资助',
    legalBasis: '《广州市居家养老服务管理办法》',
  },
  {
    code: 'S0201',
    name: '生育登记',
    nameEn: 'Birth registration',
    department: 'health',
    conditions: [
      ALIVE,
      RESIDENT,
      c('已婚', 'married', { '==': [v('maritalStatus'), '20'] }),
      c('孕期或产后', 'pregnant or after a birth', { or: [has('healthFlags', 'pregnant'), { '<=': [v('newbornDays'), 365] }] }),
    ],
    materials: ['id_card', 'hukou_book', 'residence_permit', 'marriage_certificate'],
    steps: { accept: 1, review: 3, decide: 2, deliver: 1 },
    fee: '免费',
    legalBasis: '《广东省人口与计划生育条例》',
  },
  {
    code: 'S0202',
    name: '独生子女父母光荣证办理',
    nameEn: 'Single-child parents’ certificate',
    department: 'health',
    conditions: [
      ALIVE,
      HUKOU,
      c('已婚', 'married', { '==': [v('maritalStatus'), '20'] }),
      c('户内有且仅有一名未成年子女', 'exactly one child under 18 in the household', { '==': [v('childrenUnder18'), 1] }),
    ],
    materials: ['id_card', 'hukou_book', 'marriage_certificate', 'birth_certificate'],
    steps: { accept: 1, review: 6, decide: 4, deliver: 3 },
    fee: '免费',
    legalBasis: '《广东省人口与计划生育条例》',
  },
  {
    code: 'S0203',
    name: '计划生育奖励扶助申请',
    nameEn: 'Family-planning reward',
    department: 'health',
    conditions: [
      ALIVE,
      HUKOU,
      atLeast(60),
      c('已退休或无业', 'retired or without work', { in: [v('employment'), ['retired', 'homemaker', 'unemployed']] }),
    ],
    materials: ['id_card', 'hukou_book', 'only_child_certificate', 'bank_card'],
    steps: { accept: 1, review: 10, decide: 5, deliver: 5 },
    fee: '免费',
    legalBasis: '《广东省人口与计划生育条例》第三十二条',
  },
  {
    code: 'S0204',
    name: '新生儿入户登记',
    nameEn: 'Registering a newborn',
    department: 'police',
    conditions: [ALIVE, HUKOU, c('子女出生未满一年', 'a child born within a year', { '<=': [v('newbornDays'), 365] })],
    materials: ['id_card', 'hukou_book', 'birth_certificate', 'marriage_certificate'],
    steps: { accept: 1, review: 3, decide: 2, deliver: 2 },
    fee: '免费',
    legalBasis: '《中华人民共和国户口登记条例》第七条',
    proactive: {
      trigger: { kind: 'record', dataset: 'health.births', who: 'parent' },
      reason: '卫健部门签发了新生儿出生医学证明',
      tell: '新生儿可在出生一个月内办理入户；出生医学证明、身份证、户口簿已由共享数据核验，请带结婚证。',
    },
  },
  {
    code: 'S0301',
    name: '失业登记',
    nameEn: 'Unemployment registration',
    department: 'hrss',
    conditions: [
      ALIVE,
      RESIDENT,
      c('16至59周岁', 'aged 16 to 59', { and: [{ '>=': [v('age'), 16] }, { '<': [v('age'), 60] }] }),
      c('目前无业', 'without work now', { in: [v('employment'), ['unemployed', 'homemaker']] }),
      c('尚未登记失业', 'not yet registered as unemployed', not(has('careTags', 'unemployed'))),
    ],
    materials: ['id_card', 'hukou_book', 'residence_permit', 'termination_proof'],
    steps: { accept: 1, review: 3, decide: 2, deliver: 1 },
    fee: '免费',
    legalBasis: '《就业服务与就业管理规定》第六十三条',
  },
  {
    code: 'S0302',
    name: '就业困难人员认定',
    nameEn: 'Recognition as hard to employ',
    department: 'hrss',
    conditions: [
      ALIVE,
      RESIDENT,
      c('已登记失业', 'registered as unemployed', has('careTags', 'unemployed')),
      c('女40周岁、男50周岁以上，或残疾、低保', 'women 40+, men 50+, disabled or on the minimum allowance', {
        or: [
          { and: [{ '==': [v('sex'), '2'] }, { '>=': [v('age'), 40] }] },
          { and: [{ '==': [v('sex'), '1'] }, { '>=': [v('age'), 50] }] },
          has('careTags', 'disabled'),
          v('householdLowIncome'),
        ],
      }),
    ],
    materials: ['id_card', 'hukou_book', 'unemployment_card', 'disability_card', 'low_income_card'],
    steps: { accept: 1, review: 6, decide: 4, deliver: 2 },
    fee: '免费',
    legalBasis: '《广东省就业困难人员认定办法》',
    proactive: {
      trigger: { kind: 'record', dataset: 'hrss.employment', who: 'self' },
      reason: '人社部门新登记失业',
      tell: '可申请就业困难人员认定，享受公益性岗位安置和社保补贴；失业登记、身份证已由共享数据核验。',
    },
  },
  {
    code: 'S0401',
    name: '最低生活保障申请',
    nameEn: 'Minimum living allowance',
    department: 'civil_affairs',
    conditions: [
      ALIVE,
      HUKOU,
      c('尚未享受低保或特困供养', 'not yet on the allowance or extreme-poverty support', {
        and: [not(has('careTags', 'low_income')), not(has('careTags', 'extreme_poverty'))],
      }),
      c('失业、残疾或失能', 'unemployed, disabled or bedridden', {
        or: [has('careTags', 'unemployed'), has('careTags', 'disabled'), has('healthFlags', 'bedridden')],
      }),
    ],
    materials: ['id_card', 'hukou_book', 'income_statement', 'disability_card', 'unemployment_card'],
    steps: { accept: 1, review: 12, decide: 8, deliver: 5 },
    fee: '免费',
    legalBasis: '《社会救助暂行办法》；《广州市最低生活保障办法》',
  },
  {
    code: 'S0402',
    name: '城乡居民医保参保',
    nameEn: 'Residents’ medical insurance',
    department: 'hrss',
    conditions: [
      ALIVE,
      RESIDENT,
      c('未就业（不在职工医保）', 'not employed (not in the employees’ scheme)', { '!=': [v('employment'), 'employed'] }),
      c('未参加社会保险', 'not insured', { '!==': [v('insured'), true] }),
    ],
    materials: ['id_card', 'hukou_book', 'residence_permit'],
    steps: { accept: 1, review: 3, decide: 2, deliver: 1 },
    fee: '个人缴费部分按年度标准',
    legalBasis: '《广州市城乡居民社会医疗保险办法》',
  },
  {
    code: 'S0403',
    name: '临时救助申请',
    nameEn: 'Temporary assistance',
    department: 'civil_affairs',
    conditions: [ALIVE, RESIDENT],
    materials: ['id_card', 'hukou_book', 'residence_permit', 'hardship_statement'],
    steps: { accept: 1, review: 3, decide: 2, deliver: 2 },
    fee: '免费',
    legalBasis: '《社会救助暂行办法》第四十七条',
  },
  {
    code: 'S0404',
    name: '特困人员供养申请',
    nameEn: 'Extreme-poverty support',
    department: 'civil_affairs',
    conditions: [
      ALIVE,
      HUKOU,
      c('60周岁以上、未满16周岁或一二级残疾', 'aged 60+, under 16, or disability grade 1–2', {
        or: [
          { '>=': [v('age'), 60] },
          { '<': [v('age'), 16] },
          { and: [{ '!=': [v('disabilityGrade'), null] }, { '<=': [v('disabilityGrade'), 2] }] },
        ],
      }),
      c('独自居住（无同住赡养人）', 'living alone (no one at home to support them)', { '==': [v('householdMembers'), 1] }),
      c('尚未享受特困供养', 'not yet supported', not(has('careTags', 'extreme_poverty'))),
    ],
    materials: ['id_card', 'hukou_book', 'income_statement', 'disability_card'],
    steps: { accept: 1, review: 12, decide: 8, deliver: 5 },
    fee: '免费',
    legalBasis: '《特困人员认定办法》',
  },
  {
    code: 'S0405',
    name: '殡葬补贴申领',
    nameEn: 'Funeral subsidy',
    department: 'civil_affairs',
    conditions: [
      ALIVE,
      HUKOU,
      c('家庭成员180天内去世', 'a household member died within 180 days', { '<=': [v('householdDeathDays'), 180] }),
    ],
    materials: ['id_card', 'hukou_book', 'death_certificate', 'funeral_invoice', 'bank_card'],
    steps: { accept: 1, review: 6, decide: 4, deliver: 5 },
    fee: '免费',
    legalBasis: '《广州市惠民殡葬实施办法》',
    proactive: {
      trigger: { kind: 'record', dataset: 'health.deaths', who: 'household' },
      reason: '家庭成员去世（卫健死亡医学证明）',
      tell: '家属可申领基本殡葬服务费用减免；死亡医学证明和户籍信息已由共享数据核验，请带殡葬服务收费票据和银行卡。',
    },
  },
  {
    code: 'S0502',
    name: '残疾人两项补贴申请',
    nameEn: 'Disability allowances',
    department: 'cdpf',
    conditions: [
      ALIVE,
      HUKOU,
      c('持第二代残疾人证', 'a registered disability', has('careTags', 'disabled')),
      c('低保家庭或一二级重度残疾', 'on the minimum allowance or disability grade 1–2', {
        or: [v('householdLowIncome'), { and: [{ '!=': [v('disabilityGrade'), null] }, { '<=': [v('disabilityGrade'), 2] }] }],
      }),
    ],
    materials: ['id_card', 'hukou_book', 'disability_card', 'low_income_card', 'bank_card'],
    steps: { accept: 1, review: 10, decide: 5, deliver: 5 },
    fee: '免费',
    legalBasis: '《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》',
    proactive: {
      trigger: { kind: 'record', dataset: 'cdpf.disability', who: 'self' },
      reason: '残联新登记残疾人证',
      tell: '可申请困难残疾人生活补贴和重度残疾人护理补贴；残疾人证、身份证、户口簿已由共享数据核验，请带银行卡。',
    },
  },
  {
    code: 'S0601',
    name: '居住登记',
    nameEn: 'Residence registration',
    department: 'migrant',
    conditions: [
      ALIVE,
      c('来穗人员', 'a migrant', { '==': [v('populationType'), 'migrant'] }),
      c('尚未办理居住登记或居住证', 'no registration or permit yet', { '==': [v('permitType'), '99'] }),
    ],
    materials: ['id_card', 'tenancy_contract', 'photo'],
    steps: { accept: 1, review: 2, decide: 1, deliver: 1 },
    fee: '免费',
    legalBasis: '《广东省流动人口服务管理条例》',
  },
  {
    code: 'S0602',
    name: '居住证办理',
    nameEn: 'Residence permit',
    department: 'migrant',
    conditions: [
      ALIVE,
      c('来穗人员', 'a migrant', { '==': [v('populationType'), 'migrant'] }),
      c('尚无居住证', 'no permit yet', { '!=': [v('permitType'), '01'] }),
      c('在穗居住满半年', 'living in Guangzhou for half a year', { '>=': [v('residedDays'), 180] }),
    ],
    materials: ['id_card', 'tenancy_contract', 'photo'],
    steps: { accept: 1, review: 6, decide: 4, deliver: 5 },
    fee: '免费（首次申领）',
    legalBasis: '《居住证暂行条例》第九条',
    proactive: {
      trigger: { kind: 'residence', days: 180 },
      reason: '在穗居住满半年',
      tell: '已可申领广东省居住证，享受子女入学、积分入户等公共服务；身份证已由共享数据核验，请带租赁合同和照片。',
    },
  },
  {
    code: 'S0604',
    name: '居住证签注',
    nameEn: 'Residence permit renewal',
    department: 'migrant',
    conditions: [
      ALIVE,
      c('持有居住证', 'holds a residence permit', { '==': [v('permitType'), '01'] }),
      c('30天内到期', 'expiring within 30 days', {
        and: [{ '!=': [v('permitDaysLeft'), null] }, { '<=': [v('permitDaysLeft'), 30] }],
      }),
    ],
    materials: ['id_card', 'residence_permit', 'tenancy_contract'],
    steps: { accept: 1, review: 3, decide: 2, deliver: 2 },
    fee: '免费',
    legalBasis: '《居住证暂行条例》第十三条',
    proactive: {
      trigger: { kind: 'expiry', withinDays: 30 },
      reason: '居住证30天内到期',
      tell: '居住证即将到期，请在到期前办理签注，以免中断居住年限；居住证和身份证已由共享数据核验，请带租赁合同。',
    },
  },
  {
    code: 'S0701',
    name: '优待证办理',
    nameEn: 'Preferential treatment card',
    department: 'veterans',
    conditions: [ALIVE, c('退役军人或优抚对象', 'a veteran or entitled person', has('careTags', 'veteran'))],
    materials: ['id_card', 'hukou_book', 'veteran_proof', 'photo'],
    steps: { accept: 1, review: 6, decide: 4, deliver: 5 },
    fee: '免费',
    legalBasis: '《退役军人保障法》；《关于全面做好退役军人和其他优抚对象优待证发放工作的通知》',
    proactive: {
      trigger: { kind: 'record', dataset: 'veterans.registry', who: 'self' },
      reason: '退役军人事务部门新登记',
      tell: '可申领退役军人优待证；退役证明和身份证已由共享数据核验，请带一张近期照片。',
    },
  },
  {
    code: 'S0801',
    name: '公共租赁住房申请',
    nameEn: 'Public rental housing',
    department: 'housing',
    conditions: [
      ALIVE,
      HUKOU,
      c('无自有住房', 'no home of their own', { '!=': [v('occupancy'), 'owner_occupied'] }),
      c('人均住房面积不足15平方米', 'under 15 m² per person', { '<': [v('areaPerPerson'), 15] }),
    ],
    materials: ['id_card', 'hukou_book', 'income_statement', 'housing_statement', 'low_income_card'],
    steps: { accept: 1, review: 12, decide: 8, deliver: 10 },
    fee: '免费',
    legalBasis: '《广州市公共租赁住房保障办法》',
  },
]

/** Full years of age on a date (YYYY-MM-DD): one more on the birthday itself; someone born on
 *  29 February becomes a year older on 1 March in common years. */
export function ageOn(birthDate: string, today: string): number {
  const [by, bm, bd] = birthDate.slice(0, 10).split('-').map(Number) as [number, number, number]
  const [ty, tm, td] = today.slice(0, 10).split('-').map(Number) as [number, number, number]
  return ty - by - (tm < bm || (tm === bm && td < bd) ? 1 : 0)
}

/** Whole days from one date to another (YYYY-MM-DD; negative when `to` is earlier). */
export const daysBetween = (from: string, to: string) =>
  Math.round((Date.parse(to.slice(0, 10)) - Date.parse(from.slice(0, 10))) / DAY_MS)

// --- evaluation ------------------------------------------------------------------------------

export interface ConditionOutcome {
  zh: string
  en: string
  ok: boolean
}
export interface Eligibility {
  eligible: boolean
  conditions: ConditionOutcome[]
}

/** Evaluates an item's conditions over one person's facts (a missing fact is null: not met). */
export function evaluateItem(item: Pick<ServiceItemDefinition, 'conditions'>, facts: Partial<ServiceFacts>): Eligibility {
  const conditions = item.conditions.map((x) => ({ zh: x.zh, en: x.en, ok: jsonLogic.truthy(safeApply(x.rule, facts)) }))
  return { eligible: conditions.every((x) => x.ok), conditions }
}

// json-logic compares null with numbers as JavaScript does (null <= 30 is true): a fact the
// shared data does not hold must not make anyone eligible, so comparisons with null are false.
const COMPARISONS = ['<', '<=', '>', '>='] as const
function safeApply(rule: RulesLogic, data: unknown): unknown {
  return jsonLogic.apply(rule, data as object)
}
for (const op of COMPARISONS) {
  const base = (a: unknown, b: unknown, c?: unknown) => {
    if (a == null || b == null || (c !== undefined && c == null)) return false
    const x = Number(a)
    const y = Number(b)
    switch (op) {
      case '<':
        return c === undefined ? x < y : x < y && y < Number(c)
      case '<=':
        return c === undefined ? x <= y : x <= y && y <= Number(c)
      case '>':
        return x > y
      default:
        return x >= y
    }
  }
  // Re-registering a standard operator is how json-logic-js lets its semantics be adjusted.
  jsonLogic.add_operation(op, base)
}

/** The operators a service rule may use (what the window can explain and tests cover). */
const OPERATORS = new Set(['var', '==', '===', '!=', '!==', '!', '!!', 'and', 'or', '<', '<=', '>', '>=', 'in', 'if'])

/** The facts a rule names, and anything in it that is not allowed. */
export function checkRule(rule: RulesLogic): { facts: string[]; problems: string[] } {
  const facts = new Set<string>()
  const problems: string[] = []
  const walk = (r: unknown) => {
    if (Array.isArray(r)) return r.forEach(walk)
    if (r === null || typeof r !== 'object') return
    const keys = Object.keys(r)
    if (keys.length !== 1) return problems.push(`an operation has ${keys.length} keys`)
    const op = keys[0] as string
    const args = (r as Record<string, unknown>)[op]
    if (!OPERATORS.has(op)) return problems.push(`operator ${op} is not allowed`)
    if (op === 'var') {
      const name = Array.isArray(args) ? args[0] : args
      if (typeof name !== 'string' || !(name in SERVICE_FACTS)) problems.push(`unknown fact ${String(name)}`)
      else facts.add(name)
      return
    }
    walk(args)
  }
  walk(rule)
  return { facts: [...facts].sort(), problems }
}

/** Checks an item definition against the facts, the materials and the catalog. */
export function checkServiceItem(item: ServiceItemDefinition, datasets: ReadonlySet<string>): string[] {
  const problems: string[] = []
  if (!/^S\d{4}$/.test(item.code)) problems.push(`code ${item.code} is not a service subclass (S + 4 digits)`)
  if (!item.conditions.length) problems.push('an item needs at least one condition')
  item.conditions.forEach((x, i) => {
    for (const p of checkRule(x.rule).problems) problems.push(`condition ${i + 1} (${x.zh}): ${p}`)
  })
  for (const m of item.materials) if (!SERVICE_MATERIALS[m]) problems.push(`unknown material ${m}`)
  for (const m of item.materials) {
    const proof = SERVICE_MATERIALS[m]?.proof
    if (proof && 'dataset' in proof && !datasets.has(proof.dataset))
      problems.push(`material ${m} is proven by unknown dataset ${proof.dataset}`)
  }
  const t = item.proactive?.trigger
  if (t && t.kind === 'record' && !datasets.has(t.dataset))
    problems.push(`the proactive trigger names unknown dataset ${t.dataset}`)
  for (const [k, d] of Object.entries(item.steps))
    if (!Number.isInteger(d) || d < 0 || d > 60) problems.push(`step ${k}: ${d} working days`)
  return problems
}

/** The department's share of an item's limit (review + decision): the case clock's limit. */
export const departmentDays = (item: Pick<ServiceItemDefinition, 'steps'>) => item.steps.review + item.steps.decide

// --- materials -------------------------------------------------------------------------------

/** What the shared data holds that could prove a material: per field group the provenance, per
 *  dataset the person's (or their household's) live record, each with its department and date. */
export interface ProofEvidence {
  groups: Partial<Record<PersonFieldGroup, { source: string; asOf: string }>>
  datasets: Record<string, { department: string; asOf: string }>
}

export interface MaterialCheck {
  code: string
  zh: string
  en: string
  /** 免提交: the shared data proves it (source and date); otherwise the resident brings it. */
  spared: boolean
  source: string | null
  asOf: string | null
  /** Why it is not spared although the shared data could prove it (stale, not held, not applicable). */
  why: 'not_provable' | 'not_held' | 'stale' | 'not_applicable' | null
}

/** The checklist of an item's materials for one person: which the shared data proves (fresh
 *  enough) and which the resident must bring. `today` is the Beijing date (YYYY-MM-DD). */
export function materialsChecklist(
  item: Pick<ServiceItemDefinition, 'materials'>,
  facts: Partial<ServiceFacts>,
  evidence: ProofEvidence,
  today: string,
): MaterialCheck[] {
  const ageDays = (asOf: string) => daysBetween(asOf, today)
  return item.materials.map((code) => {
    const m = SERVICE_MATERIALS[code] as ServiceMaterial
    const base = { code, zh: m.zh, en: m.en }
    const proof = m.proof
    if (!proof) return { ...base, spared: false, source: null, asOf: null, why: 'not_provable' as const }
    if (proof.when && !jsonLogic.truthy(safeApply(proof.when, facts)))
      return { ...base, spared: false, source: null, asOf: null, why: 'not_applicable' as const }
    const held = 'group' in proof ? evidence.groups[proof.group] : evidence.datasets[proof.dataset]
    if (!held) return { ...base, spared: false, source: null, asOf: null, why: 'not_held' as const }
    const source = 'source' in held ? held.source : held.department
    const fresh = ageDays(held.asOf) <= proof.maxAgeDays
    return { ...base, spared: fresh, source, asOf: held.asOf, why: fresh ? null : ('stale' as const) }
  })
}

/** The default items' catalog subclasses exist and their limits agree (checked by a test). */
export function serviceCatalogEntry(code: string) {
  return defaultCatalog().find((e) => e.code === code && e.kind === 'service')
}

export const CARE_TAG_CODES = CARE_TAG.map((x) => x.code as string)
export const PERSON_GROUPS = Object.keys(PERSON_FIELD_GROUPS) as PersonFieldGroup[]

/** What an application's status is called (derived from its case and its decision). */
export const APPLICATION_STATUS = {
  draft: { zh: '查询中（未提交）', en: 'looked up, not submitted' },
  submitted: { zh: '已受理', en: 'accepted at the window' },
  reviewing: { zh: '审核中', en: 'under review' },
  approved: { zh: '已批准', en: 'approved' },
  rejected: { zh: '不予批准', en: 'rejected' },
  delivered: { zh: '已办结送达', en: 'delivered' },
  withdrawn: { zh: '已撤回', en: 'withdrawn' },
} as const
export type ApplicationStatus = keyof typeof APPLICATION_STATUS

export const OFFER_OUTCOMES = {
  applied: { zh: '已申请', en: 'applied' },
  declined: { zh: '不需要', en: 'declined' },
  unreachable: { zh: '未联系上', en: 'not reachable' },
} as const
export type OfferOutcome = keyof typeof OFFER_OUTCOMES
