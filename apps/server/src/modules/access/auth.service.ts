// Users, passwords, sessions, API tokens, roles and break-the-glass.
// Passwords: argon2id (@node-rs/argon2), strength checked with zxcvbn (score ≥ 3, never the
// username). Login: a failed attempt counts against the (username, client address) pair, for names
// that exist or not alike; at MAX_FAILURES that pair is locked for LOCK_MINUTES — the same answers
// and the same work whether or not the user exists, and nobody elsewhere can lock an account out
// for its owner; an administrator can lift every lock on a name. Sessions: a random cookie value
// whose sha256 is stored, with its own CSRF token; tokens: `wg_<prefix>_<secret>`, stored hashed,
// limited to scopes (permissions), revocable.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { hash as argonHash, verify as argonVerify } from '@node-rs/argon2'
import { type Kysely, type RawBuilder, type SqlBool, sql, type Transaction } from 'kysely'
import zxcvbn from 'zxcvbn'
import type { DB } from '../../db/schema.js'
import type { ChangeBus } from '../../kernel/change-bus.js'
import { AppError } from '../../kernel/errors.js'
import { readSetting, writeSetting } from '../../kernel/settings.js'
import { audit, listAudit, verifyAudit } from './audit.service.js'
import { ALL_PERMISSIONS, BUILTIN_ROLES, type Permission } from './permissions.js'
import { Principal } from './principal.js'

export const MAX_FAILURES = 5
export const LOCK_MINUTES = 15
/** A hash of nothing anyone knows: verified against when the name does not exist (same work). */
const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$yWQ1Zd3Yc8m0Nw0p1i1c2kE0q3wC8d3m1d3b5aXnq0o'
export const SESSION_HOURS = 12
export const BREAK_GLASS_HOURS = 2
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')
const token = (bytes = 32) => randomBytes(bytes).toString('base64url')

export function checkPasswordStrength(password: string, username: string) {
  if (password.length < 10) throw new AppError('WEAK_PASSWORD', 'A password needs at least 10 characters', { minLength: 10 })
  const r = zxcvbn(password, [username, 'wangge', '网格'])
  if (r.score < 3)
    throw new AppError('WEAK_PASSWORD', 'This password is too easy to guess', {
      score: r.score,
      warning: r.feedback.warning || null,
      suggestions: r.feedback.suggestions,
    })
}

export interface RequestInfo {
  requestId?: string | undefined
  clientIp?: string | undefined
  userAgent?: string | undefined
}

const TOKEN_CACHE_MS = 2_000

/** The users whose grid grants a user holds today as their cover (a partner on leave): a subquery
 *  over the user's id, supplied by the roster, which keeps the leaves. */
export type CoveredUsersSql = (userId: RawBuilder<unknown>) => RawBuilder<unknown>
const NOBODY: CoveredUsersSql = () => sql`select null::bigint where false`

/** Windows whose owner holds grants, all of them inside the reviewer's `breakglass.review` scopes. */
function withinReview(p: Principal) {
  const prefixes = p.scopes('breakglass.review').map((s) => `${s}%`)
  return sql<SqlBool>`exists (select from user_roles g where g.user_id = b.user_id)
    and not exists (select from user_roles g where g.user_id = b.user_id
                    and not (g.scope like any(${prefixes}::text[])))`
}

export function createAuthService({
  db,
  bus,
  coveredUsers = NOBODY,
}: {
  db: Kysely<DB>
  bus?: ChangeBus | undefined
  coveredUsers?: CoveredUsersSql
}) {
  const tokenCache = new Map<string, { principal: Principal; at: number; generation: number }>()
  /** Bumped by every change to who may do what; cached principals older than it are not used. */
  let generation = 0
  bus?.on('access', () => {
    generation++
  })
  /** Who may do what changed (committed): here, in the other holders and server processes. */
  const accessChanged = () => {
    generation++
    bus?.publish('access')
  }
  /** A change to who may do what, announced once it has committed (or failed): a principal built
   *  in between would be cached with the new generation but the old grants. */
  const changeAccess = <T>(work: (trx: Transaction<DB>) => Promise<T>) => db.transaction().execute(work).finally(accessChanged)
  /** The user, their grants and any open emergency window (and the token) — one round trip per request. */
  async function principalOf(
    by: { userId: number } | { tokenHash: string },
    via: 'session' | 'token',
    info: RequestInfo,
  ): Promise<Principal | undefined> {
    const from =
      'userId' in by
        ? sql`users u left join api_tokens t on false where u.id = ${by.userId}`
        : sql`api_tokens t join users u on u.id = t.user_id
            where t.token_hash = ${by.tokenHash} and t.revoked_at is null and (t.expires_at is null or t.expires_at > now())`
    const r = await sql<{
      id: number
      username: string
      display_name: string
      department: string | null
      status: string
      token_id: number | null
      token_scopes: string[] | null
      last_used_at: Date | null
      grants: { role: string; scope: string; permissions: string[]; coverFor?: number }[] | null
      open_window: { id: number; reason: string; expires_at: string } | null
    }>`
      select u.id, u.username, u.display_name, u.department, u.status, t.id as token_id, t.scopes as token_scopes, t.last_used_at,
        (select json_agg(g) from (
           select json_build_object('role', ur.role_code, 'scope', ur.scope, 'permissions', r.permissions) as g
           from user_roles ur join roles r on r.code = ur.role_code where ur.user_id = u.id
           union all
           -- Covering a worker on leave: that worker's grid grants, while the leave runs.
           select json_build_object('role', ur.role_code, 'scope', ur.scope, 'permissions', r.permissions, 'coverFor', ur.user_id)
           from user_roles ur join roles r on r.code = ur.role_code
           where ur.role_code = 'grid_worker' and ur.user_id in (${coveredUsers(sql.ref('u.id'))})) x) as grants,
        (select json_build_object('id', b.id, 'reason', b.reason, 'expires_at', b.expires_at) from break_glass b
           where b.user_id = u.id and b.ended_at is null and b.expires_at > now() order by b.id desc limit 1) as open_window
      from ${from}`.execute(db)
    const u = r.rows[0]
    if (u && u.token_id !== null && (!u.last_used_at || Date.now() - new Date(u.last_used_at).getTime() > 60_000))
      await db.updateTable('api_tokens').set({ last_used_at: new Date() }).where('id', '=', u.token_id).execute()
    const tokenScopes = u?.token_scopes ?? undefined
    if (u?.status !== 'active') return undefined
    const w = u.open_window
    return new Principal(
      { id: Number(u.id), username: u.username, displayName: u.display_name, department: u.department },
      (u.grants ?? []).map((g) => ({
        role: g.role,
        scope: g.scope,
        permissions: new Set(g.permissions),
        ...(g.coverFor ? { coverFor: Number(g.coverFor) } : {}),
      })),
      via,
      via === 'token' && tokenScopes ? new Set(tokenScopes) : undefined,
      w ? { id: Number(w.id), reason: w.reason, expiresAt: new Date(w.expires_at).toISOString() } : undefined,
      info.requestId,
      info.clientIp,
    )
  }

  const self = {
    /** The audit log, newest first, filtered (audit.service.ts). */
    auditLog: (f: Parameters<typeof listAudit>[1], limit: number, offset: number) => listAudit(db, f, limit, offset),
    /** Checks the audit log's hash chain. */
    verifyAudit: () => verifyAudit(db),

    /** Grants changed elsewhere (the roster, a leave): cached principals are not used any more. */
    invalidate() {
      accessChanged()
    },

    /** Built-in roles are created when missing; an administrator's edits are kept. */
    async seedRoles() {
      await db
        .insertInto('roles')
        .values(
          BUILTIN_ROLES.map((r) => ({
            code: r.code,
            name: r.name,
            name_en: r.nameEn,
            permissions: r.permissions,
            builtin: true,
          })),
        )
        .onConflict((oc) => oc.column('code').doNothing())
        .execute()
      // The administrator role always holds every permission (new ones included).
      await db.updateTable('roles').set({ permissions: ALL_PERMISSIONS }).where('code', '=', 'admin').execute()
      // A permission this version introduces is added to the built-in roles that define it, once:
      // the permissions known at the last start are kept in `settings`, so an administrator's
      // later removal of a permission from a role is respected.
      const known = await readSetting<string[]>(db, 'access.known_permissions')
      // (Before this list existed: what the other roles hold.)
      const before = new Set(
        known
          ? known.value
          : (await db.selectFrom('roles').select('permissions').where('code', '<>', 'admin').execute()).flatMap(
              (r) => r.permissions,
            ),
      )
      const added = ALL_PERMISSIONS.filter((x) => !before.has(x))
      if (added.length)
        for (const r of BUILTIN_ROLES) {
          const extra = r.permissions.filter((x) => added.includes(x))
          if (!extra.length) continue
          await db
            .updateTable('roles')
            .set({ permissions: sql`array(select distinct unnest(permissions || ${sql.val(extra)}::text[]))` })
            .where('code', '=', r.code)
            .where('builtin', '=', true)
            .execute()
        }
      if (added.length || !known) await writeSetting(db, 'access.known_permissions', ALL_PERMISSIONS, 'seed')
    },

    async createUser(
      actor: string,
      input: { username: string; password: string; displayName?: string | undefined; department?: string | undefined },
      roles: { role: string; scope: string }[],
      info: RequestInfo = {},
    ) {
      checkPasswordStrength(input.password, input.username)
      const passwordHash = await argonHash(input.password)
      return db.transaction().execute(async (trx) => {
        const u = await trx
          .insertInto('users')
          .values({
            username: input.username,
            display_name: input.displayName ?? input.username,
            password_hash: passwordHash,
            department: input.department ?? null,
          })
          .returning(['id'])
          .executeTakeFirstOrThrow()
        for (const r of roles)
          await trx
            .insertInto('user_roles')
            .values({ user_id: u.id, role_code: r.role, scope: r.scope, granted_by: actor })
            .execute()
        await audit(trx, {
          actor,
          action: 'user.create',
          objectType: 'user',
          objectId: input.username,
          details: { roles },
          requestId: info.requestId,
          clientIp: info.clientIp,
        })
        return Number(u.id)
      })
    },

    /**
     * Many users at once (a district's grid workers enrolled together, the demo's staff): one
     * transaction, one hash per distinct password (argon2 is slow on purpose: 2,000 workers one by
     * one would take minutes), one audit entry per user. Names already taken are refused as a
     * whole (nothing is written).
     */
    async createUsers(
      actor: string,
      inputs: readonly {
        username: string
        password: string
        displayName?: string | undefined
        department?: string | undefined
        roles: readonly { role: string; scope: string }[]
      }[],
      info: RequestInfo = {},
    ): Promise<Map<string, number>> {
      const hashes = new Map<string, string>()
      for (const i of inputs)
        if (!hashes.has(i.password)) {
          checkPasswordStrength(i.password, i.username)
          hashes.set(i.password, await argonHash(i.password))
        }
      const ids = new Map<string, number>()
      if (!inputs.length) return ids
      await changeAccess(async (trx) => {
        const taken = await trx
          .selectFrom('users')
          .select('username')
          .where(
            'username',
            'in',
            inputs.map((i) => i.username),
          )
          .execute()
        if (taken.length) throw new AppError('CONFLICT', 'Some user names are taken', { usernames: taken.map((t) => t.username) })
        for (let k = 0; k < inputs.length; k += 500) {
          const chunk = inputs.slice(k, k + 500)
          const rows = await trx
            .insertInto('users')
            .values(
              chunk.map((i) => ({
                username: i.username,
                display_name: i.displayName ?? i.username,
                password_hash: hashes.get(i.password) as string,
                department: i.department ?? null,
              })),
            )
            .returning(['id', 'username'])
            .execute()
          for (const r of rows) ids.set(r.username, Number(r.id))
          const grants = chunk.flatMap((i) =>
            i.roles.map((r) => ({
              user_id: ids.get(i.username) as number,
              role_code: r.role,
              scope: r.scope,
              granted_by: actor,
            })),
          )
          if (grants.length) await trx.insertInto('user_roles').values(grants).execute()
        }
        await audit(
          trx,
          inputs.map((i) => ({
            actor,
            action: 'user.create',
            objectType: 'user',
            objectId: i.username,
            details: { roles: i.roles },
            requestId: info.requestId,
            clientIp: info.clientIp,
          })),
        )
      })
      return ids
    },

    /** A user's principal as a server-side job acting for them sees it (the demo's simulation of
     *  its workers); undefined for an unknown or disabled user. */
    principalFor: (userId: number) => principalOf({ userId }, 'session', {}),

    async setRoles(actor: string, userId: number, roles: { role: string; scope: string }[], info: RequestInfo = {}) {
      await changeAccess(async (trx) => {
        const u = await trx.selectFrom('users').select('username').where('id', '=', userId).executeTakeFirst()
        if (!u) throw new AppError('NOT_FOUND', `No user ${userId}`, { userId })
        await trx.deleteFrom('user_roles').where('user_id', '=', userId).execute()
        for (const r of roles)
          await trx
            .insertInto('user_roles')
            .values({ user_id: userId, role_code: r.role, scope: r.scope, granted_by: actor })
            .execute()
        await audit(trx, {
          actor,
          action: 'user.roles',
          objectType: 'user',
          objectId: u.username,
          details: { roles },
          requestId: info.requestId,
          clientIp: info.clientIp,
        })
      })
    },

    /** Lifts every login lock on a user's name (all addresses); audited. */
    async unlock(actor: string, userId: number, info: RequestInfo = {}) {
      await db.transaction().execute(async (trx) => {
        const u = await trx.selectFrom('users').select('username').where('id', '=', userId).executeTakeFirst()
        if (!u) throw new AppError('NOT_FOUND', `No user ${userId}`, { userId })
        const cleared = await trx.deleteFrom('login_failures').where('username', '=', u.username).executeTakeFirst()
        await audit(trx, {
          actor,
          action: 'user.unlock',
          objectType: 'user',
          objectId: u.username,
          details: { cleared: Number(cleared.numDeletedRows) },
          requestId: info.requestId,
          clientIp: info.clientIp,
        })
      })
    },

    async listUsers(limit: number, offset: number) {
      const [items, total] = await Promise.all([
        db
          .selectFrom('users')
          .select(['id', 'username', 'display_name', 'department', 'status', 'created_at'])
          .select((eb) =>
            eb
              .selectFrom('login_failures as f')
              .select((f) => f.fn.max('f.locked_until').as('l'))
              .whereRef('f.username', '=', 'users.username')
              .where('f.locked_until', '>', sql<Date>`now()`)
              .as('locked_until'),
          )
          .orderBy('id')
          .limit(limit)
          .offset(offset)
          .execute(),
        db
          .selectFrom('users')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow(),
      ])
      const ids = items.map((u) => u.id)
      const roles = ids.length
        ? await db.selectFrom('user_roles').select(['user_id', 'role_code', 'scope']).where('user_id', 'in', ids).execute()
        : []
      return {
        items: items.map((u) => ({
          id: Number(u.id),
          username: u.username,
          displayName: u.display_name,
          department: u.department,
          status: u.status,
          lockedUntil: u.locked_until ? new Date(u.locked_until).toISOString() : null,
          roles: roles.filter((r) => r.user_id === u.id).map((r) => ({ role: r.role_code, scope: r.scope })),
        })),
        total: Number(total.n),
      }
    },

    listRoles: async () =>
      (await db.selectFrom('roles').selectAll().orderBy('code').execute()).map((r) => ({
        code: r.code,
        name: r.name,
        nameEn: r.name_en,
        permissions: r.permissions,
        builtin: r.builtin,
        version: r.version,
      })),

    async updateRole(actor: string, code: string, permissions: string[], version: number, info: RequestInfo = {}) {
      const unknown = permissions.filter((p) => !ALL_PERMISSIONS.includes(p as Permission))
      if (unknown.length) throw new AppError('VALIDATION_FAILED', `Unknown permissions: ${unknown.join(', ')}`, { unknown })
      if (code === 'admin') throw new AppError('FORBIDDEN', 'The administrator role always holds every permission')
      return changeAccess(async (trx) => {
        const r = await trx
          .selectFrom('roles')
          .select(['version', 'permissions'])
          .where('code', '=', code)
          .forUpdate()
          .executeTakeFirst()
        if (!r) throw new AppError('NOT_FOUND', `No role ${code}`, { code })
        if (r.version !== version)
          throw new AppError('VERSION_CONFLICT', 'The role was changed by someone else', { current: r.version, given: version })
        await trx
          .updateTable('roles')
          .set({ permissions, version: r.version + 1, updated_at: sql`now()` })
          .where('code', '=', code)
          .execute()
        await audit(trx, {
          actor,
          action: 'role.update',
          objectType: 'role',
          objectId: code,
          details: { old: r.permissions, new: permissions },
          requestId: info.requestId,
          clientIp: info.clientIp,
        })
        return { code, permissions, version: r.version + 1 }
      })
    },

    /** Checks a password; answers with a new session or INVALID_CREDENTIALS / ACCOUNT_LOCKED. */
    async login(username: string, password: string, info: RequestInfo) {
      const address = info.clientIp ?? 'unknown'
      const u = await db
        .selectFrom('users')
        .select(['id', 'username', 'password_hash', 'status'])
        .where('username', '=', username)
        .executeTakeFirst()
      const log = (action: string, details: Record<string, unknown> = {}) =>
        audit(db, { actor: username, action, objectType: 'user', objectId: username, details, ...info })
      const locked = (until: Date) =>
        new AppError('ACCOUNT_LOCKED', `Too many failed logins from this address; try again after ${until.toISOString()}`, {
          lockedUntil: until.toISOString(),
        })
      // The same steps whether or not the name exists (the lock, the hash, the count), so neither
      // the answer nor its timing tells.
      const held = await db
        .selectFrom('login_failures')
        .select('locked_until')
        .where('username', '=', username)
        .where('address', '=', address)
        .executeTakeFirst()
      if (held?.locked_until && new Date(held.locked_until) > new Date()) {
        await log('auth.login.locked', { address })
        throw locked(new Date(held.locked_until))
      }
      const ok = u
        ? u.status === 'active' && (await argonVerify(u.password_hash, password).catch(() => false))
        : await argonVerify(DUMMY_HASH, password).catch(() => false)
      if (!u || !ok) {
        const r = await sql<{ failures: number; locked_until: Date | null }>`
          insert into login_failures as f (username, address, failures) values (${username}, ${address}, 1)
          on conflict (username, address) do update set
            failures = case when f.failures + 1 >= ${MAX_FAILURES} then 0 else f.failures + 1 end,
            locked_until = case when f.failures + 1 >= ${MAX_FAILURES}
              then now() + make_interval(mins => ${LOCK_MINUTES}) else f.locked_until end,
            last_at = now()
          returning failures, locked_until`.execute(db)
        const row = r.rows[0]
        const lock = row?.locked_until && new Date(row.locked_until) > new Date() ? new Date(row.locked_until) : null
        await log(lock ? 'auth.lockout' : 'auth.login.failed', { address, ...(u ? {} : { unknownUser: true }) })
        if (lock) throw locked(lock)
        throw new AppError('INVALID_CREDENTIALS', 'Wrong username or password')
      }
      const cookie = token()
      const csrf = token(24)
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('login_failures').where('username', '=', u.username).where('address', '=', address).execute()
        await trx
          .insertInto('sessions')
          .values({
            id_hash: sha256(cookie),
            user_id: u.id,
            csrf_token: csrf,
            expires_at: new Date(Date.now() + SESSION_HOURS * 3_600_000),
            client_ip: info.clientIp ?? null,
            user_agent: info.userAgent?.slice(0, 300) ?? null,
          })
          .execute()
        await audit(trx, { actor: u.username, action: 'auth.login', objectType: 'user', objectId: u.username, ...info })
      })
      return { cookie, csrfToken: csrf, expiresInSeconds: SESSION_HOURS * 3600 }
    },

    async logout(cookie: string, actor: string, info: RequestInfo) {
      await db.updateTable('sessions').set({ revoked_at: new Date() }).where('id_hash', '=', sha256(cookie)).execute()
      await audit(db, { actor, action: 'auth.logout', objectType: 'user', objectId: actor, ...info })
    },

    /** The principal behind a session cookie (and the session's CSRF token), or undefined. */
    async fromSession(cookie: string, info: RequestInfo) {
      const s = await db
        .selectFrom('sessions')
        .select(['user_id', 'csrf_token', 'last_seen_at', 'id_hash'])
        .where('id_hash', '=', sha256(cookie))
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', sql<Date>`now()`)
        .executeTakeFirst()
      if (!s) return undefined
      if (Date.now() - new Date(s.last_seen_at).getTime() > 60_000)
        await db.updateTable('sessions').set({ last_seen_at: new Date() }).where('id_hash', '=', s.id_hash).execute()
      const principal = await principalOf({ userId: Number(s.user_id) }, 'session', info)
      return principal ? { principal, csrfToken: s.csrf_token } : undefined
    },

    /**
     * Token principals are cached for TOKEN_CACHE_MS (machine clients send many requests): a change
     * made through this process (roles, revocation, emergency access) applies at once, one made
     * through another server process within that time.
     */
    async fromToken(bearer: string, info: RequestInfo) {
      const key = sha256(bearer)
      const hit = tokenCache.get(key)
      if (hit && hit.generation === generation && Date.now() - hit.at < TOKEN_CACHE_MS) return hit.principal.withRequest(info)
      const at = Date.now()
      const seen = generation
      const principal = await principalOf({ tokenHash: key }, 'token', info)
      if (principal) {
        if (tokenCache.size > 10_000) tokenCache.clear()
        tokenCache.set(key, { principal, at, generation: seen })
      }
      return principal
    },

    async createToken(
      actor: string,
      input: { userId: number; name: string; scopes: string[]; expiresInDays?: number | undefined },
      info: RequestInfo = {},
    ) {
      const unknown = input.scopes.filter((p) => !ALL_PERMISSIONS.includes(p as Permission))
      if (unknown.length) throw new AppError('VALIDATION_FAILED', `Unknown permissions: ${unknown.join(', ')}`, { unknown })
      const u = await db.selectFrom('users').select('username').where('id', '=', input.userId).executeTakeFirst()
      if (!u) throw new AppError('NOT_FOUND', `No user ${input.userId}`, { userId: input.userId })
      const prefix = token(6)
      const secret = `wg_${prefix}_${token()}`
      const row = await db.transaction().execute(async (trx) => {
        const r = await trx
          .insertInto('api_tokens')
          .values({
            user_id: input.userId,
            name: input.name,
            token_hash: sha256(secret),
            prefix,
            scopes: input.scopes,
            created_by: actor,
            expires_at: input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null,
          })
          .returning(['id'])
          .executeTakeFirstOrThrow()
        await audit(trx, {
          actor,
          action: 'token.create',
          objectType: 'api_token',
          objectId: Number(r.id),
          details: { user: u.username, name: input.name, scopes: input.scopes },
          ...info,
        })
        return r
      })
      return { id: Number(row.id), token: secret, prefix }
    },

    async revokeToken(actor: string, id: number, info: RequestInfo = {}) {
      await changeAccess(async (trx) => {
        const r = await trx
          .updateTable('api_tokens')
          .set({ revoked_at: new Date() })
          .where('id', '=', id)
          .returning('id')
          .executeTakeFirst()
        if (!r) throw new AppError('NOT_FOUND', `No token ${id}`, { id })
        await audit(trx, { actor, action: 'token.revoke', objectType: 'api_token', objectId: id, ...info })
      })
    },

    listTokens: async () =>
      (
        await db
          .selectFrom('api_tokens as t')
          .innerJoin('users as u', 'u.id', 't.user_id')
          .select([
            't.id',
            't.name',
            't.prefix',
            't.scopes',
            'u.username',
            't.created_at',
            't.expires_at',
            't.last_used_at',
            't.revoked_at',
          ])
          .orderBy('t.id')
          .execute()
      ).map((t) => ({
        id: Number(t.id),
        name: t.name,
        prefix: t.prefix,
        scopes: t.scopes,
        username: t.username,
        createdAt: new Date(t.created_at).toISOString(),
        expiresAt: t.expires_at ? new Date(t.expires_at).toISOString() : null,
        lastUsedAt: t.last_used_at ? new Date(t.last_used_at).toISOString() : null,
        revoked: !!t.revoked_at,
      })),

    async startBreakGlass(p: Principal, reason: string) {
      p.require('breakglass.use')
      const expires = new Date(Date.now() + BREAK_GLASS_HOURS * 3_600_000)
      return changeAccess(async (trx) => {
        const r = await trx
          .insertInto('break_glass')
          .values({ user_id: p.user.id, reason, expires_at: expires })
          .returning('id')
          .executeTakeFirstOrThrow()
        await audit(trx, {
          actor: p.actor,
          action: 'breakglass.start',
          objectType: 'break_glass',
          objectId: Number(r.id),
          reason,
          requestId: p.requestId,
          clientIp: p.clientIp,
          details: { expiresAt: expires.toISOString() },
        })
        return { id: Number(r.id), expiresAt: expires.toISOString() }
      })
    },

    /** The emergency windows of users within the caller's `breakglass.review` scope: every grant
     *  of the window's owner lies inside it (a street supervisor sees the street's people, not a
     *  district dispatcher's window). */
    async listBreakGlass(p: Principal) {
      p.require('breakglass.review')
      const rows = await db
        .selectFrom('break_glass as b')
        .innerJoin('users as u', 'u.id', 'b.user_id')
        .select([
          'b.id',
          'u.username',
          'b.reason',
          'b.started_at',
          'b.expires_at',
          'b.reviewed_by',
          'b.reviewed_at',
          'b.review_note',
        ])
        .where(withinReview(p))
        .orderBy('b.id', 'desc')
        .limit(500)
        .execute()
      return rows.map((b) => ({
        id: Number(b.id),
        username: b.username,
        reason: b.reason,
        startedAt: new Date(b.started_at).toISOString(),
        expiresAt: new Date(b.expires_at).toISOString(),
        reviewedBy: b.reviewed_by,
        reviewedAt: b.reviewed_at ? new Date(b.reviewed_at).toISOString() : null,
        reviewNote: b.review_note,
      }))
    },

    async reviewBreakGlass(p: Principal, id: number, note: string) {
      p.require('breakglass.review')
      await changeAccess(async (trx) => {
        // Out of the reviewer's scope is the same answer as absent; one's own window is never
        // one's own to review (four eyes).
        const w = await trx
          .selectFrom('break_glass as b')
          .select(['b.id', 'b.user_id'])
          .where('b.id', '=', id)
          .where(withinReview(p))
          .forUpdate()
          .executeTakeFirst()
        if (!w) throw new AppError('NOT_FOUND', `No emergency access ${id}`, { id })
        if (Number(w.user_id) === p.user.id)
          throw new AppError('FORBIDDEN', 'Nobody reviews their own emergency access', { id, rule: 'four_eyes' })
        await trx
          .updateTable('break_glass')
          .set({ reviewed_by: p.actor, reviewed_at: new Date(), review_note: note })
          .where('id', '=', id)
          .execute()
        await audit(trx, {
          actor: p.actor,
          action: 'breakglass.review',
          objectType: 'break_glass',
          objectId: id,
          reason: note,
          requestId: p.requestId,
          clientIp: p.clientIp,
        })
      })
    },

    /** CSRF tokens compared in constant time. */
    sameToken(a: string, b: string) {
      const x = Buffer.from(a)
      const y = Buffer.from(b)
      return x.length === y.length && timingSafeEqual(x, y)
    },
  }
  return self
}

export type AuthService = ReturnType<typeof createAuthService>
