// Who is calling: the principal behind a session cookie or an API token — the user, their grants
// (and, covering a worker on leave, that worker's grid grants) and any open emergency window, in
// one round trip. Token principals are cached for TOKEN_CACHE_MS (machine clients send many
// requests); every change to who may do what bumps a generation (here, in the other holders of the
// process and, through the change bus, in the other server processes), and an older cached
// principal is not used.
import { createHash } from 'node:crypto'
import type { Kysely, Transaction } from 'kysely'
import { isConnectionError } from '../../db/primary.js'
import type { DB } from '../../db/schema.js'
import type { ChangeBus } from '../../kernel/change-bus.js'
import type { AuthRepository } from './auth.repository.js'
import { Principal } from './principal.js'

export interface RequestInfo {
  requestId?: string | undefined
  clientIp?: string | undefined
  userAgent?: string | undefined
}

const TOKEN_CACHE_MS = 2_000
/** Noting when a session or token was last used is bookkeeping: while the primary is away (reads
 *  go on from a replica) it is skipped, not a reason to turn the caller away. */
const unlessUnreachable = (err: unknown) => {
  if (!isConnectionError(err)) throw err
}
export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')

export class Principals {
  private readonly tokenCache = new Map<string, { principal: Principal; at: number; generation: number }>()
  /** Bumped by every change to who may do what; cached principals older than it are not used. */
  private generation = 0

  constructor(
    private readonly db: Kysely<DB>,
    private readonly repo: AuthRepository,
    private readonly coveredUsers: Parameters<AuthRepository['principal']>[1],
    private readonly bus?: ChangeBus | undefined,
  ) {
    bus?.on('access', () => {
      this.generation++
    })
  }

  /** Who may do what changed (committed): here, in the other holders and server processes. */
  changed() {
    this.generation++
    this.bus?.publish('access')
  }

  /** A change to who may do what, announced once it has committed (or failed): a principal built
   *  in between would be cached with the new generation but the old grants. */
  change<T>(work: (trx: Transaction<DB>) => Promise<T>) {
    return this.db
      .transaction()
      .execute(work)
      .finally(() => this.changed())
  }

  /** The user, their grants and any open emergency window (and the token) — one round trip per request. */
  async of(by: { userId: number } | { tokenHash: string }, via: 'session' | 'token', info: RequestInfo) {
    const u = await this.repo.principal(by, this.coveredUsers)
    if (u && u.token_id !== null && (!u.last_used_at || Date.now() - new Date(u.last_used_at).getTime() > 60_000))
      await this.repo.touchToken(Number(u.token_id)).catch(unlessUnreachable)
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

  /** The principal behind a session cookie (and the session's CSRF token), or undefined. */
  async fromSession(cookie: string, info: RequestInfo) {
    const s = await this.repo.liveSession(sha256(cookie))
    if (!s) return undefined
    if (Date.now() - new Date(s.last_seen_at).getTime() > 60_000) await this.repo.touchSession(s.id_hash).catch(unlessUnreachable)
    const principal = await this.of({ userId: Number(s.user_id) }, 'session', info)
    return principal ? { principal, csrfToken: s.csrf_token } : undefined
  }

  /** A token's principal: a change made through this process (roles, revocation, emergency
   *  access) applies at once, one made through another server process within TOKEN_CACHE_MS. */
  async fromToken(bearer: string, info: RequestInfo) {
    const key = sha256(bearer)
    const hit = this.tokenCache.get(key)
    if (hit && hit.generation === this.generation && Date.now() - hit.at < TOKEN_CACHE_MS) return hit.principal.withRequest(info)
    const at = Date.now()
    const seen = this.generation
    const principal = await this.of({ tokenHash: key }, 'token', info)
    if (principal) {
      if (this.tokenCache.size > 10_000) this.tokenCache.clear()
      this.tokenCache.set(key, { principal, at, generation: seen })
    }
    return principal
  }
}
