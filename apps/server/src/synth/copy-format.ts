// PostgreSQL COPY text format: tab-separated, \N for NULL, backslash escapes. Ids are shifted by
// per-table bases so generated rows land after any rows already in the tables.
import { COLUMNS, ID_REFS, type Row, type TableName, type Value } from './rows.js'

const NEEDS_ESCAPE = /[\\\t\n\r]/

function escapeText(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return s
  return s.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'))
}

function field(v: Value): string {
  if (v === null || v === undefined) return '\\N'
  if (typeof v === 'string') return escapeText(v)
  if (typeof v === 'number') return String(v)
  if (typeof v === 'boolean') return v ? 't' : 'f'
  if (Array.isArray(v)) return `{${v.map((x) => `"${x.replace(/["\\]/g, '\\$&')}"`).join(',')}}`.replace(/\\/g, '\\\\')
  return escapeText(JSON.stringify(v))
}

export type IdBases = Record<TableName, number>
export const ZERO_BASES: IdBases = {
  buildings: 0,
  dwellings: 0,
  households: 0,
  persons: 0,
  special_group_records: 0,
  organizations: 0,
  components: 0,
}

/** Serialises rows of one table; id columns (and references to generated tables) are shifted. */
export function toCopyText(table: TableName, rows: Row[], bases: IdBases = ZERO_BASES): string {
  const cols = COLUMNS[table]
  const refs = ID_REFS[table] ?? {}
  const shift = cols.map((c) => (refs[c] ? bases[refs[c] as TableName] : 0))
  let out = ''
  for (const row of rows) {
    for (let i = 0; i < cols.length; i++) {
      const v = row[i] as Value
      if (i) out += '\t'
      out += typeof v === 'number' && shift[i] ? String(v + (shift[i] as number)) : field(v)
    }
    out += '\n'
  }
  return out
}
