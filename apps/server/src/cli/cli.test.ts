// The `wangge` command as an operator runs it: the first administrator, and audit verification.
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../db/database.js'
import { REPO_ROOT } from '../kernel/paths.js'
import { createEmptyTestDatabase, type TestDatabase } from '../testing/test-db.js'

const run = promisify(execFile)
let dataDir: string
let pgDb: TestDatabase | undefined

async function wangge(...args: string[]) {
  try {
    const r = await run(process.execPath, [join(REPO_ROOT, 'apps/server/bin/wangge.mjs'), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, DATABASE_URL: pgDb?.url ?? '', DATA_DIR: dataDir, WANGGE_ADMIN_PASSWORD: '' },
    })
    return { code: 0, out: r.stdout + r.stderr }
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string }
    return { code: x.code, out: x.stdout + x.stderr }
  }
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'wangge-cli-'))
  if (process.env.WANGGE_TEST_DATABASE_URL) pgDb = await createEmptyTestDatabase()
})
afterAll(async () => {
  rmSync(dataDir, { recursive: true, force: true })
  await pgDb?.destroy()
})

describe('wangge users create-admin / audit verify', () => {
  it('should create the first administrator (strong passwords only) and verify the audit chain', async () => {
    const weak = await wangge('users', 'create-admin', '--username', 'root', '--password', 'root12345')
    expect(weak.code).toBe(1)
    expect(weak.out).toMatch(/password/i)
    const ok = await wangge('users', 'create-admin', '--username', 'root', '--password', 'Correct-Horse-Battery-Staple-42')
    expect(ok.out).toMatch(/administrator root created/)
    expect(ok.code).toBe(0)
    const verify = await wangge('audit', 'verify')
    expect(verify.out).toMatch(/audit log intact: 1 rows/)
    expect(verify.code).toBe(0)
  }, 120_000)

  it('should verify the statistics against a recount, and say so when they drifted', async () => {
    const exact = await wangge('stats', 'verify')
    expect([exact.code, exact.out]).toEqual([0, expect.stringMatching(/statistics exact: no drift/)])
    // A count altered behind the triggers' back.
    const database = await openDatabase({ databaseUrl: pgDb?.url, dataDir })
    await sql`insert into population_counts (region, dim, key, n) values ('4401', 'all', '', 7)
      on conflict (region, dim, key) do update set n = population_counts.n + 7`.execute(database.db)
    await database.close()
    const drift = await wangge('stats', 'verify')
    expect(drift.code).toBe(1)
    expect(drift.out).toMatch(/population 4401 all=: kept 7, counted 0/)
  }, 120_000)
})
