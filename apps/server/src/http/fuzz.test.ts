// The fuzz pass: every operation of the OpenAPI document gets invalid and edge inputs — wrong
// types, missing and unknown fields, empty, huge, NUL / emoji / lone surrogates, out-of-range
// numbers and ids, bad path parameters, wrong content types — as an administrator (so nothing stops
// at the permission check). No answer may be a 5xx, and every error answer must have the one error
// shape. Deterministic: the variants are built from the schemas in a fixed order; a new route is
// fuzzed without anyone touching this file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type App, buildApp } from '../app.js'
import { loadSynthetic } from '../synth/loader.js'
import { PRESETS } from '../synth/profiles.js'
import { createTestDatabase, type TestDatabase } from '../testing/test-db.js'
import { userWithToken } from '../testing/users.js'

interface Schema {
  type?: string | string[]
  properties?: Record<string, Schema>
  items?: Schema
  enum?: unknown[]
  $ref?: string
  anyOf?: Schema[]
  oneOf?: Schema[]
  allOf?: Schema[]
}
interface Operation {
  parameters?: { name: string; in: 'path' | 'query' | 'header'; schema?: Schema }[]
  requestBody?: { content?: Record<string, { schema?: Schema }> }
}
type Doc = { paths: Record<string, Record<string, Operation>>; components?: { schemas?: Record<string, Schema> } }

let t: TestDatabase
let app: App
let auth: Record<string, string>
let doc: Doc

beforeAll(async () => {
  t = await createTestDatabase()
  await loadSynthetic(t, { preset: PRESETS.tiny as (typeof PRESETS)[string], seed: 'fuzz', city: '4401' })
  app = await buildApp({ config: { bodyLimit: 1 << 20, logLevel: 'silent', logPretty: false }, database: t, webDir: false })
  auth = (await userWithToken(t.db, 'fuzz-admin', [{ role: 'admin', scope: '4401' }])).headers
  doc = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as Doc
}, 180_000)
afterAll(async () => {
  await app.close()
  await t.destroy()
})

/** Strings that have broken servers: empty, huge, control and odd Unicode, injections, odd numbers. */
const EDGE_STRINGS = [
  '',
  ' ',
  'x'.repeat(5_000),
  'a\u0000b',
  '\uD800',
  '\uDFFF\uD800',
  '😀'.repeat(50),
  '\u202Eevil',
  "' or 1=1 --",
  '%',
  '_',
  '\\',
  '../../etc/passwd',
  '0',
  '-1',
  '1e309',
  'NaN',
  '9'.repeat(40),
  '2026-02-30',
  '440104004107001',
]
const EDGE_VALUES: unknown[] = [null, true, -1, 0, 1.5, 2 ** 53, -(2 ** 53), 1e308, [], {}, [null], { a: { b: { c: {} } } }]
/** Percent-encoded; a lone surrogate (which encodeURIComponent refuses) as its raw UTF-8-ish bytes. */
const enc = (v: string) => {
  try {
    return encodeURIComponent(v)
  } catch {
    return '%ED%A0%80'
  }
}
const PATH_VALUES = ['0', '-1', '1.5', '99999999999999999999', 'abc', '%00', '%F0%9F%98%80', '%ED%A0%80', 'x'.repeat(300)]

const resolve = (s: Schema | undefined): Schema | undefined => {
  if (!s) return s
  if (s.$ref) return resolve(doc.components?.schemas?.[s.$ref.split('/').pop() as string])
  if (s.allOf?.length) return resolve(s.allOf[0])
  if (s.anyOf?.length) return resolve(s.anyOf[0])
  if (s.oneOf?.length) return resolve(s.oneOf[0])
  return s
}

/** A plausible value for a schema (the base the variants break one field at a time). */
function sample(s: Schema | undefined, depth = 0): unknown {
  const r = resolve(s)
  if (!r || depth > 4) return null
  if (r.enum?.length) return r.enum[0]
  const type = Array.isArray(r.type) ? r.type.find((x) => x !== 'null') : r.type
  if (type === 'object' || r.properties)
    return Object.fromEntries(Object.entries(r.properties ?? {}).map(([k, v]) => [k, sample(v, depth + 1)]))
  if (type === 'array') return [sample(r.items, depth + 1)]
  if (type === 'integer' || type === 'number') return 1
  if (type === 'boolean') return true
  return 'x'
}

/** Bodies: the wrong shapes whole, then the plausible body with one field broken at a time. */
function bodies(s: Schema | undefined): unknown[] {
  const base = sample(s)
  const out: unknown[] = [{}, [], 'text', 42, null, { unknownField: 1 }]
  if (base && typeof base === 'object' && !Array.isArray(base)) {
    out.push(base)
    for (const k of Object.keys(base)) {
      for (const v of [...EDGE_VALUES, ...EDGE_STRINGS.slice(0, 12)]) out.push({ ...base, [k]: v })
      const { [k]: _, ...without } = base as Record<string, unknown>
      out.push(without)
    }
  }
  return out
}

describe('fuzzing every operation', () => {
  it('should answer no input with a 5xx, and every error in the one shape', async () => {
    const failures: string[] = []
    let requests = 0
    const send = async (label: string, method: string, url: string, payload?: unknown, contentType = 'application/json') => {
      requests++
      const r = await app.inject({
        method: method.toUpperCase() as 'GET',
        url,
        headers: { ...auth, ...(payload === undefined ? {} : { 'content-type': contentType }) },
        ...(payload === undefined ? {} : { payload: typeof payload === 'string' ? payload : JSON.stringify(payload) }),
      })
      if (r.statusCode >= 500) failures.push(`${label} → ${r.statusCode} ${r.body.slice(0, 200)}`)
      else if (r.statusCode >= 400) {
        const b = (() => {
          try {
            return r.json() as { code?: unknown; message?: unknown; details?: unknown }
          } catch {
            return undefined
          }
        })()
        if (!b || typeof b.code !== 'string' || typeof b.message !== 'string' || typeof b.details !== 'object' || !b.details)
          failures.push(`${label} → ${r.statusCode} not {code, message, details}: ${r.body.slice(0, 120)}`)
      }
    }
    const ops = Object.entries(doc.paths)
      .filter(([p]) => p.startsWith('/api/v1/') && p !== '/api/v1/auth/logout')
      .flatMap(([path, methods]) => Object.entries(methods).map(([m, op]) => ({ path, method: m, op })))
    expect(ops.length).toBeGreaterThan(100)
    for (const { path, method, op } of ops) {
      const params = op.parameters ?? []
      const pathParams = params.filter((p) => p.in === 'path')
      const query = params.filter((p) => p.in === 'query')
      const fill = (over: Record<string, string> = {}) =>
        path.replace(
          /\{(\w+)\}/g,
          (_, name: string) =>
            over[name] ?? (resolve(pathParams.find((p) => p.name === name)?.schema)?.type === 'string' ? '440104' : '1'),
        )
      const where = `${method.toUpperCase()} ${path}`
      // Path parameters, one at a time.
      for (const p of pathParams)
        for (const v of PATH_VALUES) await send(`${where} ${p.name}=${v}`, method, fill({ [p.name]: v }))
      // Query parameters, one at a time, and an unknown one.
      for (const q of query)
        for (const v of [...EDGE_STRINGS.slice(0, 15), '%00', '%ED%A0%80'])
          await send(`${where} ?${q.name}=${v.slice(0, 20)}`, method, `${fill()}?${q.name}=${v.startsWith('%') ? v : enc(v)}`)
      await send(`${where} ?unknown`, method, `${fill()}?zzz=1&zzz=2`)
      // Bodies, for the operations that take one; and a wrong content type.
      if (method !== 'get' && method !== 'delete') {
        const schema = op.requestBody?.content?.['application/json']?.schema
        for (const b of bodies(schema)) await send(`${where} body ${JSON.stringify(b).slice(0, 60)}`, method, fill(), b)
        await send(`${where} bad JSON`, method, fill(), '{"a":', 'application/json')
        await send(`${where} text/plain`, method, fill(), 'hello', 'text/plain')
      }
    }
    console.log(`fuzz: ${ops.length} operations, ${requests} requests, ${failures.length} failures`)
    expect(failures).toEqual([])
  }, 600_000)
})
