// What the cross-checks' use cases share (check-rules.ts, findings.ts, crosschecks.ts wires them):
// the database and repository, the owners' stores a correction goes through, the caller's own
// department, and what the catalog says of each dataset.
import type { CheckRule, DatasetDefinition, RuleDatasetFacts } from '@wangge/domain'
import type { Kysely, Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import type { Principal } from '../access/index.js'
import type { SharedEntityStore } from '../history/index.js'
import type { CrosscheckRepository } from './crosschecks.repository.js'

export interface CrosscheckContext {
  db: Kysely<DB>
  repo: CrosscheckRepository
  stores: Partial<Record<DatasetDefinition['entity'], SharedEntityStore>>
  ownDepartment: (p: Principal) => string | undefined
  /** The datasets in the catalog (code → what a rule may know of it), for checking a rule. */
  datasetFacts: () => Promise<ReadonlyMap<string, RuleDatasetFacts & { department: string }>>
}

/** The code table of a dataset's field (undefined: not coded). */
export type DatasetCodes = (dataset: string, field: string) => string | undefined

export const iso = (d: Date | string | null) => (d == null ? null : new Date(d).toISOString())

export const activeRules = async ({ db, repo }: CrosscheckContext, q: Kysely<DB> | Transaction<DB> = db) =>
  (await repo.rules(q)).filter((r) => r.active).map((r) => r.definition as unknown as CheckRule)

export const ruleMap = async ({ repo }: CrosscheckContext) =>
  new Map((await repo.rules()).map((r) => [r.code, r.definition as unknown as CheckRule]))

export async function datasetCodes({ datasetFacts }: CrosscheckContext): Promise<DatasetCodes> {
  const facts = await datasetFacts()
  return (dataset, field) => facts.get(dataset)?.codes?.[field]
}
