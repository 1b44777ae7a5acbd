import { type CheckRule, checkRuleDefinition, DEFAULT_CHECK_RULES } from '@wangge/domain/crosschecks'
import { DEFAULT_DATASETS } from '@wangge/domain/sharing'
import { describe, expect, it } from 'vitest'
import { factsOf, fromValues, toValues } from './rule-form'

describe("the console's rule form", () => {
  it('holds every seeded rule and gives back the same rule data', () => {
    for (const rule of DEFAULT_CHECK_RULES) expect(fromValues(toValues({ ...rule, active: true }))).toEqual(rule)
  })

  it('builds what the form shows into rule data: a value list, an age, a correction; empty corrections left out', () => {
    const v = toValues({ ...(DEFAULT_CHECK_RULES.find((r) => r.code === 'over80_without_allowance') as CheckRule), active: true })
    v.when[0] = { kind: 'base', field: 'birth_date', op: 'age_gte', value: '85' as never }
    v.when.push({ kind: 'base', field: 'care_tags', op: 'in', value: 'disabled' as never })
    v.when.push({ kind: 'has', dataset: 'hrss.employment', where: [{ field: 'employment', op: 'null', value: 'x' }] })
    v.fix = [{ field: 'status', value: 'active' }, { field: 'employment' }]
    const r = fromValues(v)
    expect(r.when[0]).toEqual({ base: { field: 'birth_date', op: 'age_gte', value: 85 } })
    expect(r.when.at(-2)).toEqual({ base: { field: 'care_tags', op: 'in', value: ['disabled'] } })
    expect(r.when.at(-1)).toEqual({ has: 'hrss.employment', where: [{ field: 'employment', op: 'null' }] })
    expect(r.fix).toEqual({ status: 'active' })
    expect(checkRuleDefinition(r, factsOf(DEFAULT_DATASETS))).toEqual([])
  })

  it('checks a rule against the catalog as the server does: a dataset about something else is named', () => {
    const v = toValues({ ...(DEFAULT_CHECK_RULES[0] as CheckRule), active: true })
    v.when.push({ kind: 'has', dataset: 'market.entities' })
    expect(checkRuleDefinition(fromValues(v), factsOf(DEFAULT_DATASETS))).toEqual([
      'Dataset market.entities is about organization, not person',
    ])
  })
})
