import { describe, expect, it } from 'vitest'
import { defaultCatalog } from './event-catalog.js'
import {
  ageOn,
  checkRule,
  checkServiceItem,
  DEFAULT_SERVICE_ITEMS,
  departmentDays,
  evaluateItem,
  materialsChecklist,
  type ServiceFacts,
} from './services.js'
import { DEFAULT_DATASETS } from './sharing.js'

const base: ServiceFacts = {
  age: 45,
  sex: '1',
  status: 'active',
  populationType: 'registered',
  permitType: '99',
  permitDaysLeft: null,
  residedDays: null,
  maritalStatus: '20',
  employment: 'employed',
  careTags: [],
  healthFlags: [],
  disabilityGrade: null,
  insured: true,
  receivesElderlyAllowance: false,
  newbornDays: null,
  householdDeathDays: null,
  householdMembers: 3,
  childrenUnder18: 0,
  householdLowIncome: false,
  occupancy: 'owner_occupied',
  areaPerPerson: 30,
}
const item = (code: string) => DEFAULT_SERVICE_ITEMS.find((i) => i.code === code) as (typeof DEFAULT_SERVICE_ITEMS)[number]
const eligible = (code: string, facts: Partial<ServiceFacts>) => evaluateItem(item(code), { ...base, ...facts }).eligible
const migrant = { populationType: 'migrant', permitType: '01', residedDays: 400 }

/** Per item: facts that make someone eligible, and changes each of which (alone) makes them not. */
const CASES: Record<string, { yes: Partial<ServiceFacts>; no: Partial<ServiceFacts>[] }> = {
  S0101: { yes: { age: 60 }, no: [{ age: 59 }, { age: 70, ...migrant, permitType: '02' }, { age: 70, status: 'deceased' }] },
  S0102: {
    yes: { age: 80 },
    no: [{ age: 79 }, { age: 85, ...migrant }, { age: 85, receivesElderlyAllowance: true }, { age: 90, status: 'moved_out' }],
  },
  S0103: {
    yes: { age: 72, careTags: ['elderly_alone'] },
    no: [{ age: 59, careTags: ['elderly_alone'] }, { age: 72 }, { age: 72, careTags: ['elderly_alone'], ...migrant }],
  },
  S0201: {
    yes: { healthFlags: ['pregnant'], age: 30 },
    no: [{ age: 30 }, { healthFlags: ['pregnant'], maritalStatus: '10' }, { newbornDays: 366 }],
  },
  S0202: {
    yes: { childrenUnder18: 1 },
    no: [{ childrenUnder18: 2 }, { childrenUnder18: 0 }, { childrenUnder18: 1, maritalStatus: '40' }],
  },
  S0203: {
    yes: { age: 62, employment: 'retired' },
    no: [{ age: 59, employment: 'retired' }, { age: 62 }, { age: 62, employment: 'retired', ...migrant }],
  },
  S0204: { yes: { newbornDays: 0 }, no: [{ newbornDays: 366 }, { newbornDays: null }, { newbornDays: 10, ...migrant }] },
  S0301: {
    yes: { age: 35, employment: 'unemployed' },
    no: [
      { age: 15, employment: 'unemployed' },
      { age: 60, employment: 'unemployed' },
      { age: 35 },
      { age: 35, employment: 'unemployed', careTags: ['unemployed'] },
    ],
  },
  S0302: {
    yes: { age: 50, careTags: ['unemployed'] },
    no: [
      { age: 49, careTags: ['unemployed'] },
      { age: 50 },
      { age: 50, careTags: ['unemployed'], populationType: 'migrant', permitType: '99' },
    ],
  },
  S0401: {
    yes: { careTags: ['disabled'] },
    no: [{}, { careTags: ['disabled', 'low_income'] }, { careTags: ['disabled'], ...migrant }],
  },
  S0402: {
    yes: { employment: 'homemaker', insured: null },
    no: [{ employment: 'homemaker', insured: true }, { insured: false }],
  },
  S0403: { yes: {}, no: [{ status: 'deceased' }, { populationType: 'migrant', permitType: '99' }] },
  S0404: {
    yes: { age: 70, householdMembers: 1 },
    no: [
      { age: 70, householdMembers: 2 },
      { age: 40, householdMembers: 1 },
      { age: 70, householdMembers: 1, careTags: ['extreme_poverty'] },
    ],
  },
  S0405: {
    yes: { householdDeathDays: 180 },
    no: [{ householdDeathDays: 181 }, { householdDeathDays: null }, { householdDeathDays: 5, ...migrant }],
  },
  S0502: {
    yes: { careTags: ['disabled'], disabilityGrade: 2 },
    no: [
      { careTags: ['disabled'], disabilityGrade: 3 },
      { disabilityGrade: 1 },
      { careTags: ['disabled'], disabilityGrade: null },
    ],
  },
  S0601: {
    yes: { populationType: 'migrant', permitType: '99' },
    no: [{ permitType: '99' }, { populationType: 'migrant', permitType: '02' }],
  },
  S0602: {
    yes: { populationType: 'migrant', permitType: '02', residedDays: 180 },
    no: [
      { populationType: 'migrant', permitType: '02', residedDays: 179 },
      { populationType: 'migrant', permitType: '01', residedDays: 400 },
      { populationType: 'migrant', permitType: '99', residedDays: null },
    ],
  },
  S0604: {
    yes: { ...migrant, permitDaysLeft: 30 },
    no: [
      { ...migrant, permitDaysLeft: 31 },
      { ...migrant, permitDaysLeft: null },
      { ...migrant, permitType: '02', permitDaysLeft: 10 },
    ],
  },
  S0701: { yes: { careTags: ['veteran'] }, no: [{}, { careTags: ['veteran'], status: 'deceased' }] },
  S0801: {
    yes: { occupancy: 'rental', areaPerPerson: 14.9 },
    no: [
      { occupancy: 'rental', areaPerPerson: 15 },
      { occupancy: 'owner_occupied', areaPerPerson: 8 },
      { occupancy: 'rental', areaPerPerson: null },
    ],
  },
}

describe('service items', () => {
  it('are twenty, each a service subclass of the catalog whose limit is the department’s share', () => {
    expect(DEFAULT_SERVICE_ITEMS).toHaveLength(20)
    const catalog = new Map(defaultCatalog().map((e) => [e.code, e]))
    const datasets = new Set(DEFAULT_DATASETS.map((d) => d.code))
    for (const i of DEFAULT_SERVICE_ITEMS) {
      const e = catalog.get(i.code)
      expect(e?.kind, i.code).toBe('service')
      expect(e?.department, i.code).toBe(i.department)
      expect(e?.limits.normal, i.code).toEqual({ amount: departmentDays(i), unit: 'working_days' })
      expect(checkServiceItem(i, datasets), i.code).toEqual([])
    }
  })

  it.each(Object.entries(CASES))('%s: eligible on its conditions, and not on its near misses', (code, c) => {
    expect(eligible(code, c.yes)).toBe(true)
    for (const no of c.no) expect(eligible(code, no), JSON.stringify(no)).toBe(false)
  })

  it('covers every item in these cases', () => {
    expect(Object.keys(CASES).sort()).toEqual(DEFAULT_SERVICE_ITEMS.map((i) => i.code).sort())
  })

  it('never makes a deceased person eligible', () => {
    const dead = { ...base, status: 'deceased', age: 85, careTags: ['disabled', 'veteran', 'unemployed'], householdMembers: 1 }
    for (const i of DEFAULT_SERVICE_ITEMS) expect(evaluateItem(i, dead).eligible, i.code).toBe(false)
  })

  it('a migrant without a permit may register residence but has none of the residents’ items', () => {
    const m = { ...base, populationType: 'migrant', permitType: '99', residedDays: 30, age: 66, employment: 'unemployed' }
    const yes = DEFAULT_SERVICE_ITEMS.filter((i) => evaluateItem(i, m).eligible).map((i) => i.code)
    expect(yes).toEqual(['S0601'])
  })

  it('says which condition fails', () => {
    const e = evaluateItem(item('S0102'), { ...base, age: 79 })
    expect(e.conditions.filter((c) => !c.ok).map((c) => c.zh)).toEqual(['年满80周岁'])
  })

  it('does not count a fact nobody holds as met (null is not ≤ 30)', () => {
    expect(eligible('S0604', { ...migrant, permitDaysLeft: null })).toBe(false)
    expect(eligible('S0405', { householdDeathDays: null })).toBe(false)
  })
})

describe('ageOn', () => {
  it('adds a year on the birthday, not the day before', () => {
    expect(ageOn('1946-12-02', '2026-12-01')).toBe(79)
    expect(ageOn('1946-12-02', '2026-12-02')).toBe(80)
  })
  it('keeps a 29 February birthday on 1 March in common years', () => {
    expect(ageOn('1948-02-29', '2028-02-28')).toBe(79)
    expect(ageOn('1948-02-29', '2028-02-29')).toBe(80)
    expect(ageOn('1947-02-28', '2027-02-28')).toBe(80)
    expect(ageOn('1944-02-29', '2025-02-28')).toBe(80)
    expect(ageOn('1944-02-29', '2025-03-01')).toBe(81)
  })
})

describe('rules as data', () => {
  it('name known facts and allowed operators only', () => {
    expect(checkRule({ '>=': [{ var: 'age' }, 80] })).toEqual({ facts: ['age'], problems: [] })
    expect(checkRule({ '>=': [{ var: 'income' }, 80] }).problems).toEqual(['unknown fact income'])
    expect(checkRule({ map: [{ var: 'careTags' }, 1] }).problems).toEqual(['operator map is not allowed'])
  })
})

describe('materials', () => {
  const evidence = {
    groups: {
      identity: { source: 'police', asOf: '2026-11-20T00:00:00Z' },
      residence: { source: 'police', asOf: '2026-06-01T00:00:00Z' },
    },
    datasets: { 'cdpf.disability': { department: 'cdpf', asOf: '2026-11-28T00:00:00Z' } },
  }
  it('are spared when the shared data proves them fresh enough, with their source', () => {
    const list = materialsChecklist(item('S0502'), { ...base, careTags: ['disabled'] }, evidence, '2026-12-02')
    const by = new Map(list.map((m) => [m.code, m]))
    expect(by.get('id_card')).toMatchObject({ spared: true, source: 'police' })
    expect(by.get('disability_card')).toMatchObject({ spared: true, source: 'cdpf' })
    expect(by.get('bank_card')).toMatchObject({ spared: false, why: 'not_provable' })
    expect(by.get('low_income_card')).toMatchObject({ spared: false, why: 'not_held' })
  })
  it('are not spared when the data is stale, nor a household register for a migrant', () => {
    const list = materialsChecklist(item('S0102'), base, evidence, '2026-12-02')
    expect(list.find((m) => m.code === 'hukou_book')).toMatchObject({ spared: false, why: 'stale', source: 'police' })
    const fresh = { ...evidence, groups: { ...evidence.groups, residence: { source: 'police', asOf: '2026-11-30T00:00:00Z' } } }
    expect(materialsChecklist(item('S0102'), base, fresh, '2026-12-02').find((m) => m.code === 'hukou_book')?.spared).toBe(true)
    const m = materialsChecklist(item('S0101'), { ...base, ...migrant }, fresh, '2026-12-02')
    expect(m.find((x) => x.code === 'hukou_book')).toMatchObject({ spared: false, why: 'not_applicable' })
  })
})
