import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEmptyTestDatabase, type TestDatabase } from '../testing/test-db.js'
import { createChangeBus } from './change-bus.js'

describe('change bus in one process', () => {
  it('tells every holder of a topic, and no longer one that unsubscribed', () => {
    const bus = createChangeBus()
    const heard: string[] = []
    bus.on('grids', () => heard.push('index A'))
    const off = bus.on('grids', () => heard.push('index B'))
    bus.on('catalog', () => heard.push('catalog'))
    bus.publish('grids')
    off()
    bus.publish('grids')
    expect(heard).toEqual(['index A', 'index B', 'index A'])
  })

  it('keeps telling the others when one holder fails to forget', () => {
    const bus = createChangeBus()
    let told = 0
    bus.on('settings', () => {
      throw new Error('broken cache')
    })
    bus.on('settings', () => told++)
    bus.publish('settings')
    expect(told).toBe(1)
  })
})

let t: TestDatabase
beforeAll(async () => {
  t = await createEmptyTestDatabase()
})
afterAll(async () => {
  await t.destroy()
})

// Across processes only where there are several: PostgreSQL (CI's second pass).
describe.runIf(process.env.WANGGE_TEST_DATABASE_URL)('change bus across server processes (PostgreSQL)', () => {
  it('carries a change to the other processes once, and after a lost connection makes them forget everything', async () => {
    const a = createChangeBus({ db: t.db, databaseUrl: t.url })
    const b = createChangeBus({ db: t.db, databaseUrl: t.url })
    try {
      await Promise.all([a.ready(), b.ready()])
      const inA: string[] = []
      const inB: string[] = []
      for (const topic of ['grids', 'catalog', 'settings', 'access'] as const) {
        a.on(topic, () => inA.push(topic))
        b.on(topic, () => inB.push(topic))
      }
      a.publish('catalog')
      await expect.poll(() => inB, { timeout: 5_000 }).toEqual(['catalog'])
      expect(inA).toEqual(['catalog']) // its own, once (not echoed back by the database)
      // B's listening connection is cut: on its return B may have missed news, so it forgets all.
      await sql`select pg_terminate_backend(pid) from pg_stat_activity
                where datname = current_database() and query ilike 'listen wangge_changes%' and pid <> pg_backend_pid()`.execute(
        t.db,
      )
      await expect.poll(() => [...inB].sort(), { timeout: 10_000 }).toEqual(['access', 'catalog', 'catalog', 'grids', 'settings'])
      inB.length = 0
      a.publish('grids')
      await expect.poll(() => inB, { timeout: 5_000 }).toEqual(['grids'])
    } finally {
      await a.close()
      await b.close()
    }
  })
})
