// The settings the event loop runs on, edited by administrators (versioned, audited): office
// hours, the duplicate window, reminders and supervision cards, the return window — and the
// working calendar's exceptions (holidays and adjusted workdays for years `chinese-days` does not
// cover yet, or local corrections).
import {
  type CalendarCoverage,
  createWorkCalendar,
  officialCalendarCovers,
  validateSchedule,
  type WorkCalendar,
} from '@wangge/domain'
import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import type { ChangeBus } from '../../kernel/change-bus.js'
import { AppError } from '../../kernel/errors.js'
import { readSetting, writeSetting } from '../../kernel/settings.js'
import { audit, type Principal } from '../access/index.js'
import { calendarRepository as calendarDays } from './calendar.repository.js'
import type { Trx } from './case-model.js'
import { retimeDeadlines } from './retime.js'

export interface CaseSettings {
  /** Office periods, minutes after midnight (Beijing). */
  schedule: [number, number][]
  duplicates: { radiusM: number; hours: number }
  /** Remind when this share of the time limit is left; red card this many working days after the deadline. */
  supervision: { remindShare: number; redAfterWorkingDays: number }
  /** A department may return a wrongly assigned case within this many working days of dispatch. */
  returnWindowDays: number
}

export const DEFAULT_CASE_SETTINGS: CaseSettings = {
  schedule: [
    [510, 720],
    [840, 1080],
  ],
  duplicates: { radiusM: 50, hours: 24 },
  supervision: { remindShare: 0.25, redAfterWorkingDays: 2 },
  returnWindowDays: 2,
}

const KEY = 'cases.settings'

export function createCaseSettingsService({
  db,
  bus,
  clock = () => new Date(),
}: {
  db: Kysely<DB>
  bus?: ChangeBus | undefined
  /** The loop's clock: running deadlines are laid out again from its now. */
  clock?: () => Date
}) {
  let cached: { settings: CaseSettings; version: number; calendar: WorkCalendar; at: number } | undefined
  // Other server processes hear of a change through the bus; without one they see it within this.
  const TTL_MS = 30_000

  /** (`conn`: the caller's transaction, when it holds the only connection — PGlite.) */
  async function read(conn: Kysely<DB>) {
    const row = await readSetting<Partial<CaseSettings>>(conn, KEY)
    const settings = { ...DEFAULT_CASE_SETTINGS, ...((row?.value as Partial<CaseSettings> | undefined) ?? {}) }
    const days = await calendarDays.days(conn)
    const calendar = createWorkCalendar({
      schedule: settings.schedule,
      exceptions: new Map(days.map((d) => [String(d.day), d.workday])),
    })
    return { settings, version: row?.version ?? 0, calendar, at: Date.now() }
  }
  // (Callers arriving while a read is in flight share it: a cold cache under load is one read.)
  // A change in this process drops the cache at once; a read that began before it is not kept.
  let loading: Promise<NonNullable<typeof cached>> | undefined
  let generation = 0
  const drop = () => {
    cached = undefined
    loading = undefined
    generation++
  }
  bus?.on('settings', drop)
  async function load(conn: Kysely<DB> = db) {
    if (cached && Date.now() - cached.at < TTL_MS) return cached
    const gen = generation
    let pending: ReturnType<typeof read>
    if (conn.isTransaction) pending = read(conn)
    else {
      if (!loading) loading = read(conn)
      pending = loading
    }
    try {
      const fresh = await pending
      if (gen === generation) cached = fresh
      return fresh
    } finally {
      if (loading === pending) loading = undefined
    }
  }

  /** A change of the calendar's exceptions from day `from` on, and the running deadlines it moves, in
   *  one transaction. */
  async function changeCalendar(p: Principal, from: string, reason: string, change: (trx: Trx) => Promise<void>) {
    const retimed = await db.transaction().execute(async (trx) => {
      const before = await read(trx)
      await change(trx)
      const after = await read(trx)
      return retimeDeadlines(trx, p, {
        before: before.calendar,
        after: after.calendar,
        settings: after.settings,
        now: clock(),
        from,
        reason,
      })
    })
    drop()
    bus?.publish('settings')
    return { retimed }
  }

  return {
    /** The current settings and calendar (cached briefly). */
    current: load,
    invalidate: drop,

    async get(p: Principal) {
      p.require('region.read')
      const c = await load()
      return { ...c.settings, version: c.version }
    },

    async update(p: Principal, patch: Partial<CaseSettings> & { version: number; reason: string }) {
      p.require('catalog.admin')
      const { version, reason, ...change } = patch
      if (change.schedule) {
        const problem = validateSchedule(change.schedule)
        if (problem)
          throw new AppError('VALIDATION_FAILED', `Office hours: ${problem}`, {
            issues: [{ path: 'schedule', message: problem }],
          })
      }
      await db.transaction().execute(async (trx) => {
        const row = await readSetting<Partial<CaseSettings>>(trx, KEY, { forUpdate: true })
        const current = row?.version ?? 0
        if (current !== version)
          throw new AppError('VERSION_CONFLICT', 'The settings were changed by someone else', { current, given: version })
        const next = { ...DEFAULT_CASE_SETTINGS, ...((row?.value as Partial<CaseSettings> | undefined) ?? {}), ...change }
        await writeSetting(trx, KEY, next, p.actor)
        await audit(trx, {
          actor: p.actor,
          action: 'settings.update',
          objectType: 'settings',
          objectId: KEY,
          reason,
          requestId: p.requestId,
          clientIp: p.clientIp,
          details: { version: current + 1, change },
        })
      })
      drop()
      bus?.publish('settings')
      return this.get(p)
    },

    /** A year's calendar: every day that is not an ordinary weekday/weekend, and where the answer comes from. */
    async calendar(p: Principal, year: number) {
      p.require('region.read')
      const { calendar } = await load()
      const exceptions = await calendarDays.year(db, year)
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
    },

    async setDay(p: Principal, input: { day: string; workday: boolean; note: string }) {
      p.require('catalog.admin')
      return changeCalendar(p, input.day, input.note, async (trx) => {
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
    },

    async deleteDay(p: Principal, day: string) {
      p.require('catalog.admin')
      return changeCalendar(p, day, `删除 ${day} 的例外`, async (trx) => {
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
    },

    /** A year's official schedule (国务院办公厅 放假安排) as announced: its holidays and its adjusted
     *  workdays (调休上班) replace the year's exceptions; running deadlines are laid out again. */
    async importYear(p: Principal, input: { year: number; holidays: string[]; workdays: string[]; note: string }) {
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
      return changeCalendar(p, `${input.year}-01-01`, input.note, async (trx) => {
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
    },
  }
}

export type CaseSettingsService = ReturnType<typeof createCaseSettingsService>
