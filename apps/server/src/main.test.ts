// The real entry point as a user runs it: a separate process on a fresh and then an existing
// data directory (or a fresh PostgreSQL database in the PostgreSQL pass).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_PASSWORD } from './boot.js'
import { startServer, stopServer } from './testing/process.js'
import { createEmptyTestDatabase, type TestDatabase } from './testing/test-db.js'

let dataDir: string
let pgDb: TestDatabase | undefined

const start = (env: Record<string, string>) => startServer({ DATABASE_URL: pgDb?.url ?? '', DATA_DIR: dataDir, ...env })

/** fetch, once more when the server closed an idle kept-alive connection just as it was reused
 *  (ECONNRESET: the test waits long between requests while the demo's background work runs). */
async function get(url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init)
  } catch (e) {
    if ((e as { cause?: { code?: string } }).cause?.code !== 'ECONNRESET') throw e
    return fetch(url, init)
  }
}

const stop = stopServer

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'wangge-start-'))
  if (process.env.WANGGE_TEST_DATABASE_URL) pgDb = await createEmptyTestDatabase()
})
afterAll(async () => {
  rmSync(dataDir, { recursive: true, force: true })
  await pgDb?.destroy()
})

describe('wangge server process', () => {
  it('should start on a fresh database, serve the regions, and start again on the existing one', async () => {
    const t0 = Date.now()
    const first = start({})
    const port = await first.ready
    const firstMs = Date.now() - t0
    // The demo seeds its users: log in as the administrator (session cookie).
    const denied = await fetch(`http://127.0.0.1:${port}/api/v1/regions/440104`)
    expect(denied.status).toBe(401)
    const login = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: DEMO_PASSWORD }),
    })
    expect(login.status).toBe(200)
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string
    expect(login.headers.get('set-cookie')).toMatch(/HttpOnly/i)
    const headers = { cookie }
    const region = (await (await fetch(`http://127.0.0.1:${port}/api/v1/regions/440104`, { headers })).json()) as {
      children: unknown[]
      descendantCounts: { community: number }
    }
    expect(region.children).toHaveLength(18)
    expect(region.descendantCounts.community).toBe(222)
    expect(first.output()).toMatch(/migrations applied/)
    expect(first.output()).toMatch(/demo tiny: [\d,]+ persons in 1,200 households loaded/)
    // The demo is partitioned into grids in the background once the server listens.
    let grids = 0
    for (let i = 0; i < 120 && grids === 0; i++) {
      await new Promise((r) => setTimeout(r, 250))
      grids = (
        (await (await get(`http://127.0.0.1:${port}/api/v1/regions/440104004`, { headers })).json()) as {
          descendantCounts: { grid: number }
        }
      ).descendantCounts.grid
    }
    expect(grids).toBeGreaterThan(0)
    for (let i = 0; i < 120 && !/grids 440104004: \d+ grids/.test(first.output()); i++)
      await new Promise((r) => setTimeout(r, 250))
    expect(first.output()).toMatch(/grids 440104004: \d+ grids/)
    // Then the demo's weeks of cases, through the loop: closed ones, and some still open.
    for (let i = 0; i < 240 && !/demo cases: [\d,]+ reports/.test(first.output()); i++)
      await new Promise((r) => setTimeout(r, 250))
    expect(first.output()).toMatch(/demo cases: [\d,]+ reports of the last 90 days/)
    const statuses = (await (
      await get(`http://127.0.0.1:${port}/api/v1/stats/cases?region=440104004&by=status&from=2000-01-01&to=2100-01-01`, {
        headers,
      })
    ).json()) as { groups: { key: string; counts: { reported: number } }[] }
    const by = Object.fromEntries(statuses.groups.map((g) => [g.key, g.counts.reported]))
    expect(by.closed).toBeGreaterThan(50)
    expect(Object.keys(by).some((k) => !['closed', 'cancelled'].includes(k))).toBe(true)
    expect(await stop(first)).toBe(0)
    expect(firstMs).toBeLessThan(60_000)

    const t1 = Date.now()
    const second = start({})
    const port2 = await second.ready
    const secondMs = Date.now() - t1
    const health = (await (await fetch(`http://127.0.0.1:${port2}/api/v1/health`)).json()) as { status: string }
    expect(health.status).toBe('ok')
    expect(second.output()).toMatch(/migrations: up to date/)
    expect(second.output()).toMatch(/regions of 4401: up to date/)
    expect(second.output()).not.toMatch(/seeding the demo/)
    expect(second.output()).not.toMatch(/partitioning/)
    expect(await stop(second)).toBe(0)
    expect(secondMs).toBeLessThan(30_000) // target < 10 s (≈ 3.5 s alone); the whole suite beside it once took 22 s
  }, 180_000)

  it('should refuse to start with a bad configuration and name every bad key', async () => {
    const p = start({ PORT: 'eighty', LOG_LEVEL: 'loud' })
    await expect(p.ready).rejects.toThrow()
    expect(await p.exited).toBe(78)
    expect(p.output()).toMatch(/PORT/)
    expect(p.output()).toMatch(/LOG_LEVEL/)
  })

  it('should refuse several server processes on the embedded database', async () => {
    const p = start({ WANGGE_WORKERS: '2', DATABASE_URL: '' })
    await expect(p.ready).rejects.toThrow()
    expect(await p.exited).toBe(78)
    expect(p.output()).toMatch(/WANGGE_WORKERS: 2 server processes need DATABASE_URL/)
  })

  it.runIf(process.env.WANGGE_TEST_DATABASE_URL)(
    'should run one server process per core on PostgreSQL, and start one again that dies',
    async () => {
      const p = start({ WANGGE_WORKERS: '2', WANGGE_DEMO: 'none', LOG_LEVEL: 'info' })
      const port = await p.ready
      expect(p.output()).toMatch(/2 server processes/)
      const children = () =>
        readdirSync('/proc')
          .filter((d) => /^\d+$/.test(d))
          .filter((d) => {
            try {
              return readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]?.split(' ')[1] === String(p.child.pid)
            } catch {
              return false
            }
          })
          .map(Number)
      const workers = children()
      expect(workers).toHaveLength(2)
      const healthy = async () => (await fetch(`http://127.0.0.1:${port}/api/v1/health`)).status
      for (let i = 0; i < 10; i++) expect(await healthy()).toBe(200)
      process.kill(workers[0] as number, 'SIGKILL')
      await expect.poll(() => /starting it again/.test(p.output()), { timeout: 15_000 }).toBe(true)
      await expect.poll(() => children().filter((c) => !workers.includes(c)).length, { timeout: 30_000 }).toBe(1)
      for (let i = 0; i < 10; i++) expect(await healthy()).toBe(200)
      expect(await stop(p)).toBe(0)
      expect(children()).toEqual([])
    },
    90_000,
  )
})
