// The sharing-compliance board (信息共享考核, "no data, no budget"): a month's figures per providing
// department (board.ts computes them), and the same as a table for the finance bureau.
import { beijingDate, isWorkday } from '@wangge/domain'
import { AppError } from '../../kernel/errors.js'
import type { StatsTable } from '../../kernel/table-file.js'
import type { Principal } from '../access/index.js'
import { type Board, computeBoard } from './board.js'
import { ownDepartment, type SharingContext } from './sharing-context.js'

/**
 * The sharing-compliance board of a month (Beijing) for a region: every providing department's
 * figures (a department's own user: its own), findings counted under the region only.
 */
export async function board(
  { repo, clock }: SharingContext,
  p: Principal,
  q: { month?: string | undefined; region?: string | undefined },
): Promise<Board & { region: string }> {
  p.require('sharing.read')
  const scopes = p.scopes('sharing.read')
  const region = q.region ?? scopes.reduce((a, b) => (b.length < a.length ? b : a))
  if (!scopes.some((s) => region.startsWith(s)))
    throw new AppError('REGION_NOT_FOUND', `No region ${region} in your area`, { region })
  const now = clock()
  const today = beijingDate(now)
  const month = q.month ?? today.slice(0, 7)
  const from = new Date(`${month}-01T00:00:00+08:00`)
  const [y, m] = month.split('-').map(Number) as [number, number]
  const to = new Date(`${m === 12 ? y + 1 : y}-${String(m === 12 ? 1 : m + 1).padStart(2, '0')}-01T00:00:00+08:00`)
  const end = to < now ? to : now
  const own = ownDepartment(p)
  const [datasets, deliveries, newest, completeness, findings] = await Promise.all([
    repo.datasets(own),
    repo.boardDeliveries(from, end),
    repo.boardNewest(end),
    repo.boardCompleteness(from, end),
    repo.boardFindings(from, end, region),
  ])
  const board = computeBoard({
    month,
    today,
    isWorkday: (d) => isWorkday(d),
    datasets: datasets
      .filter((d) => d.active)
      .map((d) => ({
        code: d.code,
        department: d.department,
        name: d.name,
        rhythm: d.rhythm,
        freshnessDays: d.freshness_days,
        confidentiality: d.confidentiality,
        completeness: completeness.find((c) => c.dataset === d.code)?.share ?? null,
      })),
    deliveries: deliveries.map((d) => ({
      dataset: d.dataset,
      status: d.status,
      day: d.day,
      rowsTotal: d.rows_total,
      rowsRejected: d.rows_rejected,
    })),
    newest: Object.fromEntries(newest.map((n) => [n.dataset, n.day])),
    findings: Object.fromEntries(
      findings.map((f) => [f.department, { opened: f.opened, open: f.open, resolved: f.resolved, resolveDays: f.days ?? [] }]),
    ),
  })
  return { ...board, region }
}

/** The board as a table (xlsx or PDF for the finance bureau). */
export async function boardTable(
  ctx: SharingContext,
  p: Principal,
  q: { month?: string | undefined; region?: string | undefined },
) {
  const b = await board(ctx, p, q)
  const departmentNames = await ctx.repo.departmentNames()
  const names = (code: string) => departmentNames.get(code) ?? code
  const table: StatsTable & { note: string } = {
    title: `信息共享考核月报 ${b.month}（${b.region}）`,
    note: `统计截至 ${b.periodEnd}。综合得分 = 40% 按时报送率 + 25% 时效达标 + 15% 字段完整率 + 10% 入库率 + 10% 校核问题办结率；低于 ${b.riskBelow} 分或应报数据集整月未报送的部门标记拨款风险；涉密数据集免于考核。`,
    columns: [
      { key: 'department', header: '部门' },
      { key: 'score', header: '综合得分' },
      { key: 'risk', header: '拨款风险' },
      { key: 'due', header: '应报' },
      { key: 'delivered', header: '按时报送' },
      { key: 'onTimeRate', header: '按时率', percent: true },
      { key: 'freshShare', header: '时效达标', percent: true },
      { key: 'completeness', header: '完整率', percent: true },
      { key: 'rejectedRate', header: '退回率', percent: true },
      { key: 'opened', header: '新增问题' },
      { key: 'open', header: '未结问题' },
      { key: 'resolved', header: '办结问题' },
      { key: 'median', header: '办结中位天数' },
      { key: 'silent', header: '未报送数据集' },
    ],
    rows: b.departments.map((d) => ({
      department: names(d.department),
      score: d.exempt ? '免考核' : d.score,
      risk: d.exempt ? '—' : d.atRisk ? '是' : '否',
      due: d.due,
      delivered: d.delivered,
      onTimeRate: d.onTimeRate,
      freshShare: d.freshShare,
      completeness: d.completeness,
      rejectedRate: d.rejectedRate,
      opened: d.findings.opened,
      open: d.findings.open,
      resolved: d.findings.resolved,
      median: d.findings.medianDaysToResolve === null ? null : Math.round(d.findings.medianDaysToResolve * 10) / 10,
      silent: d.datasets
        .filter((x) => x.silent)
        .map((x) => x.name)
        .join('、'),
    })),
  }
  return table
}
