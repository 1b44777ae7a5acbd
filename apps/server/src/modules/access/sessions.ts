// Logging in and machine tokens. Login: a failed attempt counts against the (username, client
// address) pair, for names that exist or not alike; at MAX_FAILURES that pair is locked for
// LOCK_MINUTES — the same answers and the same work whether or not the user exists, and nobody
// elsewhere can lock an account out for its owner. Sessions: a random cookie value whose sha256 is
// stored, with its own CSRF token; tokens: `wg_<prefix>_<secret>`, stored hashed, limited to
// scopes (permissions), revocable.
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { verify as argonVerify } from '@node-rs/argon2'
import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import { audit } from './audit.service.js'
import type { AuthRepository } from './auth.repository.js'
import { ALL_PERMISSIONS, type Permission } from './permissions.js'
import { type Principals, type RequestInfo, sha256 } from './principals.js'

export const MAX_FAILURES = 5
export const LOCK_MINUTES = 15
export const SESSION_HOURS = 12
/** A hash of nothing anyone knows: verified against when the name does not exist (same work). */
const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$yWQ1Zd3Yc8m0Nw0p1i1c2kE0q3wC8d3m1d3b5aXnq0o'
const token = (bytes = 32) => randomBytes(bytes).toString('base64url')

export interface SessionsContext {
  db: Kysely<DB>
  repo: AuthRepository
  principals: Principals
}

const lockedError = (until: Date) =>
  new AppError('ACCOUNT_LOCKED', `Too many failed logins from this address; try again after ${until.toISOString()}`, {
    lockedUntil: until.toISOString(),
  })

/** Checks a password; answers with a new session or INVALID_CREDENTIALS / ACCOUNT_LOCKED. */
export async function login(ctx: SessionsContext, username: string, password: string, info: RequestInfo) {
  const { db, repo } = ctx
  const address = info.clientIp ?? 'unknown'
  const u = await repo.userForLogin(username)
  const log = (action: string, details: Record<string, unknown> = {}) =>
    audit(db, { actor: username, action, objectType: 'user', objectId: username, details, ...info })
  // The same steps whether or not the name exists (the lock, the hash, the count), so neither
  // the answer nor its timing tells.
  const held = await repo.loginLock(username, address)
  if (held?.locked_until && new Date(held.locked_until) > new Date()) {
    await log('auth.login.locked', { address })
    throw lockedError(new Date(held.locked_until))
  }
  const ok = u
    ? u.status === 'active' && (await argonVerify(u.password_hash, password).catch(() => false))
    : await argonVerify(DUMMY_HASH, password).catch(() => false)
  if (!u || !ok) {
    const row = await repo.countFailure(username, address, MAX_FAILURES, LOCK_MINUTES)
    const lock = row?.locked_until && new Date(row.locked_until) > new Date() ? new Date(row.locked_until) : null
    await log(lock ? 'auth.lockout' : 'auth.login.failed', { address, ...(u ? {} : { unknownUser: true }) })
    if (lock) throw lockedError(lock)
    throw new AppError('INVALID_CREDENTIALS', 'Wrong username or password')
  }
  const cookie = token()
  const csrf = token(24)
  await db.transaction().execute(async (trx) => {
    await repo.clearFailures(trx, u.username, address)
    await repo.insertSession(trx, {
      id_hash: sha256(cookie),
      user_id: u.id,
      csrf_token: csrf,
      expires_at: new Date(Date.now() + SESSION_HOURS * 3_600_000),
      client_ip: info.clientIp ?? null,
      user_agent: info.userAgent?.slice(0, 300) ?? null,
    })
    await audit(trx, { actor: u.username, action: 'auth.login', objectType: 'user', objectId: u.username, ...info })
  })
  return { cookie, csrfToken: csrf, expiresInSeconds: SESSION_HOURS * 3600 }
}

export async function logout(ctx: SessionsContext, cookie: string, actor: string, info: RequestInfo) {
  await ctx.repo.revokeSession(sha256(cookie))
  await audit(ctx.db, { actor, action: 'auth.logout', objectType: 'user', objectId: actor, ...info })
}

export async function createToken(
  ctx: SessionsContext,
  actor: string,
  input: { userId: number; name: string; scopes: string[]; expiresInDays?: number | undefined },
  info: RequestInfo = {},
) {
  const unknown = input.scopes.filter((p) => !ALL_PERMISSIONS.includes(p as Permission))
  if (unknown.length) throw new AppError('VALIDATION_FAILED', `Unknown permissions: ${unknown.join(', ')}`, { unknown })
  const username = await ctx.repo.usernameOf(ctx.db, input.userId)
  if (!username) throw new AppError('NOT_FOUND', `No user ${input.userId}`, { userId: input.userId })
  const prefix = token(6)
  const secret = `wg_${prefix}_${token()}`
  const id = await ctx.db.transaction().execute(async (trx) => {
    const id = await ctx.repo.insertToken(trx, {
      user_id: input.userId,
      name: input.name,
      token_hash: sha256(secret),
      prefix,
      scopes: input.scopes,
      created_by: actor,
      expires_at: input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null,
    })
    await audit(trx, {
      actor,
      action: 'token.create',
      objectType: 'api_token',
      objectId: id,
      details: { user: username, name: input.name, scopes: input.scopes },
      ...info,
    })
    return id
  })
  return { id, token: secret, prefix }
}

export async function revokeToken(ctx: SessionsContext, actor: string, id: number, info: RequestInfo = {}) {
  await ctx.principals.change(async (trx) => {
    if (!(await ctx.repo.revokeToken(trx, id))) throw new AppError('NOT_FOUND', `No token ${id}`, { id })
    await audit(trx, { actor, action: 'token.revoke', objectType: 'api_token', objectId: id, ...info })
  })
}

export async function listTokens({ repo }: SessionsContext) {
  return (await repo.tokens()).map((t) => ({
    id: Number(t.id),
    name: t.name,
    prefix: t.prefix,
    scopes: t.scopes,
    username: t.username,
    createdAt: new Date(t.created_at).toISOString(),
    expiresAt: t.expires_at ? new Date(t.expires_at).toISOString() : null,
    lastUsedAt: t.last_used_at ? new Date(t.last_used_at).toISOString() : null,
    revoked: !!t.revoked_at,
  }))
}

/** CSRF tokens compared in constant time. */
export function sameToken(a: string, b: string) {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}
