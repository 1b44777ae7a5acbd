// Every statement of the sharing repository, rendered to sharing.repository.sql beside it
// (testing/sql-statements.ts): a changed statement shows in the diff; `npx vitest run -u` rewrites
// the file, and in CI a stale one fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderStatements } from '../../testing/sql-statements.js'
import { createTestDatabase, type TestDatabase } from '../../testing/test-db.js'
import { createSharingRepository } from './sharing.repository.js'

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t.destroy())

describe('sharing repository statements', () => {
  it('should render every statement the repository sends', async () => {
    const repo = (db: Parameters<typeof createSharingRepository>[0]) => createSharingRepository(db)
    const text = await renderStatements(t.db, {
      datasets: (db) => repo(db).datasets('police'),
      dataset: (db) => repo(db).dataset('police.population', db, true),
      versions: (db) => repo(db).versions('police.population'),
      owners: (db) => repo(db).owners(),
      ownersNamed: (db) => repo(db).ownersNamed(db),
      deliveryByKey: (db) => repo(db).deliveryByKey('police.population', 'k'),
      listDeliveries: (db) => repo(db).listDeliveries({ department: 'police', dataset: 'police.population' }, 20, 0),
      rejects: (db) => repo(db).rejects(1, 50, 0),
      unmatched: (db) => repo(db).unmatched(1, 50, 0),
      records: (db) => repo(db).records(db, 'police.population', ['440104195003020123']),
      heldKeys: async (db) => {
        for await (const _ of repo(db).heldKeys(db, 'police.population', 2));
      },
      markRemoved: (db) => repo(db).markRemoved(db, 'police.population', 1, ['440104195003020123']),
    })
    await expect(text).toMatchFileSnapshot('./sharing.repository.sql')
  })
})
