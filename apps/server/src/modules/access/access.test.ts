// Authentication, masking, emergency access and the audit log, end to end through the API.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type App, buildApp } from '../../app.js'
import { loadSynthetic } from '../../synth/loader.js'
import { PRESETS } from '../../synth/profiles.js'
import { createTestDatabase, type TestDatabase } from '../../testing/test-db.js'
import { adminHeaders, STRONG_PASSWORD, userWithToken } from '../../testing/users.js'
import { verifyAudit } from './audit.service.js'
import { MAX_FAILURES } from './auth.service.js'

let t: TestDatabase
let app: App
let admin: Record<string, string>
let community: string
let personId: number

const call = async (headers: Record<string, string>, method: string, url: string, payload?: unknown) => {
  const r = await app.inject({
    method: method as 'GET',
    url,
    headers,
    ...(payload === undefined ? {} : { payload: payload as object }),
  })
  return { status: r.statusCode, body: r.json(), headers: r.headers }
}
const as = async (role: string, name = `${role}-${Math.random().toString(36).slice(2, 8)}`, scopes?: string[]) =>
  (await userWithToken(t.db, name, [{ role, scope: community }], scopes)).headers

beforeAll(async () => {
  t = await createTestDatabase()
  await loadSynthetic(t, { preset: PRESETS.tiny as (typeof PRESETS)[string], seed: 'auth', city: '4401' })
  app = await buildApp({ config: { bodyLimit: 1 << 20, logLevel: 'silent', logPretty: false }, database: t })
  admin = await adminHeaders(t.db)
  // A person with health flags (special data) and a phone.
  const p = await sql<{ id: string; community_code: string }>`
    select id, community_code from persons where cardinality(health_flags) > 0 and phone is not null order by id limit 1`.execute(
    t.db,
  )
  personId = Number(p.rows[0]?.id)
  community = p.rows[0]?.community_code as string
}, 120_000)
afterAll(async () => {
  await app.close()
  await t.destroy()
})

describe('login, sessions and CSRF', () => {
  it('should refuse the API without a login, and let a session cookie in with a CSRF token for writes', async () => {
    expect((await call({}, 'GET', '/api/v1/persons')).status).toBe(401)
    expect((await call({}, 'GET', '/api/v1/health')).status).toBe(200)
    await userWithToken(t.db, 'alice', [{ role: 'grid_chief', scope: community }])
    const bad = await call({}, 'POST', '/api/v1/auth/login', { username: 'alice', password: 'wrong-password' })
    expect([bad.status, bad.body.code]).toEqual([401, 'INVALID_CREDENTIALS'])
    const unknown = await call({}, 'POST', '/api/v1/auth/login', { username: 'nobody', password: 'wrong-password' })
    expect(unknown.body).toEqual(bad.body) // the same answer whether or not the user exists
    const login = await call({}, 'POST', '/api/v1/auth/login', { username: 'alice', password: STRONG_PASSWORD })
    expect(login.status).toBe(200)
    const setCookie = String(login.headers['set-cookie'])
    expect(setCookie).toMatch(/HttpOnly/)
    expect(setCookie).toMatch(/SameSite=Strict/)
    const cookie = setCookie.split(';')[0] as string
    const me = await call({ cookie }, 'GET', '/api/v1/auth/me')
    expect(me.body).toMatchObject({ username: 'alice', via: 'session', csrfToken: login.body.csrfToken })
    expect(me.body.roles[0]).toMatchObject({ role: 'grid_chief', scope: community })
    // A cookie-authenticated write without (or with a wrong) CSRF token is refused.
    const p = (await call({ cookie }, 'GET', `/api/v1/persons/${personId}`)).body
    const patch = { occupation: '教师', version: p.version, source: 'grid_worker', reason: '入户核实' }
    const noToken = await call({ cookie }, 'PATCH', `/api/v1/persons/${personId}`, patch)
    expect([noToken.status, noToken.body.code]).toEqual([403, 'CSRF_FAILED'])
    const wrong = await call({ cookie, 'x-csrf-token': 'forged' }, 'PATCH', `/api/v1/persons/${personId}`, patch)
    expect(wrong.status).toBe(403)
    const ok = await call({ cookie, 'x-csrf-token': login.body.csrfToken }, 'PATCH', `/api/v1/persons/${personId}`, patch)
    expect(ok.status).toBe(200)
    expect(ok.body.updatedBy).toBe('alice')
    // Logging out ends the session.
    expect((await call({ cookie, 'x-csrf-token': login.body.csrfToken }, 'POST', '/api/v1/auth/logout')).status).toBe(200)
    expect((await call({ cookie }, 'GET', '/api/v1/auth/me')).status).toBe(401)
  })

  it(`should lock an account after ${MAX_FAILURES} failed logins, even against the right password`, async () => {
    await userWithToken(t.db, 'bob', [{ role: 'leader', scope: community }])
    for (let i = 1; i < MAX_FAILURES; i++)
      expect((await call({}, 'POST', '/api/v1/auth/login', { username: 'bob', password: `guess-${i}` })).status).toBe(401)
    const locked = await call({}, 'POST', '/api/v1/auth/login', { username: 'bob', password: 'guess-last' })
    expect([locked.status, locked.body.code]).toEqual([423, 'ACCOUNT_LOCKED'])
    const right = await call({}, 'POST', '/api/v1/auth/login', { username: 'bob', password: STRONG_PASSWORD })
    expect([right.status, right.body.code]).toEqual([423, 'ACCOUNT_LOCKED'])
    const log = await call(admin, 'GET', '/api/v1/audit?actor=bob&action=auth.lockout')
    expect(log.body.total).toBe(1)
  })

  it('should answer an unknown name exactly as a known one, and keep a lock to the address that earned it', async () => {
    await userWithToken(t.db, 'carol', [{ role: 'leader', scope: community }])
    const from = (address: string) => async (username: string, password: string) => {
      const r = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        remoteAddress: address,
        payload: { username, password },
      })
      const body = r.json()
      return [r.statusCode, body.code, Object.keys(body.details ?? {}).sort()]
    }
    const attacker = from('127.0.0.9')
    const known: unknown[] = []
    const unknown: unknown[] = []
    for (let i = 0; i <= MAX_FAILURES; i++) {
      known.push(await attacker('carol', `guess-${i}`))
      unknown.push(await attacker('nobody-by-this-name', `guess-${i}`))
    }
    expect(unknown).toEqual(known)
    expect(known.at(-1)).toEqual([423, 'ACCOUNT_LOCKED', ['lockedUntil']])
    // The owner, from their own address, is not locked out by the flood.
    const owner = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress: '127.0.0.10',
      payload: { username: 'carol', password: STRONG_PASSWORD },
    })
    expect(owner.statusCode).toBe(200)
    // An administrator lifts the lock; the failures were audited, unknown names too.
    const users = (await call(admin, 'GET', '/api/v1/users?pageSize=100')).body.items as {
      id: number
      username: string
      lockedUntil: string | null
    }[]
    const carol = users.find((u) => u.username === 'carol')
    expect(carol?.lockedUntil).not.toBeNull()
    expect((await call(admin, 'POST', `/api/v1/users/${carol?.id}/unlock`)).status).toBe(200)
    expect((await attacker('carol', STRONG_PASSWORD))[0]).toBe(200)
    expect((await call(admin, 'GET', '/api/v1/audit?actor=nobody-by-this-name&action=auth.login.failed')).body.total).toBe(
      MAX_FAILURES - 1,
    )
  })

  it('should take as long to refuse an unknown name as a known one, before and after the lock', async () => {
    await userWithToken(t.db, 'dave', [{ role: 'leader', scope: community }])
    const timed = async (username: string, password: string) => {
      const t0 = performance.now()
      const r = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        remoteAddress: '127.0.0.11',
        payload: { username, password },
      })
      return { ms: performance.now() - t0, status: r.statusCode }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number
    // Interleaved, so both share the machine's noise: wrong passwords until the lock, then locked.
    const phases: Record<string, { known: number[]; unknown: number[]; statuses: number[] }> = {}
    for (let i = 0; i < MAX_FAILURES + 4; i++) {
      const phase = i < MAX_FAILURES - 1 ? 'before the lock' : i >= MAX_FAILURES ? 'locked' : 'locking'
      phases[phase] ??= { known: [], unknown: [], statuses: [] }
      const known = await timed('dave', `guess-${i}`)
      const unknown = await timed('nobody-called-dave', `guess-${i}`)
      phases[phase].known.push(known.ms)
      phases[phase].unknown.push(unknown.ms)
      phases[phase].statuses.push(known.status, unknown.status)
    }
    expect(phases['before the lock']?.statuses.every((s) => s === 401)).toBe(true)
    expect(phases.locked?.statuses.every((s) => s === 423)).toBe(true)
    // A password check costs tens of milliseconds (argon2id): skipping it for unknown names would
    // show as a many-fold difference; noise stays well inside a factor of three.
    for (const phase of ['before the lock', 'locked']) {
      const { known, unknown } = phases[phase] as { known: number[]; unknown: number[] }
      const ratio = median(unknown) / median(known)
      console.log(`login timing ${phase}: known ${median(known).toFixed(1)} ms, unknown ${median(unknown).toFixed(1)} ms`)
      expect(ratio, phase).toBeGreaterThan(1 / 3)
      expect(ratio, phase).toBeLessThan(3)
    }
  })

  it('should refuse weak passwords with the reason', async () => {
    const r = await call(admin, 'POST', '/api/v1/users', { username: 'weakling', password: 'password123' })
    expect([r.status, r.body.code]).toEqual([422, 'WEAK_PASSWORD'])
    expect((await call(admin, 'POST', '/api/v1/users', { username: 'weakling', password: 'weakling2026' })).status).toBe(422)
  })
})

describe('behind HTTPS', () => {
  it('should mark the session cookie Secure and send HSTS when the public URL is HTTPS, and trust a configured proxy', async () => {
    await userWithToken(t.db, 'https-user', [{ role: 'leader', scope: community }])
    const login = (a: App, headers: Record<string, string> = {}) =>
      a.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        headers,
        payload: { username: 'https-user', password: STRONG_PASSWORD },
      })
    const cfg = { bodyLimit: 1 << 20, logLevel: 'silent' as const, logPretty: false }
    const plain = await login(app)
    expect(plain.headers['set-cookie']).not.toMatch(/Secure/)
    expect(plain.headers['strict-transport-security']).toBeUndefined()
    const https = await buildApp({ config: { ...cfg, publicUrl: 'https://wangge.example.cn' }, database: t, webDir: false })
    const secured = await login(https)
    expect(secured.statusCode).toBe(200)
    expect(secured.headers['set-cookie']).toMatch(/; Secure/)
    expect(secured.headers['strict-transport-security']).toContain('max-age=31536000')
    await https.close()
    // Behind a trusted proxy that terminated TLS: Secure too, and the client's own address is recorded.
    const proxied = await buildApp({ config: { ...cfg, trustProxy: true }, database: t, webDir: false })
    const viaProxy = await login(proxied, { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.7' })
    expect(viaProxy.headers['set-cookie']).toMatch(/; Secure/)
    await proxied.close()
    const log = await call(admin, 'GET', '/api/v1/audit?actor=https-user&action=auth.login&pageSize=1')
    expect(log.body.items[0].clientIp).toBe('203.0.113.7')
  })
})

describe('API tokens', () => {
  it('should limit a token to its scopes and stop working once revoked', async () => {
    const { userId } = await userWithToken(t.db, 'feed', [{ role: 'data_provider', scope: community }], ['region.read'])
    const created = await call(admin, 'POST', '/api/v1/tokens', { userId, name: '民政接口', scopes: ['organization.write'] })
    expect(created.status).toBe(201)
    expect(created.body.token).toMatch(/^wg_/)
    const h = { authorization: `Bearer ${created.body.token}` }
    // The role allows person.write, the token does not.
    const p = (await call(admin, 'GET', `/api/v1/persons/${personId}`)).body
    const write = await call(h, 'PATCH', `/api/v1/persons/${personId}`, {
      occupation: '司机',
      version: p.version,
      source: 'civil_affairs',
      reason: '接口同步',
    })
    expect(write.status).toBe(403)
    const listed = (await call(admin, 'GET', '/api/v1/tokens')).body as { id: number; prefix: string; revoked: boolean }[]
    expect(JSON.stringify(listed)).not.toContain(created.body.token) // secrets are never shown again
    expect((await call(admin, 'DELETE', `/api/v1/tokens/${created.body.id}`)).status).toBe(200)
    const revoked = await call(h, 'GET', '/api/v1/auth/me')
    expect([revoked.status, revoked.body.code]).toEqual([401, 'UNAUTHENTICATED'])
    expect((await call({ authorization: 'Bearer wg_nonsense' }, 'GET', '/api/v1/auth/me')).status).toBe(401)
  })
})

describe('masking and unmasking', () => {
  it('should mask ID numbers, phones and addresses for every role, and show health flags only with person.special', async () => {
    const full = (await call(admin, 'GET', `/api/v1/persons/${personId}?unmask=true&reason=${encodeURIComponent('核对')}`)).body
    for (const role of ['leader', 'dispatcher', 'grid_chief', 'admin']) {
      const h = role === 'admin' ? admin : await as(role)
      const p = (await call(h, 'GET', `/api/v1/persons/${personId}`)).body
      expect(p.masked).toBe(true)
      expect(p.idNumber).toBe(`${full.idNumber.slice(0, 6)}********${full.idNumber.slice(-4)}`)
      expect(p.phone).toBe(`${full.phone.slice(0, 3)}****${full.phone.slice(-4)}`)
      expect(p.address).not.toBe(full.address)
      expect(p.address.endsWith('****')).toBe(true)
      const special = role === 'grid_chief' || role === 'admin'
      expect([role, p.specialVisible, p.healthFlags.length > 0]).toEqual([role, special, special])
    }
    // Lists are masked too.
    const list = (await call(await as('leader'), 'GET', `/api/v1/persons?region=${community}&pageSize=50`)).body
    expect(list.items.every((x: { idNumber: string; masked: boolean }) => x.masked && x.idNumber.includes('****'))).toBe(true)
  })

  it('should unmask only with person.unmask and a reason, and record who looked', async () => {
    const leader = await as('leader', 'leader-look')
    expect((await call(leader, 'GET', `/api/v1/persons/${personId}?unmask=true&reason=x1`)).status).toBe(403)
    const chief = await as('grid_chief', 'chief-look')
    const noReason = await call(chief, 'GET', `/api/v1/persons/${personId}?unmask=true`)
    expect([noReason.status, noReason.body.code]).toEqual([400, 'VALIDATION_FAILED'])
    const ok = await call(chief, 'GET', `/api/v1/persons/${personId}?unmask=true&reason=${encodeURIComponent('独居老人回访')}`)
    expect(ok.status).toBe(200)
    expect(ok.body.masked).toBe(false)
    const log = (await call(chief, 'GET', `/api/v1/persons/${personId}/access-log`)).body
    expect(log.items[0]).toMatchObject({ actor: 'chief-look', action: 'person.unmask', reason: '独居老人回访', scope: community })
  })
})

describe('break-the-glass', () => {
  it('should give a dispatcher special data for a limited window with a reason, listed for review', async () => {
    const dispatcher = await as('dispatcher', 'dispatcher-bg')
    expect((await call(dispatcher, 'GET', `/api/v1/persons/${personId}`)).body.specialVisible).toBe(false)
    expect((await call(dispatcher, 'POST', '/api/v1/break-glass', { reason: 'x' })).status).toBe(400) // reason too short
    const bg = await call(dispatcher, 'POST', '/api/v1/break-glass', { reason: '火灾现场：确认行动不便的住户' })
    expect(bg.status).toBe(201)
    const hours = (new Date(bg.body.expiresAt).getTime() - Date.now()) / 3_600_000
    expect(hours).toBeGreaterThan(1.9)
    expect(hours).toBeLessThanOrEqual(2)
    const during = await call(dispatcher, 'GET', `/api/v1/persons/${personId}?unmask=true`)
    expect(during.status).toBe(200) // no per-request reason needed inside the window
    expect(during.body.specialVisible).toBe(true)
    const leader = await as('leader', 'leader-review')
    const list = (await call(leader, 'GET', '/api/v1/break-glass')).body as { id: number; username: string; reason: string }[]
    expect(list[0]).toMatchObject({ username: 'dispatcher-bg', reason: '火灾现场：确认行动不便的住户' })
    expect((await call(leader, 'POST', `/api/v1/break-glass/${list[0]?.id}/review`, { note: '已核实，属实' })).status).toBe(200)
    const audit = (await call(admin, 'GET', `/api/v1/audit?objectType=person&objectId=${personId}&actor=dispatcher-bg`)).body
    expect(audit.items[0].details.breakGlassId).toBe(bg.body.id)
    // After the window: back to normal.
    await sql`update break_glass set expires_at = now() - interval '1 minute' where id = ${bg.body.id}`.execute(t.db)
    expect((await call(dispatcher, 'GET', `/api/v1/persons/${personId}`)).body.specialVisible).toBe(false)
  })
})

describe('break-the-glass review', () => {
  it('should list and review only windows of users inside the reviewer’s scope, and never one’s own', async () => {
    const district = community.slice(0, 6)
    const dispatcher = (await userWithToken(t.db, 'dispatcher-district-bg', [{ role: 'dispatcher', scope: district }])).headers
    const bg = await call(dispatcher, 'POST', '/api/v1/break-glass', { reason: '火灾现场：区级调度核实住户' })
    expect(bg.status).toBe(201)
    // A grid chief of one community does not see (or review) a district dispatcher's window.
    const chief = await as('grid_chief', 'chief-bg')
    const seen = (await call(chief, 'GET', '/api/v1/break-glass')).body as { id: number }[]
    expect(seen.map((w) => w.id)).not.toContain(bg.body.id)
    expect((await call(chief, 'POST', `/api/v1/break-glass/${bg.body.id}/review`, { note: '越权审阅' })).status).toBe(404)
    // A district leader does.
    const leader = (await userWithToken(t.db, 'leader-district-bg', [{ role: 'leader', scope: district }])).headers
    expect(((await call(leader, 'GET', '/api/v1/break-glass')).body as { id: number }[]).map((w) => w.id)).toContain(bg.body.id)
    // Four eyes: an administrator's own window is for another administrator to review.
    const own = await call(admin, 'POST', '/api/v1/break-glass', { reason: '系统故障：核对特殊人群名单' })
    const mine = await call(admin, 'POST', `/api/v1/break-glass/${own.body.id}/review`, { note: '自己审自己' })
    expect([mine.status, mine.body.code, mine.body.details.rule]).toEqual([403, 'FORBIDDEN', 'four_eyes'])
    const other = await adminHeaders(t.db, 'admin-second')
    expect((await call(other, 'POST', `/api/v1/break-glass/${own.body.id}/review`, { note: '已核实' })).status).toBe(200)
  })
})

describe('platform-wide permissions', () => {
  it('should give an administrator of one community no say over users, roles, the audit log or the city’s catalogs', async () => {
    const local = await as('admin', 'admin-community')
    // Their own community as before.
    expect((await call(local, 'GET', `/api/v1/persons/${personId}`)).status).toBe(200)
    // Not the platform: granting themselves the city, reading the city's audit trail, its calendar.
    const me = (await call(local, 'GET', '/api/v1/auth/me')).body as { roles: { permissions: string[] }[] }
    expect(me.roles[0]?.permissions).not.toContain('user.admin')
    expect(me.roles[0]?.permissions).toContain('person.write')
    for (const [method, url, payload] of [
      ['GET', '/api/v1/users'],
      ['POST', '/api/v1/users', { username: 'escalated', password: STRONG_PASSWORD, roles: [{ role: 'admin', scope: '4401' }] }],
      ['GET', '/api/v1/tokens'],
      ['GET', '/api/v1/audit'],
      ['GET', '/api/v1/audit/verify'],
      ['PUT', '/api/v1/calendar/days/2027-01-04', { workday: false, note: '社区管理员不能改全市日历' }],
    ] as const) {
      const r = await call(local, method, url, payload)
      expect([url, r.status, r.body.code]).toEqual([url, 403, 'FORBIDDEN'])
    }
    expect(await t.db.selectFrom('users').select('id').where('username', '=', 'escalated').executeTakeFirst()).toBeUndefined()
    // The city's administrator keeps them.
    expect((await call(admin, 'GET', '/api/v1/audit')).status).toBe(200)
  })
})

describe('audit log', () => {
  it('should record writes with actor, request id and client address', async () => {
    const p = (await call(admin, 'GET', `/api/v1/persons/${personId}`)).body
    await call({ ...admin, 'x-request-id': 'req-audit-1' }, 'PATCH', `/api/v1/persons/${personId}`, {
      occupation: '厨师',
      version: p.version,
      source: 'grid_worker',
      reason: '信息更正',
    })
    const log = (await call(admin, 'GET', '/api/v1/audit?action=person.update&pageSize=1')).body
    expect(log.items[0]).toMatchObject({
      actor: 'admin-test',
      objectType: 'person',
      objectId: String(personId),
      reason: '信息更正',
      requestId: 'req-audit-1',
      clientIp: '127.0.0.1',
    })
  })

  it('should be append-only in the database and detect an altered or deleted row', async () => {
    const before = await verifyAudit(t.db)
    expect(before.ok).toBe(true)
    expect(before.rows).toBeGreaterThan(10)
    await expect(sql`update audit_log set reason = 'edited' where id = 3`.execute(t.db)).rejects.toThrow(/append-only/)
    await expect(sql`delete from audit_log where id = 3`.execute(t.db)).rejects.toThrow(/append-only/)
    await expect(sql`truncate audit_log`.execute(t.db)).rejects.toThrow(/append-only/)
    // Someone with the power to switch the guard off can still not hide an edit.
    await sql`alter table audit_log disable trigger audit_log_no_update`.execute(t.db)
    await sql`update audit_log set actor = 'someone-else' where id = 3`.execute(t.db)
    const altered = await verifyAudit(t.db)
    expect(altered.ok).toBe(false)
    expect(altered.problems[0]).toMatchObject({ id: 3 })
    await sql`delete from audit_log where id = 5`.execute(t.db)
    const deleted = await verifyAudit(t.db)
    expect(deleted.problems.map((p) => p.problem).join()).toMatch(/missing/)
    await sql`alter table audit_log enable trigger audit_log_no_update`.execute(t.db)
    const api = (await call(admin, 'GET', '/api/v1/audit/verify')).body
    expect(api.ok).toBe(false)
  })
})

describe('login rate limit', () => {
  it('should answer 429 with a retry time after 20 logins a minute from one address', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 25; i++)
      statuses.push((await call({}, 'POST', '/api/v1/auth/login', { username: `flood${i}`, password: 'whatever-123' })).status)
    expect(statuses).toContain(429)
    const r = await call({}, 'POST', '/api/v1/auth/login', { username: 'flood', password: 'whatever-123' })
    expect([r.status, r.body.code]).toEqual([429, 'TOO_MANY_REQUESTS'])
    expect(r.body.details.retryAfterSeconds).toBeGreaterThan(0)
  })
})
