// Every statement of the cross-checks' repository, rendered to crosschecks.repository.sql beside
// it (testing/sql-statements.ts) — each seeded rule's run too, as the engine receives it: a changed
// statement or rule compilation shows in the diff; `npx vitest run -u` rewrites the file, and in CI
// a stale one fails.
import { DEFAULT_CHECK_RULES } from '@wangge/domain'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderStatements, withoutKeys } from '../../testing/sql-statements.js'
import { createTestDatabase, type TestDatabase } from '../../testing/test-db.js'
import { createCrosscheckRepository, runRule, scopeTo } from './crosschecks.repository.js'

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t.destroy())

const RULE = DEFAULT_CHECK_RULES[0] as (typeof DEFAULT_CHECK_RULES)[number]

describe('cross-checks repository statements', () => {
  it('should render every statement the repository sends', async () => {
    const repo = (db: Parameters<typeof createCrosscheckRepository>[0]) => createCrosscheckRepository(db)
    const runs = Object.fromEntries(
      DEFAULT_CHECK_RULES.map((rule) => [`run ${rule.code}`, (db: Parameters<typeof runRule>[0]) => runRule(db, rule)]),
    )
    const text = await renderStatements(t.db, {
      rules: (db) => repo(db).rules(),
      ruleForUpdate: (db) => repo(db).rule(RULE.code, db, true),
      seedRules: async (db) => repo(db).seedRules(await withoutKeys(db), [RULE]),
      saveRuleNew: async (db) =>
        repo(db).saveRule(
          await withoutKeys(db),
          { ...RULE, code: 'x_new' },
          { active: true, version: 1, actor: 'admin', reason: 'r' },
        ),
      saveRuleVersion: async (db) =>
        repo(db).saveRule(await withoutKeys(db), RULE, { active: false, version: 2, actor: 'admin', reason: 'r' }),
      ruleVersions: (db) => repo(db).ruleVersions(RULE.code),
      questions: (db) => repo(db).questions(['440104004107001']),
      plan: (db) => repo(db).plan(db, RULE),
      findings: (db) =>
        repo(db).findings(
          { status: 'open', rule: RULE.code, department: 'police', region: '440104', assignee: 'department' },
          sql`community_code like ${'440104%'}`,
          20,
          0,
        ),
      findingForUpdate: (db) => repo(db).finding(1, db, true),
      resolve: (db) => repo(db).resolve(db, 1, { resolution: 'base_right', note: 'n', by: 'admin', version: 1 }),
      record: (db) => repo(db).record(db, 'police.population', 1),
      scopeTo: (db) => scopeTo(db, [1, 2]),
      [`run ${RULE.code} scoped`]: async (db) => {
        await scopeTo(db, [1])
        return runRule(db, RULE, { scoped: true, deliveryId: 1 })
      },
      ...runs,
    })
    await expect(text).toMatchFileSnapshot('./crosschecks.repository.sql')
  })
})
