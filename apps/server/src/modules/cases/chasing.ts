// Chasing (催办/督办): a chain of one pending job per case and deadline generation — the reminder
// when `remindShare` of the limit is left, the yellow card at the deadline, the red card
// `redAfterWorkingDays` working days later. A step that moves or stops the deadline drops the pending
// link (jobs' cancelPendingJobs); a job whose generation is stale does nothing.
import {
  addWorkingMinutes,
  beijingMinute,
  CLOCK_RUNNING,
  limitMinutes,
  minutesPerDay,
  type TimeLimit,
  type WorkCalendar,
  workingMinutesBetween,
} from '@wangge/domain'
import { type BatchJobHandler, type Job, type NewJob, schedule } from '../jobs/index.js'
import type { Row, Trx } from './case-model.js'
import type { CaseSettings, CaseSettingsService } from './case-settings.service.js'
import * as repo from './cases.repository.js'

/**
 * Chasing a deadline is a chain of one pending job at a time: the reminder (when a share of the
 * limit is left), which schedules the yellow card at the deadline, which schedules the red card
 * N working days later. A step that moves or stops the deadline drops the one pending link.
 */
export const chase = (stage: 'remind' | 'yellow' | 'red', r: { id: number; gen: number }, runAt: Date): NewJob => ({
  kind: `case.${stage}`,
  key: `case.${stage}:${r.id}:${r.gen}`,
  runAt,
  payload: { caseId: r.id, gen: r.gen },
  subject: r.id,
})

/** The first link of the chase of a new deadline: the reminder. */
export function reminderJob(
  r: { id: number; gen: number },
  limit: TimeLimit,
  from: Date,
  due: Date,
  s: CaseSettings,
  cal: WorkCalendar,
) {
  const share = s.supervision.remindShare * limitMinutes(limit, cal)
  const remindAt =
    limit.unit === 'natural_hours'
      ? new Date(Math.max(from.getTime(), due.getTime() - share * 60_000))
      : addWorkingMinutes(from, Math.max(0, workingMinutesBetween(from, due, cal) - share), cal)
  return chase('remind', r, remindAt)
}

/** When the red card follows a deadline missed. */
export function redCardAt(due: Date, unit: TimeLimit['unit'], s: CaseSettings, cal: WorkCalendar) {
  return unit === 'natural_hours'
    ? new Date(due.getTime() + s.supervision.redAfterWorkingDays * 86_400_000)
    : addWorkingMinutes(due, s.supervision.redAfterWorkingDays * minutesPerDay(cal.schedule), cal)
}

/** Scheduled chasing: reminder, yellow card, red card — each does nothing when the deadline moved on. */
export function chasingJobHandlers(settings: CaseSettingsService): Record<string, BatchJobHandler> {
  return Object.fromEntries(
    (
      [
        ['case.remind', 'reminded', 'remind', '催办：案卷将于 {d} 到期，请抓紧处置'],
        ['case.yellow', 'yellow', 'yellow_card', '黄牌督办：案卷已超期（期限 {d}）'],
        ['case.red', 'red', 'red_card', '红牌督办：案卷超期未办结（期限 {d}）'],
      ] as const
    ).map(([kind, level, action, text]) => [
      kind,
      // Many due jobs of one kind at once: lock their cases, mark the live ones, one insert each of
      // steps and notices. A job whose case moved on (stale generation, clock stopped) is skipped.
      async (trx: Trx, jobs: Job[], now: Date) => {
        const wanted = jobs.map((j) => j.payload as { caseId: number; gen: number })
        const rows = await repo.lockCases(
          trx,
          wanted.map((w) => w.caseId),
        )
        const byId = new Map(rows.map((r) => [Number(r.id), r]))
        const live = wanted.map(({ caseId, gen }) => {
          const r = byId.get(caseId)
          return r && r.deadline_gen === gen && (CLOCK_RUNNING as readonly string[]).includes(r.status) ? r : undefined
        })
        const marked = [...new Map(live.filter((r): r is Row => !!r).map((r) => [Number(r.id), r])).values()]
        if (marked.length) {
          await repo.markSupervision(
            trx,
            marked.map((r) => Number(r.id)),
            level,
            now,
          )
          const message = (r: Row) => `${r.number} ${text.replace('{d}', beijingMinute(new Date(r.deadline as Date)))}`
          await repo.insertSteps(
            trx,
            marked.map((r) => ({
              case_id: Number(r.id),
              at: now,
              action,
              from_status: r.status,
              to_status: r.status,
              actor: 'system',
              note: message(r),
              details: { gen: r.deadline_gen },
            })),
          )
          const notices = marked
            .filter((r) => r.department)
            .map((r) => ({
              case_id: Number(r.id),
              recipient: `dept:${r.department}`,
              recipient_user_id: null,
              kind: action,
              message: message(r),
            }))
          if (notices.length) await repo.insertNotices(trx, notices)
          // The next link of the chase.
          if (kind !== 'case.red') {
            const { calendar: cal, settings: s } = await settings.current(trx)
            await schedule(
              trx,
              marked.map((r) => {
                const due = new Date(r.deadline as Date)
                const link = { id: Number(r.id), gen: r.deadline_gen }
                return kind === 'case.remind'
                  ? chase('yellow', link, due)
                  : chase('red', link, redCardAt(due, r.limit_unit, s, cal))
              }),
            )
          }
        }
        return live.map((r) => (r ? { supervision: level } : { skipped: true }))
      },
    ]),
  ) as Record<string, BatchJobHandler>
}
