// Users, passwords, sessions, API tokens, roles and break-the-glass — this file wires the use
// cases: principals.ts (who is calling, cached tokens, the access generation), users.ts (roles,
// users, grants, locks lifted), sessions.ts (login with per-address lockout, logout, tokens),
// break-glass.ts (emergency windows and their review); every statement in auth.repository.ts.
// Passwords: argon2id (@node-rs/argon2), strength checked with zxcvbn (score ≥ 3, never the
// username).
import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import type { ChangeBus } from '../../kernel/change-bus.js'
import { listAudit, verifyAudit } from './audit.service.js'
import { type CoveredUsersSql, createAuthRepository, NO_COVERED_USERS } from './auth.repository.js'
import { listBreakGlass, reviewBreakGlass, startBreakGlass } from './break-glass.js'
import type { Principal } from './principal.js'
import { Principals, type RequestInfo } from './principals.js'
import { createToken, listTokens, login, logout, revokeToken, type SessionsContext, sameToken } from './sessions.js'
import {
  createUser,
  createUsers,
  listRoles,
  listUsers,
  type NewUser,
  seedRoles,
  setRoles,
  type UsersContext,
  unlock,
  updateRole,
} from './users.js'

export { BREAK_GLASS_HOURS } from './break-glass.js'
export type { RequestInfo } from './principals.js'
export { LOCK_MINUTES, MAX_FAILURES, SESSION_HOURS } from './sessions.js'
export { checkPasswordStrength } from './users.js'

export function createAuthService({
  db,
  bus,
  coveredUsers = NO_COVERED_USERS,
}: {
  db: Kysely<DB>
  bus?: ChangeBus | undefined
  coveredUsers?: CoveredUsersSql
}) {
  const repo = createAuthRepository(db)
  const principals = new Principals(db, repo, coveredUsers, bus)
  const ctx: UsersContext & SessionsContext = { db, repo, principals }
  type Roles = { role: string; scope: string }[]
  return {
    /** The audit log, newest first, filtered (audit.service.ts). */
    auditLog: (f: Parameters<typeof listAudit>[1], limit: number, offset: number) => listAudit(db, f, limit, offset),
    /** Checks the audit log's hash chain. */
    verifyAudit: () => verifyAudit(db),
    /** Grants changed elsewhere (the roster, a leave): cached principals are not used any more. */
    invalidate: () => principals.changed(),
    seedRoles: () => seedRoles(ctx),
    createUser: (actor: string, input: Omit<NewUser, 'roles'>, roles: Roles, info: RequestInfo = {}) =>
      createUser(ctx, actor, input, roles, info),
    createUsers: (actor: string, inputs: readonly NewUser[], info: RequestInfo = {}) => createUsers(ctx, actor, inputs, info),
    /** A user's principal as a server-side job acting for them sees it (the demo's simulation of
     *  its workers); undefined for an unknown or disabled user. */
    principalFor: (userId: number) => principals.of({ userId }, 'session', {}),
    setRoles: (actor: string, userId: number, roles: Roles, info: RequestInfo = {}) => setRoles(ctx, actor, userId, roles, info),
    unlock: (actor: string, userId: number, info: RequestInfo = {}) => unlock(ctx, actor, userId, info),
    listUsers: (limit: number, offset: number) => listUsers(ctx, limit, offset),
    listRoles: () => listRoles(ctx),
    updateRole: (actor: string, code: string, permissions: string[], version: number, info: RequestInfo = {}) =>
      updateRole(ctx, actor, code, permissions, version, info),
    login: (username: string, password: string, info: RequestInfo) => login(ctx, username, password, info),
    logout: (cookie: string, actor: string, info: RequestInfo) => logout(ctx, cookie, actor, info),
    fromSession: (cookie: string, info: RequestInfo) => principals.fromSession(cookie, info),
    fromToken: (bearer: string, info: RequestInfo) => principals.fromToken(bearer, info),
    createToken: (
      actor: string,
      input: { userId: number; name: string; scopes: string[]; expiresInDays?: number | undefined },
      info: RequestInfo = {},
    ) => createToken(ctx, actor, input, info),
    revokeToken: (actor: string, id: number, info: RequestInfo = {}) => revokeToken(ctx, actor, id, info),
    listTokens: () => listTokens(ctx),
    startBreakGlass: (p: Principal, reason: string) => startBreakGlass(ctx, p, reason),
    listBreakGlass: (p: Principal) => listBreakGlass(ctx, p),
    reviewBreakGlass: (p: Principal, id: number, note: string) => reviewBreakGlass(ctx, p, id, note),
    sameToken,
  }
}

export type AuthService = ReturnType<typeof createAuthService>
