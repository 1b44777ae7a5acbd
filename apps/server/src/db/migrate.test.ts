import { cpSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEmptyTestDatabase, type TestDatabase } from '../testing/test-db.js'
import { currentVersion, MIGRATIONS_DIR, migrate, readMigrations } from './migrate.js'

let t: TestDatabase
beforeAll(async () => {
  t = await createEmptyTestDatabase()
})
afterAll(() => t.destroy())

describe('migrations', () => {
  it('should apply every migration once and be a no-op the second time', async () => {
    const all = readMigrations()
    const first = await migrate(t.db)
    expect(first.applied).toEqual(all.map((m) => m.version))
    const second = await migrate(t.db)
    expect(second.applied).toEqual([])
    expect(await currentVersion(t.db)).toBe(all.at(-1)?.version)
    const rows = await t.db.selectFrom('schema_migrations').select(['version', 'checksum']).execute()
    expect(rows).toHaveLength(all.length)
  })

  it('should refuse to start when an applied migration was edited', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wangge-mig-'))
    cpSync(MIGRATIONS_DIR, dir, { recursive: true })
    writeFileSync(join(dir, '0001_regions.sql'), '-- edited\n', { flag: 'a' })
    await expect(migrate(t.db, readMigrations(dir))).rejects.toThrow(/was edited after it was applied/)
  })

  it('should roll back a failing migration completely', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wangge-mig-'))
    cpSync(MIGRATIONS_DIR, dir, { recursive: true })
    const next = String(readMigrations().length + 1).padStart(4, '0')
    writeFileSync(join(dir, `${next}_broken.sql`), 'create table half_done (id int);\nselect no_such_function();\n')
    await expect(migrate(t.db, readMigrations(dir))).rejects.toThrow()
    const exists = await sql<{ t: string | null }>`select to_regclass('half_done')::text as t`.execute(t.db)
    expect(exists.rows[0]?.t).toBeNull()
    expect(await currentVersion(t.db)).toBe(readMigrations().length)
  })

  it('should reject badly numbered migration files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wangge-mig-'))
    writeFileSync(join(dir, '0002_gap.sql'), 'select 1;')
    expect(() => readMigrations(dir)).toThrow(/without gaps/)
    writeFileSync(join(dir, 'bad name.sql'), 'select 1;')
    expect(() => readMigrations(dir)).toThrow(/0001_name.sql/)
  })
})
