// Login, the current user, users and roles, API tokens, the audit log, break-the-glass.

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { areaCode, errorResponses } from '../../http/schemas.js'
import { pageOf, pagingQuery } from '../../kernel/paging.js'
import { principalOf, requestInfo, SESSION_COOKIE } from './auth.plugin.js'
import { type AuthService, SESSION_HOURS } from './auth.service.js'
import { ALL_PERMISSIONS, carries } from './permissions.js'

const scopeCode = areaCode
const roleGrant = z.object({ role: z.string().min(2).max(40), scope: scopeCode })
const permission = z.enum(ALL_PERMISSIONS as [string, ...string[]])
const ok = z.object({ ok: z.literal(true) })
const me = z
  .object({
    id: z.number(),
    username: z.string(),
    displayName: z.string(),
    department: z.string().nullable(),
    via: z.enum(['session', 'token', 'system']),
    roles: z.array(z.object({ role: z.string(), scope: z.string(), permissions: z.array(z.string()) })),
    csrfToken: z.string().nullable(),
    breakGlass: z.object({ id: z.number(), reason: z.string(), expiresAt: z.string() }).nullable(),
  })
  .meta({ id: 'Me' })
const auditItem = z.object({
  id: z.number(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  objectType: z.string(),
  objectId: z.string().nullable(),
  scope: z.string().nullable(),
  reason: z.string().nullable(),
  requestId: z.string().nullable(),
  clientIp: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
})

export const accessRoutes =
  (auth: AuthService, opts: { https?: boolean } = {}): FastifyPluginAsyncZod =>
  async (app) => {
    const tags = ['access']

    app.post(
      '/auth/login',
      {
        config: { rateLimit: { max: 20, timeWindow: '1 minute' } },
        schema: {
          tags,
          summary: 'Log in: sets an HttpOnly session cookie and returns the CSRF token for writes',
          body: z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(200) }),
          response: {
            200: z.object({ username: z.string(), csrfToken: z.string(), expiresInSeconds: z.number() }),
            ...errorResponses,
          },
        },
      },
      async (req, reply) => {
        const s = await auth.login(req.body.username, req.body.password, requestInfo(req))
        reply.setCookie(SESSION_COOKIE, s.cookie, {
          httpOnly: true,
          sameSite: 'strict',
          // Secure whenever users reach the platform over HTTPS: the public URL says so, or the
          // request came in over it (directly, or per a trusted proxy's X-Forwarded-Proto).
          secure: opts.https === true || req.protocol === 'https',
          path: '/',
          maxAge: SESSION_HOURS * 3600,
        })
        return { username: req.body.username, csrfToken: s.csrfToken, expiresInSeconds: s.expiresInSeconds }
      },
    )
    app.post(
      '/auth/logout',
      { schema: { tags, summary: 'End the session', response: { 200: ok, ...errorResponses } } },
      async (req, reply) => {
        const p = principalOf(req)
        const value = req.cookies[SESSION_COOKIE]
        if (value) await auth.logout(value, p.actor, requestInfo(req))
        reply.clearCookie(SESSION_COOKIE, { path: '/' })
        return { ok: true as const }
      },
    )
    app.get(
      '/auth/me',
      { schema: { tags, summary: 'Who am I: roles, scopes, permissions', response: { 200: me, ...errorResponses } } },
      (req) => {
        const p = principalOf(req)
        return {
          id: p.user.id,
          username: p.user.username,
          displayName: p.user.displayName,
          department: p.user.department,
          via: p.via,
          roles: p.grants.map((g) => ({
            role: g.role,
            scope: g.scope,
            permissions: [...g.permissions].filter((x) => carries(x, g.scope)).sort(),
          })),
          csrfToken: req.csrfToken ?? null,
          breakGlass: p.breakGlass ?? null,
        }
      },
    )

    app.get(
      '/users',
      {
        schema: {
          tags,
          summary: 'Users with their roles and scopes',
          querystring: pagingQuery,
          response: {
            200: pageOf(
              z.object({
                id: z.number(),
                username: z.string(),
                displayName: z.string(),
                department: z.string().nullable(),
                status: z.string(),
                lockedUntil: z.string().nullable(),
                roles: z.array(roleGrant),
              }),
            ),
            ...errorResponses,
          },
        },
      },
      async (req) => {
        principalOf(req).require('user.admin')
        const { page, pageSize } = req.query
        return { ...(await auth.listUsers(pageSize, (page - 1) * pageSize)), page, pageSize }
      },
    )
    app.post(
      '/users',
      {
        schema: {
          tags,
          summary: 'Create a user (password checked for strength) with roles at scopes',
          body: z.object({
            username: z.string().regex(/^[A-Za-z0-9._-]{3,64}$/),
            password: z.string().min(1).max(200),
            displayName: z.string().min(1).max(100).optional(),
            department: z.string().min(1).max(100).optional(),
            roles: z.array(roleGrant).max(50).default([]),
          }),
          response: { 201: z.object({ id: z.number() }), ...errorResponses },
        },
      },
      async (req, reply) => {
        const p = principalOf(req)
        p.require('user.admin')
        const { roles, ...input } = req.body
        return reply.status(201).send({ id: await auth.createUser(p.actor, input, roles, requestInfo(req)) })
      },
    )
    app.put(
      '/users/:id/roles',
      {
        schema: {
          tags,
          summary: "Replace a user's roles and scopes",
          params: z.object({ id: z.coerce.number().int().positive() }),
          body: z.object({ roles: z.array(roleGrant).max(50) }),
          response: { 200: ok, ...errorResponses },
        },
      },
      async (req) => {
        const p = principalOf(req)
        p.require('user.admin')
        await auth.setRoles(p.actor, req.params.id, req.body.roles, requestInfo(req))
        return { ok: true as const }
      },
    )
    app.post(
      '/users/:id/unlock',
      {
        schema: {
          tags,
          summary: 'Lift the login locks on a user (after repeated wrong passwords, from any address)',
          params: z.object({ id: z.coerce.number().int().positive() }),
          response: { 200: ok, ...errorResponses },
        },
      },
      async (req) => {
        const p = principalOf(req)
        p.require('user.admin')
        await auth.unlock(p.actor, req.params.id, requestInfo(req))
        return { ok: true as const }
      },
    )
    app.get(
      '/roles',
      {
        schema: {
          tags,
          summary: 'Roles and the permissions they grant',
          response: {
            200: z.array(
              z.object({
                code: z.string(),
                name: z.string(),
                nameEn: z.string(),
                permissions: z.array(z.string()),
                builtin: z.boolean(),
                version: z.number(),
              }),
            ),
            ...errorResponses,
          },
        },
      },
      async (req) => {
        principalOf(req).require('user.admin')
        return auth.listRoles()
      },
    )
    app.patch(
      '/roles/:code',
      {
        schema: {
          tags,
          summary: "Change a role's permissions (with the version you saw)",
          params: z.object({ code: z.string().regex(/^[a-z][a-z0-9_]{1,40}$/) }),
          body: z.object({ permissions: z.array(permission), version: z.number().int() }),
          response: {
            200: z.object({ code: z.string(), permissions: z.array(z.string()), version: z.number() }),
            ...errorResponses,
          },
        },
      },
      async (req) => {
        const p = principalOf(req)
        p.require('user.admin')
        return auth.updateRole(p.actor, req.params.code, req.body.permissions, req.body.version, requestInfo(req))
      },
    )

    app.get(
      '/tokens',
      {
        schema: {
          tags,
          summary: 'API tokens (never their secrets)',
          response: {
            200: z.array(
              z.object({
                id: z.number(),
                name: z.string(),
                prefix: z.string(),
                scopes: z.array(z.string()),
                username: z.string(),
                createdAt: z.string(),
                expiresAt: z.string().nullable(),
                lastUsedAt: z.string().nullable(),
                revoked: z.boolean(),
              }),
            ),
            ...errorResponses,
          },
        },
      },
      async (req) => {
        principalOf(req).require('user.admin')
        return auth.listTokens()
      },
    )
    app.post(
      '/tokens',
      {
        schema: {
          tags,
          summary: 'Create an API token for a (service) user, limited to some permissions; the secret is shown once',
          body: z.object({
            userId: z.number().int().positive(),
            name: z.string().min(2).max(100),
            scopes: z.array(permission).min(1),
            expiresInDays: z.number().int().min(1).max(3650).optional(),
          }),
          response: { 201: z.object({ id: z.number(), token: z.string(), prefix: z.string() }), ...errorResponses },
        },
      },
      async (req, reply) => {
        const p = principalOf(req)
        p.require('user.admin')
        return reply.status(201).send(await auth.createToken(p.actor, req.body, requestInfo(req)))
      },
    )
    app.delete(
      '/tokens/:id',
      {
        schema: {
          tags,
          summary: 'Revoke an API token',
          params: z.object({ id: z.coerce.number().int().positive() }),
          response: { 200: ok, ...errorResponses },
        },
      },
      async (req) => {
        const p = principalOf(req)
        p.require('user.admin')
        await auth.revokeToken(p.actor, req.params.id, requestInfo(req))
        return { ok: true as const }
      },
    )

    app.get(
      '/audit',
      {
        schema: {
          tags,
          summary: 'The audit log, newest first',
          querystring: pagingQuery.extend({
            actor: z.string().max(64).optional(),
            objectType: z.string().max(40).optional(),
            objectId: z.string().max(64).optional(),
            action: z.string().max(60).optional(),
          }),
          response: { 200: pageOf(auditItem), ...errorResponses },
        },
      },
      async (req) => {
        principalOf(req).require('audit.read')
        const { page, pageSize, ...f } = req.query
        return { ...(await auth.auditLog(f, pageSize, (page - 1) * pageSize)), page, pageSize }
      },
    )
    app.get(
      '/audit/verify',
      {
        schema: {
          tags,
          summary: 'Recompute the hash chain of the audit log',
          response: {
            200: z.object({
              ok: z.boolean(),
              rows: z.number(),
              head: z.object({ id: z.number(), hash: z.string() }).nullable(),
              problems: z.array(z.object({ id: z.number(), problem: z.string() })),
            }),
            ...errorResponses,
          },
        },
      },
      async (req) => {
        principalOf(req).require('audit.read')
        return auth.verifyAudit()
      },
    )

    const breakGlassItem = z.object({
      id: z.number(),
      username: z.string(),
      reason: z.string(),
      startedAt: z.string(),
      expiresAt: z.string(),
      reviewedBy: z.string().nullable(),
      reviewedAt: z.string().nullable(),
      reviewNote: z.string().nullable(),
    })
    app.post(
      '/break-glass',
      {
        schema: {
          tags,
          summary: 'Open an emergency access window (2 hours): unmasked personal data in your scopes; reviewed afterwards',
          body: z.object({ reason: z.string().trim().min(5).max(500) }),
          response: { 201: z.object({ id: z.number(), expiresAt: z.string() }), ...errorResponses },
        },
      },
      async (req, reply) => reply.status(201).send(await auth.startBreakGlass(principalOf(req), req.body.reason)),
    )
    app.get(
      '/break-glass',
      {
        schema: {
          tags,
          summary: 'Emergency accesses, for supervisors to review',
          response: { 200: z.array(breakGlassItem), ...errorResponses },
        },
      },
      (req) => auth.listBreakGlass(principalOf(req)),
    )
    app.post(
      '/break-glass/:id/review',
      {
        schema: {
          tags,
          summary: 'Record the review of an emergency access',
          params: z.object({ id: z.coerce.number().int().positive() }),
          body: z.object({ note: z.string().trim().min(2).max(500) }),
          response: { 200: ok, ...errorResponses },
        },
      },
      async (req) => {
        await auth.reviewBreakGlass(principalOf(req), req.params.id, req.body.note)
        return { ok: true as const }
      },
    )
  }
