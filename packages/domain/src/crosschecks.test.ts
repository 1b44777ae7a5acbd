import { describe, expect, it } from 'vitest'
import { type CheckRule, checkRuleDefinition, DEFAULT_CHECK_RULES } from './crosschecks.js'
import { DEFAULT_DATASETS } from './sharing.js'

const datasets = new Set(DEFAULT_DATASETS.map((d) => d.code))

describe('cross-check rules', () => {
  it('seeds at least ten valid rules, each owned by a department that supplies data', () => {
    expect(DEFAULT_CHECK_RULES.length).toBeGreaterThanOrEqual(10)
    const departments = new Set(DEFAULT_DATASETS.map((d) => d.department))
    for (const r of DEFAULT_CHECK_RULES) {
      expect(checkRuleDefinition(r, datasets), r.code).toEqual([])
      expect(departments.has(r.owner), r.code).toBe(true)
    }
    expect(new Set(DEFAULT_CHECK_RULES.map((r) => r.code)).size).toBe(DEFAULT_CHECK_RULES.length)
  })

  it('refuses fields outside the whitelist, unknown datasets and rules that compare nothing', () => {
    const base = DEFAULT_CHECK_RULES[0] as CheckRule
    expect(checkRuleDefinition({ ...base, when: [{ base: { field: 'password', op: 'eq', value: 'x' } }] }, datasets)).toEqual([
      'person has no field password a rule may use',
      'A rule compares at least one source',
    ])
    expect(checkRuleDefinition({ ...base, when: [{ has: 'nobody.nothing' }] }, datasets)).toEqual([
      'Unknown dataset nobody.nothing',
    ])
    expect(
      checkRuleDefinition({ ...base, subject: 'organization', when: [{ empty: true }, { has: 'market.entities' }] }, datasets),
    ).toContain('Only a dwelling can be empty')
  })
})
