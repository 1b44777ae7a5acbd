// A cross-check rule as the console's form holds it, and back: the rule data the API takes
// (`CheckRule`) ⇄ rows of conditions, the two sides and the corrections. Pure, so a test can hold
// every seeded rule to a round trip.
import {
  type CheckRule,
  type Condition,
  type Predicate,
  type PredicateOp,
  type RuleDatasetFacts,
  ruleDatasetFacts,
  type ValueRef,
} from '@wangge/domain/crosschecks'

export const NO_VALUE: PredicateOp[] = ['null', 'not_null', 'before_today', 'differs_from_members']
export type Kind = 'base' | 'has' | 'lacks' | 'empty' | 'duplicate'

/** A predicate as the form holds it. */
export interface PredicateRow {
  field?: string
  op?: PredicateOp
  value?: string | number | string[]
}
export interface ConditionRow extends PredicateRow {
  kind: Kind
  dataset?: string
  where?: PredicateRow[]
}
export interface SideRow {
  kind: 'base' | 'dataset'
  field?: string
  dataset?: string
  label?: string
}
export interface RuleValues {
  code: string
  name: string
  nameEn: string
  subject: CheckRule['subject']
  owner: string
  assignee: 'department' | 'grid_worker'
  question: string
  when: ConditionRow[]
  left: SideRow
  right: SideRow
  fix: { field?: string; value?: string }[]
  active: boolean
  reason: string
}

// ---- between the API's rule and the form's rows ----

function toRow(p: Predicate): PredicateRow {
  return { field: p.field, op: p.op, value: Array.isArray(p.value) ? [...p.value] : (p.value as string | number) }
}
function fromRow(p: PredicateRow): Predicate {
  const op = p.op as PredicateOp
  const out: Predicate = { field: p.field as string, op }
  if (NO_VALUE.includes(op)) return out
  if (op === 'in' || op === 'not_in') out.value = ([] as string[]).concat((p.value as string[] | string | undefined) ?? [])
  else if (op === 'age_gte') out.value = Number(p.value)
  else out.value = String(p.value ?? '')
  return out
}

export function toValues(r: CheckRule & { active: boolean }): RuleValues {
  const side = (v: ValueRef): SideRow =>
    'base' in v
      ? { kind: 'base', field: v.base, label: v.label }
      : { kind: 'dataset', dataset: v.dataset, field: v.field, label: v.label }
  return {
    code: r.code,
    name: r.name,
    nameEn: r.nameEn,
    subject: r.subject,
    owner: r.owner,
    assignee: r.assignee,
    question: r.question,
    active: r.active,
    reason: '',
    when: r.when.map((c): ConditionRow => {
      if ('base' in c) return { kind: 'base', ...toRow(c.base) }
      if ('has' in c) return { kind: 'has', dataset: c.has, where: (c.where ?? []).map(toRow) }
      if ('lacks' in c) return { kind: 'lacks', dataset: c.lacks }
      return { kind: 'empty' in c ? 'empty' : 'duplicate' }
    }),
    left: side(r.left),
    right: side(r.right),
    fix: Object.entries(r.fix ?? {}).map(([field, value]) => ({ field, value })),
  }
}

export function fromValues(v: RuleValues): CheckRule {
  const side = (s: SideRow): ValueRef =>
    s.kind === 'base'
      ? { base: s.field as string, label: s.label as string }
      : { dataset: s.dataset as string, field: s.field as string, label: s.label as string }
  const when = (v.when ?? []).map((c): Condition => {
    if (c.kind === 'base') return { base: fromRow(c) }
    if (c.kind === 'has')
      return c.where?.length ? { has: c.dataset as string, where: c.where.map(fromRow) } : { has: c.dataset as string }
    if (c.kind === 'lacks') return { lacks: c.dataset as string }
    return c.kind === 'empty' ? { empty: true } : { duplicate: true }
  })
  const fix = Object.fromEntries((v.fix ?? []).filter((f) => f.field && f.value).map((f) => [f.field, f.value]))
  return {
    code: v.code,
    name: v.name,
    nameEn: v.nameEn,
    subject: v.subject,
    when,
    left: side(v.left),
    right: side(v.right),
    owner: v.owner,
    assignee: v.assignee,
    question: v.question,
    ...(Object.keys(fix).length ? { fix: fix as Record<string, string> } : {}),
  }
}

/** What a rule may know of each dataset (for the form's own check, as the server builds it). */
export function factsOf(
  datasets: readonly { code: string; entity: string; fields: readonly { name: string; codeTable?: string | null }[] }[],
): Map<string, RuleDatasetFacts> {
  return new Map(datasets.map((d) => [d.code, ruleDatasetFacts(d)]))
}
