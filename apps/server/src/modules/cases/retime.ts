// Deadlines when the working calendar changes: a case's clock runs in working minutes, so a day
// that turns out to be a holiday (an official schedule announced after the provisional calendar
// was used, or an administrator's exception) moves every running deadline that spans it. What a
// case had left is kept: the working minutes from now to its deadline on the calendar it was
// computed on, laid out again from now on the new calendar. The chase follows the new deadline
// (the pending link dropped, the next one scheduled for the new date), the case's timeline and the
// audit log say so, and the handling department is told.
import { addWorkingMinutes, minutesLeft, type WorkCalendar } from '@wangge/domain'
import { audit, type Principal } from '../access/index.js'
import { cancelPendingJobs, schedule } from '../jobs/index.js'
import type { Trx } from './case-model.js'
import type { CaseSettings } from './case-settings.service.js'
import * as repo from './cases.repository.js'
import { chase, reminderJob } from './chasing.js'

const fmt = (d: Date) =>
  new Intl.DateTimeFormat('zh-CN', {
    timeZone: 'Asia/Shanghai',
    month: 'numeric',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(d)

/** Moves the running deadlines the calendar change touches; answers how many moved. `from` is the
 *  first day the change touched (Beijing date): a deadline before it spans no changed day. */
export async function retimeDeadlines(
  trx: Trx,
  p: Principal,
  change: { before: WorkCalendar; after: WorkCalendar; settings: CaseSettings; now: Date; from: string; reason: string },
): Promise<number> {
  const { before, after, settings, now } = change
  const rows = await repo.lockRunningDeadlines(trx, now, change.from)
  const moved = rows.flatMap((r) => {
    const old = new Date(r.deadline as Date)
    const due = addWorkingMinutes(now, minutesLeft(now, old, r.limit_unit, before), after)
    return due.getTime() === old.getTime() ? [] : [{ r, old, due, gen: r.deadline_gen + 1 }]
  })
  if (!moved.length) return 0
  const ids = moved.map((m) => Number(m.r.id))
  await repo.moveDeadlines(
    trx,
    moved.map((m) => ({ id: Number(m.r.id), deadline: m.due, gen: m.gen })),
    now,
  )
  await cancelPendingJobs(trx, ids)
  await schedule(
    trx,
    moved.map(({ r, due, gen }) => {
      const link = { id: Number(r.id), gen }
      // Not yet reminded: the reminder, at its share of the limit before the new deadline; reminded
      // already: the yellow card at the new deadline.
      return r.supervision === 'none'
        ? reminderJob(link, { amount: r.limit_amount, unit: r.limit_unit }, now, due, settings, after)
        : chase('yellow', link, due)
    }),
  )
  const note = (m: (typeof moved)[number]) => `工作日历调整（${change.reason}）：期限由 ${fmt(m.old)} 改为 ${fmt(m.due)}`
  await repo.insertSteps(
    trx,
    moved.map((m) => ({
      case_id: Number(m.r.id),
      at: now,
      action: 'deadline_retimed',
      from_status: m.r.status,
      to_status: m.r.status,
      actor: p.actor,
      note: note(m),
      details: { from: m.old.toISOString(), to: m.due.toISOString(), gen: m.gen },
    })),
  )
  const notices = moved
    .filter((m) => m.r.department)
    .map((m) => ({
      case_id: Number(m.r.id),
      recipient: `dept:${m.r.department}`,
      recipient_user_id: null,
      kind: 'deadline_retimed',
      message: `${m.r.number} ${note(m)}`,
    }))
  if (notices.length) await repo.insertNotices(trx, notices)
  await audit(trx, {
    actor: p.actor,
    action: 'case.deadline_retimed',
    objectType: 'calendar',
    objectId: 'deadlines',
    reason: change.reason,
    requestId: p.requestId,
    clientIp: p.clientIp,
    details: {
      cases: moved.length,
      moves: moved.slice(0, 1000).map((m) => ({ number: m.r.number, from: m.old.toISOString(), to: m.due.toISOString() })),
    },
  })
  return moved.length
}
