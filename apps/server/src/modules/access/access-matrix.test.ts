// The authorization matrix: every API route (from the OpenAPI document, so a new route without an
// entry here fails the test) × every built-in role, on an object inside the role's scope and one
// outside it, against the designed answer: 200/201 when the role's permissions allow it there,
// 403 when the object is in the role's scope but the permission is missing, 404 when the object is
// outside every scope (indistinguishable from missing). Lists must never return out-of-scope rows.
import { makeIdNumber, makeUscc } from '@wangge/domain'
import { sql } from 'kysely'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type App, buildApp } from '../../app.js'
import { loadSynthetic } from '../../synth/loader.js'
import { PRESETS } from '../../synth/profiles.js'
import { createTestDatabase, type TestDatabase } from '../../testing/test-db.js'
import { adminHeaders, userWithToken } from '../../testing/users.js'
import { createGridsService } from '../grids/index.js'
import { BUILTIN_ROLES, type Permission } from './permissions.js'

let t: TestDatabase
let app: App
let admin: Record<string, string>
const roles: { role: string; scope: string; headers: Record<string, string> }[] = []

/** Objects inside grid G (community X) and in another community Y. */
interface Objects {
  grid: string
  community: string
  person: number
  household: number
  dwelling: number
  building: number
  organization: number
  component: string
  /** A case reported at the component (with a photo), and the photo. */
  case: number
  photo: number
  /** A cross-check finding about the person (a death the base does not know). */
  finding: number
  code: Record<string, string> // object kind → the code its scope is checked against
}
let inside: Objects
let outside: Objects
let seq = 0

async function objectsIn(grid: string): Promise<Objects> {
  const q = (s: ReturnType<typeof sql<{ id: string; code: string }>>) => s.execute(t.db).then((r) => r.rows[0])
  const community = grid.slice(0, 12)
  const person = await q(
    // (A resident of a building wholly in the grid: a split building's point lies in one of its
    // grids only, and a case placed at a resident's home is located by that point.)
    sql`select p.id, d.grid_code as code from persons p join dwellings d on d.id = p.dwelling_id
        join buildings b on b.id = d.building_id and b.grid_code = d.grid_code
        where d.grid_code = ${grid}
          and not exists (select from dwellings x where x.building_id = b.id and x.grid_code is distinct from b.grid_code)
        order by p.id limit 1`,
  )
  const household = await q(
    sql`select h.id, d.grid_code as code from households h join dwellings d on d.id = h.dwelling_id where d.grid_code = ${grid} order by h.id limit 1`,
  )
  const dwelling = await q(sql`select id, grid_code as code from dwellings where grid_code = ${grid} order by id limit 1`)
  const building = await q(sql`select id, grid_code as code from buildings where grid_code = ${grid} order by id limit 1`)
  // Organizations and components are fewer: take one of the community (its own grid decides).
  const organization = await q(
    sql`select id, coalesce(grid_code, community_code) as code from organizations where community_code = ${community} order by id limit 1`,
  )
  const component = await q(
    sql`select code as id, coalesce(grid_code, community_code) as code from components where community_code = ${community} order by id limit 1`,
  )
  for (const [k, v] of Object.entries({ person, household, dwelling, building, organization, component }))
    if (!v) throw new Error(`no ${k} in ${grid}`)
  // A photo of its own (uploaded by the administrator), cited by a case about the component.
  const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: `#${grid.slice(-6)}` } })
    .png()
    .toBuffer()
  const photo = (await send(admin, 'POST', '/api/v1/attachments', png)).body.id as number
  const kase = await newCase(String(component?.id), photo)
  const idNumber = (
    await sql<{ id_number: string; name: string }>`select id_number, name from persons where id = ${person?.id}`.execute(t.db)
  ).rows[0] as { id_number: string; name: string }
  const death = await send(admin, 'POST', '/api/v1/sharing/datasets/health.deaths/deliveries', {
    deliveryKey: `matrix-death-${grid}`,
    records: [{ id_number: idNumber.id_number, name: idNumber.name, death_date: '2026-11-01' }],
  })
  if (death.status !== 201) throw new Error(`death: ${JSON.stringify(death.body)}`)
  const finding = (
    await sql<{
      id: string
    }>`select id from check_findings where entity = 'person' and entity_id = ${person?.id} and status = 'open'`.execute(t.db)
  ).rows[0]
  if (!finding) throw new Error(`no finding for person ${person?.id}`)
  const entry = await adminGet(`/api/v1/catalog/C${String(component?.id).slice(6, 10)}`)
  await send(admin, 'PATCH', `/api/v1/catalog/${entry.code}`, { version: entry.version, photos: 0, reason: '矩阵测试' })
  return {
    grid,
    community,
    person: Number(person?.id),
    household: Number(household?.id),
    dwelling: Number(dwelling?.id),
    building: Number(building?.id),
    organization: Number(organization?.id),
    component: String(component?.id),
    case: kase.id,
    photo,
    finding: Number(finding.id),
    code: {
      finding: person?.code as string,
      case: component?.code as string,
      grid,
      community,
      person: person?.code as string,
      household: household?.code as string,
      dwelling: dwelling?.code as string,
      building: building?.code as string,
      organization: organization?.code as string,
      component: component?.code as string,
    },
  }
}

/** A case about a component, reported by the administrator with a photo. */
async function newCase(component: string, photo: number) {
  const c = await t.db.selectFrom('components').select(['major', 'sub']).where('code', '=', component).executeTakeFirstOrThrow()
  const r = await send(admin, 'POST', '/api/v1/cases', {
    catalog: `C${c.major}${c.sub}`,
    description: '矩阵测试',
    component,
    photos: [photo],
  })
  if (r.status !== 201) throw new Error(`case: ${JSON.stringify(r.body)}`)
  return r.body as { id: number; version: number }
}

beforeAll(async () => {
  t = await createTestDatabase()
  await loadSynthetic(t, {
    preset: { ...(PRESETS.tiny as (typeof PRESETS)[string]), households: 2400 } as never,
    seed: 'access',
    city: '4401',
  })
  await createGridsService({ db: t.db }).partition('440104004', { target: 50, minHouseholds: 30 })
  app = await buildApp({ config: { bodyLimit: 1 << 20, logLevel: 'silent', logPretty: false }, database: t })
  admin = await adminHeaders(t.db)
  // Two communities that each have organizations and components; in the first, its grid with
  // the most buildings (a split of it is a valid adjustment).
  const rich = await sql<{ c: string }>`
    select o.community_code as c from organizations o
    where exists (select 1 from components x where x.community_code = o.community_code)
    group by o.community_code order by count(*) desc, o.community_code limit 10`.execute(t.db)
  const gridOf = async (c: string) => {
    const grids = await t.db
      .selectFrom('grids')
      .select('code')
      .where('community_code', '=', c as string)
      .where('status', '=', 'active')
      .orderBy('buildings', 'desc')
      .orderBy('code')
      .execute()
    for (const g of grids) {
      const preview = await send(admin, 'POST', '/api/v1/grids/adjustments', {
        kind: 'split',
        grid: g.code,
        reason: '预览',
        dryRun: true,
      })
      if (preview.status === 200) return g.code
    }
    return undefined
  }
  const chosen: string[] = []
  for (const r of rich.rows) {
    const g = await gridOf(r.c)
    if (g) chosen.push(g)
    if (chosen.length === 2) break
  }
  if (chosen.length < 2) throw new Error('need two communities with a splittable grid')
  inside = await objectsIn(chosen[0] as string)
  outside = await objectsIn(chosen[1] as string)
  for (const r of BUILTIN_ROLES) {
    const scope = r.code === 'admin' ? '4401' : r.code === 'grid_worker' ? inside.grid : inside.community
    roles.push({ role: r.code, scope, headers: (await userWithToken(t.db, `m-${r.code}`, [{ role: r.code, scope }])).headers })
  }
}, 180_000)
afterAll(async () => {
  await app.close()
  await t.destroy()
})

const send = async (headers: Record<string, string>, method: string, url: string, payload?: unknown, contentType?: string) => {
  const r = await app.inject({
    method: method as 'GET',
    url,
    headers: Buffer.isBuffer(payload) ? { ...headers, 'content-type': contentType ?? 'image/png' } : headers,
    ...(payload === undefined ? {} : { payload: payload as object }),
  })
  const json = (r.headers['content-type'] ?? '').toString().startsWith('application/json')
  return { status: r.statusCode, body: (json ? r.json() : {}) as Record<string, unknown> }
}
/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
)
const adminGet = async (url: string) => (await send(admin, 'GET', url)).body

type Kind = keyof Objects['code']
interface Entry {
  /** Permissions checked in order; empty: any authenticated user; 'public': no login needed. */
  perms: Permission[] | 'public'
  /** Any one of `perms` will do (instead of each in turn). */
  anyOf?: true
  /** Scoped to an object (in/out): which kind decides the scope. Unscoped otherwise. */
  object?: Kind
  ok?: number
  /** The answer for an object outside every scope: 404, or for an object named in the body (a
   *  household to register into) the same 400 as for one that does not exist. */
  missing?: number
  request: (o: Objects) => Promise<MatrixRequest> | MatrixRequest
}
interface MatrixRequest {
  method: string
  url: string
  payload?: unknown
  /** For a raw body (a Buffer): its content type. */
  contentType?: string
}

/** A delivery to look at (the administrator makes one the first time). */
async function anyDelivery(): Promise<number> {
  const list = (await adminGet('/api/v1/sharing/deliveries?pageSize=1')) as unknown as { items: { id: number }[] }
  if (list.items[0]) return list.items[0].id
  const r = await send(admin, 'POST', '/api/v1/sharing/datasets/weather.warnings/deliveries', {
    deliveryKey: 'matrix-first',
    records: [{ warning_id: 'W0', kind: '高温', level: '橙色', area: '440104', issued_on: '2026-11-28' }],
  })
  return r.body.id as number
}

/** The person's ID number, registered and alive (eligible for 临时救助 S0403). */
async function applicantOf(o: Objects) {
  await sql`update persons set status = 'active', population_type = 'registered' where id = ${o.person}`.execute(t.db)
  return (await sql<{ id_number: string }>`select id_number from persons where id = ${o.person}`.execute(t.db)).rows[0]
    ?.id_number as string
}
/** A fresh window visit of the object's person (made by the administrator). */
async function visitOf(o: Objects) {
  const r = await send(admin, 'POST', '/api/v1/services/window/lookup', {
    idNumber: await applicantOf(o),
    consent: '矩阵测试同意',
  })
  if (r.status !== 201) throw new Error(`visit: ${JSON.stringify(r.body)}`)
  return (r.body.visit as { number: string }).number
}
const APPLY = { item: 'S0403', materials: ['hardship_statement', 'hukou_book', 'id_card'].map((code) => ({ code, seen: true })) }
/** A fresh application of the object's person (made by the administrator). */
async function applicationOf(o: Objects) {
  const r = await send(admin, 'POST', `/api/v1/services/window/${await visitOf(o)}/applications`, APPLY)
  if (r.status !== 201) throw new Error(`application: ${JSON.stringify(r.body)}`)
  return r.body as { id: number; caseVersion: number }
}

/** A catalog code without a city-wide routing rule yet (each matrix call adds one). */
async function freeCatalogCode(): Promise<string> {
  const catalog = (await adminGet('/api/v1/catalog')) as unknown as { code: string }[]
  const used = new Set(
    ((await adminGet('/api/v1/routing-rules')) as unknown as { catalogCode: string; region: string }[])
      .filter((r) => r.region === '4401')
      .map((r) => r.catalogCode),
  )
  const free = catalog.find((c) => !used.has(c.code))
  if (!free) throw new Error('no catalog code left')
  return free.code
}

const personPayload = (o: Objects) => ({
  idNumber: makeIdNumber('440104', '1991-01-01', 500 + seq++),
  name: '测试员',
  sex: '1',
  populationType: 'registered',
  householdId: o.household,
  relationToHead: '99',
  source: 'grid_worker',
  reason: '矩阵测试',
})

const MATRIX: Record<string, Entry> = {
  'GET /api/v1/health': { perms: 'public', request: () => ({ method: 'GET', url: '/api/v1/health' }) },
  'POST /api/v1/auth/login': {
    perms: 'public',
    // (A fresh name each time: five failures from one address for one name lock that pair.)
    request: () => ({ method: 'POST', url: '/api/v1/auth/login', payload: { username: `nobody-${seq++}`, password: 'x' } }),
    ok: 401, // wrong credentials answer the same for everyone
  },
  // The residents' channel: no login; the same answer for every caller (no proof of work → 422).
  'GET /api/v1/public/classes': { perms: 'public', request: () => ({ method: 'GET', url: '/api/v1/public/classes' }) },
  'GET /api/v1/public/addresses': {
    perms: 'public',
    request: () => ({ method: 'GET', url: `/api/v1/public/addresses?q=${encodeURIComponent('解放')}` }),
  },
  'GET /api/v1/public/challenge': { perms: 'public', request: () => ({ method: 'GET', url: '/api/v1/public/challenge' }) },
  'GET /api/v1/public/surroundings': {
    perms: 'public',
    request: () => ({ method: 'GET', url: '/api/v1/public/surroundings?lng=113.2665&lat=23.1291' }),
  },
  'POST /api/v1/public/phone-codes': {
    perms: 'public',
    ok: 400,
    request: () => ({ method: 'POST', url: '/api/v1/public/phone-codes', payload: { phone: '13800000000' } }),
  },
  'GET /api/v1/public/nearby': {
    perms: 'public',
    request: () => ({ method: 'GET', url: '/api/v1/public/nearby?catalog=E0102&lng=113.27&lat=23.13' }),
  },
  'POST /api/v1/public/photos': {
    perms: 'public',
    ok: 422,
    request: () => ({
      method: 'POST',
      url: '/api/v1/public/photos?key=matrix-key-0123456789',
      payload: Buffer.from('not an image'),
      contentType: 'image/jpeg',
    }),
  },
  'POST /api/v1/public/reports': {
    perms: 'public',
    ok: 422,
    request: () => ({
      method: 'POST',
      url: '/api/v1/public/reports',
      payload: {
        key: 'matrix-key-0123456789',
        catalog: 'E0102',
        description: '矩阵测试',
        lng: 113.27,
        lat: 23.13,
        pow: { challenge: { parameters: {}, signature: 'x' }, solution: { counter: 0, derivedKey: 'x' } },
      },
    }),
  },
  'POST /api/v1/public/reports/{number}/metoo': {
    perms: 'public',
    ok: 404,
    request: () => ({
      method: 'POST',
      url: '/api/v1/public/reports/E01022026010199999/metoo',
      payload: {
        key: 'matrix-key-0123456789',
        pow: { challenge: { parameters: {}, signature: 'x' }, solution: { counter: 0, derivedKey: 'x' } },
      },
    }),
  },
  'GET /api/v1/public/reports/{number}': {
    perms: 'public',
    ok: 404,
    request: async (o) => ({
      method: 'GET',
      url: `/api/v1/public/reports/${((await adminGet(`/api/v1/cases/${o.case}`)) as { number: string }).number}?phone4=0000`,
    }),
  },
  'GET /api/v1/public/reports/{number}/photos/{id}': {
    perms: 'public',
    ok: 404,
    request: async (o) => ({
      method: 'GET',
      url: `/api/v1/public/reports/${((await adminGet(`/api/v1/cases/${o.case}`)) as { number: string }).number}/photos/${o.photo}?token=r.x`,
    }),
  },
  'POST /api/v1/public/reports/{number}/confirm': {
    perms: 'public',
    ok: 404,
    request: async (o) => ({
      method: 'POST',
      url: `/api/v1/public/reports/${((await adminGet(`/api/v1/cases/${o.case}`)) as { number: string }).number}/confirm`,
      payload: { key: 'matrix-key-0123456789', token: 'r.x', fixed: true, satisfaction: 'satisfied' },
    }),
  },
  'POST /api/v1/public/reports/{number}/flag': {
    perms: 'public',
    ok: 404,
    request: () => ({ method: 'POST', url: '/api/v1/public/reports/E01022026010199999/flag' }),
  },
  'GET /api/v1/public/map': { perms: 'public', request: () => ({ method: 'GET', url: '/api/v1/public/map' }) },
  'POST /api/v1/public/opt-out': {
    perms: 'public',
    ok: 422,
    request: () => ({ method: 'POST', url: '/api/v1/public/opt-out', payload: { phone: '13800000000', code: '000000' } }),
  },
  'PUT /api/v1/residents/reports/{number}/moderation': {
    perms: ['case.read', 'resident.moderate'],
    object: 'case',
    request: async (o) => ({
      method: 'PUT',
      url: `/api/v1/residents/reports/${((await adminGet(`/api/v1/cases/${o.case}`)) as { number: string }).number}/moderation`,
      payload: { hidden: false, reason: '矩阵测试' },
    }),
  },
  'GET /api/v1/residents/callers/{phone}/cases': {
    perms: ['case.register', 'case.callback'],
    anyOf: true,
    request: () => ({ method: 'GET', url: '/api/v1/residents/callers/13912345678/cases' }),
  },
  'GET /api/v1/residents/flagged': {
    perms: ['resident.moderate'],
    request: () => ({ method: 'GET', url: '/api/v1/residents/flagged' }),
  },
  'GET /api/v1/open311/clients': {
    perms: ['open311.admin'],
    request: () => ({ method: 'GET', url: '/api/v1/open311/clients' }),
  },
  'POST /api/v1/open311/clients': {
    perms: ['open311.admin'],
    ok: 201,
    request: () => ({ method: 'POST', url: '/api/v1/open311/clients', payload: { name: `矩阵客户端${seq++}`, perMinute: 10 } }),
  },
  'DELETE /api/v1/open311/clients/{id}': {
    perms: ['open311.admin'],
    request: async () => {
      const c = (await send(admin, 'POST', '/api/v1/open311/clients', { name: `矩阵撤销${seq++}` })).body as { id: number }
      return { method: 'DELETE', url: `/api/v1/open311/clients/${c.id}` }
    },
  },
  'GET /api/v1/notifications': {
    perms: ['notification.read'],
    request: () => ({ method: 'GET', url: '/api/v1/notifications' }),
  },
  'GET /api/v1/notifications/mine': { perms: [], request: () => ({ method: 'GET', url: '/api/v1/notifications/mine' }) },
  'GET /api/v1/services/items': { perms: ['region.read'], request: () => ({ method: 'GET', url: '/api/v1/services/items' }) },
  'GET /api/v1/services/items/{code}': {
    perms: ['region.read'],
    request: () => ({ method: 'GET', url: '/api/v1/services/items/S0102' }),
  },
  'PUT /api/v1/services/items/{code}': {
    perms: ['service.admin'],
    request: async () => {
      const {
        code: _c,
        active,
        version,
        updatedAt: _u,
        updatedBy: _b,
        departmentDays: _d,
        versions: _v,
        ...definition
      } = await adminGet('/api/v1/services/items/S0103')
      return { method: 'PUT', url: '/api/v1/services/items/S0103', payload: { definition, active, version, reason: '矩阵测试' } }
    },
  },
  'POST /api/v1/services/window/lookup': {
    perms: ['service.window'],
    object: 'person',
    ok: 201,
    request: async (o) => ({
      method: 'POST',
      url: '/api/v1/services/window/lookup',
      payload: { idNumber: await applicantOf(o), consent: '矩阵测试同意' },
    }),
  },
  'GET /api/v1/services/window/{number}': {
    perms: ['service.window'],
    object: 'person',
    request: async (o) => ({ method: 'GET', url: `/api/v1/services/window/${await visitOf(o)}` }),
  },
  'GET /api/v1/services/window/{number}/items/{code}': {
    perms: ['service.window'],
    object: 'person',
    request: async (o) => ({ method: 'GET', url: `/api/v1/services/window/${await visitOf(o)}/items/S0403` }),
  },
  'POST /api/v1/services/window/{number}/applications': {
    perms: ['service.window', 'case.report', 'case.register', 'case.dispatch'],
    object: 'person',
    ok: 201,
    request: async (o) => ({ method: 'POST', url: `/api/v1/services/window/${await visitOf(o)}/applications`, payload: APPLY }),
  },
  'GET /api/v1/services/applications': { perms: [], request: () => ({ method: 'GET', url: '/api/v1/services/applications' }) },
  'GET /api/v1/services/applications/{id}': {
    perms: ['case.read'],
    object: 'person',
    request: async (o) => ({ method: 'GET', url: `/api/v1/services/applications/${(await applicationOf(o)).id}` }),
  },
  'POST /api/v1/services/applications/{id}/decide': {
    // (The department's decision; a user without a department acts as a supervisor who dispatches.)
    perms: ['case.read', 'case.handle', 'case.dispatch'],
    object: 'person',
    request: async (o) => {
      const a = await applicationOf(o)
      return {
        method: 'POST',
        url: `/api/v1/services/applications/${a.id}/decide`,
        payload: { approve: true, reason: '矩阵测试', version: a.caseVersion },
      }
    },
  },
  'GET /api/v1/services/stats': {
    perms: [],
    object: 'community',
    request: (o) => ({ method: 'GET', url: `/api/v1/services/stats?region=${o.community}` }),
  },
  'GET /api/v1/services/offers': { perms: ['service.offer'], request: () => ({ method: 'GET', url: '/api/v1/services/offers' }) },
  'POST /api/v1/services/offers/{id}/outcome': {
    perms: ['service.offer'],
    object: 'person',
    request: async (o) => {
      const r = await sql<{ id: string }>`
        insert into service_offers (item_code, person_id, community_code, grid_code, occasion, reason, created_on)
        values ('S0101', ${o.person}, ${o.community}, ${o.grid}, current_date - ${seq++}::int, '矩阵测试', current_date)
        returning id`.execute(t.db)
      return {
        method: 'POST',
        url: `/api/v1/services/offers/${r.rows[0]?.id}/outcome`,
        payload: { outcome: 'declined', version: 1 },
      }
    },
  },
  'POST /api/v1/services/proactive/run': {
    perms: ['service.admin'],
    request: () => ({ method: 'POST', url: '/api/v1/services/proactive/run' }),
  },
  'POST /api/v1/notifications/drain': {
    perms: ['notification.read'],
    request: () => ({ method: 'POST', url: '/api/v1/notifications/drain' }),
  },
  'POST /api/v1/auth/logout': { perms: [], request: () => ({ method: 'POST', url: '/api/v1/auth/logout' }) },
  'GET /api/v1/auth/me': { perms: [], request: () => ({ method: 'GET', url: '/api/v1/auth/me' }) },
  'GET /api/v1/users': { perms: ['user.admin'], request: () => ({ method: 'GET', url: '/api/v1/users' }) },
  'POST /api/v1/users': {
    perms: ['user.admin'],
    ok: 201,
    request: () => ({
      method: 'POST',
      url: '/api/v1/users',
      payload: {
        username: `user-${seq++}`,
        password: 'Correct-Horse-Battery-Staple-42',
        roles: [{ role: 'leader', scope: '440104' }],
      },
    }),
  },
  'PUT /api/v1/users/{id}/roles': {
    perms: ['user.admin'],
    request: async () => {
      const u = await send(admin, 'POST', '/api/v1/users', {
        username: `role-${seq++}`,
        password: 'Correct-Horse-Battery-Staple-42',
      })
      return {
        method: 'PUT',
        url: `/api/v1/users/${u.body.id}/roles`,
        payload: { roles: [{ role: 'leader', scope: '440104004' }] },
      }
    },
  },
  'POST /api/v1/users/{id}/unlock': {
    perms: ['user.admin'],
    request: async () => {
      const u = await send(admin, 'POST', '/api/v1/users', {
        username: `unlock-${seq++}`,
        password: 'Correct-Horse-Battery-Staple-42',
      })
      return { method: 'POST', url: `/api/v1/users/${u.body.id}/unlock` }
    },
  },
  'GET /api/v1/roles': { perms: ['user.admin'], request: () => ({ method: 'GET', url: '/api/v1/roles' }) },
  'PATCH /api/v1/roles/{code}': {
    perms: ['user.admin'],
    request: async () => {
      const r = ((await adminGet('/api/v1/roles')) as unknown as { code: string; version: number; permissions: string[] }[]).find(
        (x) => x.code === 'resident',
      )
      return { method: 'PATCH', url: '/api/v1/roles/resident', payload: { permissions: r?.permissions, version: r?.version } }
    },
  },
  'GET /api/v1/tokens': { perms: ['user.admin'], request: () => ({ method: 'GET', url: '/api/v1/tokens' }) },
  'POST /api/v1/tokens': {
    perms: ['user.admin'],
    ok: 201,
    request: () => ({
      method: 'POST',
      url: '/api/v1/tokens',
      payload: { userId: 1, name: `feed ${seq++}`, scopes: ['region.read'] },
    }),
  },
  'DELETE /api/v1/tokens/{id}': {
    perms: ['user.admin'],
    request: async () => {
      const tok = await send(admin, 'POST', '/api/v1/tokens', { userId: 1, name: `gone ${seq++}`, scopes: ['region.read'] })
      return { method: 'DELETE', url: `/api/v1/tokens/${tok.body.id}` }
    },
  },
  'GET /api/v1/sharing/datasets': {
    perms: ['sharing.read'],
    request: () => ({ method: 'GET', url: '/api/v1/sharing/datasets' }),
  },
  'POST /api/v1/sharing/datasets': {
    perms: ['sharing.admin'],
    ok: 201,
    request: () => ({
      method: 'POST',
      url: '/api/v1/sharing/datasets',
      payload: {
        code: `weather.test_${seq++}`,
        department: 'weather',
        name: '测试数据集',
        nameEn: 'test dataset',
        description: '',
        entity: 'none',
        recordKey: 'record_id',
        keyField: 'id',
        rhythm: 'daily',
        freshnessDays: 2,
        confidentiality: 'open',
        fieldGroups: [],
        onRemove: 'keep',
        fields: [{ name: 'id', label: '编号', type: 'text', required: true }],
        reason: '矩阵测试',
      },
    }),
  },
  'GET /api/v1/sharing/datasets/{code}': {
    perms: ['sharing.read'],
    request: () => ({ method: 'GET', url: '/api/v1/sharing/datasets/weather.warnings' }),
  },
  'PUT /api/v1/sharing/datasets/{code}': {
    perms: ['sharing.admin'],
    request: async () => {
      const {
        code: _c,
        active,
        version,
        updatedAt: _u,
        updatedBy: _b,
        versions: _v,
        ...definition
      } = (await adminGet('/api/v1/sharing/datasets/weather.warnings')) as Record<string, unknown>
      return {
        method: 'PUT',
        url: '/api/v1/sharing/datasets/weather.warnings',
        payload: { definition, active, version, reason: '矩阵测试' },
      }
    },
  },
  'GET /api/v1/sharing/ownership': {
    perms: ['sharing.read'],
    request: () => ({ method: 'GET', url: '/api/v1/sharing/ownership' }),
  },
  // A delivery is a department's act: users without a department deliver only as administrators of sharing.
  'POST /api/v1/sharing/datasets/{code}/deliveries': {
    perms: ['sharing.deliver', 'sharing.admin'],
    ok: 201,
    request: () => ({
      method: 'POST',
      url: '/api/v1/sharing/datasets/weather.warnings/deliveries',
      payload: {
        deliveryKey: `matrix-${seq++}`,
        records: [{ warning_id: `W${seq}`, kind: '暴雨', level: '黄色', area: '440104', issued_on: '2026-11-30' }],
      },
    }),
  },
  'PUT /api/v1/sharing/datasets/{code}/deliveries/{deliveryKey}/file': {
    perms: ['sharing.deliver', 'sharing.admin'],
    ok: 201,
    request: () => ({
      method: 'PUT',
      url: `/api/v1/sharing/datasets/weather.warnings/deliveries/matrix-file-${seq++}/file?mode=incremental&fileName=w.csv`,
      payload: Buffer.from(`warning_id,kind,level,area,issued_on\nF${seq},台风,蓝色,440104,2026-11-29\n`),
      contentType: 'text/csv',
    }),
  },
  'GET /api/v1/sharing/deliveries': {
    perms: ['sharing.read'],
    request: () => ({ method: 'GET', url: '/api/v1/sharing/deliveries' }),
  },
  'GET /api/v1/sharing/deliveries/{id}': {
    perms: ['sharing.read'],
    request: async () => ({ method: 'GET', url: `/api/v1/sharing/deliveries/${await anyDelivery()}` }),
  },
  'GET /api/v1/sharing/deliveries/{id}/rejects': {
    perms: ['sharing.read'],
    request: async () => ({ method: 'GET', url: `/api/v1/sharing/deliveries/${await anyDelivery()}/rejects` }),
  },
  'GET /api/v1/sharing/deliveries/{id}/rejects/file': {
    perms: ['sharing.read'],
    request: async () => ({ method: 'GET', url: `/api/v1/sharing/deliveries/${await anyDelivery()}/rejects/file` }),
  },
  'GET /api/v1/sharing/deliveries/{id}/unmatched': {
    perms: ['sharing.read'],
    request: async () => ({ method: 'GET', url: `/api/v1/sharing/deliveries/${await anyDelivery()}/unmatched` }),
  },
  'GET /api/v1/sharing/board': { perms: ['sharing.read'], request: () => ({ method: 'GET', url: '/api/v1/sharing/board' }) },
  'GET /api/v1/sharing/board/file': {
    perms: ['sharing.read'],
    request: () => ({ method: 'GET', url: '/api/v1/sharing/board/file?format=xlsx' }),
  },
  'GET /api/v1/sharing/rules': { perms: ['sharing.read'], request: () => ({ method: 'GET', url: '/api/v1/sharing/rules' }) },
  'GET /api/v1/sharing/rules/{code}': {
    perms: ['sharing.read'],
    request: () => ({ method: 'GET', url: '/api/v1/sharing/rules/deceased_still_active' }),
  },
  'POST /api/v1/sharing/rules': {
    perms: ['sharing.admin'],
    ok: 201,
    request: () => ({
      method: 'POST',
      url: '/api/v1/sharing/rules',
      payload: {
        code: `matrix_rule_${seq++}`,
        name: '矩阵测试规则',
        nameEn: 'Matrix test rule',
        subject: 'person',
        when: [{ has: 'health.deaths' }],
        left: { dataset: 'health.deaths', field: 'death_date', label: '死亡日期' },
        right: { base: 'status', label: '状态' },
        owner: 'police',
        assignee: 'department',
        question: '矩阵测试问题',
        active: false,
        reason: '矩阵测试',
      },
    }),
  },
  'PUT /api/v1/sharing/rules/{code}': {
    perms: ['sharing.admin'],
    request: async () => {
      const {
        code: _c,
        active,
        version,
        versions: _v,
        ...definition
      } = (await adminGet('/api/v1/sharing/rules/duplicate_person')) as Record<string, unknown>
      return {
        method: 'PUT',
        url: '/api/v1/sharing/rules/duplicate_person',
        payload: { definition, active, version, reason: '矩阵测试' },
      }
    },
  },
  'GET /api/v1/sharing/findings': {
    perms: ['sharing.read', 'person.write'],
    anyOf: true,
    request: () => ({ method: 'GET', url: '/api/v1/sharing/findings' }),
  },
  'GET /api/v1/sharing/findings/{id}': {
    perms: ['sharing.read', 'person.write'],
    anyOf: true,
    object: 'finding',
    request: (o) => ({ method: 'GET', url: `/api/v1/sharing/findings/${o.finding}` }),
  },
  // A department's task (the death is the police's to register): only its own user or a sharing administrator.
  'POST /api/v1/sharing/findings/{id}/resolve': {
    perms: ['sharing.admin'],
    object: 'finding',
    request: async (o) => ({
      method: 'POST',
      url: `/api/v1/sharing/findings/${o.finding}/resolve`,
      payload: { side: 'base', note: '矩阵测试', version: (await adminGet(`/api/v1/sharing/findings/${o.finding}`)).version },
    }),
  },
  'POST /api/v1/sharing/crosschecks/run': {
    perms: ['sharing.admin'],
    request: () => ({ method: 'POST', url: '/api/v1/sharing/crosschecks/run' }),
  },
  'GET /api/v1/audit': { perms: ['audit.read'], request: () => ({ method: 'GET', url: '/api/v1/audit?pageSize=5' }) },
  'GET /api/v1/audit/verify': { perms: ['audit.read'], request: () => ({ method: 'GET', url: '/api/v1/audit/verify' }) },
  'POST /api/v1/break-glass': {
    perms: ['breakglass.use'],
    ok: 201,
    request: () => ({ method: 'POST', url: '/api/v1/break-glass', payload: { reason: '急救：联系家属' } }),
  },
  'GET /api/v1/break-glass': { perms: ['breakglass.review'], request: () => ({ method: 'GET', url: '/api/v1/break-glass' }) },
  'POST /api/v1/break-glass/{id}/review': {
    perms: ['breakglass.review'],
    request: async () => {
      const list = (await adminGet('/api/v1/break-glass')) as unknown as { id: number }[]
      return { method: 'POST', url: `/api/v1/break-glass/${list[0]?.id}/review`, payload: { note: '已核实' } }
    },
  },
  'GET /api/v1/regions': { perms: ['region.read'], request: () => ({ method: 'GET', url: '/api/v1/regions?q=lrj' }) },
  'GET /api/v1/regions/{code}': { perms: ['region.read'], request: () => ({ method: 'GET', url: '/api/v1/regions/440104' }) },
  'GET /api/v1/regions/{code}/geometry': {
    perms: ['region.read'],
    request: () => ({ method: 'GET', url: '/api/v1/regions/440104004/geometry' }),
  },
  'GET /api/v1/map/basemap': { perms: ['region.read'], request: () => ({ method: 'GET', url: '/api/v1/map/basemap' }) },
  'GET /api/v1/codes': { perms: ['region.read'], request: () => ({ method: 'GET', url: '/api/v1/codes' }) },
  'GET /api/v1/lookup': {
    perms: ['region.read'],
    request: () => ({ method: 'GET', url: '/api/v1/lookup?lng=113.26&lat=23.13' }),
  },
  'GET /api/v1/catalog': { perms: ['region.read'], request: () => ({ method: 'GET', url: '/api/v1/catalog?kind=event' }) },
  'GET /api/v1/catalog/{code}': { perms: ['region.read'], request: () => ({ method: 'GET', url: '/api/v1/catalog/E0102' }) },
  'PATCH /api/v1/catalog/{code}': {
    perms: ['catalog.admin'],
    request: async () => {
      const e = await adminGet('/api/v1/catalog/E0102')
      return { method: 'PATCH', url: '/api/v1/catalog/E0102', payload: { version: e.version, photos: e.photos, reason: '核对' } }
    },
  },
  'GET /api/v1/catalog/{code}/history': {
    perms: ['region.read'],
    request: () => ({ method: 'GET', url: '/api/v1/catalog/E0102/history' }),
  },
  'GET /api/v1/departments': { perms: ['region.read'], request: () => ({ method: 'GET', url: '/api/v1/departments' }) },
  'GET /api/v1/routing-rules': { perms: ['region.read'], request: () => ({ method: 'GET', url: '/api/v1/routing-rules' }) },
  'POST /api/v1/routing-rules': {
    perms: ['catalog.admin'],
    ok: 201,
    request: async () => ({
      method: 'POST',
      url: '/api/v1/routing-rules',
      payload: { catalogCode: await freeCatalogCode(), region: '4401', department: 'city_mgmt' },
    }),
  },
  'DELETE /api/v1/routing-rules/{id}': {
    perms: ['catalog.admin'],
    request: async () => {
      const r = await send(admin, 'POST', '/api/v1/routing-rules', {
        catalogCode: await freeCatalogCode(),
        region: '4401',
        department: 'city_mgmt',
      })
      return { method: 'DELETE', url: `/api/v1/routing-rules/${r.body.id}` }
    },
  },
  'GET /api/v1/routing/dry-run': {
    perms: ['region.read'],
    request: () => ({ method: 'GET', url: '/api/v1/routing/dry-run?catalog=E0507&lng=113.26&lat=23.13' }),
  },
  'GET /api/v1/grids': { perms: ['region.read'], request: () => ({ method: 'GET', url: '/api/v1/grids?region=440104004' }) },
  'GET /api/v1/grids/layer': {
    perms: ['region.read'],
    request: () => ({ method: 'GET', url: '/api/v1/grids/layer?region=440104004' }),
  },
  'GET /api/v1/grids/{code}': {
    perms: ['region.read'],
    object: 'grid',
    request: (o) => ({ method: 'GET', url: `/api/v1/grids/${o.grid}` }),
  },
  'GET /api/v1/grids/{code}/geometry': {
    perms: ['region.read'],
    object: 'grid',
    request: (o) => ({ method: 'GET', url: `/api/v1/grids/${o.grid}/geometry` }),
  },
  'GET /api/v1/grids/{code}/neighbors': {
    perms: ['region.read'],
    object: 'grid',
    request: (o) => ({ method: 'GET', url: `/api/v1/grids/${o.grid}/neighbors` }),
  },
  'GET /api/v1/grids/{code}/history': {
    perms: ['region.read'],
    object: 'grid',
    request: (o) => ({ method: 'GET', url: `/api/v1/grids/${o.grid}/history` }),
  },
  'POST /api/v1/grids/adjustments': {
    perms: ['grid.adjust'],
    object: 'community',
    request: (o) => ({
      method: 'POST',
      url: '/api/v1/grids/adjustments',
      payload: { kind: 'split', grid: o.grid, reason: '预览', dryRun: true },
    }),
  },
  'GET /api/v1/persons': { perms: ['person.read'], request: () => ({ method: 'GET', url: '/api/v1/persons?pageSize=5' }) },
  'POST /api/v1/persons': {
    perms: ['person.write'],
    object: 'household',
    ok: 201,
    missing: 400,
    request: (o) => ({ method: 'POST', url: '/api/v1/persons', payload: personPayload(o) }),
  },
  'GET /api/v1/persons/{id}': {
    perms: ['person.read'],
    object: 'person',
    request: (o) => ({ method: 'GET', url: `/api/v1/persons/${o.person}` }),
  },
  'PATCH /api/v1/persons/{id}': {
    perms: ['person.write'],
    object: 'person',
    request: async (o) => {
      const p = await adminGet(`/api/v1/persons/${o.person}`)
      return {
        method: 'PATCH',
        url: `/api/v1/persons/${o.person}`,
        payload: { occupation: `职业${seq++}`, version: p.version, source: 'grid_worker', reason: '核实' },
      }
    },
  },
  'POST /api/v1/persons/{id}/status': {
    perms: ['person.write'],
    object: 'person',
    request: async (o) => {
      const p = await adminGet(`/api/v1/persons/${o.person}`)
      return {
        method: 'POST',
        url: `/api/v1/persons/${o.person}/status`,
        payload: { status: 'active', version: p.version, source: 'grid_worker', reason: '核实在住' },
      }
    },
  },
  'GET /api/v1/persons/{id}/history': {
    perms: ['person.read'],
    object: 'person',
    request: (o) => ({ method: 'GET', url: `/api/v1/persons/${o.person}/history` }),
  },
  'GET /api/v1/persons/{id}/access-log': {
    perms: ['person.read', 'person.unmask'],
    object: 'person',
    request: (o) => ({ method: 'GET', url: `/api/v1/persons/${o.person}/access-log` }),
  },
  'GET /api/v1/households': { perms: ['person.read'], request: () => ({ method: 'GET', url: '/api/v1/households?pageSize=5' }) },
  'GET /api/v1/households/{id}': {
    perms: ['person.read'],
    object: 'household',
    request: (o) => ({ method: 'GET', url: `/api/v1/households/${o.household}` }),
  },
  'POST /api/v1/households/{id}/move': {
    perms: ['person.write'],
    object: 'household',
    request: async (o) => {
      const h = await adminGet(`/api/v1/households/${o.household}`)
      return {
        method: 'POST',
        url: `/api/v1/households/${o.household}/move`,
        payload: { dwellingId: h.dwellingId, version: h.version, source: 'grid_worker', reason: '原地' },
      }
    },
  },
  'GET /api/v1/households/{id}/history': {
    perms: ['person.read'],
    object: 'household',
    request: (o) => ({ method: 'GET', url: `/api/v1/households/${o.household}/history` }),
  },
  'GET /api/v1/buildings': { perms: ['housing.read'], request: () => ({ method: 'GET', url: '/api/v1/buildings?pageSize=5' }) },
  'GET /api/v1/buildings/{id}': {
    perms: ['housing.read'],
    object: 'building',
    request: (o) => ({ method: 'GET', url: `/api/v1/buildings/${o.building}` }),
  },
  'GET /api/v1/dwellings/{id}': {
    perms: ['housing.read'],
    object: 'dwelling',
    request: (o) => ({ method: 'GET', url: `/api/v1/dwellings/${o.dwelling}` }),
  },
  'GET /api/v1/organizations': {
    perms: ['organization.read'],
    request: () => ({ method: 'GET', url: '/api/v1/organizations?pageSize=5' }),
  },
  'GET /api/v1/organizations/{id}': {
    perms: ['organization.read'],
    object: 'organization',
    request: (o) => ({ method: 'GET', url: `/api/v1/organizations/${o.organization}` }),
  },
  'POST /api/v1/organizations': {
    perms: ['organization.write'],
    object: 'building',
    ok: 201,
    missing: 400,
    request: (o) => ({
      method: 'POST',
      url: '/api/v1/organizations',
      payload: {
        uscc: makeUscc('9', '1', '440104', `MA${String(1_000_000 + seq++).slice(1)}`),
        name: '矩阵测试有限公司',
        type: 'enterprise',
        legalRepresentative: '张三',
        employees: 3,
        buildingId: o.building,
        source: 'market',
      },
    }),
  },
  'GET /api/v1/components': {
    perms: ['component.read'],
    request: () => ({ method: 'GET', url: '/api/v1/components?pageSize=5' }),
  },
  'GET /api/v1/components/{code}': {
    perms: ['component.read'],
    object: 'component',
    request: (o) => ({ method: 'GET', url: `/api/v1/components/${o.component}` }),
  },
  'GET /api/v1/cases/workflow': { perms: ['region.read'], request: () => ({ method: 'GET', url: '/api/v1/cases/workflow' }) },
  'POST /api/v1/cases': {
    perms: ['case.report'],
    object: 'case',
    ok: 201,
    request: async (o) => {
      const c = await t.db
        .selectFrom('components')
        .select(['major', 'sub'])
        .where('code', '=', o.component)
        .executeTakeFirstOrThrow()
      return {
        method: 'POST',
        url: '/api/v1/cases',
        // (No photo: one may cite only one's own uploads; this subclass asks for none here.)
        payload: { catalog: `C${c.major}${c.sub}`, description: '井盖松动', component: o.component },
      }
    },
  },
  // Lists, notices and indicators answer everyone — with what their scope holds.
  'GET /api/v1/cases': { perms: [], request: () => ({ method: 'GET', url: '/api/v1/cases?pageSize=5' }) },
  'GET /api/v1/cases/points': { perms: [], request: () => ({ method: 'GET', url: '/api/v1/cases/points?region=4401' }) },
  'GET /api/v1/cases/export': { perms: [], request: () => ({ method: 'GET', url: '/api/v1/cases/export?format=csv' }) },
  'GET /api/v1/cases/notices': { perms: [], request: () => ({ method: 'GET', url: '/api/v1/cases/notices' }) },
  'GET /api/v1/stats/population': {
    perms: ['person.read'],
    object: 'community',
    request: (o) => ({ method: 'GET', url: `/api/v1/stats/population?region=${o.community}&by=sex` }),
  },
  'GET /api/v1/stats/population/grids': {
    perms: ['person.read'],
    object: 'community',
    request: (o) => ({ method: 'GET', url: `/api/v1/stats/population/grids?region=${o.community}&measure=type:migrant` }),
  },
  'GET /api/v1/stats/cases': {
    perms: ['case.read'],
    object: 'community',
    request: (o) => ({ method: 'GET', url: `/api/v1/stats/cases?region=${o.community}&by=status&from=2020-01-01&to=2030-12-31` }),
  },
  'GET /api/v1/stats/cases/export': {
    perms: ['case.read'],
    object: 'community',
    request: (o) => ({ method: 'GET', url: `/api/v1/stats/cases/export?region=${o.community}&format=csv` }),
  },
  'GET /api/v1/stats/population/export': {
    perms: ['person.read'],
    object: 'community',
    request: (o) => ({ method: 'GET', url: `/api/v1/stats/population/export?region=${o.community}&by=sex&format=csv` }),
  },
  'GET /api/v1/stats/report': {
    perms: ['person.read', 'case.read'],
    object: 'community',
    request: (o) => ({ method: 'GET', url: `/api/v1/stats/report?region=${o.community}&month=2026-11` }),
  },
  'GET /api/v1/cases/indicators': {
    perms: [],
    request: () => ({ method: 'GET', url: '/api/v1/cases/indicators?region=440104&from=2026-01-01&to=2030-01-01&by=department' }),
  },
  'GET /api/v1/cases/{id}': {
    perms: ['case.read'],
    object: 'case',
    request: (o) => ({ method: 'GET', url: `/api/v1/cases/${o.case}` }),
  },
  'GET /api/v1/cases/{id}/timeline': {
    perms: ['case.read'],
    object: 'case',
    request: (o) => ({ method: 'GET', url: `/api/v1/cases/${o.case}/timeline` }),
  },
  'POST /api/v1/cases/{id}/actions': {
    perms: ['case.read', 'case.register'],
    object: 'case',
    request: async (o) => {
      const c = await newCase(o.component, o.photo)
      return { method: 'POST', url: `/api/v1/cases/${c.id}/actions`, payload: { action: 'register', version: c.version } }
    },
  },
  // A batch answers 200 with each item's own outcome (checked per item in cases.test.ts).
  'POST /api/v1/cases/actions': {
    perms: [],
    request: async (o) => {
      const c = await newCase(o.component, o.photo)
      return {
        method: 'POST',
        url: '/api/v1/cases/actions',
        payload: { items: [{ id: c.id, action: 'register', version: c.version }] },
      }
    },
  },
  'POST /api/v1/attachments': {
    perms: ['case.report'],
    ok: 201,
    request: () => ({ method: 'POST', url: '/api/v1/attachments', payload: PNG }),
  },
  'GET /api/v1/attachments/{id}': {
    perms: ['case.read'],
    object: 'case',
    request: async (o) => ({ method: 'GET', url: `/api/v1/attachments/${o.photo}` }),
  },
  'GET /api/v1/attachments/{id}/thumbnail': {
    perms: ['case.read'],
    object: 'case',
    request: async (o) => ({ method: 'GET', url: `/api/v1/attachments/${o.photo}/thumbnail` }),
  },
  'GET /api/v1/roster': {
    perms: ['roster.read'],
    object: 'grid',
    request: (o) => ({ method: 'GET', url: `/api/v1/roster?region=${o.grid}` }),
  },
  // (Unknown users: 400 once the permission is granted — the matrix's own grants stay as they are.)
  'PUT /api/v1/roster/grids/{code}/workers': {
    perms: ['roster.manage'],
    object: 'grid',
    ok: 400,
    request: (o) => ({ method: 'PUT', url: `/api/v1/roster/grids/${o.grid}/workers`, payload: { userIds: [99_999_999] } }),
  },
  'PUT /api/v1/roster/communities/{code}/chiefs': {
    perms: ['roster.manage'],
    object: 'community',
    ok: 400,
    request: (o) => ({
      method: 'PUT',
      url: `/api/v1/roster/communities/${o.community}/chiefs`,
      payload: { userIds: [99_999_999] },
    }),
  },
  // Nobody in the matrix works a grid: a profile names an unknown worker (roster.test checks scope).
  'PUT /api/v1/roster/profiles': {
    perms: [],
    ok: 404,
    request: () => ({
      method: 'PUT',
      url: '/api/v1/roster/profiles',
      payload: { profiles: [{ userId: 99_999_999, background: 'social_worker' }] },
    }),
  },
  'GET /api/v1/roster/evaluation': {
    perms: ['roster.read'],
    object: 'grid',
    request: (o) => ({ method: 'GET', url: `/api/v1/roster/evaluation?region=${o.grid}&month=2026-10` }),
  },
  'GET /api/v1/roster/evaluation/export': {
    perms: ['roster.read'],
    object: 'grid',
    request: (o) => ({ method: 'GET', url: `/api/v1/roster/evaluation/export?region=${o.grid}&month=2026-10&format=csv` }),
  },
  'GET /api/v1/roster/pairs': {
    perms: ['roster.read'],
    object: 'grid',
    request: (o) => ({ method: 'GET', url: `/api/v1/roster/pairs?region=${o.grid}` }),
  },
  'POST /api/v1/roster/pairs': {
    perms: ['roster.manage'],
    object: 'community',
    ok: 422, // (no such neighbour)
    request: (o) => ({
      method: 'POST',
      url: '/api/v1/roster/pairs',
      payload: { a: `${o.community}998`, b: `${o.community}999` },
    }),
  },
  'POST /api/v1/roster/pairs/suggest': {
    perms: ['roster.read'],
    object: 'community',
    request: (o) => ({ method: 'POST', url: `/api/v1/roster/pairs/suggest?region=${o.community}` }),
  },
  'DELETE /api/v1/roster/pairs/{id}': {
    perms: [],
    ok: 404,
    request: () => ({ method: 'DELETE', url: '/api/v1/roster/pairs/99999999' }),
  },
  // Nobody in the matrix works a paired grid: no partner to cover.
  'POST /api/v1/roster/leaves': {
    perms: [],
    ok: 409,
    request: () => ({
      method: 'POST',
      url: '/api/v1/roster/leaves',
      payload: { from: '2026-12-01', to: '2026-12-02', reason: '病假' },
    }),
  },
  'POST /api/v1/roster/leaves/{id}/decision': {
    perms: [],
    ok: 404,
    request: () => ({
      method: 'POST',
      url: '/api/v1/roster/leaves/99999999/decision',
      payload: { decision: 'approve', version: 1 },
    }),
  },
  'GET /api/v1/roster/leaves': {
    perms: ['roster.read'],
    object: 'grid',
    request: (o) => ({ method: 'GET', url: `/api/v1/roster/leaves?region=${o.grid}` }),
  },
  'GET /api/v1/visits/tasks': {
    perms: ['person.read'],
    object: 'grid',
    request: (o) => ({ method: 'GET', url: `/api/v1/visits/tasks?grid=${o.grid}` }),
  },
  'POST /api/v1/visits': {
    perms: ['person.write'],
    object: 'household',
    request: (o) => ({
      method: 'POST',
      url: '/api/v1/visits',
      payload: {
        items: [{ clientId: `matrix-${seq++}-visit`, householdId: o.household, visitedAt: '2026-01-02T09:00:00+08:00' }],
      },
    }),
  },
  'POST /api/v1/grids/partition': {
    perms: ['grid.adjust'],
    object: 'community',
    request: (o) => ({ method: 'POST', url: '/api/v1/grids/partition', payload: { community: o.community, dryRun: true } }),
  },
  'GET /api/v1/visits/coverage': {
    perms: ['person.read'],
    object: 'grid',
    request: (o) => ({ method: 'GET', url: `/api/v1/visits/coverage?region=${o.grid}` }),
  },
  'GET /api/v1/visits/conflicts': {
    perms: ['person.read'],
    object: 'grid',
    request: (o) => ({ method: 'GET', url: `/api/v1/visits/conflicts?region=${o.grid}` }),
  },
  'POST /api/v1/visits/conflicts/{id}/resolve': {
    perms: [],
    ok: 404,
    request: () => ({ method: 'POST', url: '/api/v1/visits/conflicts/99999999/resolve', payload: { keep: 'kept' } }),
  },
  'POST /api/v1/patrols': {
    perms: ['person.write'],
    object: 'grid',
    ok: 201,
    request: (o) => ({
      method: 'POST',
      url: '/api/v1/patrols',
      payload: { clientId: `matrix-patrol-${seq++}`, grid: o.grid, startedAt: '2026-01-02T09:00:00+08:00' },
    }),
  },
  // (Patrols that do not exist: the same answer for everyone.)
  'POST /api/v1/patrols/{id}/points': {
    perms: [],
    ok: 404,
    request: () => ({
      method: 'POST',
      url: '/api/v1/patrols/99999999/points',
      payload: { points: [{ seq: 0, at: '2026-01-02T09:00:00+08:00', lng: 113.26, lat: 23.13 }] },
    }),
  },
  'POST /api/v1/patrols/{id}/end': {
    perms: [],
    ok: 404,
    request: () => ({ method: 'POST', url: '/api/v1/patrols/99999999/end', payload: { endedAt: '2026-01-02T10:00:00+08:00' } }),
  },
  'GET /api/v1/patrols/{id}': { perms: [], ok: 404, request: () => ({ method: 'GET', url: '/api/v1/patrols/99999999' }) },
  'GET /api/v1/patrols': {
    perms: ['person.read'],
    object: 'grid',
    request: (o) => ({ method: 'GET', url: `/api/v1/patrols?region=${o.grid}` }),
  },
  'GET /api/v1/visits/rules': { perms: [], request: () => ({ method: 'GET', url: '/api/v1/visits/rules' }) },
  'GET /api/v1/settings/cases': { perms: ['region.read'], request: () => ({ method: 'GET', url: '/api/v1/settings/cases' }) },
  'PUT /api/v1/settings/cases': {
    perms: ['catalog.admin'],
    request: async () => ({
      method: 'PUT',
      url: '/api/v1/settings/cases',
      payload: { version: (await adminGet('/api/v1/settings/cases')).version, reason: '核对' },
    }),
  },
  'GET /api/v1/calendar': { perms: ['region.read'], request: () => ({ method: 'GET', url: '/api/v1/calendar?year=2027' }) },
  'PUT /api/v1/calendar/days/{day}': {
    perms: ['catalog.admin'],
    ok: 204,
    request: () => ({ method: 'PUT', url: '/api/v1/calendar/days/2027-01-01', payload: { workday: false, note: '元旦' } }),
  },
  'PUT /api/v1/calendar/years/{year}': {
    perms: ['catalog.admin'],
    request: () => ({
      method: 'PUT',
      url: '/api/v1/calendar/years/2031',
      payload: { holidays: ['2031-01-01'], workdays: [], note: '元旦' },
    }),
  },
  'DELETE /api/v1/calendar/days/{day}': {
    perms: ['catalog.admin'],
    ok: 204,
    request: async () => {
      await send(admin, 'PUT', '/api/v1/calendar/days/2027-10-01', { workday: false, note: '国庆' })
      return { method: 'DELETE', url: '/api/v1/calendar/days/2027-10-01' }
    },
  },
}

/** The designed answer for a role (granted at `scope`) on an object with `code` (or none). */
function designed(e: Entry, role: string, scope: string, code: string | undefined): number {
  const ok = e.ok ?? 200
  if (e.perms === 'public') return ok
  const perms = BUILTIN_ROLES.find((r) => r.code === role)?.permissions ?? []
  if (e.anyOf) {
    const granted = e.perms.some((x) => perms.includes(x))
    if (code === undefined) return granted ? ok : 403
    if (!code.startsWith(scope)) return e.missing ?? 404
    return granted ? ok : 403
  }
  for (const perm of e.perms) {
    const granted = perms.includes(perm)
    if (code === undefined) {
      if (!granted) return 403
      continue
    }
    if (granted && code.startsWith(scope)) continue
    return code.startsWith(scope) ? 403 : (e.missing ?? 404)
  }
  // No permission needed, but an object outside every scope is still not there.
  if (code !== undefined && !code.startsWith(scope)) return e.missing ?? 404
  return ok
}

describe('authorization matrix', () => {
  it('has an entry for every route of the API', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as {
      paths: Record<string, Record<string, unknown>>
    }
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
    expect(routes.length).toBeGreaterThan(40)
    expect(routes.filter((r) => !MATRIX[r])).toEqual([])
    expect(Object.keys(MATRIX).filter((r) => !routes.includes(r))).toEqual([])
  })

  it('answers every route × role × (in scope, out of scope) as designed', async () => {
    const failures: string[] = []
    let checks = 0
    for (const [route, e] of Object.entries(MATRIX))
      for (const r of roles)
        for (const [where, o] of [
          ['in', inside],
          ['out', outside],
        ] as const) {
          if (!e.object && where === 'out') continue
          const code = e.object ? o.code[e.object] : undefined
          const expected = designed(e, r.role, r.scope, code)
          const req = await e.request(o)
          const got = await send(e.perms === 'public' ? {} : r.headers, req.method, req.url, req.payload, req.contentType)
          checks++
          if (got.status !== expected)
            failures.push(
              `${route} as ${r.role}@${r.scope} (${where}, ${code ?? '-'}): ${got.status} ${String(got.body.code ?? '')}, designed ${expected}`,
            )
        }
    expect(failures).toEqual([])
    expect(checks).toBeGreaterThan(500)
  }, 300_000)

  it('never lists rows outside the caller’s scope', async () => {
    const lists: [string, string][] = [
      ['/api/v1/persons?pageSize=200', 'gridCode'],
      ['/api/v1/households?pageSize=200', 'gridCode'],
      ['/api/v1/buildings?pageSize=200', 'gridCode'],
      ['/api/v1/organizations?pageSize=200', 'gridCode'],
      ['/api/v1/components?pageSize=200', 'gridCode'],
      ['/api/v1/grids?pageSize=200', 'code'],
    ]
    for (const r of roles.filter((x) => x.role !== 'admin'))
      for (const [url, field] of lists) {
        const res = await send(r.headers, 'GET', url)
        if (res.status !== 200) continue
        const items = res.body.items as Record<string, string | null>[]
        for (const it of items) {
          const code = it[field] ?? (it.communityCode as string)
          expect(code.startsWith(r.scope), `${url} as ${r.role}@${r.scope}: ${code}`).toBe(true)
        }
        // …and the totals are the scope's totals, not the city's.
        const all = await send(admin, 'GET', url)
        if (r.scope.length >= 12) expect(res.body.total as number).toBeLessThan(all.body.total as number)
      }
  })
})
