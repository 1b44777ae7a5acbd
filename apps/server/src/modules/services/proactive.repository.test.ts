// Every statement behind a resident's facts and the night's proactive run, rendered to
// facts.repository.sql and proactive.repository.sql beside them (testing/sql-statements.ts): a
// changed statement shows in the diff; `npx vitest run -u` rewrites the files, and in CI a stale
// one fails.
import type { ProactiveTrigger } from '@wangge/domain'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderStatements, withoutKeys } from '../../testing/sql-statements.js'
import { createTestDatabase, type TestDatabase } from '../../testing/test-db.js'
import { factsRepository as facts } from './facts.repository.js'
import { proactiveRepository as repo } from './proactive.repository.js'

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t.destroy())

const triggers: Record<string, ProactiveTrigger> = {
  birthday: { kind: 'birthday', years: 80 },
  residence: { kind: 'residence', days: 183 },
  expiry: { kind: 'expiry', withinDays: 30 },
  recordParent: { kind: 'record', dataset: 'health.births', who: 'parent' },
  recordHousehold: { kind: 'record', dataset: 'health.deaths', who: 'household' },
  recordSelf: { kind: 'record', dataset: 'cdpf.disability', who: 'self' },
}

describe('services repositories statements', () => {
  it('should render every statement behind the facts', async () => {
    const text = await renderStatements(t.db, {
      personsWithEvidence: (db) =>
        facts.persons(db, [1, 2], '2026-12-03', { evidence: true, childrenUnder18: true, householdLowIncome: true }),
      personsForRules: (db) =>
        facts.persons(db, [1, 2], '2026-12-03', { evidence: false, childrenUnder18: false, householdLowIncome: false }),
      records: (db) =>
        facts.records(db, {
          ids: [1, 2],
          idNumbers: ['440104199001010011'],
          households: [7],
          own: ['migrant.permits', 'cdpf.disability'],
          births: true,
          deaths: true,
        }),
      recordsOwnOnly: (db) =>
        facts.records(db, { ids: [1], idNumbers: [], households: [], own: ['hrss.employment'], births: false, deaths: false }),
      sources: (db) => facts.sources(db, [1, 2]),
    })
    await expect(text).toMatchFileSnapshot('./facts.repository.sql')
  })

  it('should render every statement of the proactive run', async () => {
    const text = await renderStatements(t.db, {
      lastRunDay: (db) => repo.lastRunDay(db, '2026-12-03'),
      startRun: (db) => repo.startRun(db, '2026-12-03', '2026-12-02'),
      ...Object.fromEntries(
        Object.entries(triggers).map(([name, trigger]) => [
          `candidates ${name}`,
          (db: Parameters<typeof repo.candidates>[0]) => repo.candidates(db, trigger, '2026-12-02', '2026-12-03'),
        ]),
      ),
      quietPersons: (db) => repo.quietPersons(db, 'S0102', [1, 2], '2025-12-03'),
      insertOffers: async (db) =>
        repo.insertOffers(await withoutKeys(db), [
          {
            item_code: 'S0102',
            person_id: 1,
            household_id: null,
            community_code: '440104001001',
            grid_code: null,
            occasion: '2026-12-03',
            reason: '年满80周岁',
            created_on: '2026-12-03',
          },
        ]),
      agreedToBeTold: (db) => repo.agreedToBeTold(db, [1, 2]),
      markNotified: (db) => repo.markNotified(db, [1]),
      finishRun: (db) => repo.finishRun(db, '2026-12-03', { candidates: 2, offers: 1, notified: 0, ms: 5 }),
      openOffers: (db) => repo.openOffers(db, ['440104001001001']),
    })
    await expect(text).toMatchFileSnapshot('./proactive.repository.sql')
  })
})
