// Open311 GeoReport v2 at /open311/v2/: every endpoint as `.json` or `.xml` with the same content;
// errors as `[{code, description}]` (400, 403, 404, 429); datetimes with +08:00. Standard clients
// send forms (application/x-www-form-urlencoded); JSON bodies are taken too.
import { XMLBuilder } from 'fast-xml-parser'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { AppError, ERROR_STATUS } from '../../kernel/errors.js'
import { type Open311, Open311Error } from './open311.js'

const xml = new XMLBuilder({ format: true, suppressEmptyNode: false })

/** The element names of each answer in XML (the JSON is the array itself). */
const XML_NAMES: Record<string, [root: string, item: string]> = {
  services: ['services', 'service'],
  definition: ['service_definition', 'attribute'],
  requests: ['service_requests', 'request'],
  errors: ['errors', 'error'],
}

const clean = (v: unknown): unknown =>
  v === null || v === undefined
    ? ''
    : Array.isArray(v)
      ? v.map(clean)
      : typeof v === 'object'
        ? Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, clean(x)]))
        : v

function send(reply: FastifyReply, format: string, kind: keyof typeof XML_NAMES | 'discovery', body: unknown, status = 200) {
  reply.status(status)
  if (format === 'xml') {
    let doc: unknown
    if (kind === 'discovery') doc = { discovery: clean(body) }
    else if (kind === 'definition') {
      const d = body as { service_code: string; attributes: unknown[] }
      doc = { service_definition: { service_code: d.service_code, attributes: { attribute: clean(d.attributes) } } }
    } else {
      const [root, item] = XML_NAMES[kind] as [string, string]
      doc = { [root]: { [item]: clean(body) } }
    }
    return reply
      .header('content-type', 'text/xml; charset=utf-8')
      .send(`<?xml version="1.0" encoding="utf-8"?>\n${xml.build(doc)}`)
  }
  return reply.header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(body))
}

/** `name.json` / `name.xml` → [name, format]; anything else is not found. */
function split(file: string): [string, 'json' | 'xml'] {
  const m = /^(.+)\.(json|xml)$/.exec(file)
  if (!m) throw new Open311Error(404, 'Say the format: .json or .xml')
  return [m[1] as string, m[2] as 'json' | 'xml']
}

const formatOf = (req: FastifyRequest) => {
  const last = req.url.split('?')[0]?.split('/').pop() ?? ''
  return last.endsWith('.xml') ? 'xml' : 'json'
}

export const open311Routes =
  (open311: () => Open311, limits: { readsPerMinute: number }): FastifyPluginAsync =>
  async (app) => {
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)))
    })
    app.setErrorHandler((err, req, reply) => {
      let status: number
      let description: string
      if (err instanceof Open311Error) [status, description] = [err.status, err.description]
      else if (err instanceof AppError) [status, description] = [ERROR_STATUS[err.code], err.message]
      else if ((err as { statusCode?: number }).statusCode && (err as { statusCode: number }).statusCode < 500)
        [status, description] = [(err as { statusCode: number }).statusCode, (err as Error).message]
      else {
        req.log.error(err)
        ;[status, description] = [500, 'Internal error']
      }
      return send(reply, formatOf(req), 'errors', [{ code: status, description }], status)
    })
    app.setNotFoundHandler((req, reply) =>
      send(reply, formatOf(req), 'errors', [{ code: 404, description: 'No such Open311 endpoint' }], 404),
    )

    const reads = { rateLimit: { max: limits.readsPerMinute, timeWindow: 60_000 } }
    const base = (req: FastifyRequest) => `${req.protocol}://${req.headers.host ?? 'localhost'}`

    app.get<{ Params: { file: string }; Querystring: Record<string, string> }>(
      '/:file',
      { config: reads, schema: { hide: true } },
      async (req, reply) => {
        const [name, format] = split(req.params.file)
        const q = req.query
        if (name === 'discovery') return send(reply, format, 'discovery', open311().discovery(base(req)))
        if (name === 'services') return send(reply, format, 'services', open311().services())
        if (name === 'requests') {
          const num = (s: string | undefined, what: string) => {
            if (s === undefined) return undefined
            if (!/^\d{1,6}$/.test(s)) throw new Open311Error(400, `${what} is a positive whole number`)
            return Number(s)
          }
          return send(
            reply,
            format,
            'requests',
            await open311().requests({
              service_request_id: q.service_request_id,
              service_code: q.service_code,
              start_date: q.start_date,
              end_date: q.end_date,
              status: q.status,
              page: num(q.page, 'page'),
              page_size: num(q.page_size, 'page_size'),
            }),
          )
        }
        throw new Open311Error(404, `No endpoint ${name}`)
      },
    )

    app.get<{ Params: { collection: string; file: string } }>(
      '/:collection/:file',
      { config: reads, schema: { hide: true } },
      async (req, reply) => {
        const [id, format] = split(req.params.file)
        const c = req.params.collection
        if (c === 'services') return send(reply, format, 'definition', open311().definition(id))
        if (c === 'requests' || c === 'request') return send(reply, format, 'requests', await open311().request(id))
        if (c === 'tokens') return send(reply, format, 'requests', await open311().token(id))
        throw new Open311Error(404, `No endpoint ${c}`)
      },
    )

    // Filing a request: the client's API key, limited to its own rate per minute.
    const keyOf = (req: FastifyRequest) => {
      const body = (req.body ?? {}) as Record<string, unknown>
      const q = req.query as Record<string, unknown>
      const k = body.api_key ?? q.api_key
      return typeof k === 'string' ? k : undefined
    }
    app.post<{ Params: { file: string }; Body: Record<string, unknown> }>(
      '/:file',
      {
        config: {
          rateLimit: {
            // (After the body is read: the key is in it.)
            hook: 'preHandler',
            timeWindow: 60_000,
            keyGenerator: (req: FastifyRequest) => `open311:${keyOf(req) ?? req.ip}`,
            max: async (req: FastifyRequest) => open311().perMinute(keyOf(req)),
          },
        },
        schema: { hide: true },
      },
      async (req, reply) => {
        const [name, format] = split(req.params.file)
        if (name !== 'requests') throw new Open311Error(404, `No endpoint ${name}`)
        const body = (req.body ?? {}) as Record<string, unknown>
        const fields: Record<string, string | undefined> = {}
        const attributes: Record<string, string> = {}
        for (const [k, v] of Object.entries(body)) {
          if (typeof v !== 'string' && typeof v !== 'number') continue
          const a = /^attribute\[([a-z0-9_]{1,40})\]$/.exec(k)
          if (a) attributes[a[1] as string] = String(v)
          else fields[k] = String(v)
        }
        // (A JSON body may carry the attributes as an object.)
        if (body.attribute && typeof body.attribute === 'object')
          for (const [k, v] of Object.entries(body.attribute as Record<string, unknown>)) attributes[k] = String(v)
        const out = await open311().create(keyOf(req), fields, attributes, req.ip)
        return send(reply, format, 'requests', out, 201)
      },
    )
  }
