// Leave cover: while an approved leave runs, the cover — the worker of a grid paired with one of
// the absent worker's grids — holds the absent worker's grid grants (access adds them to the
// cover's principal through `coveredUsersSql`), so scope, task lists and case verifications follow
// and fall back afterwards without anyone touching the grants. A manager's request is approved at
// once; a worker's own waits for a manager (the grid chief).
import { beijingDate } from '@wangge/domain'
import type { WorkerLeavesTable } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import { audit, type Principal } from '../access/index.js'
import { notFound, type RosterContext, today } from './roster-context.js'

export interface LeaveInput {
  userId?: number | undefined
  from: string
  to: string
  reason: string
  coverUserId?: number | undefined
}

/** The cover of a leave: the one named, or the first worker of a grid paired with the absent
 *  worker's — refused when the one named is not such a worker. */
async function coverFor(ctx: RosterContext, userId: number, grids: string[], named: number | undefined) {
  const partners = await ctx.repo.partnersOf(grids, userId)
  const candidates = [...new Set(partners.map((r) => Number(r.user_id)))]
  const cover = named ?? candidates[0]
  if (cover === undefined || !candidates.includes(cover))
    throw new AppError('NO_PARTNER', 'The cover must be the worker of a grid paired with the absent worker’s', {
      userId,
      candidates,
    })
  return cover
}

export async function requestLeave(ctx: RosterContext, p: Principal, input: LeaveInput) {
  const userId = input.userId ?? p.user.id
  if (input.to < input.from)
    throw new AppError('VALIDATION_FAILED', 'The leave ends before it starts', {
      issues: [{ path: 'to', message: 'before from' }],
    })
  const grids = await ctx.repo.gridsOf(userId)
  // Someone else's leave needs roster.manage over every grid they work; short of that, the
  // answer is the one for an unknown user (403 only inside the caller's scope) — before anything
  // is said about their grids or partners.
  if (userId !== p.user.id && !(grids.length && grids.every((g) => p.allows('roster.manage', g)))) {
    for (const g of grids) p.check('roster.manage', g, notFound('user', userId))
    throw notFound('user', userId)()
  }
  if (!grids.length) throw new AppError('NO_PARTNER', `User ${userId} works no grid`, { userId })
  const manager = grids.every((g) => p.allows('roster.manage', g))
  const cover = await coverFor(ctx, userId, grids, input.coverUserId)
  return ctx.db.transaction().execute(async (trx) => {
    // One leave at a time per worker; a cover cannot be away themselves.
    const clash = await ctx.repo.overlappingLeaves(trx, [userId, cover], input.from, input.to)
    if (clash.length)
      throw new AppError('LEAVE_OVERLAP', 'A leave of the worker or of the cover overlaps this one', {
        leaves: clash.map((c) => Number(c.id)),
      })
    const row = await ctx.repo.insertLeave(trx, {
      user_id: userId,
      cover_user_id: cover,
      starts_on: input.from,
      ends_on: input.to,
      reason: input.reason,
      status: manager ? 'approved' : 'requested',
      requested_by: p.actor,
      ...(manager ? { decided_by: p.actor, decided_at: ctx.clock() } : {}),
    })
    await audit(trx, {
      actor: p.actor,
      action: 'roster.leave',
      objectType: 'user',
      objectId: String(userId),
      details: { leave: Number(row.id), cover, from: input.from, to: input.to, status: row.status },
      requestId: p.requestId,
      clientIp: p.clientIp,
    })
    ctx.invalidate()
    return leaveView(row)
  })
}

/** A manager approves or rejects a requested leave; the worker or a manager cancels one. */
export async function decideLeave(
  ctx: RosterContext,
  p: Principal,
  id: number,
  input: { decision: 'approve' | 'reject' | 'cancel'; version: number },
) {
  return ctx.db.transaction().execute(async (trx) => {
    const l = await ctx.repo.lockLeave(trx, id)
    if (!l) throw notFound('leave', id)()
    const grids = await ctx.repo.gridsOf(Number(l.user_id), trx)
    const own = Number(l.user_id) === p.user.id
    if (!(input.decision === 'cancel' && own))
      for (const g of grids.length ? grids : ['-']) p.check('roster.manage', g, notFound('leave', id))
    if (l.version !== input.version) throw new AppError('VERSION_CONFLICT', 'The leave changed meanwhile', { current: l.version })
    const allowed = input.decision === 'cancel' ? ['requested', 'approved'] : ['requested']
    if (!allowed.includes(l.status))
      throw new AppError('INVALID_TRANSITION', `A ${l.status} leave cannot be ${input.decision}d`, { status: l.status })
    const status = ({ approve: 'approved', reject: 'rejected', cancel: 'cancelled' } as const)[input.decision]
    const row = await ctx.repo.decideLeave(trx, id, {
      status,
      decided_by: p.actor,
      decided_at: ctx.clock(),
      version: l.version + 1,
    })
    await audit(trx, {
      actor: p.actor,
      action: `roster.leave.${input.decision}`,
      objectType: 'user',
      objectId: String(l.user_id),
      details: { leave: id },
      requestId: p.requestId,
      clientIp: p.clientIp,
    })
    ctx.invalidate()
    return leaveView(row)
  })
}

/** Leaves of the workers of a region's grids (running ones, or all since a date). */
export async function leaves(ctx: RosterContext, p: Principal, region: string, q: { running?: boolean | undefined }) {
  p.check('roster.read', region, notFound('region', region))
  return (await ctx.repo.leavesUnder(region, q.running ? today(ctx) : undefined)).map(leaveView)
}

function leaveView(l: {
  id: number
  user_id: number
  cover_user_id: number
  starts_on: Date | string
  ends_on: Date | string
  reason: string
  status: WorkerLeavesTable['status']
  requested_by: string
  decided_by: string | null
  version: number
}) {
  const day = (d: Date | string) => (d instanceof Date ? beijingDate(d) : String(d).slice(0, 10))
  return {
    id: Number(l.id),
    userId: Number(l.user_id),
    coverUserId: Number(l.cover_user_id),
    from: day(l.starts_on),
    to: day(l.ends_on),
    reason: l.reason,
    status: l.status,
    requestedBy: l.requested_by,
    decidedBy: l.decided_by,
    version: l.version,
  }
}
