// Users, their grants and roles: built-in roles seeded (a new permission added once to the roles
// that define it), users created one at a time or many at once (one argon2 hash per distinct
// password), grants replaced, login locks lifted, roles edited at a version — every change audited,
// and announced (Principals.change) once it has committed.
import { hash as argonHash } from '@node-rs/argon2'
import type { Kysely, Transaction } from 'kysely'
import zxcvbn from 'zxcvbn'
import type { DB } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import { readSetting, writeSetting } from '../../kernel/settings.js'
import { audit } from './audit.service.js'
import type { AuthRepository } from './auth.repository.js'
import { ALL_PERMISSIONS, BUILTIN_ROLES, type Permission } from './permissions.js'
import type { Principals, RequestInfo } from './principals.js'

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

export interface UsersContext {
  db: Kysely<DB>
  repo: AuthRepository
  principals: Principals
}

export interface NewUser {
  username: string
  password: string
  displayName?: string | undefined
  department?: string | undefined
  roles: readonly { role: string; scope: string }[]
}

const auditInfo = (info: RequestInfo) => ({ requestId: info.requestId, clientIp: info.clientIp })

/** Grants roles to a user. */
async function grant(
  ctx: UsersContext,
  trx: Transaction<DB>,
  userId: number,
  roles: readonly { role: string; scope: string }[],
  actor: string,
) {
  if (roles.length)
    await ctx.repo.insertGrants(
      trx,
      roles.map((r) => ({ user_id: userId, role_code: r.role, scope: r.scope, granted_by: actor })),
    )
}

/** Built-in roles are created when missing; an administrator's edits are kept. */
export async function seedRoles({ db, repo }: UsersContext) {
  await repo.insertMissingRoles(
    BUILTIN_ROLES.map((r) => ({ code: r.code, name: r.name, name_en: r.nameEn, permissions: r.permissions, builtin: true })),
  )
  // The administrator role always holds every permission (new ones included).
  await repo.setRolePermissions('admin', ALL_PERMISSIONS)
  // A permission this version introduces is added to the built-in roles that define it, once:
  // the permissions known at the last start are kept in `settings`, so an administrator's
  // later removal of a permission from a role is respected.
  const known = await readSetting<string[]>(db, 'access.known_permissions')
  // (Before this list existed: what the other roles hold.)
  const before = new Set(known ? known.value : await repo.permissionsHeld())
  const added = ALL_PERMISSIONS.filter((x) => !before.has(x))
  if (added.length)
    for (const r of BUILTIN_ROLES) {
      const extra = r.permissions.filter((x) => added.includes(x))
      if (extra.length) await repo.addBuiltinPermissions(r.code, extra)
    }
  if (added.length || !known) await writeSetting(db, 'access.known_permissions', ALL_PERMISSIONS, 'seed')
}

export async function createUser(
  ctx: UsersContext,
  actor: string,
  input: Omit<NewUser, 'roles'>,
  roles: { role: string; scope: string }[],
  info: RequestInfo = {},
) {
  checkPasswordStrength(input.password, input.username)
  const passwordHash = await argonHash(input.password)
  return ctx.db.transaction().execute(async (trx) => {
    const [u] = await ctx.repo.insertUsers(trx, [
      {
        username: input.username,
        display_name: input.displayName ?? input.username,
        password_hash: passwordHash,
        department: input.department ?? null,
      },
    ])
    const id = Number(u?.id)
    await grant(ctx, trx, id, roles, actor)
    await audit(trx, {
      actor,
      action: 'user.create',
      objectType: 'user',
      objectId: input.username,
      details: { roles },
      ...auditInfo(info),
    })
    return id
  })
}

/**
 * Users at once (a district's grid workers enrolled together, the demo's staff): one transaction,
 * one hash per distinct password (argon2 is slow on purpose: 2,000 workers one by one would take
 * minutes), one audit entry per user. Names already taken are refused as a whole (nothing is
 * written). Answers username → id.
 */
export async function createUsers(
  ctx: UsersContext,
  actor: string,
  inputs: readonly NewUser[],
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
  await ctx.principals.change(async (trx) => {
    const taken = await ctx.repo.takenUsernames(
      trx,
      inputs.map((i) => i.username),
    )
    if (taken.length) throw new AppError('CONFLICT', 'Some user names are taken', { usernames: taken.map((t) => t.username) })
    for (let k = 0; k < inputs.length; k += 500) {
      const chunk = inputs.slice(k, k + 500)
      const rows = await ctx.repo.insertUsers(
        trx,
        chunk.map((i) => ({
          username: i.username,
          display_name: i.displayName ?? i.username,
          password_hash: hashes.get(i.password) as string,
          department: i.department ?? null,
        })),
      )
      for (const r of rows) ids.set(r.username, Number(r.id))
      const grants = chunk.flatMap((i) =>
        i.roles.map((r) => ({ user_id: ids.get(i.username) as number, role_code: r.role, scope: r.scope, granted_by: actor })),
      )
      if (grants.length) await ctx.repo.insertGrants(trx, grants)
    }
    await audit(
      trx,
      inputs.map((i) => ({
        actor,
        action: 'user.create',
        objectType: 'user',
        objectId: i.username,
        details: { roles: i.roles },
        ...auditInfo(info),
      })),
    )
  })
  return ids
}

export async function setRoles(
  ctx: UsersContext,
  actor: string,
  userId: number,
  roles: { role: string; scope: string }[],
  info: RequestInfo = {},
) {
  await ctx.principals.change(async (trx) => {
    const username = await ctx.repo.usernameOf(trx, userId)
    if (!username) throw new AppError('NOT_FOUND', `No user ${userId}`, { userId })
    await ctx.repo.deleteGrants(trx, userId)
    await grant(ctx, trx, userId, roles, actor)
    await audit(trx, {
      actor,
      action: 'user.roles',
      objectType: 'user',
      objectId: username,
      details: { roles },
      ...auditInfo(info),
    })
  })
}

/** Lifts every login lock on a user's name (all addresses); audited. */
export async function unlock(ctx: UsersContext, actor: string, userId: number, info: RequestInfo = {}) {
  await ctx.db.transaction().execute(async (trx) => {
    const username = await ctx.repo.usernameOf(trx, userId)
    if (!username) throw new AppError('NOT_FOUND', `No user ${userId}`, { userId })
    const cleared = await ctx.repo.clearFailures(trx, username)
    await audit(trx, {
      actor,
      action: 'user.unlock',
      objectType: 'user',
      objectId: username,
      details: { cleared },
      ...auditInfo(info),
    })
  })
}

export async function listUsers({ repo }: UsersContext, limit: number, offset: number) {
  const [items, total] = await Promise.all([repo.pageUsers(limit, offset), repo.countUsers()])
  const ids = items.map((u) => Number(u.id))
  const roles = ids.length ? await repo.grantsOf(ids) : []
  return {
    items: items.map((u) => ({
      id: Number(u.id),
      username: u.username,
      displayName: u.display_name,
      department: u.department,
      status: u.status,
      lockedUntil: u.locked_until ? new Date(u.locked_until).toISOString() : null,
      roles: roles.filter((r) => Number(r.user_id) === Number(u.id)).map((r) => ({ role: r.role_code, scope: r.scope })),
    })),
    total,
  }
}

export async function listRoles({ repo }: UsersContext) {
  return (await repo.roles()).map((r) => ({
    code: r.code,
    name: r.name,
    nameEn: r.name_en,
    permissions: r.permissions,
    builtin: r.builtin,
    version: r.version,
  }))
}

export async function updateRole(
  ctx: UsersContext,
  actor: string,
  code: string,
  permissions: string[],
  version: number,
  info: RequestInfo = {},
) {
  const unknown = permissions.filter((p) => !ALL_PERMISSIONS.includes(p as Permission))
  if (unknown.length) throw new AppError('VALIDATION_FAILED', `Unknown permissions: ${unknown.join(', ')}`, { unknown })
  if (code === 'admin') throw new AppError('FORBIDDEN', 'The administrator role always holds every permission')
  return ctx.principals.change(async (trx) => {
    const r = await ctx.repo.lockRole(trx, code)
    if (!r) throw new AppError('NOT_FOUND', `No role ${code}`, { code })
    if (r.version !== version)
      throw new AppError('VERSION_CONFLICT', 'The role was changed by someone else', { current: r.version, given: version })
    await ctx.repo.updateRole(trx, code, permissions, r.version + 1)
    await audit(trx, {
      actor,
      action: 'role.update',
      objectType: 'role',
      objectId: code,
      details: { old: r.permissions, new: permissions },
      ...auditInfo(info),
    })
    return { code, permissions, version: r.version + 1 }
  })
}
