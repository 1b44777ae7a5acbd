// Every statement of the change log's repository, rendered to history.repository.sql beside it
// (testing/sql-statements.ts): a changed statement shows in the diff; `npx vitest run -u` rewrites
// the file, and in CI a stale one fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderStatements } from '../../testing/sql-statements.js'
import { createTestDatabase, type TestDatabase } from '../../testing/test-db.js'
import { historyRepository as repo } from './history.repository.js'

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t.destroy())

describe('history repository statements', () => {
  it('should render every statement the repository sends', async () => {
    const text = await renderStatements(t.db, {
      append: (db) =>
        repo.append(db, [
          {
            entity: 'person',
            entity_id: 1,
            version: 2,
            action: 'update',
            changes: '{"phone":{"old":null,"new":"13800138000"}}',
            reason: '走访更新',
            actor: 'worker',
            source: 'grid_worker',
            request_id: null,
          },
        ]),
      of: (db) => repo.of(db, 'person', 1, 20, 0),
      findByKey: (db) =>
        repo.findByKey(
          db,
          'persons',
          'id_number',
          ['440104199001010011'],
          [
            ['name', 'name'],
            ['arrival_date', 'arrivalDate'],
          ],
        ),
      updateByRows: (db) =>
        repo.updateByRows(db, 'persons', [{ id: 1, name: '张三', name_initials: 'zs' }], {
          actor: 'police-feed',
          department: 'police',
        }),
    })
    await expect(text).toMatchFileSnapshot('./history.repository.sql')
  })
})
