// What staff see of the residents' channel: moderation of public reports (flags, hide and show
// again, nothing lost), a caller's earlier cases at the 12345 desk, the in-app notices of the
// console's and the phone's bell, and the notification outbox.
import { notificationText, residentClass } from '@wangge/domain'
import { audit, forbidden, type Principal } from '../access/index.js'
import { iso, notFound, phoneOf, publicCase, type ResidentsContext, seenBy } from './residents-context.js'

/** Marks a report as inappropriate (anyone; the moderators see the count). */
export async function flag({ repo }: ResidentsContext, number: string) {
  const row = await repo.caseByNumber(number)
  if (!row) throw notFound(number)
  await repo.flag(Number(row.id))
  return { flagged: true }
}

/** Hides (or shows again) a report's public text and photos; nothing is lost. */
export async function moderate(
  { db, repo, cases }: ResidentsContext,
  p: Principal,
  number: string,
  input: { hidden: boolean; reason: string },
) {
  const row = await repo.caseByNumber(number)
  if (!row) throw notFound(number)
  const view = await cases.get(p, Number(row.id)) // (404 out of scope, as for any case)
  p.check('resident.moderate', view.gridCode ?? view.communityCode, () => notFound(number))
  await db.transaction().execute(async (trx) => {
    await repo.moderate(trx, Number(row.id), { hidden: input.hidden, reason: input.reason, by: p.actor })
    await audit(trx, {
      actor: p.actor,
      action: input.hidden ? 'resident.hide' : 'resident.show',
      objectType: 'case',
      objectId: Number(row.id),
      reason: input.reason,
      requestId: p.requestId,
      clientIp: p.clientIp,
      details: { number },
    })
  })
  return { number, hidden: input.hidden }
}

/** Flagged public reports not hidden yet, in the moderator's scope. */
export async function flagged(ctx: ResidentsContext, p: Principal) {
  p.require('resident.moderate')
  const now = ctx.clock()
  const [rows, departments] = await Promise.all([ctx.repo.flagged(200), ctx.repo.departmentNames()])
  return rows
    .filter((r) => seenBy(ctx, p, r) && p.allows('resident.moderate', r.grid_code ?? r.community_code))
    .map((r) => ({
      ...publicCase(r, residentClass(r.catalog_code), departments, now),
      description: r.description,
      flagged: r.flagged,
    }))
}

/**
 * A caller's earlier cases (12345 desk): reported from the phone or followed with it, those in the
 * operator's scope, with the class and status; the operator sees the phone anyway.
 */
export async function callerCases(ctx: ResidentsContext, p: Principal, raw: string) {
  if (!p.has('case.register') && !p.has('case.callback')) throw forbidden('case.register')
  const phone = phoneOf(raw)
  const now = ctx.clock()
  const [rows, departments] = await Promise.all([ctx.repo.byPhone(phone, 100), ctx.repo.departmentNames()])
  return rows
    .filter((r) => seenBy(ctx, p, r))
    .map((r) => ({
      id: Number(r.id),
      ...publicCase(r, residentClass(r.catalog_code), departments, now),
      catalog: r.catalog_code,
      caseStatus: r.status,
      description: r.description,
      address: r.address,
      source: r.source,
      satisfaction: r.satisfaction,
      followed: r.followed,
    }))
}

/**
 * The caller's in-app notifications: to their department (new cases), to the grids they work
 * (fixes to verify), to themselves.
 */
export async function inbox({ repo }: ResidentsContext, p: Principal) {
  const recipients = [
    `user:${p.user.id}`,
    ...(p.user.department ? [`dept:${p.user.department}`] : []),
    ...p.grants.filter((g) => g.role === 'grid_worker' || g.role === 'grid_chief').map((g) => `grid:${g.scope}`),
  ]
  return (await repo.inbox(recipients, 50)).map((n) => ({
    id: Number(n.id),
    template: n.template,
    text: notificationText(n.template, (n.payload ?? {}) as Record<string, unknown>),
    caseId: n.case_id === null ? null : Number(n.case_id),
    createdAt: iso(n.created_at) as string,
  }))
}

/** The outbox, newest first (notification.read; phones and codes masked). */
export async function notifications(
  { repo }: ResidentsContext,
  p: Principal,
  q: { page: number; pageSize: number; recipient?: string | undefined; status?: 'pending' | 'sent' | 'failed' | undefined },
) {
  p.require('notification.read')
  const { items, total } = await repo.notifications(
    { recipient: q.recipient, status: q.status },
    q.pageSize,
    (q.page - 1) * q.pageSize,
  )
  return {
    items: items.map((n) => {
      const payload = (n.payload ?? {}) as Record<string, unknown>
      const phone = /^1\d{10}$/.test(n.recipient)
      return {
        id: Number(n.id),
        channel: n.channel,
        // (The call-back has the reporter's phone in the case; the outbox need not show it.)
        recipient: phone ? `${n.recipient.slice(0, 3)}****${n.recipient.slice(-4)}` : n.recipient,
        template: n.template,
        // A code is for the phone's owner alone.
        text: notificationText(n.template, n.template === 'resident.code' ? { ...payload, code: '******' } : payload),
        caseId: n.case_id === null ? null : Number(n.case_id),
        status: n.status,
        attempts: n.attempts,
        nextAttemptAt: iso(n.next_attempt_at) as string,
        sentAt: iso(n.sent_at),
        lastError: n.last_error,
        createdAt: iso(n.created_at) as string,
      }
    }),
    total,
    page: q.page,
    pageSize: q.pageSize,
  }
}
