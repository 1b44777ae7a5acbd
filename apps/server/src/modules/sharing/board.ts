// The sharing-compliance board (issue 19 §5, the mayor's "no data, no budget"): per department and
// month, what was due and what came, on time and fresh, how complete, how much was sent back, and
// what the cross-checks found against its data — a composite score, and 拨款风险 (budget at risk)
// exactly where the rule applies: a department silent on a due dataset, or scoring under the line.
// Secret (涉密) datasets are exempt. Pure: the service hands it the month's facts.
//
// Due slots: a daily or real-time dataset is due every working day, a weekly one every week
// (Monday–Sunday, counted in the month of its Monday), a monthly one once. A slot whose deadline
// has not passed yet (today, this week, this month) is due only once delivered — nobody is late
// before the end of the day. A slot is met by a delivery received in it that was not rejected.

export const BOARD_WEIGHTS = { onTime: 0.4, freshness: 0.25, completeness: 0.15, accepted: 0.1, findings: 0.1 } as const
/** Below this composite score (0–100) a department's budget is at risk. */
export const BUDGET_RISK_SCORE = 60

export interface BoardDataset {
  code: string
  department: string
  name: string
  rhythm: 'realtime' | 'daily' | 'weekly' | 'monthly'
  freshnessDays: number
  confidentiality: 'open' | 'internal' | 'secret'
  /** Share of fields present in its current records (null: no records). */
  completeness: number | null
}

export interface BoardDelivery {
  dataset: string
  status: 'applied' | 'partially_applied' | 'rejected'
  /** Beijing date received. */
  day: string
  rowsTotal: number
  rowsRejected: number
}

export interface BoardFindings {
  opened: number
  open: number
  resolved: number
  /** Days from finding to resolution, of those resolved in the month. */
  resolveDays: number[]
}

export interface BoardInput {
  month: string
  /** Today (Beijing): slots after it are not counted, today's only when met. */
  today: string
  isWorkday: (day: string) => boolean
  datasets: BoardDataset[]
  deliveries: BoardDelivery[]
  /** Newest as-of day of a non-rejected delivery up to the end of the period, per dataset. */
  newest: Record<string, string | undefined>
  findings: Record<string, BoardFindings>
}

const DAY = 86_400_000
const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10)
const daysBetween = (a: string, b: string) => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY)
const mondayOf = (day: string) => addDays(day, -((new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7))
const median = (xs: number[]) => {
  if (!xs.length) return null
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2
}

/** The slots of a month for a rhythm: [key, last day (deadline)] in order. */
export function slotsOf(rhythm: BoardDataset['rhythm'], month: string, isWorkday: (d: string) => boolean): [string, string][] {
  const first = `${month}-01`
  const last = addDays(`${nextMonth(month)}-01`, -1)
  if (rhythm === 'monthly') return [[month, last]]
  const out: [string, string][] = []
  for (let d = first; d <= last; d = addDays(d, 1)) {
    if (rhythm === 'weekly') {
      if (mondayOf(d) === d) out.push([d, addDays(d, 6)])
    } else if (isWorkday(d)) out.push([d, d])
  }
  return out
}

function nextMonth(month: string) {
  const [y, m] = month.split('-').map(Number) as [number, number]
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`
}

/** The slot a delivery received on `day` fills. */
function slotOf(rhythm: BoardDataset['rhythm'], day: string) {
  return rhythm === 'monthly' ? day.slice(0, 7) : rhythm === 'weekly' ? mondayOf(day) : day
}

export function computeBoard(input: BoardInput) {
  // The earlier of today and the month's last day (ISO dates sort as text).
  const periodEnd = [input.today, addDays(`${nextMonth(input.month)}-01`, -1)].sort()[0] as string
  const byDept = new Map<string, BoardDataset[]>()
  for (const d of input.datasets) byDept.set(d.department, [...(byDept.get(d.department) ?? []), d])

  const datasetRow = (d: BoardDataset) => {
    const mine = input.deliveries.filter((x) => x.dataset === d.code)
    const met = new Set(mine.filter((x) => x.status !== 'rejected').map((x) => slotOf(d.rhythm, x.day)))
    const slots = slotsOf(d.rhythm, input.month, input.isWorkday)
    // A slot is due once its deadline passed, or earlier when it was met already.
    const due = slots.filter(([key, deadline]) => deadline < input.today || (key <= input.today && met.has(key)))
    const delivered = due.filter(([key]) => met.has(key)).length
    const newest = input.newest[d.code]
    const age = newest ? daysBetween(newest, periodEnd) : null
    const rows = mine.reduce((n, x) => n + x.rowsTotal, 0)
    const rejectedRows = mine.reduce((n, x) => n + x.rowsRejected, 0)
    return {
      code: d.code,
      name: d.name,
      rhythm: d.rhythm,
      exempt: d.confidentiality === 'secret',
      due: due.length,
      delivered,
      deliveries: mine.length,
      onTimeRate: due.length ? delivered / due.length : null,
      newestAsOf: newest ?? null,
      ageDays: age,
      freshnessDays: d.freshnessDays,
      fresh: age !== null && age <= d.freshnessDays,
      completeness: d.completeness,
      rows,
      rejectedRows,
      rejectedRate: rows ? rejectedRows / rows : null,
      silent: d.confidentiality !== 'secret' && due.length > 0 && delivered === 0,
    }
  }

  const departments = [...byDept.entries()].map(([department, list]) => {
    const datasets = list.map(datasetRow)
    const counted = datasets.filter((d) => !d.exempt)
    const findings = input.findings[department] ?? { opened: 0, open: 0, resolved: 0, resolveDays: [] }
    const exempt = counted.length === 0
    const due = counted.reduce((n, d) => n + d.due, 0)
    const delivered = counted.reduce((n, d) => n + d.delivered, 0)
    const rows = counted.reduce((n, d) => n + d.rows, 0)
    const rejectedRows = counted.reduce((n, d) => n + d.rejectedRows, 0)
    const withRecords = counted.filter((d) => d.completeness !== null)
    const figures = {
      onTimeRate: due ? delivered / due : null,
      freshShare: counted.length ? counted.filter((d) => d.fresh).length / counted.length : null,
      completeness: withRecords.length
        ? withRecords.reduce((n, d) => n + (d.completeness as number), 0) / withRecords.length
        : null,
      rejectedRate: rows ? rejectedRows / rows : null,
      findingsResolvedShare: findings.resolved + findings.open ? findings.resolved / (findings.resolved + findings.open) : null,
    }
    const score = exempt
      ? null
      : Math.round(
          100 *
            (BOARD_WEIGHTS.onTime * (figures.onTimeRate ?? 1) +
              BOARD_WEIGHTS.freshness * (figures.freshShare ?? 0) +
              BOARD_WEIGHTS.completeness * (figures.completeness ?? 0) +
              BOARD_WEIGHTS.accepted * (1 - (figures.rejectedRate ?? 0)) +
              BOARD_WEIGHTS.findings * (figures.findingsResolvedShare ?? 1)) *
            10,
        ) / 10
    const silent = counted.filter((d) => d.silent).map((d) => d.code)
    const reasons = [...silent.map((code) => `silent:${code}`), ...(score !== null && score < BUDGET_RISK_SCORE ? ['score'] : [])]
    return {
      department,
      exempt,
      score,
      atRisk: !exempt && reasons.length > 0,
      reasons,
      due,
      delivered,
      ...figures,
      findings: {
        opened: findings.opened,
        open: findings.open,
        resolved: findings.resolved,
        medianDaysToResolve: median(findings.resolveDays),
      },
      datasets,
    }
  })
  departments.sort((a, b) => (a.score ?? 101) - (b.score ?? 101) || a.department.localeCompare(b.department))
  return { month: input.month, periodEnd, weights: BOARD_WEIGHTS, riskBelow: BUDGET_RISK_SCORE, departments }
}

export type Board = ReturnType<typeof computeBoard>
