import { describe, expect, it } from 'vitest'
import {
  addWorkingMinutes,
  createWorkCalendar,
  deadline,
  isWorkday,
  minutesLeft,
  statutoryHolidays,
  workingMinutesBetween,
} from './working-time.js'

/** A Beijing wall-clock time as an instant. */
const bj = (s: string) => new Date(`${s}+08:00`)
const iso = (d: Date) => new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ')

describe('the Chinese workday calendar', () => {
  it('knows holidays and the adjusted workdays (调休) of 2026', () => {
    expect(isWorkday('2026-10-01')).toBe(false) // 国庆节
    expect(isWorkday('2026-10-10')).toBe(true) // a Saturday worked for the National Day holiday
    expect(isWorkday('2026-02-14')).toBe(true) // a Saturday worked for the Spring Festival
    expect(isWorkday('2026-02-17')).toBe(false) // 春节
    expect(isWorkday('2026-11-28')).toBe(false) // an ordinary Saturday
    expect(isWorkday('2026-11-27')).toBe(true)
  })
})

describe('deadlines', () => {
  it('counts working hours inside office hours only', () => {
    // Exposed garbage, 4 working hours, reported Friday 16:00: 2 h on Friday, 2 h on Monday.
    expect(iso(deadline(bj('2026-11-27T16:00'), { amount: 4, unit: 'working_hours' }))).toBe('2026-11-30 10:30')
    // Lunch is not working time.
    expect(iso(deadline(bj('2026-11-26T11:00'), { amount: 2, unit: 'working_hours' }))).toBe('2026-11-26 15:00')
    // Reported at night: the clock starts at 08:30.
    expect(iso(deadline(bj('2026-11-26T22:00'), { amount: 1, unit: 'working_hours' }))).toBe('2026-11-27 09:30')
  })

  it('skips the National Day week and works its adjusted Saturday', () => {
    // 2026-09-30 (Wed) 17:30 + 1 working hour: half an hour that day, the rest on the first
    // workday after the National Day holiday.
    const due = deadline(bj('2026-09-30T17:30'), { amount: 1, unit: 'working_hours' })
    expect(iso(due)).toBe(`${firstWorkdayAfter('2026-09-30')} 09:00`)
    // 20 working days (illegal building demolition) across the holiday.
    const demolish = deadline(bj('2026-09-28T09:00'), { amount: 20, unit: 'working_days' })
    expect(workingMinutesBetween(bj('2026-09-28T09:00'), demolish)).toBe(20 * 450)
  })

  it('treats natural hours as wall-clock time (manhole cover missing: 6 h, day or night)', () => {
    expect(iso(deadline(bj('2026-10-01T22:00'), { amount: 6, unit: 'natural_hours' }))).toBe('2026-10-02 04:00')
  })

  it('is the inverse of counting working minutes', () => {
    const start = bj('2026-12-30T10:17')
    for (const m of [1, 30, 210, 450, 451, 2000, 9000]) expect(workingMinutesBetween(start, addWorkingMinutes(start, m))).toBe(m)
  })

  it('counts the statutory holidays for a year chinese-days does not cover yet, marked provisional, under the administrator list', () => {
    const cal = createWorkCalendar({ exceptions: { '2027-02-06': true, '2027-06-09': true } })
    expect(cal.coverage(2026)).toBe('official')
    expect(cal.coverage(2027)).toBe('provisional')
    const plain = createWorkCalendar()
    // 元旦 (a Friday), 春节 from 除夕 (2027-02-05…08), 清明, 端午, 中秋, 国庆 1–3: not working days.
    for (const day of ['2027-01-01', '2027-02-05', '2027-02-08', '2027-04-05', '2027-06-09', '2027-09-15', '2027-10-01'])
      expect(plain.isWorkday(day), day).toBe(false)
    expect(plain.isWorkday('2027-01-04')).toBe(true) // Monday
    expect(plain.isWorkday('2027-02-09')).toBe(true) // Tuesday after the Spring Festival
    expect(plain.isWorkday('2027-01-09')).toBe(false) // Saturday
    expect(cal.isWorkday('2027-02-06')).toBe(true) // Saturday, declared a workday (调休) by the administrator
    expect(cal.isWorkday('2027-06-09')).toBe(true) // the administrator's list wins
    expect([...statutoryHolidays(2027).keys()]).toHaveLength(13)
    // 2027-02-04 (Thu) 17:00 + 2 working hours: 1 h that day, then the holiday and the weekend,
    // Tuesday 2027-02-09 09:30 — not Friday 2027-02-05 as a Monday–Friday calendar would say.
    expect(iso(deadline(bj('2027-02-04T17:00'), { amount: 2, unit: 'working_hours' }, plain))).toBe('2027-02-09 09:30')
    expect(iso(deadline(bj('2026-12-31T17:00'), { amount: 2, unit: 'working_hours' }, plain))).toBe('2027-01-04 09:30')
  })

  it('uses configured office hours', () => {
    const cal = createWorkCalendar({ schedule: [[9 * 60, 17 * 60]] })
    expect(iso(deadline(bj('2026-11-27T16:00'), { amount: 1, unit: 'working_days' }, cal))).toBe('2026-11-30 16:00')
    expect(() => createWorkCalendar({ schedule: [[600, 500]] })).toThrow(RangeError)
  })

  it('counts minutes left, negative once overdue', () => {
    const due = bj('2026-11-27T10:00')
    expect(minutesLeft(bj('2026-11-27T09:00'), due, 'working_hours')).toBe(60)
    expect(minutesLeft(bj('2026-11-27T15:00'), due, 'working_hours')).toBe(-(120 + 60))
    expect(minutesLeft(bj('2026-11-27T11:00'), due, 'natural_hours')).toBe(-60)
  })

  it('refuses nonsense limits', () => {
    expect(() => deadline(bj('2026-11-27T10:00'), { amount: 0, unit: 'working_days' })).toThrow(RangeError)
    expect(() => deadline(bj('2026-11-27T10:00'), { amount: Number.NaN, unit: 'working_hours' })).toThrow(RangeError)
  })
})

function firstWorkdayAfter(date: string): string {
  const d = new Date(`${date}T00:00:00Z`)
  do d.setUTCDate(d.getUTCDate() + 1)
  while (!isWorkday(d.toISOString().slice(0, 10)))
  return d.toISOString().slice(0, 10)
}
