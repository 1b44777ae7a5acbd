// Every statement of the attachments repository, rendered to attachments.repository.sql beside it
// (testing/sql-statements.ts): a changed statement shows in the diff; `npx vitest run -u` rewrites
// the file, and in CI a stale one fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderStatements, withoutKeys } from '../../testing/sql-statements.js'
import { createTestDatabase, type TestDatabase } from '../../testing/test-db.js'
import { createAttachmentsRepository } from './attachments.repository.js'

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t.destroy())

const SHA = 'a'.repeat(64)

describe('attachments repository statements', () => {
  it('should render every statement the repository sends', async () => {
    const repo = (db: Parameters<typeof createAttachmentsRepository>[0]) => createAttachmentsRepository(db)
    const text = await renderStatements(t.db, {
      uploaded: async (db) => repo(await withoutKeys(db)).uploaded(1, 'user:1'),
      uploadedBy: (db) => repo(db).uploadedBy([1, 2], 'user:1'),
      bySha: (db) => repo(db).bySha(SHA),
      insert: (db) =>
        repo(db).insert({
          sha256: SHA,
          mime: 'image/jpeg',
          size: 3,
          width: 1,
          height: 1,
          data: Buffer.from('abc'),
          thumbnail: Buffer.from('ab'),
          object_key: null,
          created_by: 'user:1',
        }),
      body: (db) => repo(db).body(1, false),
      thumbnail: (db) => repo(db).body(1, true),
      citing: (db) => repo(db).citing(1, 50),
      inRows: (db) => repo(db).inRows(0, 100),
      movedToStore: (db) => repo(db).movedToStore(1, 'attachments/aa/x'),
      rowsLeft: (db) => repo(db).rowsLeft(),
    })
    await expect(text).toMatchFileSnapshot('./attachments.repository.sql')
  })
})
