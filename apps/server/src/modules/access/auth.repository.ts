// Access's statements: users and their grants, roles, login failures, sessions, API tokens,
// emergency windows, the one-round-trip principal query, and the rate limits' counts.
import { type Expression, type Insertable, type Kysely, type RawBuilder, type SqlBool, sql, type Transaction } from 'kysely'
import type { ApiTokensTable, DB, SessionsTable, UserRolesTable } from '../../db/schema.js'

type Db = Kysely<DB> | Transaction<DB>

/** The users whose grid grants a user holds today as their cover (a partner on leave): a subquery
 *  over the user's id, supplied by the roster, which keeps the leaves. */
export type CoveredUsersSql = (userId: RawBuilder<unknown>) => RawBuilder<unknown>
/** Nobody is covered (no roster wired). */
export const NO_COVERED_USERS: CoveredUsersSql = () => sql`select null::bigint where false`

export interface PrincipalRow {
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
}

export function createAuthRepository(db: Kysely<DB>) {
  return {
    /** The user (by id, or by a live token's hash), their grants — with those of the workers they
     *  cover (`coveredUsers`: a subquery over the user's id) — and any open emergency window. */
    async principal(
      by: { userId: number } | { tokenHash: string },
      coveredUsers: (userId: RawBuilder<unknown>) => RawBuilder<unknown>,
    ): Promise<PrincipalRow | undefined> {
      const from =
        'userId' in by
          ? sql`users u left join api_tokens t on false where u.id = ${by.userId}`
          : sql`api_tokens t join users u on u.id = t.user_id
            where t.token_hash = ${by.tokenHash} and t.revoked_at is null and (t.expires_at is null or t.expires_at > now())`
      const r = await sql<PrincipalRow>`
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
      return r.rows[0]
    },

    touchToken: (id: number) => db.updateTable('api_tokens').set({ last_used_at: new Date() }).where('id', '=', id).execute(),

    // Roles.
    insertMissingRoles: (rows: { code: string; name: string; name_en: string; permissions: string[]; builtin: boolean }[]) =>
      db
        .insertInto('roles')
        .values(rows)
        .onConflict((oc) => oc.column('code').doNothing())
        .execute(),
    setRolePermissions: (code: string, permissions: string[]) =>
      db.updateTable('roles').set({ permissions }).where('code', '=', code).execute(),
    /** The permissions every role but the administrator's holds. */
    permissionsHeld: async () =>
      (await db.selectFrom('roles').select('permissions').where('code', '<>', 'admin').execute()).flatMap((r) => r.permissions),
    /** Adds permissions to a built-in role (once; an administrator's later removal stays). */
    addBuiltinPermissions: (code: string, extra: string[]) =>
      db
        .updateTable('roles')
        .set({ permissions: sql`array(select distinct unnest(permissions || ${sql.val(extra)}::text[]))` })
        .where('code', '=', code)
        .where('builtin', '=', true)
        .execute(),
    roles: () => db.selectFrom('roles').selectAll().orderBy('code').execute(),
    lockRole: (trx: Transaction<DB>, code: string) =>
      trx.selectFrom('roles').select(['version', 'permissions']).where('code', '=', code).forUpdate().executeTakeFirst(),
    updateRole: (trx: Transaction<DB>, code: string, permissions: string[], version: number) =>
      trx.updateTable('roles').set({ permissions, version, updated_at: sql`now()` }).where('code', '=', code).execute(),

    // Users and grants.
    insertUsers: (
      trx: Transaction<DB>,
      rows: { username: string; display_name: string; password_hash: string; department: string | null }[],
    ) => trx.insertInto('users').values(rows).returning(['id', 'username']).execute(),
    insertGrants: (trx: Transaction<DB>, rows: Insertable<UserRolesTable>[]) =>
      trx.insertInto('user_roles').values(rows).execute(),
    deleteGrants: (trx: Transaction<DB>, userId: number) => trx.deleteFrom('user_roles').where('user_id', '=', userId).execute(),
    /** Takes one role at one scope from everyone holding it; answers who did. */
    takeRole: async (trx: Transaction<DB>, role: string, scope: string) =>
      (
        await trx.deleteFrom('user_roles').where('role_code', '=', role).where('scope', '=', scope).returning('user_id').execute()
      ).map((b) => Number(b.user_id)),
    takenUsernames: (trx: Transaction<DB>, names: string[]) =>
      trx.selectFrom('users').select('username').where('username', 'in', names).execute(),
    usernameOf: async (trx: Db, id: number) =>
      (await trx.selectFrom('users').select('username').where('id', '=', id).executeTakeFirst())?.username,
    /** A page of users with any login lock running on their name. */
    pageUsers: (limit: number, offset: number) =>
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
    countUsers: async () =>
      Number(
        (
          await db
            .selectFrom('users')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    grantsOf: (userIds: number[]) =>
      db.selectFrom('user_roles').select(['user_id', 'role_code', 'scope']).where('user_id', 'in', userIds).execute(),

    // Logins.
    userForLogin: (username: string) =>
      db
        .selectFrom('users')
        .select(['id', 'username', 'password_hash', 'status'])
        .where('username', '=', username)
        .executeTakeFirst(),
    loginLock: (username: string, address: string) =>
      db
        .selectFrom('login_failures')
        .select('locked_until')
        .where('username', '=', username)
        .where('address', '=', address)
        .executeTakeFirst(),
    /** One more failure of (name, address): at `max` the pair is locked for `minutes` and counts anew. */
    async countFailure(username: string, address: string, max: number, minutes: number) {
      const r = await sql<{ failures: number; locked_until: Date | null }>`
          insert into login_failures as f (username, address, failures) values (${username}, ${address}, 1)
          on conflict (username, address) do update set
            failures = case when f.failures + 1 >= ${max} then 0 else f.failures + 1 end,
            locked_until = case when f.failures + 1 >= ${max}
              then now() + make_interval(mins => ${minutes}) else f.locked_until end,
            last_at = now()
          returning failures, locked_until`.execute(db)
      return r.rows[0]
    },
    /** Forgets a name's failures: from one address (a login), or from all (an administrator's unlock). */
    clearFailures: async (trx: Transaction<DB>, username: string, address?: string) => {
      let q = trx.deleteFrom('login_failures').where('username', '=', username)
      if (address !== undefined) q = q.where('address', '=', address)
      return Number((await q.executeTakeFirst()).numDeletedRows)
    },

    // Sessions.
    insertSession: (trx: Transaction<DB>, row: Insertable<SessionsTable>) => trx.insertInto('sessions').values(row).execute(),
    revokeSession: (idHash: string) =>
      db.updateTable('sessions').set({ revoked_at: new Date() }).where('id_hash', '=', idHash).execute(),
    liveSession: (idHash: string) =>
      db
        .selectFrom('sessions')
        .select(['user_id', 'csrf_token', 'last_seen_at', 'id_hash'])
        .where('id_hash', '=', idHash)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', sql<Date>`now()`)
        .executeTakeFirst(),
    touchSession: (idHash: string) =>
      db.updateTable('sessions').set({ last_seen_at: new Date() }).where('id_hash', '=', idHash).execute(),

    // API tokens.
    insertToken: async (trx: Transaction<DB>, row: Insertable<ApiTokensTable>) =>
      Number((await trx.insertInto('api_tokens').values(row).returning(['id']).executeTakeFirstOrThrow()).id),
    /** Revokes a token; false when there is none. */
    revokeToken: async (trx: Transaction<DB>, id: number) =>
      !!(await trx
        .updateTable('api_tokens')
        .set({ revoked_at: new Date() })
        .where('id', '=', id)
        .returning('id')
        .executeTakeFirst()),
    tokens: () =>
      db
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
        .execute(),

    // Emergency windows (break the glass).
    openWindow: async (trx: Transaction<DB>, userId: number, reason: string, expires: Date) =>
      Number(
        (
          await trx
            .insertInto('break_glass')
            .values({ user_id: userId, reason, expires_at: expires })
            .returning('id')
            .executeTakeFirstOrThrow()
        ).id,
      ),
    /** The newest 500 windows within a review scope (`within`: over `break_glass as b`). */
    windows: (within: Expression<SqlBool>) =>
      db
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
        .where(within)
        .orderBy('b.id', 'desc')
        .limit(500)
        .execute(),
    lockWindow: (trx: Transaction<DB>, id: number, within: Expression<SqlBool>) =>
      trx
        .selectFrom('break_glass as b')
        .select(['b.id', 'b.user_id'])
        .where('b.id', '=', id)
        .where(within)
        .forUpdate()
        .executeTakeFirst(),
    reviewWindow: (trx: Transaction<DB>, id: number, reviewer: string, note: string) =>
      trx
        .updateTable('break_glass')
        .set({ reviewed_by: reviewer, reviewed_at: new Date(), review_note: note })
        .where('id', '=', id)
        .execute(),
  }
}

export type AuthRepository = ReturnType<typeof createAuthRepository>

/** Windows whose owner holds grants, all of them inside these review scopes (over `break_glass as b`). */
export function withinReviewScopes(scopes: string[]) {
  const prefixes = scopes.map((s) => `${s}%`)
  return sql<SqlBool>`exists (select from user_roles g where g.user_id = b.user_id)
    and not exists (select from user_roles g where g.user_id = b.user_id
                    and not (g.scope like any(${prefixes}::text[])))`
}

// The rate limits' counts (rate-limit-store.ts: a store for @fastify/rate-limit).

/** A key counted once more: its hits in the current window and the milliseconds left of it. */
export function countHit(db: Kysely<DB>, key: string, windowMs: number) {
  return sql<{ hits: number; ttl: number }>`
    insert into rate_limits as r (key, hits, window_ends) values (${key}, 1, now() + ${windowMs} * interval '1 millisecond')
    on conflict (key) do update set
      hits = case when r.window_ends <= now() then 1 else r.hits + 1 end,
      window_ends = case when r.window_ends <= now() then excluded.window_ends else r.window_ends end
    returning hits, greatest(0, ceil(extract(epoch from window_ends - now()) * 1000))::int as ttl`.execute(db)
}

export const sweepRateLimits = (db: Kysely<DB>) => sql`delete from rate_limits where window_ends < now()`.execute(db)
