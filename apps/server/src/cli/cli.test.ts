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

/** The command against the test's database, or against another (`on`). */
async function wanggeOn(on: { url: string | undefined; dir: string }, ...args: string[]) {
  try {
    const r = await run(process.execPath, [join(REPO_ROOT, 'apps/server/bin/wangge.mjs'), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, DATABASE_URL: on.url ?? '', DATA_DIR: on.dir, WANGGE_ADMIN_PASSWORD: '' },
    })
    return { code: 0, out: r.stdout + r.stderr }
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string }
    return { code: x.code, out: x.stdout + x.stderr }
  }
}
const wangge = (...args: string[]) => wanggeOn({ url: pgDb?.url, dir: dataDir }, ...args)

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

describe('wangge backup / restore', () => {
  it('should back up, restore into an empty database and verify it; refuse a full one without --clean', async () => {
    const file = join(dataDir, pgDb ? 'wangge.dump' : 'wangge.tar.gz')
    // The statistics the test above altered travel with the backup, and the restore says so.
    const drifted = await wangge('backup', '--out', file)
    expect([drifted.code, drifted.out]).toEqual([0, expect.stringMatching(/backup of the (postgres|pglite) database written/)])
    const other = pgDb ? await createEmptyTestDatabase() : undefined
    const otherDir = mkdtempSync(join(tmpdir(), 'wangge-restore-'))
    const restoreInto = (...args: string[]) => wanggeOn({ url: other?.url, dir: otherDir }, ...args)
    try {
      const first = await restoreInto('restore', '--from', file)
      expect(first.out).toMatch(/restored into the (postgres|pglite) database/)
      expect(first.out).toMatch(/audit log intact: 1 rows/)
      expect(first.out).toMatch(/statistics DRIFT: 1 difference/)
      expect(first.code).toBe(1)
      // Repaired at the source and backed up again: the restore over the first one is exact.
      const database = await openDatabase({ databaseUrl: pgDb?.url, dataDir })
      await sql`select population_counts_rebuild()`.execute(database.db)
      await database.close()
      expect((await wangge('backup', '--out', file)).code).toBe(0)
      const full = await restoreInto('restore', '--from', file)
      expect([full.code, full.out]).toEqual([1, expect.stringMatching(/not empty|holds a database/)])
      const clean = await restoreInto('restore', '--from', file, '--clean')
      expect(clean.out).toMatch(/audit log intact: 1 rows/)
      expect(clean.out).toMatch(/statistics exact: no drift/)
      expect(clean.code).toBe(0)
      const restored = await openDatabase({ databaseUrl: other?.url, dataDir: otherDir })
      const users = await sql<{ username: string }>`select username from users`.execute(restored.db)
      await restored.close()
      expect(users.rows.map((u) => u.username)).toContain('root')
      expect((await restoreInto('restore', '--from', join(otherDir, 'missing.dump'))).out).toMatch(/no backup file/)
    } finally {
      await other?.destroy()
      rmSync(otherDir, { recursive: true, force: true })
    }
  }, 180_000)
})

describe('point-in-time recovery on PostgreSQL', () => {
  // PostgreSQL's own mechanism (WAL archiving + a base backup), drilled on a cluster of its own.
  it.runIf(!!process.env.WANGGE_TEST_DATABASE_URL)(
    'should restore a base backup to a moment between two writes (scripts/pitr-drill.sh)',
    async () => {
      const r = await run('bash', [join(REPO_ROOT, 'scripts/pitr-drill.sh')], { cwd: REPO_ROOT })
      expect(r.stdout).toMatch(/rows \[1\]/)
    },
    120_000,
  )
})
