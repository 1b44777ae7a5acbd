// Identifier rules: resident ID numbers (GB 11643), unified social credit codes (GB 32100), phones.
// Pure functions shared by the server (validation before any write) and the web app (form checks).
import { DIVISION_CODES } from './data/division-codes.js'
import { beijingDate } from './working-time.js'

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const ID_CHECK = '10X98765432'

/** Check character of the first 17 digits of an 18-digit resident ID. */
export function idCheckChar(first17: string): string {
  let s = 0
  for (let i = 0; i < 17; i++) s += Number(first17[i]) * (ID_WEIGHTS[i] as number)
  return ID_CHECK[s % 11] as string
}

export type IdProblem = 'format' | 'region' | 'birth_date' | 'future_birth_date' | 'check_char'

export type IdResult =
  | { ok: true; idNumber: string; regionCode: string; birthDate: string; sex: 1 | 2; converted: boolean }
  | { ok: false; problem: IdProblem; message: string }

function realDate(y: number, m: number, d: number): boolean {
  const dt = new Date(Date.UTC(y, m - 1, d))
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d
}

/**
 * Validates and normalises a resident ID number: trims, upper-cases a trailing x, converts a
 * 15-digit legacy number (inserts "19", appends the check character), and checks the address
 * prefix against the division table, the birth date (a real day, not in the future, after 1880)
 * and the check character.
 */
export function parseIdNumber(input: string, today: Date = new Date()): IdResult {
  let id = input.trim().toUpperCase()
  let converted = false
  if (/^\d{15}$/.test(id)) {
    const first17 = `${id.slice(0, 6)}19${id.slice(6)}`
    id = first17 + idCheckChar(first17)
    converted = true
  }
  if (!/^\d{17}[\dX]$/.test(id))
    return { ok: false, problem: 'format', message: 'An ID number has 18 characters: 17 digits and a digit or X' }
  const regionCode = id.slice(0, 6)
  // Foreign permanent residents' IDs (2023 card): 9 + province (2) + nationality (3, ISO 3166 numeric).
  const foreign = id[0] === '9' && DIVISION_CODES.has(`${id.slice(1, 3)}0000`) && id.slice(3, 6) !== '000'
  if (!foreign && !DIVISION_CODES.has(regionCode))
    return { ok: false, problem: 'region', message: `Unknown address code ${regionCode}` }
  const y = Number(id.slice(6, 10))
  const m = Number(id.slice(10, 12))
  const d = Number(id.slice(12, 14))
  if (y < 1880 || !realDate(y, m, d))
    return { ok: false, problem: 'birth_date', message: `Not a real birth date: ${id.slice(6, 14)}` }
  const birthDate = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`
  if (birthDate > beijingDate(today))
    return { ok: false, problem: 'future_birth_date', message: `Birth date ${birthDate} is in the future` }
  if (idCheckChar(id.slice(0, 17)) !== id[17]) return { ok: false, problem: 'check_char', message: 'Wrong check character' }
  return { ok: true, idNumber: id, regionCode, birthDate, sex: Number(id[16]) % 2 === 1 ? 1 : 2, converted }
}

/** Builds a valid 18-digit ID from its parts (used by the synthetic data generator and tests). */
export function makeIdNumber(regionCode: string, birthDate: string, sequence: number): string {
  const first17 = `${regionCode}${birthDate.replaceAll('-', '')}${String(sequence).padStart(3, '0')}`
  return first17 + idCheckChar(first17)
}

const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY'
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

export function usccCheckChar(first17: string): string {
  let s = 0
  for (let i = 0; i < 17; i++) s += USCC_CHARS.indexOf(first17[i] as string) * (USCC_WEIGHTS[i] as number)
  return USCC_CHARS[(31 - (s % 31)) % 31] as string
}

export type UsccResult = { ok: true; uscc: string; regionCode: string } | { ok: false; message: string }

const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]
/** The check character of an organization code (GB 11714) from its 8-character body: digits
 *  count as themselves, letters A–Z as 10–35; 11 − (Σ value × weight mod 11), 10 → X, 11 → 0. */
export function orgCodeCheckChar(body8: string): string {
  let s = 0
  for (let i = 0; i < 8; i++) {
    const c = body8.charCodeAt(i)
    s += (c <= 57 ? c - 48 : c - 55) * (ORG_WEIGHTS[i] as number)
  }
  const r = 11 - (s % 11)
  return r === 10 ? 'X' : r === 11 ? '0' : String(r)
}

/** Unified social credit code (GB 32100): 18 characters of 0-9 and A-Y without I O Z S V, check char last. */
export function parseUscc(input: string): UsccResult {
  const code = input.trim().toUpperCase()
  if (code.length !== 18 || [...code].some((c) => !USCC_CHARS.includes(c)))
    return { ok: false, message: 'A unified social credit code has 18 characters from 0-9 and A-Y (no I, O, Z, S, V)' }
  if (!/^[1-9A-Y][1-9A-Y]\d{6}/.test(code))
    return { ok: false, message: 'Registration authority, type or region code is malformed' }
  if (usccCheckChar(code.slice(0, 17)) !== code[17]) return { ok: false, message: 'Wrong check character' }
  // Characters 9–17 are an organization code (GB 11714) with its own check character.
  if (orgCodeCheckChar(code.slice(8, 16)) !== code[16])
    return { ok: false, message: 'Wrong check character of the organization code (GB 11714, characters 9–17)' }
  return { ok: true, uscc: code, regionCode: code.slice(2, 8) }
}

/** A code from its parts: the organization code's 8-character body gets its GB 11714 check
 *  character, the whole its GB 32100 one. */
export function makeUscc(authority: string, type: string, regionCode: string, orgBody8: string): string {
  if (orgBody8.length !== 8) throw new Error(`an organization code body has 8 characters: ${orgBody8}`)
  const first17 = `${authority}${type}${regionCode}${orgBody8}${orgCodeCheckChar(orgBody8)}`
  return first17 + usccCheckChar(first17)
}

/** Mainland mobile (11 digits starting 13–19) or landline (area code 010/02x or 0xxx, 7–8 digits, optional extension). */
export function parsePhone(input: string): { ok: true; phone: string } | { ok: false; message: string } {
  const p = input
    .trim()
    .replace(/[\s()]/g, '')
    .replace(/^\+?86(?=1)/, '')
  if (/^1[3-9]\d{9}$/.test(p)) return { ok: true, phone: p }
  // Area codes 010 and 020–029 have three digits, all others four.
  const land = /^(0[12]\d|0[3-9]\d{2})-?(\d{7,8})(?:-(\d{1,6}))?$/.exec(p)
  if (land) return { ok: true, phone: `${land[1]}-${land[2]}${land[3] ? `-${land[3]}` : ''}` }
  return { ok: false, message: 'Not a mainland mobile (1xxxxxxxxxx) or landline (0xx-xxxxxxxx) number' }
}
