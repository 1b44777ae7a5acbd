// The cross-checks' findings as tasks (issue 19 §4): a department's own ("correct your data") or a
// grid worker's door-to-door question; listed and read by who may see them, and resolved by saying
// which side was right — when the department's was, the rule's correction is written to the base
// record with the department's provenance.
import { type CheckRule, sideCodeTable } from '@wangge/domain'
import type { Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import { audit, forbidden, type Principal, scopeSql } from '../access/index.js'
import type { FieldValue } from '../history/index.js'
import { type CrosscheckContext, type DatasetCodes, datasetCodes, iso, ruleMap } from './crosscheck-context.js'
import type { FindingRow } from './crosschecks.repository.js'

/** Both sides of a finding: label, value and the code table that puts the value in words. */
const sides = (rule: CheckRule | undefined, left: unknown, right: unknown, codes: DatasetCodes) => ({
  left: {
    label: rule?.left.label ?? '',
    value: left,
    codeTable: rule ? sideCodeTable(rule.subject, rule.left, codes) : null,
  },
  right: {
    label: rule?.right.label ?? '',
    value: right,
    codeTable: rule ? sideCodeTable(rule.subject, rule.right, codes) : null,
  },
})

export function findingOut(f: FindingRow, rule: CheckRule | undefined, codes: DatasetCodes) {
  return {
    id: Number(f.id),
    rule: f.rule_code,
    ruleName: rule?.name ?? f.rule_code,
    ruleNameEn: rule?.nameEn ?? f.rule_code,
    question: rule?.question ?? '',
    entity: f.entity,
    entityId: Number(f.entity_id),
    communityCode: f.community_code,
    gridCode: f.grid_code,
    ...sides(rule, f.left_value, f.right_value, codes),
    ownerDepartment: f.owner_department,
    assignee: f.assignee,
    status: f.status,
    foundByDelivery: f.found_by_delivery == null ? null : Number(f.found_by_delivery),
    firstSeenAt: iso(f.first_seen_at) as string,
    lastSeenAt: iso(f.last_seen_at) as string,
    resolution: f.resolution,
    resolutionNote: f.resolution_note,
    resolvedBy: f.resolved_by,
    resolvedAt: iso(f.resolved_at),
    version: f.version,
  }
}

const missing = (id: number) => () => new AppError('NOT_FOUND', `No finding ${id}`, { id })

/** A finding the caller may see: its department's own, or one in the caller's place. */
function visible({ ownDepartment }: CrosscheckContext, p: Principal, f: FindingRow) {
  const own = ownDepartment(p)
  if (own) return f.owner_department === own
  const code = f.grid_code ?? f.community_code
  return p.allows('sharing.read', code) || p.allows('person.write', code)
}

/** Not visible: 403 at a place in the caller's scope (without the permission), else not found. */
const hidden = ({ ownDepartment }: CrosscheckContext, p: Principal, f: FindingRow, id: number) =>
  !ownDepartment(p) && p.sees(f.grid_code ?? f.community_code) ? forbidden('sharing.read') : missing(id)()

/**
 * The open door-to-door questions in the grids a worker walks (the visits module adds them to the
 * day's list; the grids come from the caller's own grants there). Oldest first.
 */
export async function doorQuestions(ctx: CrosscheckContext, grids: readonly string[]) {
  if (!grids.length) return []
  const [rows, rules, codes] = await Promise.all([ctx.repo.questions(grids), ruleMap(ctx), datasetCodes(ctx)])
  return rows.map((r) => {
    const rule = rules.get(r.rule_code)
    return {
      findingId: Number(r.id),
      version: r.version,
      rule: r.rule_code,
      ruleName: rule?.name ?? r.rule_code,
      question: rule?.question ?? '',
      entity: r.entity,
      entityId: Number(r.entity_id),
      grid: r.grid_code,
      householdId: r.household_id == null ? null : Number(r.household_id),
      about: r.about ?? '',
      address: r.address ?? '',
      lng: r.lng,
      lat: r.lat,
      ...sides(rule, r.left_value, r.right_value, codes),
      since: iso(r.first_seen_at) as string,
    }
  })
}

export interface FindingFilter {
  status?: string | undefined
  rule?: string | undefined
  region?: string | undefined
  assignee?: string | undefined
  department?: string | undefined
}

export async function listFindings(ctx: CrosscheckContext, p: Principal, f: FindingFilter, page: number, pageSize: number) {
  if (!p.has('sharing.read') && !p.has('person.write')) throw forbidden('sharing.read')
  const own = ctx.ownDepartment(p)
  const columns = { community: 'community_code', grid: 'grid_code' }
  const scope = scopeSql(p, own || p.has('sharing.read') ? 'sharing.read' : 'person.write', columns)
  const rules = await ruleMap(ctx)
  const { items, total } = await ctx.repo.findings(
    { ...f, department: own ?? f.department },
    scope,
    pageSize,
    (page - 1) * pageSize,
  )
  const codes = await datasetCodes(ctx)
  return { items: items.map((x) => findingOut(x, rules.get(x.rule_code), codes)), total, page, pageSize }
}

export async function getFinding(ctx: CrosscheckContext, p: Principal, id: number) {
  const f = await ctx.repo.finding(id)
  if (!f) throw missing(id)()
  if (!visible(ctx, p, f)) throw hidden(ctx, p, f, id)
  return findingOut(f, (await ruleMap(ctx)).get(f.rule_code), await datasetCodes(ctx))
}

/**
 * Says which side was right. A department's task is its own user's (or a sharing
 * administrator's); a grid worker's is for whoever may change records at the place. When the
 * department's side was right and the rule has a correction, the base record takes it, with the
 * department's provenance.
 */
export async function resolveFinding(
  ctx: CrosscheckContext,
  p: Principal,
  id: number,
  input: { side: 'department' | 'base'; note: string; version: number },
) {
  const { repo } = ctx
  await ctx.db.transaction().execute(async (trx) => {
    const f = await repo.finding(id, trx, true)
    if (!f) throw missing(id)()
    if (!visible(ctx, p, f)) throw hidden(ctx, p, f, id)
    if (f.assignee === 'department') {
      if (ctx.ownDepartment(p) !== f.owner_department && !p.has('sharing.admin')) throw forbidden('sharing.deliver')
    } else p.check('person.write', f.grid_code ?? f.community_code, missing(id))
    if (f.version !== input.version)
      throw new AppError('VERSION_CONFLICT', 'The finding was changed by someone else', {
        current: f.version,
        given: input.version,
      })
    if (f.status !== 'open') throw new AppError('INVALID_TRANSITION', `The finding is ${f.status}`, { status: f.status })
    const rule = (await repo.rule(f.rule_code, trx))?.definition as unknown as CheckRule
    if (input.side === 'department' && rule.fix) await correct(ctx, trx, rule, f, p, input.note)
    await repo.resolve(trx, id, {
      resolution: input.side === 'department' ? 'department_right' : 'base_right',
      note: input.note,
      by: p.actor,
      version: f.version,
    })
    await audit(trx, {
      actor: p.actor,
      action: 'sharing.finding.resolve',
      objectType: 'finding',
      objectId: id,
      reason: input.note,
      requestId: p.requestId,
      clientIp: p.clientIp,
      details: { rule: f.rule_code, side: input.side, entity: f.entity, entityId: Number(f.entity_id) },
    })
  })
  return getFinding(ctx, p, id)
}

/** The rule's correction, from the department's record, through the owner's store. */
async function correct(
  { repo, stores }: CrosscheckContext,
  trx: Transaction<DB>,
  rule: CheckRule,
  f: FindingRow,
  p: Principal,
  note: string,
) {
  const store =
    rule.subject === 'person' || rule.subject === 'organization' || rule.subject === 'dwelling' ? stores[rule.subject] : undefined
  const named = Object.values(rule.fix ?? {}).find((v) => v.startsWith('='))
  const dataset = named ? named.slice(1, named.lastIndexOf('.')) : rule.when.flatMap((c) => ('has' in c ? [c.has] : []))[0]
  if (!store || !dataset) return
  const rec = await repo.record(trx, dataset, Number(f.entity_id))
  if (!rec) return
  const values = rec.record as Record<string, FieldValue>
  const set: Record<string, FieldValue> = {}
  for (const [field, v] of Object.entries(rule.fix ?? {}))
    set[field] = v.startsWith('=') ? (values[v.slice(v.lastIndexOf('.') + 1)] ?? null) : v
  const base = (await store.find(trx, [rec.record_key], Object.keys(set))).get(rec.record_key)
  if (!base) return
  const changes: Record<string, { old: FieldValue; new: FieldValue }> = {}
  for (const [k, v] of Object.entries(set)) if (base.values[k] !== v) changes[k] = { old: base.values[k] ?? null, new: v }
  if (!Object.keys(changes).length) return
  await store.apply(trx, [{ id: base.id, version: base.version, set, changes }], {
    department: rule.owner,
    datasetCode: dataset,
    deliveryId: Number(rec.delivery_id),
    actor: p.actor,
    reason: `共享校核 ${rule.code}: ${note}`,
    requestId: p.requestId,
    clientIp: p.clientIp,
  })
}
