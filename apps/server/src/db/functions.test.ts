import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEmptyTestDatabase, type TestDatabase } from '../testing/test-db.js'
import { FUNCTIONS_DIR, migrate, readFunctions } from './migrate.js'

let t: TestDatabase
beforeAll(async () => {
  t = await createEmptyTestDatabase()
  await migrate(t.db)
})
afterAll(() => t.destroy())

/** Every function of the public schema that no extension owns, as the database prints it. */
async function databaseFunctions() {
  const r = await sql<{ name: string; def: string }>`
    select p.proname as name, pg_get_functiondef(p.oid) as def
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'public'
      and not exists (select from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
    order by p.proname, p.oid`.execute(t.db)
  return r.rows
}

describe('database functions and triggers (db/functions)', () => {
  it('should hold one file for every function, with exactly the text the database has', async () => {
    const files = new Map(readFunctions().map((f) => [f.name, f.sql]))
    const fns = await databaseFunctions()
    expect(fns.length).toBeGreaterThan(20)
    for (const f of fns) {
      const file = files.get(f.name)
      expect(file, `db/functions/${f.name}.sql`).toBeDefined()
      expect(file).toContain(f.def.trim())
    }
    expect([...files.keys()].sort()).toEqual([...new Set(fns.map((f) => f.name))].sort())
  })

  it('should hold every trigger beside the function it calls', async () => {
    const r = await sql<{ fn: string; def: string }>`
      select p.proname as fn, pg_get_triggerdef(tg.oid) as def
      from pg_trigger tg join pg_proc p on p.oid = tg.tgfoid join pg_class c on c.oid = tg.tgrelid
      join pg_namespace n on n.oid = c.relnamespace
      where not tg.tgisinternal and n.nspname = 'public'`.execute(t.db)
    expect(r.rows.length).toBeGreaterThanOrEqual(15)
    for (const tg of r.rows)
      expect(readFileSync(join(FUNCTIONS_DIR, `${tg.fn}.sql`), 'utf8')).toContain(
        tg.def.replace(/^CREATE TRIGGER/, 'CREATE OR REPLACE TRIGGER'),
      )
  })

  it('should re-apply a changed file on the next start, and only that one', async () => {
    expect((await migrate(t.db)).functions).toEqual([])
    const dir = mkdtempSync(join(tmpdir(), 'wangge-fn-'))
    cpSync(FUNCTIONS_DIR, dir, { recursive: true })
    const file = join(dir, 'case_count_day.sql')
    writeFileSync(file, readFileSync(file, 'utf8').replace('CREATE OR REPLACE FUNCTION', '-- edited\nCREATE OR REPLACE FUNCTION'))
    const again = await migrate(t.db, undefined, readFunctions(dir))
    expect(again.functions).toEqual(['case_count_day'])
    // back to the shipped text (the file changed again)
    expect((await migrate(t.db)).functions).toEqual(['case_count_day'])
  })
})
