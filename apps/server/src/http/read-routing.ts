// Which requests may read from a replica, and read-your-writes across nodes (issue 25 §2; the pool
// that routes each statement is db/replicas.ts). Lag-tolerant: the GET routes below — dashboards and
// statistics, lists, exports, the map layers, the public map and Open311's GETs. Everything else
// (a single record about to be edited, the session, health) reads from the primary.
//
// After a successful write the response carries the primary's WAL position as a fence: the cookie
// `wangge_fence` (browsers send it back to whichever node answers next) and the header
// `x-wangge-fence` (API clients may echo it). A request with a fence is served by a replica only
// once that replica has replayed past it; the cookie lives 30 s, far longer than a healthy lag.
// Each routed answer says where its reads ran: `x-wangge-read: replica | primary`.
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify'
import { formatLsn, lsnValue, type ReadContext, type ReadRouting, reading } from '../db/replicas.js'

export const FENCE_COOKIE = 'wangge_fence'
const FENCE_HEADER = 'x-wangge-fence'
const LSN = /^[0-9A-Fa-f]{1,8}\/[0-9A-Fa-f]{1,8}$/

/** GET routes whose answers may lag the primary by a little. */
export const LAG_TOLERANT: ReadonlySet<string> = new Set(
  [
    // statistics and dashboards
    '/stats/cases',
    '/stats/cases/export',
    '/stats/population',
    '/stats/population/export',
    '/stats/population/grids',
    '/stats/report',
    '/cases/indicators',
    '/services/stats',
    '/sharing/board',
    '/sharing/board/file',
    '/roster/evaluation',
    '/roster/evaluation/export',
    '/visits/coverage',
    // lists and exports
    '/cases',
    '/cases/export',
    '/persons',
    '/households',
    '/buildings',
    '/organizations',
    '/components',
    '/audit',
    '/sharing/deliveries',
    '/sharing/findings',
    '/services/applications',
    // map layers
    '/cases/points',
    '/grids/layer',
    '/grids/:code/geometry',
    '/regions/:code/geometry',
    '/public/map',
    '/public/nearby',
    '/public/surroundings',
  ].map((u) => `/api/v1${u}`),
)
const OPEN311 = '/open311/v2/'

export const lagTolerant = (method: string, url: string) => method === 'GET' && (LAG_TOLERANT.has(url) || url.startsWith(OPEN311))

function fenceOf(req: FastifyRequest): bigint | undefined {
  const given = (req.cookies as Record<string, string | undefined> | undefined)?.[FENCE_COOKIE] ?? req.headers[FENCE_HEADER]
  return typeof given === 'string' && LSN.test(given) ? lsnValue(given) : undefined
}

/** Installs the routing on `app` (before its routes are registered); nothing without replicas. */
export function installReadRouting(app: FastifyInstance, reads: ReadRouting | undefined) {
  if (!reads) return
  const contexts = new WeakMap<FastifyRequest, ReadContext>()
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method]
    if (!methods.some((m) => lagTolerant(m, route.url))) return
    const handler = route.handler
    route.handler = function (this: FastifyInstance, req: FastifyRequest, reply: FastifyReply) {
      const ctx: ReadContext = { fence: fenceOf(req) }
      contexts.set(req, ctx)
      return reading(ctx, () => handler.call(this, req, reply))
    }
  })
  app.addHook('onSend', async (req, reply, payload) => {
    const ctx = contexts.get(req)
    if (ctx) reply.header('x-wangge-read', ctx.servedBy ?? 'none')
    else if (req.method !== 'GET' && req.method !== 'HEAD' && reply.statusCode < 400) {
      // A write: the session's later reads must see it.
      const lsn = await reads.primaryLsn().catch(() => undefined)
      if (lsn !== undefined) {
        const value = formatLsn(lsn)
        reply.header(FENCE_HEADER, value)
        reply.setCookie?.(FENCE_COOKIE, value, { path: '/', maxAge: 30, httpOnly: true, sameSite: 'strict' })
      }
    }
    return payload
  })
}
