// One owner at a time across server nodes, with takeover when the owner's node dies (PostgreSQL:
// a session advisory lock on a connection of its own). Two "nodes" here are two leaderships in one
// process, each with its own connection; the owner's death is its backend terminated.
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../testing/test-db.js'
import { createLeadership } from './leadership.js'

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t.destroy())

const until = async (ok: () => boolean, ms = 5_000) => {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (ok()) return
    await new Promise((r) => setTimeout(r, 20))
  }
  throw new Error('timed out')
}

describe('leadership', () => {
  it('leads alone on the embedded engine (no database URL)', async () => {
    let working = 0
    const l = createLeadership({
      key: 1,
      lead: () => {
        working++
        return () => working--
      },
    })
    expect([l.leading, working]).toEqual([true, 1])
    await l.close()
    expect([l.leading, working]).toEqual([false, 0])
  })

  it.runIf(!!process.env.WANGGE_TEST_DATABASE_URL)(
    'one of two nodes leads; when its node dies, the other takes over and the dead one stops',
    async () => {
      const working = { a: 0, b: 0 }
      const node = (name: 'a' | 'b') =>
        createLeadership({
          databaseUrl: t.url,
          key: 4242,
          retryMs: 50,
          lead: () => {
            working[name]++
            return () => working[name]--
          },
        })
      const a = node('a')
      await until(() => a.leading)
      const b = node('b')
      await new Promise((r) => setTimeout(r, 300)) // several of b's tries
      expect([a.leading, b.leading, working.a, working.b]).toEqual([true, false, 1, 0])
      // a's node dies: its connection goes, the server releases the lock.
      const admin = new pg.Client({ connectionString: t.url })
      await admin.connect()
      const owner = await admin.query<{ pid: number }>(
        `select pid from pg_locks where locktype = 'advisory' and objid = 4242 and granted`,
      )
      expect(owner.rows).toHaveLength(1)
      await admin.query('select pg_terminate_backend($1)', [owner.rows[0]?.pid])
      await until(() => b.leading)
      await until(() => !a.leading)
      expect([working.a, working.b]).toEqual([0, 1])
      await admin.end()
      await a.close()
      await b.close()
      expect(working.b).toBe(0)
    },
  )
})
