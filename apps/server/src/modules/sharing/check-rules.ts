// The cross-check rules as data (issue 19 §4): the list, one rule with its versions, and a rule
// saved — checked against the catalog, planned by the engine (never run), kept with its history
// row and audited.
import { type CheckRule, checkRuleDefinition } from '@wangge/domain'
import { AppError } from '../../kernel/errors.js'
import { audit, forbidden, type Principal } from '../access/index.js'
import { type CrosscheckContext, iso } from './crosscheck-context.js'

const ruleMissing = (code: string) => () => new AppError('NOT_FOUND', `No rule ${code}`, { rule: code })

export async function listRules({ repo }: CrosscheckContext, p: Principal) {
  if (!p.has('sharing.read')) throw forbidden('sharing.read')
  return (await repo.rules()).map((r) => ({
    ...(r.definition as unknown as CheckRule),
    active: r.active,
    version: r.version,
  }))
}

export async function getRule({ repo }: CrosscheckContext, p: Principal, code: string) {
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
}

/** Why the catalog cannot take the rule (empty: it can). */
async function ruleProblems({ datasetFacts }: CrosscheckContext, rule: CheckRule) {
  const facts = await datasetFacts()
  const problems = checkRuleDefinition(rule, facts)
  if (![...facts.values()].some((d) => d.department === rule.owner)) problems.push(`Department ${rule.owner} supplies no dataset`)
  return problems
}

/**
 * A new rule (version 1, `version: null`) or a new version of one, by an administrator of sharing
 * with a reason. Its findings follow at the next run.
 */
export async function saveRule(
  ctx: CrosscheckContext,
  p: Principal,
  rule: CheckRule,
  input: { active: boolean; version: number | null; reason: string },
) {
  p.require('sharing.admin')
  const problems = await ruleProblems(ctx, rule)
  if (problems.length)
    throw new AppError('VALIDATION_FAILED', `Rule ${rule.code}: ${problems.join('; ')}`, {
      issues: problems.map((message) => ({ path: 'definition', message })),
    })
  const { repo } = ctx
  await ctx.db.transaction().execute(async (trx) => {
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
  return getRule(ctx, p, rule.code)
}
