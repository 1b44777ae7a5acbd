// Following a report: by its number and a signed token (or the phone's last four digits), in plain
// words with an honest deadline, the public steps and the handler's after-photos; the reporter's
// answer to "is it fixed?" — the loop's call-back (回访) answered online, or "not fixed" after all
// within the days allowed, which sends it back to the department.
import { type CaseStatus, publicStatus, residentClass } from '@wangge/domain'
import { AppError } from '../../kernel/errors.js'
import type { ResidentsRepository } from './residents.repository.js'
import {
  type Caller,
  notFound,
  publicCase,
  type ResidentsContext,
  reopenable,
  residentPrincipal,
  same,
  tokenFor,
} from './residents-context.js'

type CaseRow = NonNullable<Awaited<ReturnType<ResidentsRepository['caseByNumber']>>>
type Proof = { token?: string | undefined; phone4?: string | undefined }

const PUBLIC_STEPS: Record<string, string> = {
  report: '提交反映',
  register: '受理立案',
  dispatch: '派至责任部门',
  accept: '部门已签收',
  return: '重新派遣中',
  handle: '部门处置完毕',
  verify_pass: '网格员现场核查通过',
  verify_fail: '核查未通过，返工',
  callback_satisfied: '确认已解决',
  callback_dissatisfied: '反映未解决，返工',
  close: '办结',
  cancel: '未予受理',
  merge: '并入同一问题',
  self_handle: '网格员现场处置',
  park: '暂缓处理',
  unpark: '恢复处理',
}

/** Who the caller is for this case: the reporter, a follower, or nobody (→ 404, never a hint). */
async function holder(ctx: ResidentsContext, c: CaseRow, proof: Proof): Promise<'reporter' | 'follower'> {
  if (proof.token) {
    const [who] = proof.token.split('.')
    if (who && /^(r|f\d{1,18})$/.test(who) && same(proof.token, await tokenFor(ctx, c.number, who))) {
      if (who === 'r') return 'reporter'
      if (await ctx.repo.isFollower(Number(c.id), Number(who.slice(1)))) return 'follower'
    }
  } else if (proof.phone4 && c.reporter_phone && /^\d{4}$/.test(proof.phone4) && c.reporter_phone.endsWith(proof.phone4))
    return 'reporter'
  throw notFound(c.number)
}

/**
 * The case as its reporter or a follower sees it: the plain status, the deadline honestly, the
 * public steps, the handler's after-photos; whether they may confirm it now.
 */
export async function follow(ctx: ResidentsContext, number: string, proof: Proof) {
  const { repo, cases, clock } = ctx
  const row = await repo.caseByNumber(number)
  if (!row) throw notFound(number)
  const who = await holder(ctx, row, proof)
  const now = clock()
  const p = residentPrincipal({ key: 'follow' })
  const [steps, departments] = await Promise.all([cases.timeline(p, Number(row.id)), repo.departmentNames()])
  const token = proof.token ?? (await tokenFor(ctx, number, 'r'))
  const cls = residentClass(row.catalog_code)
  return {
    ...publicCase(row, cls, departments, now),
    description: row.hidden ? '' : row.description,
    address: row.hidden ? null : row.address,
    lng: row.lng,
    lat: row.lat,
    role: who,
    canConfirm: who === 'reporter' && row.status === 'verified',
    canReopen: who === 'reporter' && reopenable(row, now),
    timeline: steps
      .filter((s) => s.action in PUBLIC_STEPS)
      .map((s) => ({
        at: s.at,
        step: s.action,
        text: PUBLIC_STEPS[s.action] as string,
        // The handler's result, and the photos of the report and of the fix (not the staff's notes).
        note: s.action === 'handle' || s.action === 'self_handle' || s.action === 'cancel' ? s.note : null,
        photos: row.hidden
          ? []
          : ['report', 'handle', 'self_handle', 'verify_pass'].includes(s.action)
            ? s.attachments.map((a) => ({
                id: a.id,
                url: `/api/v1/public/reports/${number}/photos/${a.id}?token=${encodeURIComponent(token)}`,
              }))
            : [],
      })),
  }
}

/** A photo of a public step of the case, for its reporter or follower. */
export async function photo(
  ctx: ResidentsContext,
  number: string,
  id: number,
  proof: { token?: string | undefined },
  thumbnail: boolean,
) {
  const view = await follow(ctx, number, proof)
  if (!view.timeline.some((s) => s.photos.some((x) => x.id === id))) throw new AppError('NOT_FOUND', `No photo ${id}`, { id })
  return ctx.attachments.read(residentPrincipal({ key: 'follow' }), id, thumbnail)
}

/** The resident's answer to "is it fixed?": satisfied (closes) or not fixed (back to rework). */
export async function confirm(
  ctx: ResidentsContext,
  number: string,
  input: Proof & {
    fixed: boolean
    satisfaction: 'satisfied' | 'basically_satisfied' | 'dissatisfied'
    comment?: string | undefined
  },
  c: Caller,
) {
  const { repo, cases, clock } = ctx
  const row = await repo.caseByNumber(number)
  if (!row) throw notFound(number)
  if ((await holder(ctx, row, input)) !== 'reporter') throw notFound(number)
  const p = residentPrincipal(c)
  // Closed, and "not fixed" after all within the days allowed: back to the department.
  if (!input.fixed && reopenable(row, clock())) {
    await cases.act(p, Number(row.id), {
      action: 'reopen',
      version: row.version,
      reason: input.comment?.trim() || '居民反映问题未解决',
    })
    return follow(ctx, number, input)
  }
  if (row.status !== 'verified')
    throw new AppError('INVALID_TRANSITION', 'Only a case awaiting your confirmation can be confirmed', {
      status: publicStatus(row.status as CaseStatus),
    })
  await cases.act(
    p,
    Number(row.id),
    input.fixed && input.satisfaction !== 'dissatisfied'
      ? { action: 'callback_satisfied', version: row.version, satisfaction: input.satisfaction, note: input.comment }
      : {
          action: 'callback_dissatisfied',
          version: row.version,
          satisfaction: 'dissatisfied',
          reason: input.comment?.trim() || '居民反映问题未解决',
        },
  )
  return follow(ctx, number, input)
}
