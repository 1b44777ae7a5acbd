// The monthly report's one-window section: present when the month has applications (pages longer
// by its table), absent otherwise.
import { describe, expect, it } from 'vitest'
import { type MonthlyReport, monthlyReportPdf } from './stats.export.js'

const group = (key: string) => ({ key, counts: { reported: 3, closed: 2 }, rates: { close: 0.5, satisfaction: 1 } })
const base: MonthlyReport = {
  region: '440104',
  regionName: '越秀区',
  month: '2026-11',
  lang: 'zh-CN',
  population: { total: 1000, byType: [{ key: 'registered', n: 800 }], byAge: [{ key: '0-14', n: 100 }] },
  cases: { total: group('all'), byClass: [group('E01')], byDay: [group('2026-11-02')], byChild: [group('440104004')] },
  names: new Map([['440104004', '北京街道']]),
  generatedAt: new Date('2026-12-01T00:00:00Z'),
}

describe('the monthly report', () => {
  it('has a one-window section when the month has applications', async () => {
    const figure = { onTimeRate: 0.9, avgWorkingDays: 4.2, sparedPerApplication: 2.1 }
    const without = await monthlyReportPdf(base)
    const none = await monthlyReportPdf({
      ...base,
      services: { total: { applications: 0, offers: 0, uptake: null, ...figure }, items: [] },
    })
    const withApps = await monthlyReportPdf({
      ...base,
      services: {
        total: { applications: 40, offers: 12, uptake: 0.25, ...figure },
        items: Array.from({ length: 12 }, (_, i) => ({ name: `事项${i}`, applications: 40 - i, ...figure })),
      },
    })
    // (The creation time in the document info may differ by a few bytes.)
    expect(Math.abs(none.length - without.length)).toBeLessThan(64)
    expect(withApps.length).toBeGreaterThan(without.length + 1000)
  })
})
