// 共享校核 (issue 19 §4): the rules run on every delivery (for the records it touched) and nightly
// over everything; each finding is a task — to the department that answers for the disputed field
// ("correct your data"), or to the grid worker of the place (a door-to-door question). The rules as
// data are check-rules.ts's, the findings as tasks findings.ts's; this file wires them and runs the
// rules.
import { type CheckRule, type DatasetDefinition, DEFAULT_CHECK_RULES } from '@wangge/domain'
import type { Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import type { Principal } from '../access/index.js'
import { getRule, listRules, saveRule } from './check-rules.js'
import { activeRules, type CrosscheckContext } from './crosscheck-context.js'
import { createCrosscheckRepository, runRule, scopeTo } from './crosschecks.repository.js'
import { doorQuestions, type FindingFilter, getFinding, listFindings, resolveFinding } from './findings.js'

export { findingOut } from './findings.js'

type RunCounts = Record<string, { opened: number; seen: number; cleared: number }>

/** Every active rule over everything (the nightly run): one transaction per rule, or all in `trx`. */
async function runAll(ctx: CrosscheckContext, trx?: Transaction<DB>) {
  const out: RunCounts = {}
  // Inside a job's transaction every statement goes through it (the embedded engine has one connection).
  for (const rule of await activeRules(ctx, trx))
    out[rule.code] = trx ? await runRule(trx, rule) : await ctx.db.transaction().execute((t) => runRule(t, rule))
  return out
}

/** The rules about the records a delivery touched. */
async function runForDelivery(
  ctx: CrosscheckContext,
  deliveryId: number,
  entity: DatasetDefinition['entity'],
  ids: readonly number[],
) {
  const out: RunCounts = {}
  if (entity === 'none' || entity === 'component' || !ids.length) return out
  const rules = (await activeRules(ctx)).filter((r) => r.subject === entity)
  if (!rules.length) return out
  // One transaction: the touched ids written once to a scope table every rule joins.
  await ctx.db.transaction().execute(async (trx) => {
    await scopeTo(trx, ids)
    for (const rule of rules) out[rule.code] = await runRule(trx, rule, { scoped: true, deliveryId })
  })
  return out
}

export function createCrosschecks(deps: Omit<CrosscheckContext, 'repo'>) {
  const ctx: CrosscheckContext = { ...deps, repo: createCrosscheckRepository(deps.db) }
  return {
    seed: () => ctx.db.transaction().execute((trx) => ctx.repo.seedRules(trx, DEFAULT_CHECK_RULES)),
    rules: (p: Principal) => listRules(ctx, p),
    rule: (p: Principal, code: string) => getRule(ctx, p, code),
    saveRule: (p: Principal, rule: CheckRule, input: Parameters<typeof saveRule>[3]) => saveRule(ctx, p, rule, input),
    questions: (grids: readonly string[]) => doorQuestions(ctx, grids),
    runAll: (trx?: Transaction<DB>) => runAll(ctx, trx),
    runForDelivery: (deliveryId: number, entity: DatasetDefinition['entity'], ids: readonly number[]) =>
      runForDelivery(ctx, deliveryId, entity, ids),
    list: (p: Principal, f: FindingFilter, page: number, pageSize: number) => listFindings(ctx, p, f, page, pageSize),
    get: (p: Principal, id: number) => getFinding(ctx, p, id),
    resolve: (p: Principal, id: number, input: Parameters<typeof resolveFinding>[3]) => resolveFinding(ctx, p, id, input),
  }
}

export type Crosschecks = ReturnType<typeof createCrosschecks>
