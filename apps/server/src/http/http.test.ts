// Cross-cutting HTTP behaviour: error shapes, limits, request ids, OpenAPI, health.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { type App, buildApp } from '../app.js'
import { reportDemoProgress } from '../kernel/demo-progress.js'
import { AppError } from '../kernel/errors.js'
import { createTestDatabase, TEST_ENGINE, type TestDatabase } from '../testing/test-db.js'
import { userWithToken } from '../testing/users.js'

let t: TestDatabase
let app: App

beforeAll(async () => {
  t = await createTestDatabase()
  app = await buildApp({ config: { bodyLimit: 4096, logLevel: 'silent', logPretty: false }, database: t })
  // Test-only routes that exercise the error mapping the real modules rely on.
  await sql`create table http_test_items (id int primary key, name text not null check (length(name) < 10))`.execute(t.db)
  app.post('/__test/items', { schema: { body: z.object({ id: z.number().int(), name: z.string() }) } }, async (req) => {
    await sql`insert into http_test_items (id, name) values (${req.body.id}, ${req.body.name})`.execute(t.db)
    return { ok: true }
  })
  app.get('/__test/echo/:id', async (req) => ({ params: req.params, query: req.query }))
  app.get('/__test/boom', async () => {
    throw new Error('secret internal detail')
  })
  app.get('/__test/app-error', async () => {
    throw new AppError('VERSION_CONFLICT', 'stale', { expected: 2, actual: 3 })
  })
  await app.ready()
})
afterAll(async () => {
  await app.close()
  await t.destroy()
})

const post = (url: string, payload: string, contentType = 'application/json') =>
  app.inject({ method: 'POST', url, payload, headers: { 'content-type': contentType } })

describe('error responses', () => {
  it('should answer an unknown route with a 404 JSON body', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/no/such/thing?x=1' })
    expect(res.statusCode).toBe(404)
    expect(res.headers['content-type']).toMatch(/application\/json/)
    expect(res.json()).toEqual({ code: 'ROUTE_NOT_FOUND', message: 'No route GET /api/v1/no/such/thing', details: {} })
  })

  it('should answer malformed JSON with 400 MALFORMED_JSON', async () => {
    const res = await post('/__test/items', '{"id": 1,')
    expect(res.statusCode).toBe(400)
    expect(res.json().code).toBe('MALFORMED_JSON')
  })

  it('should answer an oversize body with 413', async () => {
    const res = await post('/__test/items', JSON.stringify({ id: 1, name: 'x'.repeat(10_000) }))
    expect(res.statusCode).toBe(413)
    expect(res.json().code).toBe('PAYLOAD_TOO_LARGE')
  })

  it('should answer an unsupported content type with 415', async () => {
    const res = await post('/__test/items', 'id=1', 'application/x-www-form-urlencoded')
    expect(res.statusCode).toBe(415)
    expect(res.json().code).toBe('UNSUPPORTED_MEDIA_TYPE')
  })

  it('should list every invalid field in a validation error', async () => {
    const res = await post('/__test/items', JSON.stringify({ id: 'one' }))
    expect(res.statusCode).toBe(400)
    const body = res.json()
    expect(body.code).toBe('VALIDATION_FAILED')
    expect(body.details.in).toBe('body')
    expect(body.details.issues.map((i: { path: string }) => i.path).sort()).toEqual(['id', 'name'])
  })

  it('should translate database constraint errors centrally and write nothing', async () => {
    expect((await post('/__test/items', JSON.stringify({ id: 1, name: 'ok' }))).statusCode).toBe(200)
    const dup = await post('/__test/items', JSON.stringify({ id: 1, name: 'again' }))
    expect(dup.statusCode).toBe(409)
    expect(dup.json()).toMatchObject({ code: 'DUPLICATE', details: { constraint: 'http_test_items_pkey' } })
    const check = await post('/__test/items', JSON.stringify({ id: 2, name: 'far too long a name' }))
    expect(check.statusCode).toBe(422)
    expect(check.json().code).toBe('CONSTRAINT_VIOLATION')
    const rows = await sql<{ n: number }>`select count(*)::int as n from http_test_items`.execute(t.db)
    expect(rows.rows[0]?.n).toBe(1)
  })

  it('should map an AppError to its status with details', async () => {
    const res = await app.inject({ method: 'GET', url: '/__test/app-error' })
    expect(res.statusCode).toBe(409)
    expect(res.json()).toEqual({ code: 'VERSION_CONFLICT', message: 'stale', details: { expected: 2, actual: 3 } })
  })

  it('should hide internal errors behind a plain 500 without a stack trace', async () => {
    const res = await app.inject({ method: 'GET', url: '/__test/boom' })
    expect(res.statusCode).toBe(500)
    expect(res.json()).toEqual({ code: 'INTERNAL', message: 'Internal server error', details: {} })
    expect(res.body).not.toContain('secret')
    expect(res.body).not.toContain('at ')
  })

  it('should answer malformed HTTP on the socket with a JSON 400', async () => {
    const address = await app.listen({ port: 0, host: '127.0.0.1' })
    const port = Number(new URL(address).port)
    const raw = await new Promise<string>((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => s.write('GET /api/v1/health HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n'))
      let data = ''
      s.on('data', (d) => {
        data += d
      })
      s.on('end', () => resolve(data))
      s.on('error', reject)
    })
    expect(raw).toMatch(/^HTTP\/1.1 400/)
    expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toMatchObject({ code: 'BAD_REQUEST' })
  })
})

describe('request ids', () => {
  it('should echo a sane caller request id and mint one otherwise', async () => {
    const given = await app.inject({ method: 'GET', url: '/api/v1/health', headers: { 'x-request-id': 'abc-123' } })
    expect(given.headers['x-request-id']).toBe('abc-123')
    const minted = await app.inject({ method: 'GET', url: '/api/v1/health', headers: { 'x-request-id': 'bad id <script>' } })
    expect(minted.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
  })
})

describe(`health (database engine: ${TEST_ENGINE})`, () => {
  it('should report database reachability and the migration version', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/health' })
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body.status).toBe('ok')
    expect(body.database).toMatchObject({ reachable: true, engine: t.engine })
    expect(body.database.migrationVersion).toBe(body.database.expectedMigrationVersion)
    expect(body.database.migrationVersion).toBeGreaterThanOrEqual(1)
    expect(body.demo).toBeNull()
  })

  it('should show the demo’s background work while it runs, and nothing once it is done', async () => {
    await reportDemoProgress(t.db, { phase: 'visits', done: 45, total: 91 })
    const running = (await app.inject({ method: 'GET', url: '/api/v1/health' })).json()
    expect(running.demo).toEqual({ phase: 'visits', done: 45, total: 91 })
    await reportDemoProgress(t.db, { phase: 'done', done: 1, total: 1 })
    expect((await app.inject({ method: 'GET', url: '/api/v1/health' })).json().demo).toBeNull()
  })
})

describe('text at the edge', () => {
  it('should refuse a NUL, a lone surrogate or a noncharacter anywhere with 400 INVALID_TEXT naming the field', async () => {
    const login = await post('/api/v1/auth/login', JSON.stringify({ username: 'ad\u0000min', password: 'x' }))
    expect([login.statusCode, login.json()]).toEqual([
      400,
      { code: 'INVALID_TEXT', message: expect.any(String), details: { in: 'body', field: 'username' } },
    ])
    const surrogate = await post('/__test/items', '{"id": 1, "name": "a\\ud800b"}')
    expect([surrogate.statusCode, surrogate.json().details]).toEqual([400, { in: 'body', field: 'name' }])
    const nested = await post('/__test/items', JSON.stringify({ id: 1, name: 'ok', tags: [{ x: '\uffff' }] }))
    expect([nested.statusCode, nested.json().details.field]).toEqual([400, 'tags.0.x'])
    const key = await post('/__test/items', JSON.stringify({ id: 1, name: 'ok', 'k\u0000': 1 }))
    expect([key.statusCode, key.json().details.field]).toEqual([400, 'k\u0000'])
    const query = await app.inject({ method: 'GET', url: '/__test/echo/1?q=%00' })
    expect([query.statusCode, query.json().code, query.json().details]).toEqual([
      400,
      'INVALID_TEXT',
      { in: 'query', field: 'q' },
    ])
    const param = await app.inject({ method: 'GET', url: '/__test/echo/44%000104' })
    expect([param.statusCode, param.json().code, param.json().details]).toEqual([
      400,
      'INVALID_TEXT',
      { in: 'params', field: 'id' },
    ])
  })

  it('should let paired surrogates (emoji) and ordinary Chinese text through', async () => {
    const ok = await post('/__test/items', JSON.stringify({ id: 42, name: '烧烤😀' }))
    expect(ok.statusCode).toBe(200)
  })
})

describe('API documentation', () => {
  it('should serve an OpenAPI 3 document generated from the route schemas', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })
    expect(res.statusCode).toBe(200)
    const doc = res.json()
    expect(doc.openapi).toMatch(/^3\./)
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/health', '/api/v1/regions', '/api/v1/regions/{code}', '/api/v1/regions/{code}/geometry']),
    )
    const params = doc.paths['/api/v1/regions'].get.parameters.map((p: { name: string }) => p.name)
    expect(params).toEqual(expect.arrayContaining(['q', 'page', 'pageSize', 'level', 'within']))
    expect(doc.paths['/api/v1/regions/{code}'].get.responses['404']).toBeDefined()
  })

  it('should list on every operation each error status it can answer, with the error body', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>
    }
    let operations = 0
    for (const [path, ops] of Object.entries(doc.paths).filter(([p]) => p.startsWith('/api/v1/')))
      for (const [method, op] of Object.entries(ops)) {
        operations++
        const statuses = Object.keys(op.responses)
        const want = ['400', '404', '429', '500', '503']
        // (The login, the health check and the residents' channel need no login.)
        if (path !== '/api/v1/auth/login' && path !== '/api/v1/health' && !path.startsWith('/api/v1/public/'))
          want.push('401', '403')
        if (method !== 'get') want.push('409', '422')
        if (['post', 'put', 'patch'].includes(method)) want.push('413', '415')
        expect(statuses, `${method.toUpperCase()} ${path}`).toEqual(expect.arrayContaining(want))
        expect(JSON.stringify(op.responses['400'])).toContain('#/components/schemas/Error')
      }
    expect(operations).toBeGreaterThan(100)
    expect(Object.keys(doc.paths['/api/v1/auth/login']?.post?.responses ?? {})).toEqual(expect.arrayContaining(['423', '429']))
  })

  it('should serve the docs UI', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/docs/' })
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain('swagger')
  })
})

describe('a basemap', () => {
  it('is none by default, and when configured is told to the maps and allowed by the pages’ Content-Security-Policy', async () => {
    const web = mkdtempSync(join(tmpdir(), 'wangge-web-'))
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>t</title>')
    const url = 'https://t{0-7}.tianditu.gov.cn/vec_w/wmts?TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=k'
    const withMap = await buildApp({
      config: {
        bodyLimit: 4096,
        logLevel: 'silent',
        logPretty: false,
        basemap: { url, kind: 'raster', attribution: '天地图' },
      },
      database: t,
      webDir: web,
    })
    try {
      const { token } = await userWithToken(t.db, 'basemap-reader', [{ role: 'leader', scope: '4401' }])
      const auth = { authorization: `Bearer ${token}` }
      expect((await app.inject({ method: 'GET', url: '/api/v1/map/basemap', headers: auth })).json()).toBeNull()
      const told = await withMap.inject({ method: 'GET', url: '/api/v1/map/basemap', headers: auth })
      expect(told.json()).toEqual({ url, kind: 'raster', attribution: '天地图' })
      const page = await withMap.inject({ method: 'GET', url: '/map' })
      expect(page.headers['content-security-policy']).toMatch(/img-src 'self' data: blob: https:\/\/\*\.tianditu\.gov\.cn/)
      expect(page.headers['content-security-policy']).toMatch(/connect-src 'self' https:\/\/\*\.tianditu\.gov\.cn/)
      expect(page.headers['content-security-policy']).toMatch(/script-src 'self';/)
    } finally {
      await withMap.close()
    }
  })
})
