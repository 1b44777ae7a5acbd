// Authentication for /api/v1: a session cookie (browsers) or `Authorization: Bearer` token
// (machine clients). Cookie-authenticated writes must carry the session's CSRF token in
// `x-csrf-token` (synchronizer-token pattern; SameSite=Strict cookies are the second layer).
// Everything under /api/v1 needs a principal except health, the OpenAPI document and login.

import cookie from '@fastify/cookie'
import rateLimit, { type FastifyRateLimitStoreCtor } from '@fastify/rate-limit'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { orFromReplica } from '../../db/replicas.js'
import { lagTolerant } from '../../http/read-routing.js'
import { AppError } from '../../kernel/errors.js'
import type { AuthService, RequestInfo } from './auth.service.js'
import type { Principal } from './principal.js'

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal
    csrfToken?: string
  }
}

export const SESSION_COOKIE = 'wangge_session'
/** Residents' channel: no account, no session (its own limits and proofs instead). */
export const PUBLIC_PREFIX = '/api/v1/public/'
export const PUBLIC_ROUTES = new Set(['/api/v1/health', '/api/v1/openapi.json', '/api/v1/auth/login'])
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS'])

export const requestInfo = (req: FastifyRequest): RequestInfo => ({
  requestId: req.id,
  clientIp: req.ip,
  userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : undefined,
})

/** The authenticated principal of a request (routes behind the hook always have one). */
export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new AppError('UNAUTHENTICATED', 'Log in first')
  return req.principal
}

export async function installAuth(
  app: FastifyInstance,
  auth: AuthService,
  /** Where the limits' counts live (PostgreSQL: shared by every process and node); in memory by default. */
  limitStore?: FastifyRateLimitStoreCtor,
) {
  await app.register(cookie)
  await app.register(rateLimit, {
    global: false,
    ...(limitStore ? { store: limitStore } : {}),
    errorResponseBuilder: (_req, ctx) =>
      new AppError('TOO_MANY_REQUESTS', `Too many requests; retry in ${Math.ceil(ctx.ttl / 1000)} s`, {
        retryAfterSeconds: Math.ceil(ctx.ttl / 1000),
      }) as never,
  })
  app.addHook('onRequest', async (req) => {
    const route = req.routeOptions.url
    if (!route?.startsWith('/api/v1/') || PUBLIC_ROUTES.has(route) || route.startsWith(PUBLIC_PREFIX)) return
    const info = requestInfo(req)
    // Who is calling is asked of the primary; while it is away, a lag-tolerant read asks a replica.
    const ask = <T>(f: () => Promise<T>) => orFromReplica(lagTolerant(req.method, route), f)
    const authz = req.headers.authorization
    if (authz) {
      const m = /^Bearer\s+(\S+)$/i.exec(authz)
      const p = m ? await ask(() => auth.fromToken(m[1] as string, info)) : undefined
      if (!p) throw new AppError('UNAUTHENTICATED', 'The API token is unknown, expired or revoked')
      req.principal = p
      return
    }
    const value = req.cookies[SESSION_COOKIE]
    const s = value ? await ask(() => auth.fromSession(value, info)) : undefined
    if (!s) throw new AppError('UNAUTHENTICATED', value ? 'The session has expired; log in again' : 'Log in first')
    if (!SAFE.has(req.method)) {
      const given = req.headers['x-csrf-token']
      if (typeof given !== 'string' || !auth.sameToken(given, s.csrfToken))
        throw new AppError('CSRF_FAILED', 'Missing or wrong x-csrf-token header for a cookie-authenticated write')
    }
    req.principal = s.principal
    req.csrfToken = s.csrfToken
  })
}
