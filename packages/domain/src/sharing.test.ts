import { describe, expect, it } from 'vitest'
import { makeIdNumber, makeUscc } from './identity.js'
import {
  checkDatasetDefinition,
  DEFAULT_DATASETS,
  mapColumns,
  normaliseAddress,
  SHARED_FIELD_GROUPS,
  validateRow,
  validateValue,
} from './sharing.js'

const today = new Date('2026-12-01T00:00:00Z')
const ds = (code: string) => DEFAULT_DATASETS.find((d) => d.code === code) as (typeof DEFAULT_DATASETS)[number]

describe('dataset catalog', () => {
  it('has one valid dataset per providing department, at least twelve, and one owner per field group', () => {
    expect(DEFAULT_DATASETS.length).toBeGreaterThanOrEqual(12)
    for (const d of DEFAULT_DATASETS) expect(checkDatasetDefinition(d), d.code).toEqual([])
    const owners = new Map<string, string>()
    for (const d of DEFAULT_DATASETS)
      for (const g of d.fieldGroups) {
        expect(owners.get(g) ?? d.department, `${g} owned twice`).toBe(d.department)
        owners.set(g, d.department)
      }
    expect(owners.get('person.identity')).toBe('police')
    expect(owners.get('person.permit')).toBe('migrant')
    expect(owners.get('dwelling.tenure')).toBe('housing')
    expect(DEFAULT_DATASETS.some((d) => d.confidentiality === 'secret')).toBe(true)
  })

  it('refuses a definition writing outside its groups or keyed wrongly', () => {
    const bad = {
      ...ds('migrant.permits'),
      fields: [...ds('migrant.permits').fields, { name: 'x', label: 'x', type: 'text' as const, target: 'name' }],
    }
    expect(checkDatasetDefinition(bad)).toEqual(["Field x writes name, outside the dataset's field groups"])
    expect(checkDatasetDefinition({ ...ds('market.entities'), recordKey: 'id_number' })).toHaveLength(2)
    expect(checkDatasetDefinition({ ...ds('market.entities'), fieldGroups: ['person.identity'] })).toContain(
      'Field group person.identity is not about organization',
    )
  })
})

describe('row validation', () => {
  const id = makeIdNumber('440104', '1950-03-02', 12)
  it('normalises good values', () => {
    const r = validateRow(
      ds('police.population'),
      {
        id_number: id.toLowerCase(),
        name: ' 张三 ',
        population_type: '户籍人口',
        status: 'active',
        household_size: '3',
        native_place: '440104',
      },
      today,
    )
    expect(r.errors).toEqual([])
    expect(r.values).toMatchObject({ id_number: id, name: '张三', population_type: 'registered', household_size: 3 })
  })

  it('reports every kind of problem with the field', () => {
    const wrongCheck = id.slice(0, 17) + (id[17] === '1' ? '2' : '1')
    const kinds = (row: Record<string, string>, code = 'police.population') =>
      validateRow(ds(code), row, today).errors.map((e) => `${e.field}:${e.problem}`)
    expect(kinds({ id_number: wrongCheck, name: '', population_type: 'x', status: 'active' })).toEqual([
      'id_number:check_digit',
      'name:required',
      'population_type:unknown_code',
    ])
    expect(
      kinds({ id_number: '12345', name: 'a', population_type: 'migrant', status: 'active', native_place: '999999' }),
    ).toEqual(['id_number:format', 'native_place:unknown_division'])
    expect(kinds({ id_number: id, name: 'a'.repeat(61), population_type: 'migrant', status: 'gone' })).toEqual([
      'name:too_long',
      'status:unknown_code',
    ])
    expect(kinds({ id_number: id, name: '李四', permit_type: '01', arrival_date: '2026-02-30' }, 'migrant.permits')).toEqual([
      'arrival_date:invalid_date',
    ])
    expect(kinds({ id_number: id, name: '李四', permit_type: '01', arrival_date: '2027-01-01' }, 'migrant.permits')).toEqual([
      'arrival_date:future_date',
    ])
    expect(kinds({ id_number: id, name: '李四', care_tags: 'low_income,disabled' }, 'civil_affairs.assistance')).toEqual([
      'care_tags:not_owned',
    ])
    const uscc = makeUscc('9', '1', '440104', 'MA5AAAAA')
    expect(
      kinds(
        {
          uscc: `${uscc.slice(0, 17)}${uscc[17] === '0' ? '1' : '0'}`,
          name: '某公司',
          type: 'enterprise',
          legal_representative: '王五',
          status: 'active',
        },
        'market.entities',
      ),
    ).toEqual(['uscc:check_digit'])
    expect(kinds({ code: '4401040199000001', state: 'normal' }, 'city_mgmt.components')).toEqual(['code:unknown_code'])
  })

  it("takes dates as Beijing's: today in Beijing is not in the future at 01:00 Beijing (17:00 UTC the day before)", () => {
    const date = ds('migrant.permits').fields.find((x) => x.name === 'arrival_date') as never
    const at = new Date('2026-12-01T17:00:00Z')
    expect(validateValue(date, '2026-12-02', at)).toEqual({ ok: true, value: '2026-12-02' })
    expect(validateValue(date, '2026-12-03', at)).toMatchObject({ ok: false, problem: 'future_date' })
    // An expiry lies ahead by nature.
    const expiry = ds('migrant.permits').fields.find((x) => x.name === 'permit_expires_on') as never
    expect(validateValue(expiry, '2028-06-30', at)).toEqual({ ok: true, value: '2028-06-30' })
  })

  it('reads dates, booleans, numbers and several codes the way departments write them', () => {
    const date = ds('migrant.permits').fields.find((x) => x.name === 'arrival_date') as never
    expect(validateValue(date, '2024年3月5日', today)).toEqual({ ok: true, value: '2024-03-05' })
    expect(validateValue(date, '20240305', today)).toEqual({ ok: true, value: '2024-03-05' })
    expect(validateValue(date, 45108, today)).toEqual({ ok: true, value: '2023-07-01' })
    expect(validateValue(date, new Date('2024-03-05T00:00:00Z'), today)).toEqual({ ok: true, value: '2024-03-05' })
    const insured = ds('hrss.employment').fields.find((x) => x.name === 'insured') as never
    expect(validateValue(insured, '是', today)).toEqual({ ok: true, value: true })
    const tags = ds('civil_affairs.assistance').fields.find((x) => x.name === 'care_tags') as never
    expect(validateValue(tags, '特困人员、低保对象', today)).toEqual({ ok: true, value: ['extreme_poverty', 'low_income'] })
  })
})

describe('columns', () => {
  it('maps names and Chinese labels, refuses base fields of another department, lists the unknown and missing', () => {
    const r = mapColumns(ds('migrant.permits'), ['公民身份号码', 'name', 'permit_type', 'employer', 'phone', 'remark'])
    expect([...r.mapping.values()]).toEqual(['id_number', 'name', 'permit_type'])
    expect(r.notOwned).toEqual(['employer', 'phone'])
    expect(r.unknown).toEqual(['remark'])
    expect(r.missing).toEqual([])
    expect(mapColumns(ds('migrant.permits'), ['name']).missing).toEqual(['id_number', 'permit_type'])
  })
  it('normalises addresses', () => {
    expect(normaliseAddress(' 解放北路１２３号 ３０１－２ ')).toBe('解放北路123号301-2')
  })
  it('knows every field group by entity', () => {
    expect(Object.keys(SHARED_FIELD_GROUPS).length).toBeGreaterThanOrEqual(10)
  })
})
