// Text as others will read it: the bidirectional controls that reorder what follows them (an
// RLO makes "gpj.exe" read "exe.jpg"), and other invisible format characters, are dropped from
// text shown to people. Zero-width joiners stay (emoji and some scripts need them); tabs and
// line breaks stay.

/** Bidi embeddings, overrides and isolates, marks, the Arabic letter mark, zero-width space, word
 *  joiner and invisible operators, the BOM, soft hyphen, and C0/C1 controls except \t \n \r. */
const INVISIBLE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes
  /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C\u200B\u2060-\u2064\uFEFF\u00AD\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g

/** The text without characters that reorder or hide what a reader sees. */
export function neutralText(s: string): string {
  return s.replace(INVISIBLE, '')
}

/** JSON parsed with every string neutralised (parsed plainly when the text holds none). */
export function parseNeutral(text: string): unknown {
  INVISIBLE.lastIndex = 0
  // (Sent raw, or escaped as \uXXXX — JSON escapes only control characters, so an escape is rare.)
  if (!INVISIBLE.test(text) && !text.includes('\\u')) return JSON.parse(text)
  return JSON.parse(text, (_k, v) => (typeof v === 'string' ? neutralText(v) : v))
}
