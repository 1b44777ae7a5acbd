// The fuzz pass: every operation of the OpenAPI document gets invalid and edge inputs — wrong
// types, missing and unknown fields, empty, huge, NUL / emoji / lone surrogates, out-of-range
// numbers and ids, bad path parameters, wrong content types — as an administrator (so nothing stops
// at the permission check). No answer may be a 5xx, and every error answer must have the one error
// shape. Then the out-of-scope pass: an administrator of one community sends the same variants, and
// plausible bodies, naming the objects of another community (in the path and in the body's id
// fields); each answer must equal, in status and code, the answer for an object that does not exist
// (so permission and scope come before any conflict, state or existence answer), and no successful
// answer may carry a personal identifier of the other community. Deterministic: the variants are
// built from the schemas in a fixed order; a new route is fuzzed without anyone touching this file.

import { makeIdNumber, makeUscc } from '@wangge/domain'
import { sql } from 'kysely'
import randexpModule from 'randexp'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type App, buildApp } from '../app.js'
import { createGridsService } from '../modules/grids/index.js'
import { loadSynthetic } from '../synth/loader.js'
import { PRESETS } from '../synth/profiles.js'
import { createTestDatabase, type TestDatabase } from '../testing/test-db.js'
import { userWithToken } from '../testing/users.js'

interface Schema {
  type?: string | string[]
  properties?: Record<string, Schema>
  items?: Schema
  enum?: unknown[]
  format?: string
  minimum?: number
  minLength?: number
  minItems?: number
  pattern?: string
  prefixItems?: Schema[]
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

/** The objects of one community, named where a request can name them: path parameters (by the
 *  path segment before them) and body fields (by name). */
interface Named {
  community: string
  grid: string
  person: number
  household: number
  dwelling: number
  building: number
  organization: number
  component: string
  case: number
  photo: number
  idNumber: string
  uscc: string
}

let t: TestDatabase
let app: App
let auth: Record<string, string>
let doc: Doc
/** An administrator of one community, and the objects of another community (far) next to objects
 *  that do not exist at all (none). */
let outsider: Record<string, string>
let far: Named
let none: Named
/** What the outsider must never read: the other community's code (every scoped row carries its
 *  community or grid code), its case's number and the canary written into its case. */
let canaries: string[]
/** Query values that ask for the other community's objects directly. */
let farQueries: string[]
const CANARY = 'FUZZ-远方-CANARY'

beforeAll(async () => {
  t = await createTestDatabase()
  await loadSynthetic(t, { preset: PRESETS.tiny as (typeof PRESETS)[string], seed: 'fuzz', city: '4401' })
  await createGridsService({ db: t.db }).partition('440104004', { target: 50, minHouseholds: 30 })
  app = await buildApp({ config: { bodyLimit: 1 << 20, logLevel: 'silent', logPretty: false }, database: t, webDir: false })
  auth = (await userWithToken(t.db, 'fuzz-admin', [{ role: 'admin', scope: '4401' }])).headers
  doc = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as Doc
  // Two communities with organizations and components: the outsider administers the first.
  const rich = await sql<{ c: string }>`
    select o.community_code as c from organizations o
    where exists (select 1 from components x where x.community_code = o.community_code)
      and exists (select 1 from dwellings d where d.community_code = o.community_code and d.grid_code is not null)
    group by o.community_code order by count(*) desc, o.community_code limit 2`.execute(t.db)
  const [home, away] = rich.rows.map((r) => r.c)
  if (!home || !away) throw new Error('need two communities with organizations, components and grids')
  outsider = (await userWithToken(t.db, 'fuzz-outsider', [{ role: 'admin', scope: home }])).headers
  const one = async (q: ReturnType<typeof sql<{ v: string }>>) => String((await q.execute(t.db)).rows[0]?.v)
  const grid = await one(sql`select min(grid_code) as v from dwellings where community_code = ${away}`)
  const component = await one(sql`select min(code) as v from components where community_code = ${away}`)
  const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#336699' } })
    .png()
    .toBuffer()
  const photo = (
    await app.inject({
      method: 'POST',
      url: '/api/v1/attachments',
      headers: { ...auth, 'content-type': 'image/png' },
      payload: png,
    })
  ).json().id as number
  const c = await t.db.selectFrom('components').select(['major', 'sub']).where('code', '=', component).executeTakeFirstOrThrow()
  const kase = await app.inject({
    method: 'POST',
    url: '/api/v1/cases',
    headers: auth,
    payload: { catalog: `C${c.major}${c.sub}`, description: CANARY, component, photos: [photo] },
  })
  if (kase.statusCode !== 201) throw new Error(`case: ${kase.body}`)
  far = {
    community: away,
    grid,
    person: Number(
      await one(
        sql`select min(p.id) as v from persons p join dwellings d on d.id = p.dwelling_id where d.community_code = ${away}`,
      ),
    ),
    household: Number(
      await one(
        sql`select min(h.id) as v from households h join dwellings d on d.id = h.dwelling_id where d.community_code = ${away}`,
      ),
    ),
    dwelling: Number(await one(sql`select min(id) as v from dwellings where community_code = ${away}`)),
    building: Number(await one(sql`select min(id) as v from buildings where community_code = ${away}`)),
    organization: Number(await one(sql`select min(id) as v from organizations where community_code = ${away}`)),
    component,
    case: kase.json().id as number,
    photo,
    idNumber: await one(
      sql`select min(p.id_number) as v from persons p join dwellings d on d.id = p.dwelling_id where d.community_code = ${away}`,
    ),
    uscc: await one(sql`select min(uscc) as v from organizations where community_code = ${away}`),
  }
  const missing = 2_000_000_000
  none = {
    community: `${away.slice(0, 9)}999`,
    grid: `${away}999`,
    person: missing,
    household: missing,
    dwelling: missing,
    building: missing,
    organization: missing,
    component: `${component.slice(0, -4)}9999`,
    case: missing,
    photo: missing,
    idNumber: makeIdNumber('440104', '1990-01-01', 999),
    uscc: makeUscc('9', '1', '440104', 'MA0FUZZ9'),
  }
  const number = String(kase.json().number)
  canaries = [away, number, CANARY]
  farQueries = [away, grid, number, far.idNumber, far.uscc]
}, 240_000)
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

/** The class itself: randexp is CommonJS (module.exports = RandExp) behind an ES-style d.ts. */
const RandExp = randexpModule as unknown as typeof import('randexp').default

/** A string matching `pattern`, the same on every run (randexp with a fixed sequence). */
function matching(pattern: string): string {
  const r = new RandExp(pattern)
  r.max = 4
  let seed = 7
  r.randInt = (a: number, b: number) => {
    seed = (seed * 48_271) % 2_147_483_647
    return a + (seed % (b - a + 1))
  }
  return r.gen()
}

/** Body fields that name an object, and the object they name. */
const NAMED_FIELDS: Record<string, (n: Named) => unknown> = {
  buildingId: (n) => n.building,
  buildingIds: (n) => [n.building],
  component: (n) => n.component,
  community: (n) => n.community,
  dwellingId: (n) => n.dwelling,
  dwellingIds: (n) => [n.dwelling],
  grid: (n) => n.grid,
  grids: (n) => [n.grid],
  a: (n) => n.grid,
  b: (n) => n.grid,
  householdId: (n) => n.household,
  person: (n) => n.person,
  personId: (n) => n.person,
  photos: (n) => [n.photo],
  id: (n) => n.case,
  region: (n) => n.community,
  idNumber: (n) => n.idNumber,
  uscc: (n) => n.uscc,
  phone: () => '13800138000',
}
const kindOf = (v: unknown) => (Array.isArray(v) ? 'array' : typeof v === 'number' ? 'number' : typeof v)

/** A plausible value for a schema (the base the variants break one field at a time); fields that
 *  name an object name those of `names` when given. */
function sample(s: Schema | undefined, names?: Named, depth = 0): unknown {
  const r = resolve(s)
  if (!r || depth > 4) return null
  if (r.enum?.length) return r.enum[0]
  const type = Array.isArray(r.type) ? r.type.find((x) => x !== 'null') : r.type
  if (type === 'object' || r.properties)
    return Object.fromEntries(
      Object.entries(r.properties ?? {}).map(([k, v]) => {
        const named = names && NAMED_FIELDS[k]?.(names)
        const t = resolve(v)?.type
        const want = Array.isArray(t) ? t.find((x) => x !== 'null') : t
        const fits = named !== undefined && (want === kindOf(named) || (want === 'integer' && typeof named === 'number'))
        return [k, fits ? named : sample(v, names, depth + 1)]
      }),
    )
  if (type === 'array' && r.prefixItems) return r.prefixItems.map((x) => sample(x, names, depth + 1))
  if (type === 'array') return Array.from({ length: Math.max(1, r.minItems ?? 1) }, () => sample(r.items, names, depth + 1))
  if (type === 'integer' || type === 'number') return Math.max(1, r.minimum ?? 1)
  if (type === 'boolean') return true
  if (r.pattern) return matching(r.pattern)
  if (r.format === 'uuid') return '00000000-0000-4000-8000-000000000001'
  if (r.format === 'date') return '2026-12-01'
  if (r.format === 'date-time') return '2026-12-01T10:00:00+08:00'
  return '测试'.padEnd(Math.max(2, r.minLength ?? 2), '试')
}

/** Bodies: the wrong shapes whole, then the plausible body with one field broken at a time. */
function bodies(s: Schema | undefined, names?: Named): unknown[] {
  const base = sample(s, names)
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

interface Answer {
  status: number
  code: string | undefined
  body: string
}

/** Sends one request; records a 5xx or an error answer not in the one error shape. */
async function send(
  failures: string[],
  headers: Record<string, string>,
  label: string,
  method: string,
  url: string,
  payload?: unknown,
  contentType = 'application/json',
): Promise<Answer> {
  const r = await app.inject({
    method: method.toUpperCase() as 'GET',
    url,
    headers: { ...headers, ...(payload === undefined ? {} : { 'content-type': contentType }) },
    ...(payload === undefined ? {} : { payload: typeof payload === 'string' ? payload : JSON.stringify(payload) }),
  })
  const b = (() => {
    try {
      return r.json() as { code?: unknown; message?: unknown; details?: unknown }
    } catch {
      return undefined
    }
  })()
  if (r.statusCode >= 500) failures.push(`${label} → ${r.statusCode} ${r.body.slice(0, 200)}`)
  else if (r.statusCode >= 400) {
    if (!b || typeof b.code !== 'string' || typeof b.message !== 'string' || typeof b.details !== 'object' || !b.details)
      failures.push(`${label} → ${r.statusCode} not {code, message, details}: ${r.body.slice(0, 120)}`)
  }
  return { status: r.statusCode, code: typeof b?.code === 'string' ? b.code : undefined, body: r.body }
}

const operations = () => {
  const ops = Object.entries(doc.paths)
    .filter(([p]) => p.startsWith('/api/v1/') && p !== '/api/v1/auth/logout')
    .flatMap(([path, methods]) => Object.entries(methods).map(([m, op]) => ({ path, method: m, op })))
  expect(ops.length).toBeGreaterThan(100)
  return ops
}
const takesBody = (method: string) => method !== 'get' && method !== 'delete'
const bodySchema = (op: Operation) => op.requestBody?.content?.['application/json']?.schema
/** The path with its parameters filled: `over` first, then a code or an id by the schema's type. */
const fill = (path: string, op: Operation, over: Record<string, string> = {}) =>
  path.replace(
    /\{(\w+)\}/g,
    (_, name: string) => over[name] ?? pathSample(op.parameters?.find((p) => p.in === 'path' && p.name === name)?.schema),
  )

/** A plausible path parameter: its pattern's, else a region code or an id. */
function pathSample(schema: Schema | undefined): string {
  const r = resolve(schema)
  if (r?.pattern) return enc(matching(r.pattern))
  if (r?.type === 'string') return r.format === 'date' ? '2026-12-01' : '440104'
  return String(Math.max(1, r?.minimum ?? 1))
}

/** Path parameters that name a scoped object: by the path segment before them. */
const NAMED_SEGMENTS: Record<string, (n: Named) => string | number> = {
  persons: (n) => n.person,
  households: (n) => n.household,
  dwellings: (n) => n.dwelling,
  buildings: (n) => n.building,
  organizations: (n) => n.organization,
  components: (n) => n.component,
  cases: (n) => n.case,
  attachments: (n) => n.photo,
  grids: (n) => n.grid,
  communities: (n) => n.community,
}
/** The path parameters of `path` that name an object of `n`. */
const namedParams = (path: string, n: Named) =>
  Object.fromEntries(
    [...path.matchAll(/([\w-]+)\/\{(\w+)\}/g)].flatMap(([, segment, name]) => {
      const of = NAMED_SEGMENTS[segment as string]
      return of ? [[name as string, String(of(n))]] : []
    }),
  )
/** Operations without a principal's scope: the public pages, logging in, Open311's public face. */
const UNSCOPED = /^\/api\/v1\/(public|auth|open311)\//
/** Operations whose answers name regions by design: the region tree is reference geography. */
const REGION_REFERENCE = /^\/api\/v1\/regions/

describe('fuzzing every operation', () => {
  it('should answer no input with a 5xx, and every error in the one shape', async () => {
    const failures: string[] = []
    let requests = 0
    const hit = (label: string, method: string, url: string, payload?: unknown, contentType?: string) => {
      requests++
      return send(failures, auth, label, method, url, payload, contentType)
    }
    const ops = operations()
    for (const { path, method, op } of ops) {
      const params = op.parameters ?? []
      const pathParams = params.filter((p) => p.in === 'path')
      const query = params.filter((p) => p.in === 'query')
      const where = `${method.toUpperCase()} ${path}`
      // Path parameters, one at a time.
      for (const p of pathParams)
        for (const v of PATH_VALUES) await hit(`${where} ${p.name}=${v}`, method, fill(path, op, { [p.name]: v }))
      // Query parameters, one at a time, and an unknown one.
      for (const q of query)
        for (const v of [...EDGE_STRINGS.slice(0, 15), '%00', '%ED%A0%80'])
          await hit(
            `${where} ?${q.name}=${v.slice(0, 20)}`,
            method,
            `${fill(path, op)}?${q.name}=${v.startsWith('%') ? v : enc(v)}`,
          )
      await hit(`${where} ?unknown`, method, `${fill(path, op)}?zzz=1&zzz=2`)
      // Bodies, for the operations that take one; and a wrong content type.
      if (takesBody(method)) {
        for (const b of bodies(bodySchema(op)))
          await hit(`${where} body ${JSON.stringify(b).slice(0, 60)}`, method, fill(path, op), b)
        await hit(`${where} bad JSON`, method, fill(path, op), '{"a":', 'application/json')
        await hit(`${where} text/plain`, method, fill(path, op), 'hello', 'text/plain')
      }
    }
    console.log(`fuzz: ${ops.length} operations, ${requests} requests, ${failures.length} failures`)
    expect(failures).toEqual([])
  }, 600_000)

  it('should answer an out-of-scope object exactly as a missing one, and never let it out', async () => {
    const failures: string[] = []
    let requests = 0
    let compared = 0
    let pastValidation = 0
    const leaks = (where: string, a: Answer) => {
      if (a.status >= 300 || REGION_REFERENCE.test(where.split(' ')[1] as string)) return
      const seen = canaries.filter((c) => a.body.includes(c))
      if (seen.length) failures.push(`${where} → ${a.status} reveals ${seen.join(', ')}: ${a.body.slice(0, 160)}`)
    }
    /** The request built for the other community's objects and for missing ones: the same answer. */
    const twin = async (label: string, method: string, build: (n: Named) => { url: string; payload?: unknown }) => {
      const a = build(far)
      const b = build(none)
      requests += 2
      const x = await send(failures, outsider, label, method, a.url, a.payload)
      const y = await send(failures, outsider, label, method, b.url, b.payload)
      leaks(label, x)
      compared++
      if (x.code !== 'VALIDATION_FAILED') pastValidation++
      if (x.status !== y.status || x.code !== y.code)
        failures.push(`${label}: out of scope → ${x.status} ${x.code}, missing → ${y.status} ${y.code} (${x.body.slice(0, 120)})`)
    }
    const ops = operations().filter(({ path }) => !UNSCOPED.test(path))
    for (const { path, method, op } of ops) {
      const where = `${method.toUpperCase()} ${path}`
      const url = (n: Named) => fill(path, op, namedParams(path, n))
      // Plain: the path naming the other community's object, a plausible body naming its objects
      // too; then the same with a stale version, and each edge body.
      if (takesBody(method)) {
        const schema = bodySchema(op)
        const base = (n: Named) => sample(schema, n) as Record<string, unknown> | null
        await twin(`${where} plausible`, method, (n) => ({ url: url(n), payload: base(n) }))
        if (base(far) && typeof base(far) === 'object' && 'version' in (base(far) as object))
          await twin(`${where} stale version`, method, (n) => ({ url: url(n), payload: { ...base(n), version: 999 } }))
        const [fars, nones] = [bodies(schema, far), bodies(schema, none)]
        for (const [i, b] of fars.entries())
          await twin(`${where} body ${JSON.stringify(b).slice(0, 60)}`, method, (n) => ({
            url: url(n),
            payload: n === far ? b : nones[i],
          }))
      } else await twin(where, method, (n) => ({ url: url(n) }))
      // Query parameters asking for the other community's objects by code, number and ID number.
      for (const q of (op.parameters ?? []).filter((p) => p.in === 'query'))
        for (const v of farQueries) {
          requests++
          const label = `${where} ?${q.name}=${v}`
          leaks(label, await send(failures, outsider, label, method, `${url(far)}?${q.name}=${enc(v)}`))
        }
    }
    console.log(
      `fuzz out of scope: ${ops.length} operations, ${requests} requests, ${compared} compared with a missing object (${pastValidation} past validation), ${failures.length} failures`,
    )
    expect(failures).toEqual([])
  }, 600_000)
})
