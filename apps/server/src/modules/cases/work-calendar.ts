// The working calendar's use cases (case-settings.service.ts wires them): a year as the loop
// sees it, an administrator's exception for a day (set or taken back), and a year's official
// schedule imported — each change with the running deadlines it moves (retime.ts), in one
// transaction, audited.
import { type CalendarCoverage, officialCalendarCovers, type WorkCalendar } from '@wangge/domain'
import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import { audit, type Principal } from '../access/index.js'
import { calendarRepository as calendarDays } from './calendar.repository.js'
import type { Trx } from './case-model.js'
import type { CaseSettings } from './case-settings.service.js'
import { retimeDeadlines } from './retime.js'

export interface CalendarContext {
  db: Kysely<DB>
  clock: () => Date
  /** The current settings and calendar (cached). */
  current: () => Promise<{ calendar: WorkCalendar }>
  /** The settings and calendar as `conn` sees them (inside a change's transaction). */
  read: (conn: Kysely<DB>) => Promise<{ settings: CaseSettings; calendar: WorkCalendar }>
  /** Forget the cached calendar here and in the other holders. */
  changed: () => void
}

/** A change of the calendar's exceptions from day `from` on, and the running deadlines it moves, in
 *  one transaction. */
async function changeCalendar(
  ctx: CalendarContext,
  p: Principal,
  from: string,
  reason: string,
  change: (trx: Trx) => Promise<void>,
) {
  const retimed = await ctx.db.transaction().execute(async (trx) => {
    const before = await ctx.read(trx)
    await change(trx)
    const after = await ctx.read(trx)
    return retimeDeadlines(trx, p, {
      before: before.calendar,
      after: after.calendar,
      settings: after.settings,
      now: ctx.clock(),
      from,
      reason,
    })
  })
  ctx.changed()
  return { retimed }
}

/** A year's calendar: every day that is not an ordinary weekday/weekend, and where the answer comes from. */
export async function calendarYear(ctx: CalendarContext, p: Principal, year: number) {
  p.require('region.read')
  const { calendar } = await ctx.current()
  const exceptions = await calendarDays.year(ctx.db, year)
  const special: { day: string; workday: boolean }[] = []
  for (let t = Date.UTC(year, 0, 1); t < Date.UTC(year + 1, 0, 1); t += 86_400_000) {
    const d = new Date(t)
    const day = d.toISOString().slice(0, 10)
    const weekend = d.getUTCDay() === 0 || d.getUTCDay() === 6
    const workday = calendar.isWorkday(day)
    if (workday === weekend) special.push({ day, workday })
  }
  const coverage: CalendarCoverage = officialCalendarCovers(year) ? 'official' : 'provisional'
  return {
    year,
    coverage,
    note:
      coverage === 'official'
        ? 'Holidays and adjusted workdays as announced by the State Council (chinese-days), with the exceptions below'
        : 'Not announced yet (provisional): Monday–Friday are workdays except the statutory public holidays (元旦, 春节 from 除夕, 清明, 劳动节, 端午, 中秋, 国庆); bridge days and adjusted workdays come with the announcement or the administrator’s exceptions below',
    schedule: calendar.schedule.map(([a, b]) => [a, b] as [number, number]),
    exceptions: exceptions.map((e) => ({ day: String(e.day), workday: e.workday, note: e.note, createdBy: e.created_by })),
    special,
  }
}

/** An administrator's exception for one day. */
export async function setCalendarDay(ctx: CalendarContext, p: Principal, input: { day: string; workday: boolean; note: string }) {
  p.require('catalog.admin')
  return changeCalendar(ctx, p, input.day, input.note, async (trx) => {
    await calendarDays.setDay(trx, { day: input.day, workday: input.workday, note: input.note, created_by: p.actor })
    await audit(trx, {
      actor: p.actor,
      action: 'calendar.set',
      objectType: 'calendar_day',
      objectId: input.day,
      reason: input.note,
      requestId: p.requestId,
      clientIp: p.clientIp,
      details: { workday: input.workday },
    })
  })
}

/** An exception taken back. */
export async function deleteCalendarDay(ctx: CalendarContext, p: Principal, day: string) {
  p.require('catalog.admin')
  return changeCalendar(ctx, p, day, `删除 ${day} 的例外`, async (trx) => {
    const r = await calendarDays.deleteDay(trx, day)
    if (!r) throw new AppError('NOT_FOUND', `No calendar exception on ${day}`, { day })
    await audit(trx, {
      actor: p.actor,
      action: 'calendar.delete',
      objectType: 'calendar_day',
      objectId: day,
      requestId: p.requestId,
      clientIp: p.clientIp,
      details: { workday: r.workday, note: r.note },
    })
  })
}

/** A year's official schedule (国务院办公厅 放假安排) as announced: its holidays and its adjusted
 *  workdays (调休上班) replace the year's exceptions; running deadlines are laid out again. */
export async function importCalendarYear(
  ctx: CalendarContext,
  p: Principal,
  input: { year: number; holidays: string[]; workdays: string[]; note: string },
) {
  p.require('catalog.admin')
  const both = input.holidays.filter((d) => input.workdays.includes(d))
  const outside = [...input.holidays, ...input.workdays].filter((d) => !d.startsWith(`${input.year}-`))
  if (both.length || outside.length)
    throw new AppError('VALIDATION_FAILED', 'A day is both a holiday and a workday, or outside the year', {
      issues: [
        ...both.map((d) => ({ path: 'workdays', message: `${d} is also a holiday` })),
        ...outside.map((d) => ({ path: 'holidays', message: `${d} is not in ${input.year}` })),
      ],
    })
  return changeCalendar(ctx, p, `${input.year}-01-01`, input.note, async (trx) => {
    const removed = await calendarDays.clearYear(trx, input.year)
    const days = [
      ...input.holidays.map((day) => ({ day, workday: false })),
      ...input.workdays.map((day) => ({ day, workday: true })),
    ]
    if (days.length)
      await calendarDays.addDays(
        trx,
        days.map((d) => ({ ...d, note: input.note, created_by: p.actor })),
      )
    await audit(trx, {
      actor: p.actor,
      action: 'calendar.import',
      objectType: 'calendar_year',
      objectId: String(input.year),
      reason: input.note,
      requestId: p.requestId,
      clientIp: p.clientIp,
      details: { holidays: input.holidays.length, workdays: input.workdays.length, replaced: removed.length },
    })
  })
}
