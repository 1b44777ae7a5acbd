// Text is checked at the edge: a NUL character, an unpaired UTF-16 surrogate or a Unicode
// noncharacter anywhere in a request's path parameters, query or JSON body (values and keys) is
// refused with 400 INVALID_TEXT naming the field — PostgreSQL cannot store NUL in text and would
// answer an error of its own, and a lone surrogate cannot be encoded as UTF-8 at all.
import type { FastifyInstance } from 'fastify'
import { AppError } from '../kernel/errors.js'

// Besides NUL (`bad`): a high surrogate not followed by a low one, or a low one not preceded by a
// high one; the noncharacters U+FDD0–U+FDEF, U+FFFE and U+FFFF (and the last two of every plane).
const BAD_TEXT =
  /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|[\uFDD0-\uFDEF\uFFFE\uFFFF]|[\uD83F\uD87F\uD8BF\uD8FF\uD93F\uD97F\uD9BF\uD9FF\uDA3F\uDA7F\uDABF\uDAFF\uDB3F\uDB7F\uDBBF\uDBFF][\uDFFE\uDFFF]/

const bad = (s: string) => s.includes('\u0000') || BAD_TEXT.test(s)

/** The path of the first bad string in a value (`description`, `items.3.note`), or undefined. */
export function badTextAt(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return bad(value) ? path || '(value)' : undefined
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return undefined
  // Parsed JSON only: a raw body handed on as a stream (a delivered file) is read by its route.
  if (typeof (value as { pipe?: unknown }).pipe === 'function') return undefined
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const at = badTextAt(value[i], path ? `${path}.${i}` : String(i))
      if (at) return at
    }
    return undefined
  }
  for (const [k, v] of Object.entries(value)) {
    const here = path ? `${path}.${k}` : k
    if (bad(k)) return here
    const at = badTextAt(v, here)
    if (at) return at
  }
  return undefined
}

export function installTextGuard(app: FastifyInstance) {
  app.addHook('preValidation', async (req) => {
    for (const [where, value] of [
      ['params', req.params],
      ['query', req.query],
      ['body', req.body],
    ] as const) {
      const field = badTextAt(value)
      if (field)
        throw new AppError(
          'INVALID_TEXT',
          `Text in ${where} holds a character that cannot be stored (NUL, lone surrogate or noncharacter)`,
          {
            in: where,
            field,
          },
        )
    }
  })
}
