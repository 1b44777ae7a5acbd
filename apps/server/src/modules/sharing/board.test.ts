// The sharing board on a hand-checked month (November 2026, Monday–Friday working days, 21 of
// them; weeks starting Nov 2, 9, 16, 23 due, the week of Nov 30 not yet over on Dec 2).
import { describe, expect, it } from 'vitest'
import { type BoardDelivery, type BoardInput, computeBoard, slotsOf } from './board.js'

const weekdays = (d: string) => {
  const w = new Date(`${d}T00:00:00Z`).getUTCDay()
  return w !== 0 && w !== 6
}
const novemberDays = slotsOf('daily', '2026-11', weekdays).map(([d]) => d)
const delivery = (dataset: string, day: string, more: Partial<BoardDelivery> = {}): BoardDelivery => ({
  dataset,
  day,
  status: 'applied',
  rowsTotal: 1000,
  rowsRejected: 0,
  ...more,
})

const fixture: BoardInput = {
  month: '2026-11',
  today: '2026-12-02',
  isWorkday: weekdays,
  datasets: [
    {
      code: 'police.population',
      department: 'police',
      name: '人口',
      rhythm: 'daily',
      freshnessDays: 2,
      confidentiality: 'internal',
      completeness: 0.9,
    },
    {
      code: 'health.deaths',
      department: 'health',
      name: '死亡',
      rhythm: 'daily',
      freshnessDays: 3,
      confidentiality: 'internal',
      completeness: null,
    },
    {
      code: 'justice.corrections',
      department: 'justice',
      name: '矫正',
      rhythm: 'monthly',
      freshnessDays: 35,
      confidentiality: 'secret',
      completeness: null,
    },
    {
      code: 'housing.rentals',
      department: 'housing',
      name: '租赁',
      rhythm: 'weekly',
      freshnessDays: 10,
      confidentiality: 'internal',
      completeness: 0.5,
    },
    {
      code: 'civil_affairs.assistance',
      department: 'civil_affairs',
      name: '低保',
      rhythm: 'monthly',
      freshnessDays: 35,
      confidentiality: 'internal',
      completeness: 1,
    },
    {
      code: 'civil_affairs.elderly_allowance',
      department: 'civil_affairs',
      name: '高龄',
      rhythm: 'monthly',
      freshnessDays: 35,
      confidentiality: 'internal',
      completeness: null,
    },
  ],
  deliveries: [
    // Police: every working day but the 13th and the 20th; the 27th's was sent back whole.
    ...novemberDays
      .filter((d) => d !== '2026-11-13' && d !== '2026-11-20')
      .map((d) =>
        d === '2026-11-27'
          ? delivery('police.population', d, { status: 'rejected', rowsRejected: 1000 })
          : d === '2026-11-03'
            ? delivery('police.population', d, { status: 'partially_applied', rowsRejected: 10 })
            : delivery('police.population', d),
      ),
    delivery('housing.rentals', '2026-11-03', { rowsTotal: 100 }),
    delivery('housing.rentals', '2026-11-10', { rowsTotal: 100 }),
    delivery('housing.rentals', '2026-11-24', { rowsTotal: 100 }),
    delivery('civil_affairs.assistance', '2026-11-05', { rowsTotal: 300 }),
  ],
  newest: {
    'police.population': '2026-11-30',
    'housing.rentals': '2026-11-24',
    'civil_affairs.assistance': '2026-11-05',
  },
  findings: { police: { opened: 4, open: 1, resolved: 3, resolveDays: [1, 2, 6] } },
}

describe('the sharing board', () => {
  const board = computeBoard(fixture)
  const dept = (code: string) => board.departments.find((d) => d.department === code) as (typeof board.departments)[number]

  it('counts 21 working days, 4 weeks due and one month', () => {
    expect(novemberDays).toHaveLength(21)
    expect(dept('housing').due).toBe(4)
    expect(dept('civil_affairs').due).toBe(2)
  })

  it('scores a department that delivers on time, fresh and mostly clean', () => {
    const p = dept('police')
    expect(p).toMatchObject({ due: 21, delivered: 18, freshShare: 1, completeness: 0.9, atRisk: false, reasons: [] })
    expect(p.rejectedRate).toBeCloseTo(1010 / 19000, 10)
    expect(p.findings).toEqual({ opened: 4, open: 1, resolved: 3, medianDaysToResolve: 2 })
    // 100 × (0.4 × 18/21 + 0.25 × 1 + 0.15 × 0.9 + 0.1 × (1 − 1010/19000) + 0.1 × 3/4) = 89.754…
    expect(p.score).toBe(89.8)
    expect(dept('housing')).toMatchObject({ due: 4, delivered: 3, score: 82.5, atRisk: false })
  })

  it('flags a silent department, and one silent on a single due dataset, but not an exempt one', () => {
    expect(dept('health')).toMatchObject({
      due: 21,
      delivered: 0,
      score: 20,
      atRisk: true,
      reasons: ['silent:health.deaths', 'score'],
    })
    expect(dept('civil_affairs')).toMatchObject({
      score: 67.5,
      atRisk: true,
      reasons: ['silent:civil_affairs.elderly_allowance'],
    })
    expect(dept('justice')).toMatchObject({ exempt: true, score: null, atRisk: false })
    expect(dept('justice').datasets[0]).toMatchObject({ exempt: true, silent: false })
  })

  it('orders the weakest first', () => {
    expect(board.departments.map((d) => d.department)).toEqual(['health', 'civil_affairs', 'housing', 'police', 'justice'])
  })

  it('holds nobody late before a slot is over in the current month', () => {
    const now = computeBoard({
      ...fixture,
      month: '2026-12',
      today: '2026-12-02',
      deliveries: [delivery('police.population', '2026-12-02')],
      newest: { 'police.population': '2026-12-02' },
      findings: {},
    })
    const p = now.departments.find((d) => d.department === 'police')
    // Dec 1 was due and missed; Dec 2 counts because it was met; the month's monthly ones are not due yet.
    expect(p).toMatchObject({ due: 2, delivered: 1 })
    expect(now.departments.find((d) => d.department === 'civil_affairs')).toMatchObject({ due: 0, atRisk: false })
  })
})
