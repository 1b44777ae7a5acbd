import { describe, expect, it } from 'vitest'
import { type CheckRule, checkRuleDefinition, DEFAULT_CHECK_RULES } from './crosschecks.js'
import { DEFAULT_DATASETS } from './sharing.js'

const datasets = new Map(DEFAULT_DATASETS.map((d) => [d.code, { entity: d.entity, fields: d.fields.map((f) => f.name) }]))

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

  it("refuses a dataset about another kind of record, a dataset's unknown field and a forbidden correction", () => {
    const base = DEFAULT_CHECK_RULES[0] as CheckRule
    expect(checkRuleDefinition({ ...base, when: [{ has: 'market.entities' }] }, datasets)).toContain(
      'Dataset market.entities is about organization, not person',
    )
    expect(
      checkRuleDefinition({ ...base, when: [{ has: 'health.deaths', where: [{ field: 'shoe_size', op: 'null' }] }] }, datasets),
    ).toEqual(['Dataset health.deaths has no field shoe_size'])
    expect(checkRuleDefinition({ ...base, fix: { name: '无名' } }, datasets)).toEqual(['A correction may not set person.name'])
    expect(checkRuleDefinition({ ...base, fix: { status: '=health.deaths.colour' } }, datasets)).toEqual([
      'Dataset health.deaths has no field colour',
    ])
  })
})
