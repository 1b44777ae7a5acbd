// 共享校核 (issue 19 §4): the rules run on every delivery (for the records it touched) and nightly
// over everything; each finding is a task — to the department that answers for the disputed field
// ("correct your data"), or to the grid worker of the place (a door-to-door question). Resolving it
// says which side was right; when the department's was, the rule's correction is written to the
// base record with the department's provenance.
import {
  type CheckRule,
  checkRuleDefinition,
  type DatasetDefinition,
  DEFAULT_CHECK_RULES,
  type RuleDatasetFacts,
  sideCodeTable,
} from '@wangge/domain'
import type { Kysely, Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import { audit, forbidden, type Principal, scopeSql } from '../access/index.js'
import type { FieldValue, SharedEntityStore } from '../history/index.js'
import { createCrosscheckRepository, type FindingRow, runRule, scopeTo } from './crosschecks.repository.js'

const iso = (d: Date | string | null) => (d == null ? null : new Date(d).toISOString())

/** The code table of a dataset's field (undefined: not coded). */
type DatasetCodes = (dataset: string, field: string) => string | undefined

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

export function createCrosschecks({
  db,
  stores,
  ownDepartment,
  datasetFacts,
}: {
  db: Kysely<DB>
  stores: Partial<Record<DatasetDefinition['entity'], SharedEntityStore>>
  ownDepartment: (p: Principal) => string | undefined
  /** The datasets in the catalog (code → what a rule may know of it), for checking a rule. */
  datasetFacts: () => Promise<ReadonlyMap<string, RuleDatasetFacts & { department: string }>>
}) {
  const repo = createCrosscheckRepository(db)
  const activeRules = async (q: Kysely<DB> | Transaction<DB> = db) =>
    (await repo.rules(q)).filter((r) => r.active).map((r) => r.definition as unknown as CheckRule)
  const ruleMap = async () => new Map((await repo.rules()).map((r) => [r.code, r.definition as unknown as CheckRule]))
  const missing = (id: number) => () => new AppError('NOT_FOUND', `No finding ${id}`, { id })
  const datasetCodes = async (): Promise<DatasetCodes> => {
    const facts = await datasetFacts()
    return (dataset, field) => facts.get(dataset)?.codes?.[field]
  }
  const ruleMissing = (code: string) => () => new AppError('NOT_FOUND', `No rule ${code}`, { rule: code })

  /** A finding the caller may see: its department's own, or one in the caller's place. */
  function visible(p: Principal, f: FindingRow) {
    const own = ownDepartment(p)
    if (own) return f.owner_department === own
    const code = f.grid_code ?? f.community_code
    return p.allows('sharing.read', code) || p.allows('person.write', code)
  }

  /** Not visible: 403 at a place in the caller's scope (without the permission), else not found. */
  const hidden = (p: Principal, f: FindingRow, id: number) =>
    !ownDepartment(p) && p.sees(f.grid_code ?? f.community_code) ? forbidden('sharing.read') : missing(id)()

  return {
    seed: () => repo.seedRules(DEFAULT_CHECK_RULES),

    async rules(p: Principal) {
      if (!p.has('sharing.read')) throw forbidden('sharing.read')
      return (await repo.rules()).map((r) => ({
        ...(r.definition as unknown as CheckRule),
        active: r.active,
        version: r.version,
      }))
    },

    async rule(p: Principal, code: string) {
      if (!p.has('sharing.read')) throw forbidden('sharing.read')
      const r = await repo.rule(code)
      if (!r) throw ruleMissing(code)()
      const versions = await repo.ruleVersions(code)
      return {
        ...(r.definition as unknown as CheckRule),
        active: r.active,
        version: r.version,
        versions: versions.map((v) => ({
          version: v.version,
          active: v.active,
          reason: v.reason,
          changedBy: v.changed_by,
          changedAt: iso(v.changed_at) as string,
        })),
      }
    },

    /**
     * A new rule (version 1) or a new version of one, by an administrator of sharing with a
     * reason: checked against the catalog, planned by the engine (never run), then saved with its
     * history row and audited. Its findings follow at the next run.
     */
    async saveRule(p: Principal, rule: CheckRule, input: { active: boolean; version: number | null; reason: string }) {
      p.require('sharing.admin')
      const facts = await datasetFacts()
      const problems = checkRuleDefinition(rule, facts)
      if (![...facts.values()].some((d) => d.department === rule.owner))
        problems.push(`Department ${rule.owner} supplies no dataset`)
      if (problems.length)
        throw new AppError('VALIDATION_FAILED', `Rule ${rule.code}: ${problems.join('; ')}`, {
          issues: problems.map((message) => ({ path: 'definition', message })),
        })
      await db.transaction().execute(async (trx) => {
        const current = await repo.rule(rule.code, trx, true)
        if (input.version === null) {
          if (current) throw new AppError('DUPLICATE', `Rule ${rule.code} exists already`, { rule: rule.code })
        } else {
          if (!current) throw ruleMissing(rule.code)()
          if (current.version !== input.version)
            throw new AppError('VERSION_CONFLICT', 'The rule was changed by someone else', {
              current: current.version,
              given: input.version,
            })
        }
        try {
          await repo.plan(trx, rule)
        } catch (e) {
          throw new AppError('VALIDATION_FAILED', `Rule ${rule.code} cannot be planned: ${(e as Error).message}`, {
            issues: [{ path: 'definition', message: (e as Error).message }],
          })
        }
        const version = input.version === null ? 1 : input.version + 1
        const saved = await repo.saveRule(trx, rule, { active: input.active, version, actor: p.actor, reason: input.reason })
        if (!saved) throw new AppError('DUPLICATE', `Rule ${rule.code} exists already`, { rule: rule.code })
        await audit(trx, {
          actor: p.actor,
          action: input.version === null ? 'sharing.rule.create' : 'sharing.rule.update',
          objectType: 'check_rule',
          objectId: rule.code,
          reason: input.reason,
          requestId: p.requestId,
          clientIp: p.clientIp,
          details: { version, active: input.active },
        })
      })
      return this.rule(p, rule.code)
    },

    /**
     * The open door-to-door questions in the grids a worker walks (the visits module adds them to
     * the day's list; the grids come from the caller's own grants there). Oldest first.
     */
    async questions(grids: readonly string[]) {
      if (!grids.length) return []
      const [rows, rules, codes] = await Promise.all([repo.questions(grids), ruleMap(), datasetCodes()])
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
    },

    /** Every active rule over everything (the nightly run): one transaction per rule, or all in `trx`. */
    async runAll(trx?: Transaction<DB>) {
      const out: Record<string, { opened: number; seen: number; cleared: number }> = {}
      // Inside a job's transaction every statement goes through it (the embedded engine has one connection).
      for (const rule of await activeRules(trx))
        out[rule.code] = trx ? await runRule(trx, rule) : await db.transaction().execute((t) => runRule(t, rule))
      return out
    },

    /** The rules about the records a delivery touched. */
    async runForDelivery(deliveryId: number, entity: DatasetDefinition['entity'], ids: readonly number[]) {
      if (entity === 'none' || entity === 'component') return {}
      const out: Record<string, { opened: number; seen: number; cleared: number }> = {}
      if (!ids.length) return out
      const rules = (await activeRules()).filter((r) => r.subject === entity)
      if (!rules.length) return out
      // One transaction: the touched ids written once to a scope table every rule joins.
      await db.transaction().execute(async (trx) => {
        await scopeTo(trx, ids)
        for (const rule of rules) out[rule.code] = await runRule(trx, rule, { scoped: true, deliveryId })
      })
      return out
    },

    async list(
      p: Principal,
      f: {
        status?: string | undefined
        rule?: string | undefined
        region?: string | undefined
        assignee?: string | undefined
        department?: string | undefined
      },
      page: number,
      pageSize: number,
    ) {
      if (!p.has('sharing.read') && !p.has('person.write')) throw forbidden('sharing.read')
      const own = ownDepartment(p)
      const scope = own
        ? scopeSql(p, 'sharing.read', { community: 'community_code', grid: 'grid_code' })
        : scopeSql(p, p.has('sharing.read') ? 'sharing.read' : 'person.write', { community: 'community_code', grid: 'grid_code' })
      const rules = await ruleMap()
      const { items, total } = await repo.findings(
        { ...f, department: own ?? f.department },
        scope,
        pageSize,
        (page - 1) * pageSize,
      )
      const codes = await datasetCodes()
      return { items: items.map((x) => findingOut(x, rules.get(x.rule_code), codes)), total, page, pageSize }
    },

    async get(p: Principal, id: number) {
      const f = await repo.finding(id)
      if (!f) throw missing(id)()
      if (!visible(p, f)) throw hidden(p, f, id)
      return findingOut(f, (await ruleMap()).get(f.rule_code), await datasetCodes())
    },

    /**
     * Says which side was right. A department's task is its own user's (or a sharing
     * administrator's); a grid worker's is for whoever may change records at the place. When the
     * department's side was right and the rule has a correction, the base record takes it, with
     * the department's provenance.
     */
    async resolve(p: Principal, id: number, input: { side: 'department' | 'base'; note: string; version: number }) {
      await db.transaction().execute(async (trx) => {
        const f = await repo.finding(id, trx, true)
        if (!f) throw missing(id)()
        if (!visible(p, f)) throw hidden(p, f, id)
        if (f.assignee === 'department') {
          if (ownDepartment(p) !== f.owner_department && !p.has('sharing.admin')) throw forbidden('sharing.deliver')
        } else p.check('person.write', f.grid_code ?? f.community_code, missing(id))
        if (f.version !== input.version)
          throw new AppError('VERSION_CONFLICT', 'The finding was changed by someone else', {
            current: f.version,
            given: input.version,
          })
        if (f.status !== 'open') throw new AppError('INVALID_TRANSITION', `The finding is ${f.status}`, { status: f.status })
        const rule = (await repo.rule(f.rule_code, trx))?.definition as unknown as CheckRule
        if (input.side === 'department' && rule.fix) await correct(trx, rule, f, p, input.note)
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
      return this.get(p, id)
    },
  }

  /** The rule's correction, from the department's record, through the owner's store. */
  async function correct(trx: Transaction<DB>, rule: CheckRule, f: FindingRow, p: Principal, note: string) {
    const store =
      rule.subject === 'person' || rule.subject === 'organization' || rule.subject === 'dwelling'
        ? stores[rule.subject]
        : undefined
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
}

export type Crosschecks = ReturnType<typeof createCrosschecks>
