// Working time on the Chinese calendar (DOMAIN.md §4): case time limits are in working hours,
// working days or natural hours. Workdays and holidays — including the adjusted workdays (调休),
// Saturdays or Sundays that are worked to bridge a holiday — come from `chinese-days`, which
// carries the State Council's announcements. For a year it does not cover yet (no holiday listed
// in it) the calendar is provisional: Monday–Friday minus the statutory public holidays, which are
// certain before the announcement (`statutoryHolidays`: 元旦, 春节 from 除夕, 清明, 劳动节, 端午, 中秋,
// 国庆, from the lunar calendar), plus the administrator's list of exceptions, and it says so
// (`coverage`). The administrator's exceptions also win over the package in covered years (a late
// announcement, a local day off).
// Clock: Beijing time (UTC+8, no daylight saving). Office hours default to 08:30–12:00 and
// 14:00–18:00 (7.5 working hours a day) and are configurable; a working day is one day's worth
// of working minutes.
import chineseDays from 'chinese-days'

const BEIJING_MS = 8 * 3_600_000
const DAY_MS = 86_400_000

/** Office periods in minutes after midnight, in order and not overlapping. */
export type WorkSchedule = readonly (readonly [start: number, end: number])[]
export const DEFAULT_SCHEDULE: WorkSchedule = [
  [8 * 60 + 30, 12 * 60],
  [14 * 60, 18 * 60],
]

export type TimeLimitUnit = 'working_hours' | 'working_days' | 'natural_hours'
export interface TimeLimit {
  amount: number
  unit: TimeLimitUnit
}

export function validateSchedule(s: WorkSchedule): string | null {
  let last = -1
  for (const [a, b] of s) {
    if (!Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b > 1440 || b <= a) return `bad period ${a}–${b}`
    if (a < last) return 'periods overlap or are out of order'
    last = b
  }
  return s.length ? null : 'no working period'
}

export const minutesPerDay = (s: WorkSchedule) => s.reduce((m, [a, b]) => m + (b - a), 0)

/** The Beijing calendar date (YYYY-MM-DD) of an instant. */
export function beijingDate(t: Date): string {
  return new Date(t.getTime() + BEIJING_MS).toISOString().slice(0, 10)
}

/** Beijing date and time to the minute (YYYY-MM-DD HH:mm) of an instant, for tables and files. */
export function beijingMinute(t: Date): string {
  return new Date(t.getTime() + BEIJING_MS).toISOString().slice(0, 16).replace('T', ' ')
}

const officialYears = new Map<number, boolean>()
/** Whether `chinese-days` carries the announced holidays of this year. */
export function officialCalendarCovers(year: number): boolean {
  let v = officialYears.get(year)
  if (v === undefined) {
    v = chineseDays.getHolidaysInRange(`${year}-01-01`, `${year}-12-31`, false).length > 0
    officialYears.set(year, v)
  }
  return v
}

/**
 * The statutory public holidays of a year by the State Council's 全国年节及纪念日放假办法 (as revised in
 * 2024, in force from 2025): 元旦 1 day; 春节 4 days from 除夕 (the last day of the lunar year) to
 * 正月初三; 清明 1 (the solar term); 劳动节 2 (1–2 May); 端午 1 (五月初五); 中秋 1 (八月十五); 国庆 3
 * (1–3 October). The lunar and solar-term dates come from `chinese-days`. These are the days off
 * that are certain before the year's schedule is announced; the announcement adds bridge days and
 * 调休 workdays, so until then they are provisional. Date → the holiday's name.
 */
export function statutoryHolidays(year: number): ReadonlyMap<string, string> {
  let m = statutory.get(year)
  if (m) return m
  const day = (iso: string, add = 0) => new Date(Date.parse(`${iso}T00:00:00Z`) + add * DAY_MS).toISOString().slice(0, 10)
  const lunar = (monthDay: string) => chineseDays.getSolarDateFromLunar(`${year}-${monthDay}`).date
  const springFestival = lunar('01-01')
  m = new Map<string, string>([
    [`${year}-01-01`, '元旦'],
    ...[-1, 0, 1, 2].map((d) => [day(springFestival, d), '春节'] as [string, string]),
    [chineseDays.getSolarTermDate(year, 4, 'pure_brightness'), '清明'],
    [`${year}-05-01`, '劳动节'],
    [`${year}-05-02`, '劳动节'],
    [lunar('05-05'), '端午'],
    [lunar('08-15'), '中秋'],
    [`${year}-10-01`, '国庆'],
    [`${year}-10-02`, '国庆'],
    [`${year}-10-03`, '国庆'],
  ])
  statutory.set(year, m)
  return m
}
const statutory = new Map<number, ReadonlyMap<string, string>>()

export type CalendarCoverage = 'official' | 'provisional'

export interface WorkCalendar {
  schedule: WorkSchedule
  isWorkday(date: string): boolean
  /** The same for the Beijing day starting at `dayMs` (epoch ms of its midnight), without a date string. */
  isWorkdayAt?(dayMs: number): boolean
  /** 'official': the State Council calendar; 'provisional': weekends and the statutory holidays
   *  (without the announcement's bridge days and 调休), plus the administrator's list. */
  coverage(year: number): CalendarCoverage
}

/**
 * A calendar: `chinese-days` where it covers the year, Monday–Friday minus the statutory holidays
 * elsewhere, with the administrator's exceptions (date → workday?) over both. Answers are memoised
 * per date.
 */
export function createWorkCalendar(
  opts: { schedule?: WorkSchedule; exceptions?: ReadonlyMap<string, boolean> | Record<string, boolean> } = {},
): WorkCalendar {
  const schedule = opts.schedule ?? DEFAULT_SCHEDULE
  const problem = validateSchedule(schedule)
  if (problem) throw new RangeError(`working schedule: ${problem}`)
  const exceptions =
    opts.exceptions instanceof Map ? opts.exceptions : new Map(Object.entries((opts.exceptions ?? {}) as Record<string, boolean>))
  const memo = new Map<string, boolean>()
  const byDay = new Map<number, boolean>()
  const cal: WorkCalendar = {
    schedule,
    coverage: (year) => (officialCalendarCovers(year) ? 'official' : 'provisional'),
    isWorkdayAt(dayMs) {
      let v = byDay.get(dayMs)
      if (v === undefined) {
        v = cal.isWorkday(beijingDate(new Date(dayMs)))
        byDay.set(dayMs, v)
      }
      return v
    },
    isWorkday(date) {
      const seen = memo.get(date)
      if (seen !== undefined) return seen
      const given = exceptions.get(date)
      let v: boolean
      if (given !== undefined) v = given
      else if (officialCalendarCovers(Number(date.slice(0, 4)))) v = chineseDays.isWorkday(date)
      else {
        const dow = new Date(`${date}T00:00:00Z`).getUTCDay()
        v = dow !== 0 && dow !== 6 && !statutoryHolidays(Number(date.slice(0, 4))).has(date)
      }
      memo.set(date, v)
      return v
    },
  }
  return cal
}

export const DEFAULT_CALENDAR = createWorkCalendar()

export function isWorkday(date: string, cal: WorkCalendar = DEFAULT_CALENDAR): boolean {
  return cal.isWorkday(date)
}

/** Midnight (Beijing) of the day containing t, as epoch ms. */
const dayStart = (ms: number) => Math.floor((ms + BEIJING_MS) / DAY_MS) * DAY_MS - BEIJING_MS

const workdayAt = (cal: WorkCalendar, dayMs: number) =>
  cal.isWorkdayAt ? cal.isWorkdayAt(dayMs) : cal.isWorkday(beijingDate(new Date(dayMs)))

// Answers memoised per calendar: a batch of steps asks the same few questions (its one moment plus
// a few limits) a thousand times. Bounded: cleared when it grows past a few thousand entries.
const answers = new WeakMap<WorkCalendar, Map<string, number>>()
function memoised(cal: WorkCalendar, key: string, f: () => number): number {
  let m = answers.get(cal)
  if (!m) {
    m = new Map()
    answers.set(cal, m)
  }
  let v = m.get(key)
  if (v === undefined) {
    if (m.size > 4096) m.clear()
    v = f()
    m.set(key, v)
  }
  return v
}

/** The instant `minutes` working minutes after `start`. */
export function addWorkingMinutes(start: Date, minutes: number, cal: WorkCalendar = DEFAULT_CALENDAR): Date {
  if (minutes < 0) throw new RangeError('minutes must be ≥ 0')
  return new Date(memoised(cal, `+${start.getTime()}:${minutes}`, () => addWorkingMinutesMs(start, minutes, cal)))
}

function addWorkingMinutesMs(start: Date, minutes: number, cal: WorkCalendar): number {
  let left = minutes
  let day = dayStart(start.getTime())
  let from = start.getTime()
  for (let guard = 0; guard < 3660; guard++) {
    if (workdayAt(cal, day)) {
      for (const [a, b] of cal.schedule) {
        const p0 = Math.max(day + a * 60_000, from)
        const p1 = day + b * 60_000
        if (p1 <= p0) continue
        const available = (p1 - p0) / 60_000
        if (left <= available) return p0 + left * 60_000
        left -= available
      }
    }
    day += DAY_MS
    from = day
  }
  throw new RangeError('deadline more than ten years away')
}

/** Working minutes between two instants (0 when b ≤ a). */
export function workingMinutesBetween(a: Date, b: Date, cal: WorkCalendar = DEFAULT_CALENDAR): number {
  return memoised(cal, `${a.getTime()}-${b.getTime()}`, () => minutesBetween(a, b, cal))
}

function minutesBetween(a: Date, b: Date, cal: WorkCalendar): number {
  let total = 0
  const end = b.getTime()
  for (let day = dayStart(a.getTime()); day < end; day += DAY_MS) {
    if (!workdayAt(cal, day)) continue
    for (const [s, e] of cal.schedule) {
      const p0 = Math.max(day + s * 60_000, a.getTime())
      const p1 = Math.min(day + e * 60_000, end)
      if (p1 > p0) total += (p1 - p0) / 60_000
    }
  }
  return total
}

/** A time limit in minutes of its own clock (working minutes, or natural minutes). */
export function limitMinutes(limit: TimeLimit, cal: WorkCalendar = DEFAULT_CALENDAR): number {
  switch (limit.unit) {
    case 'natural_hours':
      return limit.amount * 60
    case 'working_hours':
      return limit.amount * 60
    case 'working_days':
      return limit.amount * minutesPerDay(cal.schedule)
  }
}

/** When something started at `start` with this time limit is due. */
export function deadline(start: Date, limit: TimeLimit, cal: WorkCalendar = DEFAULT_CALENDAR): Date {
  if (!(limit.amount > 0)) throw new RangeError('a time limit must be positive')
  if (limit.unit === 'natural_hours') return new Date(start.getTime() + limit.amount * 3_600_000)
  return addWorkingMinutes(start, limitMinutes(limit, cal), cal)
}

/** Minutes of the limit's own clock left from `now` to `due` (negative when overdue). */
export function minutesLeft(now: Date, due: Date, unit: TimeLimitUnit, cal: WorkCalendar = DEFAULT_CALENDAR): number {
  if (unit === 'natural_hours') return (due.getTime() - now.getTime()) / 60_000
  return due >= now ? workingMinutesBetween(now, due, cal) : -workingMinutesBetween(due, now, cal)
}
