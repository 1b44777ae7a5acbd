// The settings the event loop runs on, edited by administrators (versioned, audited): office
// hours, the duplicate window, reminders and supervision cards, the return window — and the
// working calendar's exceptions (holidays and adjusted workdays for years `chinese-days` does not
// cover yet, or local corrections).
import { createWorkCalendar, validateSchedule, type WorkCalendar } from '@wangge/domain'
import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import type { ChangeBus } from '../../kernel/change-bus.js'
import { AppError } from '../../kernel/errors.js'
import { readSetting, writeSetting } from '../../kernel/settings.js'
import { audit, type Principal } from '../access/index.js'
import { calendarRepository as calendarDays } from './calendar.repository.js'
import { type CalendarContext, calendarYear, deleteCalendarDay, importCalendarYear, setCalendarDay } from './work-calendar.js'

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

  const cal: CalendarContext = {
    db,
    clock,
    current: () => load(),
    read,
    changed: () => {
      drop()
      bus?.publish('settings')
    },
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

    calendar: (p: Principal, year: number) => calendarYear(cal, p, year),
    setDay: (p: Principal, input: { day: string; workday: boolean; note: string }) => setCalendarDay(cal, p, input),
    deleteDay: (p: Principal, day: string) => deleteCalendarDay(cal, p, day),
    importYear: (p: Principal, input: { year: number; holidays: string[]; workdays: string[]; note: string }) =>
      importCalendarYear(cal, p, input),
  }
}

export type CaseSettingsService = ReturnType<typeof createCaseSettingsService>
