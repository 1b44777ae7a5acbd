// Who is calling and what they may do where. A principal holds grants (role × scope); a
// permission applies to an object whose code (grid code, else community code — or any region
// code) starts with the scope of a grant that includes it. Out of every scope → the object is
// "not found" (404, indistinguishable from missing); in scope but not permitted → 403.
import { type SqlBool, sql } from 'kysely'
import { AppError } from '../../kernel/errors.js'
import { startsWith } from '../../kernel/like.js'
import { carries, type Permission } from './permissions.js'

export interface Grant {
  role: string
  scope: string
  permissions: ReadonlySet<string>
  /** Held while covering a worker on leave (that worker's user id). */
  coverFor?: number
}

export interface PrincipalUser {
  id: number
  username: string
  displayName: string
  department: string | null
}

export interface BreakGlassWindow {
  id: number
  reason: string
  expiresAt: string
}

/** Permissions an open break-the-glass window adds within the user's scopes. */
const BREAK_GLASS: Permission[] = ['person.unmask', 'person.special']

export class Principal {
  constructor(
    readonly user: PrincipalUser,
    readonly grants: Grant[],
    readonly via: 'session' | 'token' | 'system',
    /** For an API token: the permissions it is limited to. */
    readonly tokenScopes?: ReadonlySet<string>,
    readonly breakGlass?: BreakGlassWindow,
    readonly requestId?: string,
    readonly clientIp?: string,
  ) {}

  /** The same principal for another request (its id and address go to the audit log). */
  withRequest(info: { requestId?: string | undefined; clientIp?: string | undefined }): Principal {
    return new Principal(this.user, this.grants, this.via, this.tokenScopes, this.breakGlass, info.requestId, info.clientIp)
  }

  get actor(): string {
    return this.user.username
  }

  private grantsFor(perm: Permission): Grant[] {
    if (this.tokenScopes && !this.tokenScopes.has(perm)) return []
    const direct = this.grants.filter((g) => g.permissions.has(perm) && carries(perm, g.scope))
    if (this.breakGlass && BREAK_GLASS.includes(perm) && this.grants.some((g) => g.permissions.has('breakglass.use')))
      return this.grants
    return direct
  }

  has(perm: Permission): boolean {
    return this.grantsFor(perm).length > 0
  }

  /** The scope prefixes where `perm` applies, without prefixes covered by shorter ones. */
  scopes(perm: Permission): string[] {
    return minimalPrefixes(this.grantsFor(perm).map((g) => g.scope))
  }

  allows(perm: Permission, code: string): boolean {
    return this.grantsFor(perm).some((g) => code.startsWith(g.scope))
  }

  /** Whether the object is inside any of the user's scopes (any role). */
  sees(code: string): boolean {
    return this.grants.some((g) => code.startsWith(g.scope))
  }

  /** 403 unless the permission is held somewhere. */
  require(perm: Permission): void {
    if (!this.has(perm)) throw forbidden(perm)
  }

  /** 404 (via `notFound`) when the object is outside every scope, 403 when in scope without the permission. */
  check(perm: Permission, code: string, notFound: () => AppError): void {
    if (this.allows(perm, code)) return
    if (this.sees(code)) throw forbidden(perm)
    throw notFound()
  }

  /** The scope (longest matching prefix) under which the object is accessed — for the audit log. */
  scopeOf(perm: Permission, code: string): string | null {
    const s = this.grantsFor(perm)
      .map((g) => g.scope)
      .filter((x) => code.startsWith(x))
      .sort((a, b) => b.length - a.length)
    return s[0] ?? null
  }
}

export const forbidden = (perm: string) =>
  new AppError('FORBIDDEN', `This needs the permission ${perm} here`, { permission: perm })

export function minimalPrefixes(prefixes: string[]): string[] {
  const sorted = [...new Set(prefixes)].sort((a, b) => a.length - b.length || a.localeCompare(b))
  const out: string[] = []
  for (const p of sorted) if (!out.some((q) => p.startsWith(q))) out.push(p)
  return out
}

/**
 * A where-clause limiting rows to the principal's scopes for a permission. `community` is the
 * row's community-code column; `grid` its grid-code column (grid-level scopes, e.g. a grid
 * worker's) — omit it where rows have no grid. No scope → no rows.
 */
export function scopeSql(principal: Principal, perm: Permission, columns: { community: string; grid?: string }) {
  const prefixes = principal.scopes(perm)
  const conditions = prefixes.flatMap((p) => {
    if (p.length <= 12) return [sql<SqlBool>`${sql.ref(columns.community)} like ${startsWith(p)}`]
    return columns.grid ? [sql<SqlBool>`${sql.ref(columns.grid)} = ${p}`] : []
  })
  return conditions.length ? sql<SqlBool>`(${sql.join(conditions, sql` or `)})` : sql<SqlBool>`false`
}

/** The actor recorded in history and audit for a principal's writes. */
export const actorOf = (p: Principal) => ({ id: p.actor, requestId: p.requestId, clientIp: p.clientIp })

/** Masking for display: ID number first 6 + last 4, phone first 3 + last 4, an address down to
 *  its building (the room is hidden), a private person's name as the surname and stars (张**). */
export const mask = {
  name: (v: string | null) => (v ? `${[...v][0] ?? ''}${'*'.repeat(Math.max(1, [...v].length - 1))}` : v),
  idNumber: (v: string | null) =>
    v && v.length > 10 ? `${v.slice(0, 6)}${'*'.repeat(v.length - 10)}${v.slice(-4)}` : v && '****',
  phone: (v: string | null) => (v && v.length >= 7 ? `${v.slice(0, 3)}${'*'.repeat(v.length - 7)}${v.slice(-4)}` : v && '****'),
  address: (v: string | null) => {
    if (!v) return v
    const cut = Math.max(v.lastIndexOf('号'), v.lastIndexOf('栋'), v.lastIndexOf('座'))
    return cut > 0 ? `${v.slice(0, cut + 1)}****` : `${v.slice(0, Math.ceil(v.length / 2))}****`
  },
}
