// Every statement of the components repository, rendered to components.repository.sql beside it
// (testing/sql-statements.ts): a changed statement shows in the diff; `npx vitest run -u` rewrites
// the file, and in CI a stale one fails.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderStatements } from '../../testing/sql-statements.js'
import { createTestDatabase, type TestDatabase } from '../../testing/test-db.js'
import { findComponent, listComponents, setComponentGrids } from './components.repository.js'

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t.destroy())

describe('components repository statements', () => {
  it('should render every statement the repository sends', async () => {
    const text = await renderStatements(t.db, {
      listComponents: (db) =>
        listComponents(db, sql<boolean>`true`, { region: '440104004107', major: '01', sub: '01', state: 'missing' }, 20, 0),
      findComponent: (db) => findComponent(db, '4401040101000001'),
      setComponentGrids: (db) => setComponentGrids(db, [[1, '440104004107001']]),
    })
    await expect(text).toMatchFileSnapshot('./components.repository.sql')
  })
})
