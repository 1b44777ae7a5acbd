// Every statement of the audit chain's repository, rendered to audit.repository.sql beside it
// (testing/sql-statements.ts): a changed statement shows in the diff; `npx vitest run -u` rewrites
// the file, and in CI a stale one fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderStatements } from '../../testing/sql-statements.js'
import { createTestDatabase, type TestDatabase } from '../../testing/test-db.js'
import { auditRepository as repo } from './audit.repository.js'

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t.destroy())

describe('audit repository statements', () => {
  it('should render every statement the repository sends', async () => {
    const text = await renderStatements(t.db, {
      lockChain: (db) => repo.lockChain(db),
      head: (db) => repo.head(db),
      append: (db) =>
        repo.append(db, [
          {
            id: 1,
            at: '2026-12-03T02:00:00.000Z',
            actor: 'admin',
            action: 'catalog.update',
            object_type: 'catalog',
            object_id: 'E0507',
            scope: null,
            reason: '调整时限',
            request_id: null,
            client_ip: null,
            details: {},
            prev_hash: '0'.repeat(64),
            hash: '1'.repeat(64),
          },
        ]),
      page: (db) => repo.page(db, 0, 5000),
      list: (db) =>
        repo.list(
          db,
          { actor: 'admin', objectType: 'catalog', objectId: 'E0507', action: 'catalog.update', actions: ['a'] },
          20,
          0,
        ),
    })
    await expect(text).toMatchFileSnapshot('./audit.repository.sql')
  })
})
