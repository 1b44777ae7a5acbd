// The rate limits' counts in the database: a window counts up and starts again when it ends; on
// PostgreSQL two server nodes share one count, so N nodes do not allow N times the limit.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type App, buildApp } from '../../app.js'
import { createTestDatabase, type TestDatabase } from '../../testing/test-db.js'
import { countHit, sweepRateLimits } from './auth.repository.js'

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t.destroy())

describe('rate-limit counts', () => {
  it('count up within a window and start again at one when it has ended; the sweep takes ended ones away', async () => {
    const hit = async (ms: number) => (await countHit(t.db, 'test:a', ms)).rows[0]
    expect(await hit(60_000)).toMatchObject({ hits: 1 })
    expect(await hit(60_000)).toMatchObject({ hits: 2 })
    const third = await hit(60_000)
    expect(third?.hits).toBe(3)
    expect(third?.ttl).toBeGreaterThan(50_000)
    expect(third?.ttl).toBeLessThanOrEqual(60_000)
    await countHit(t.db, 'test:b', 1)
    await new Promise((r) => setTimeout(r, 20))
    expect((await countHit(t.db, 'test:b', 60_000)).rows[0]).toMatchObject({ hits: 1 })
    await countHit(t.db, 'test:c', 1)
    await new Promise((r) => setTimeout(r, 20))
    await sweepRateLimits(t.db)
    const keys = (await sql<{ key: string }>`select key from rate_limits order by key`.execute(t.db)).rows.map((r) => r.key)
    expect(keys).toEqual(['test:a', 'test:b'])
  })

  it.runIf(!!process.env.WANGGE_TEST_DATABASE_URL)(
    'are shared by two server nodes: the login limit (20 a minute per address) holds across both together',
    async () => {
      const config = { bodyLimit: 1 << 20, logLevel: 'silent' as const, logPretty: false }
      const nodes: App[] = [
        await buildApp({ config, database: t, webDir: false }),
        await buildApp({ config, database: t, webDir: false }),
      ]
      const login = (app: App) =>
        app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          remoteAddress: '10.9.8.7',
          payload: { username: 'nobody', password: 'wrong-password-1' },
        })
      const codes: number[] = []
      for (let i = 0; i < 20; i++) codes.push((await login(nodes[i % 2] as App)).statusCode)
      // (Wrong passwords: refused, then the address locked out for a while — but not yet rate-limited.)
      expect(codes.filter((c) => c === 429)).toEqual([])
      const over = await login(nodes[0] as App)
      expect([over.statusCode, over.json().code]).toEqual([429, 'TOO_MANY_REQUESTS'])
      expect((await login(nodes[1] as App)).statusCode).toBe(429)
      for (const n of nodes) await n.close()
    },
  )
})
