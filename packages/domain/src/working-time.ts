// Working time on the Chinese calendar (DOMAIN.md §4): case time limits are in working hours,
// working days or natural hours. Workdays and holidays — including the adjusted workdays (调休),
// Saturdays or Sundays that are worked to bridge a holiday — come from `chinese-days`, which
// carries the State Council's announcements; for a year not yet announced it knows only weekends.
// Clock: Beijing time (UTC+8, no daylight saving). Office hours default to 08:30–12:00 and
// 14:00–18:00 (7.5 working hours a day); a working day is one day's worth of working minutes.
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

const minutesPerDay = (s: WorkSchedule) => s.reduce((m, [a, b]) => m + (b - a), 0)

/** The Beijing calendar date (YYYY-MM-DD) of an instant. */
export function beijingDate(t: Date): string {
  return new Date(t.getTime() + BEIJING_MS).toISOString().slice(0, 10)
}

export function isWorkday(date: string): boolean {
  return chineseDays.isWorkday(date)
}

/** Midnight (Beijing) of the day containing t, as epoch ms. */
const dayStart = (ms: number) => Math.floor((ms + BEIJING_MS) / DAY_MS) * DAY_MS - BEIJING_MS

/** The instant `minutes` working minutes after `start`. */
export function addWorkingMinutes(start: Date, minutes: number, schedule: WorkSchedule = DEFAULT_SCHEDULE): Date {
  if (minutes < 0) throw new RangeError('minutes must be ≥ 0')
  let left = minutes
  let day = dayStart(start.getTime())
  let from = start.getTime()
  for (let guard = 0; guard < 3660; guard++) {
    if (isWorkday(beijingDate(new Date(day)))) {
      for (const [a, b] of schedule) {
        const p0 = Math.max(day + a * 60_000, from)
        const p1 = day + b * 60_000
        if (p1 <= p0) continue
        const available = (p1 - p0) / 60_000
        if (left <= available) return new Date(p0 + left * 60_000)
        left -= available
      }
    }
    day += DAY_MS
    from = day
  }
  throw new RangeError('deadline more than ten years away')
}

/** Working minutes between two instants (0 when b ≤ a). */
export function workingMinutesBetween(a: Date, b: Date, schedule: WorkSchedule = DEFAULT_SCHEDULE): number {
  let total = 0
  const end = b.getTime()
  for (let day = dayStart(a.getTime()); day < end; day += DAY_MS) {
    if (!isWorkday(beijingDate(new Date(day)))) continue
    for (const [s, e] of schedule) {
      const p0 = Math.max(day + s * 60_000, a.getTime())
      const p1 = Math.min(day + e * 60_000, end)
      if (p1 > p0) total += (p1 - p0) / 60_000
    }
  }
  return total
}

/** When a case dispatched at `start` with this time limit is due. */
export function deadline(start: Date, limit: TimeLimit, schedule: WorkSchedule = DEFAULT_SCHEDULE): Date {
  if (!(limit.amount > 0)) throw new RangeError('a time limit must be positive')
  switch (limit.unit) {
    case 'natural_hours':
      return new Date(start.getTime() + limit.amount * 3_600_000)
    case 'working_hours':
      return addWorkingMinutes(start, limit.amount * 60, schedule)
    case 'working_days':
      return addWorkingMinutes(start, limit.amount * minutesPerDay(schedule), schedule)
  }
}
