// Break the glass (紧急授权): a user with `breakglass.use` opens an emergency window of
// BREAK_GLASS_HOURS (unmasking without a reason each time, audited); reviewers see and review the
// windows of users whose every grant lies inside their `breakglass.review` scopes (a street
// supervisor sees the street's people, not a district dispatcher's window), never their own.
import { AppError } from '../../kernel/errors.js'
import { audit } from './audit.service.js'
import { withinReviewScopes } from './auth.repository.js'
import type { Principal } from './principal.js'
import type { SessionsContext } from './sessions.js'

export const BREAK_GLASS_HOURS = 2

const withinReview = (p: Principal) => withinReviewScopes(p.scopes('breakglass.review'))

export async function startBreakGlass(ctx: SessionsContext, p: Principal, reason: string) {
  p.require('breakglass.use')
  const expires = new Date(Date.now() + BREAK_GLASS_HOURS * 3_600_000)
  return ctx.principals.change(async (trx) => {
    const id = await ctx.repo.openWindow(trx, p.user.id, reason, expires)
    await audit(trx, {
      actor: p.actor,
      action: 'breakglass.start',
      objectType: 'break_glass',
      objectId: id,
      reason,
      requestId: p.requestId,
      clientIp: p.clientIp,
      details: { expiresAt: expires.toISOString() },
    })
    return { id, expiresAt: expires.toISOString() }
  })
}

/** The emergency windows of users within the caller's review scope, newest first. */
export async function listBreakGlass(ctx: SessionsContext, p: Principal) {
  p.require('breakglass.review')
  return (await ctx.repo.windows(withinReview(p))).map((b) => ({
    id: Number(b.id),
    username: b.username,
    reason: b.reason,
    startedAt: new Date(b.started_at).toISOString(),
    expiresAt: new Date(b.expires_at).toISOString(),
    reviewedBy: b.reviewed_by,
    reviewedAt: b.reviewed_at ? new Date(b.reviewed_at).toISOString() : null,
    reviewNote: b.review_note,
  }))
}

export async function reviewBreakGlass(ctx: SessionsContext, p: Principal, id: number, note: string) {
  p.require('breakglass.review')
  await ctx.principals.change(async (trx) => {
    // Out of the reviewer's scope is the same answer as absent; one's own window is never
    // one's own to review (four eyes).
    const w = await ctx.repo.lockWindow(trx, id, withinReview(p))
    if (!w) throw new AppError('NOT_FOUND', `No emergency access ${id}`, { id })
    if (Number(w.user_id) === p.user.id)
      throw new AppError('FORBIDDEN', 'Nobody reviews their own emergency access', { id, rule: 'four_eyes' })
    await ctx.repo.reviewWindow(trx, id, p.actor, note)
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
}
