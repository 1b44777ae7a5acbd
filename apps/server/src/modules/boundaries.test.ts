// The modules' walls, checked: a module is used through its public face (index.ts) only, and its
// SQL touches only the tables db/tables.ts lets it touch. The map itself is checked against the
// migrated database.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TABLES, type TableOwnership } from '../db/tables.js'
import { createTestDatabase, type TestDatabase } from '../testing/test-db.js'

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const ROOT = resolve(SRC, '../../..')
const MODULES = join(SRC, 'modules')

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) return name === 'node_modules' ? [] : filesUnder(p)
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [p] : []
  })
}

const moduleOf = (file: string) => {
  const rel = relative(MODULES, file)
  return rel.startsWith('..') || !rel.includes('/') ? undefined : rel.split('/')[0]
}

/** Relative imports of a file, resolved to absolute paths (.js → .ts). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  const out: string[] = []
  for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g))
    out.push(resolve(dirname(file), (m[1] as string).replace(/\.js$/, '.ts')))
  return out
}

/** Code without comments; template literals kept (that is where raw SQL lives). */
function codeOf(file: string): string {
  return readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '')
    .replace(/\s\/\/\s.*$/gm, '')
}

const KNOWN = new Set(Object.keys(TABLES))

/** A raw statement: an sql template that begins with a statement's keyword (conditions built from
 *  the caller — a scope, a visibility — begin with an expression and may live beside the use case). */
const STATEMENT =
  /\bsql(?:<[^`]*?>)?`\s*(select|insert|update|delete|with|set|create|drop|alter|analy[sz]e|explain|truncate|lock|copy|vacuum)\b/gi

/** Tables a file reads and writes: Kysely calls anywhere, raw SQL inside template literals. */
export function tablesTouched(code: string): { reads: Set<string>; writes: Set<string> } {
  const reads = new Set<string>()
  const writes = new Set<string>()
  for (const m of code.matchAll(
    /\b(selectFrom|innerJoin|leftJoin|rightJoin|fullJoin|insertInto|updateTable|deleteFrom|mergeInto)\(\s*\[?\s*'([a-z_]+)/g,
  )) {
    const t = m[2] as string
    if (!KNOWN.has(t)) continue
    ;(['insertInto', 'updateTable', 'deleteFrom', 'mergeInto'].includes(m[1] as string) ? writes : reads).add(t)
  }
  for (const tpl of code.matchAll(/`[^`]*`/g))
    for (const m of (tpl[0] as string).matchAll(/\b(insert\s+into|update|delete\s+from|truncate|from|join)\s+([a-z_]+)\b/gi)) {
      const t = m[2] as string
      if (!KNOWN.has(t)) continue
      ;(/^(insert|update|delete|truncate)/i.test(m[1] as string) ? writes : reads).add(t)
    }
  return { reads, writes }
}

describe('module boundaries', () => {
  it('should use another module only through its public face (modules/<name>/index.ts)', () => {
    const files = [...filesUnder(SRC), ...filesUnder(join(ROOT, 'bench'))]
    const bad: string[] = []
    for (const file of files) {
      const from = moduleOf(file)
      for (const target of importsOf(file)) {
        const to = moduleOf(target)
        if (!to || to === from) continue
        if (target !== join(MODULES, to, 'index.ts')) bad.push(`${relative(ROOT, file)} → ${relative(ROOT, target)}`)
      }
    }
    expect(bad).toEqual([])
  })

  it('should keep each module’s SQL to its own tables and the ones published to it', () => {
    const bad: string[] = []
    for (const file of filesUnder(MODULES)) {
      const mod = moduleOf(file)
      if (!mod || /\.test\.ts$/.test(file)) continue
      const { reads, writes } = tablesTouched(codeOf(file))
      const where = relative(ROOT, file)
      for (const t of writes) {
        const own = TABLES[t as keyof typeof TABLES] as TableOwnership
        if (own.owner !== mod) bad.push(`${where} writes ${t} (owned by ${own.owner})`)
      }
      for (const t of reads) {
        const own = TABLES[t as keyof typeof TABLES] as TableOwnership
        if (own.owner === mod || own.reference || own.readBy?.[mod as keyof typeof own.readBy]) continue
        bad.push(`${where} reads ${t} (owned by ${own.owner}, not published to ${mod})`)
      }
    }
    expect(bad).toEqual([])
  })

  it('should keep every statement of a module in a repository (*.repository.ts)', () => {
    const bad: string[] = []
    for (const file of filesUnder(MODULES)) {
      if (!moduleOf(file) || /\.(test|repository)\.ts$/.test(file)) continue
      const code = codeOf(file)
      const { reads, writes } = tablesTouched(code)
      const where = relative(ROOT, file)
      for (const t of [...reads, ...writes]) bad.push(`${where} names ${t}`)
      for (const m of code.matchAll(STATEMENT)) bad.push(`${where}: ${(m[0] as string).replace(/\s+/g, ' ')}`)
    }
    expect(bad).toEqual([])
  })

  it('should tell a statement from a condition built from the caller', () => {
    expect('sql`\n  select 1`, sql`set local work_mem = 1`'.match(STATEMENT)).toHaveLength(2)
    expect('sql<SqlBool>`c.reporter_user_id = 1`, "select one"'.match(STATEMENT)).toBeNull()
  })

  it('should find reads and writes in Kysely calls and in raw SQL, and nothing in prose', () => {
    const { reads, writes } = tablesTouched(
      [
        "db.selectFrom('persons as p').innerJoin('dwellings as d', 'd.id', 'p.dwelling_id')",
        'sql`update households h set members = 1 from visits v join grids g on true`',
        "const message = 'update persons from jobs'",
      ].join('\n'),
    )
    expect([...reads].sort()).toEqual(['dwellings', 'grids', 'persons', 'visits'])
    expect([...writes]).toEqual(['households'])
  })
})

describe('the table map', () => {
  let t: TestDatabase
  beforeAll(async () => {
    t = await createTestDatabase()
  })
  afterAll(() => t.destroy())

  it('should name an owner for every table of the database, and no table that does not exist', async () => {
    const r = await sql<{ name: string }>`
      select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p')
        and not exists (select from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')`.execute(
      t.db,
    )
    expect(r.rows.map((x) => x.name).sort()).toEqual(Object.keys(TABLES).sort())
  })
})
