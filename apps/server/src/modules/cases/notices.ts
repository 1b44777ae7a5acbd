// Notices (通知) of the loop: outcomes to reporters (and to those whose reports were merged into a
// case), reminders and cards to departments, escalations to command centres; and each user's list.
import type { CaseStatus } from '@wangge/domain'
import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import type { Principal } from '../access/index.js'
import { type ActInput, iso, type PlanRow, type Trx } from './case-model.js'
import * as repo from './cases.repository.js'

/** Tells the reporters of closing cases — and of every report merged into them — the outcome. */
export async function notifyMany(trx: Trx, list: { r: PlanRow; next: CaseStatus; input: ActInput }[]) {
  const merged = await repo.mergedReports(
    trx,
    list.map(({ r }) => Number(r.id)),
  )
  const rows = list.flatMap(({ r, next, input }) => {
    const kind = next === 'closed' ? 'closed' : 'cancelled'
    const message =
      next === 'closed'
        ? `您报告的问题（${r.number}）已处理结案。${input.result ?? ''}`.trim()
        : `您报告的问题（${r.number}）未予立案：${input.reason ?? ''}`
    return [r, ...merged.filter((m) => Number(m.duplicate_of) === Number(r.id))].map((x) => ({
      case_id: Number(x.id),
      recipient: x.reporter,
      recipient_user_id: x.reporter_user_id,
      kind,
      message: Number(x.id) === Number(r.id) ? message : `${message}（您的报告已并入案卷 ${r.number}）`,
    }))
  })
  await repo.insertNotices(trx, rows)
}

/** Notices for the caller: outcomes of their reports, reminders for their department. */
export async function listNotices(db: Kysely<DB>, p: Principal, page: number, pageSize: number) {
  const [items, total] = await repo.noticesFor(
    db,
    {
      userId: p.user.id,
      actor: p.actor,
      department: p.user.department,
      // A command centre's supervisors: escalations to the centre of their scope.
      centres: p.scopes('case.supervise').map((code) => `centre:${code}`),
    },
    pageSize,
    (page - 1) * pageSize,
  )
  return {
    items: items.map((n) => ({
      id: Number(n.id),
      caseId: Number(n.case_id),
      caseNumber: n.number,
      kind: n.kind,
      message: n.message,
      createdAt: iso(n.created_at) as string,
      readAt: iso(n.read_at),
    })),
    total,
    page,
    pageSize,
  }
}
