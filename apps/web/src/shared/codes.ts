// A coded value in words (the national and platform code tables of @wangge/domain), in the UI's
// language; anything not coded, or a code the table does not know, is shown as it is.
import { CODE_TABLES } from '@wangge/domain/codes'
import type { Lang } from './i18n'

type Entry = { code: string; zh?: string; en?: string }

const one = (table: string | null | undefined, v: string, lang: Lang) => {
  const rows = table ? (CODE_TABLES as Record<string, readonly Entry[]>)[table] : undefined
  const hit = rows?.find((r) => r.code === v)
  return (lang === 'zh' ? hit?.zh : hit?.en) ?? v
}

/** A value (a code, codes, a date, a number) as a person reads it; '—' when absent. */
export function codeText(v: unknown, table: string | null | undefined, lang: Lang): string {
  if (v === null || v === undefined || v === '') return '—'
  if (Array.isArray(v)) return v.length ? v.map((x) => one(table, String(x), lang)).join('、') : '—'
  return one(table, String(v), lang)
}
