// Statistics as files: population and case statistics as tables (kernel/table-file.ts writes them
// as xlsx or csv), and the printable monthly report of a region as PDF (pdfkit) with its charts (ECharts rendered to SVG on the
// server, drawn into the PDF as vectors) in an embedded CJK font (Noto Sans SC, subset).
import {
  CASE_STATUS_LABELS,
  COMPONENT_CLASSES,
  DATA_SOURCE,
  EVENT_CLASSES,
  POPULATION_TYPE,
  SERVICE_CLASSES,
  SEX,
} from '@wangge/domain'
import * as echarts from 'echarts'
import PDFDocument from 'pdfkit'
import SVGtoPDF from 'svg-to-pdfkit'
import { cjkFont, type StatsTable } from '../../kernel/table-file.js'

export type Lang = 'zh-CN' | 'en'

const WORDS = {
  key: { 'zh-CN': '分组', en: 'Group' },
  name: { 'zh-CN': '名称', en: 'Name' },
  n: { 'zh-CN': '数量', en: 'Count' },
  share: { 'zh-CN': '占比', en: 'Share' },
  reported: { 'zh-CN': '上报', en: 'Reported' },
  due: { 'zh-CN': '应处置', en: 'Due' },
  handled: { 'zh-CN': '处置', en: 'Handled' },
  handledOnTime: { 'zh-CN': '按时处置', en: 'Handled on time' },
  reworked: { 'zh-CN': '返工', en: 'Reworked' },
  closed: { 'zh-CN': '结案', en: 'Closed' },
  closedOnTime: { 'zh-CN': '按时结案', en: 'Closed on time' },
  overduePending: { 'zh-CN': '超期未处置', en: 'Overdue pending' },
  extended: { 'zh-CN': '延期', en: 'Extended' },
  calledBack: { 'zh-CN': '回访', en: 'Called back' },
  satisfied: { 'zh-CN': '满意', en: 'Satisfied' },
  selfHandled: { 'zh-CN': '自处置', en: 'Self-handled' },
  handling: { 'zh-CN': '处置率', en: 'Handling rate' },
  onTimeHandling: { 'zh-CN': '按时处置率', en: 'On-time handling rate' },
  rework: { 'zh-CN': '返工率', en: 'Rework rate' },
  close: { 'zh-CN': '结案率', en: 'Close rate' },
  onTimeClose: { 'zh-CN': '按时结案率', en: 'On-time close rate' },
  extension: { 'zh-CN': '延期率', en: 'Extension rate' },
  satisfaction: { 'zh-CN': '满意率', en: 'Satisfaction' },
} as const
const word = (k: keyof typeof WORDS, lang: Lang) => WORDS[k][lang]

type Named = { code: string; zh: string; en: string }
const byCode = (rows: readonly Named[], prefix = '') => new Map(rows.map((r) => [`${prefix}${r.code}`, r]))
const LABELS: Record<string, Map<string, Named>> = {
  type: byCode(POPULATION_TYPE),
  sex: byCode(SEX),
  department: byCode(DATA_SOURCE),
  status: new Map(Object.entries(CASE_STATUS_LABELS).map(([code, l]) => [code, { code, ...l }])),
  class: new Map([...byCode(EVENT_CLASSES, 'E'), ...byCode(COMPONENT_CLASSES, 'C'), ...byCode(SERVICE_CLASSES, 'S')]),
}
/** What a group key is called: a region's or grid's name, a code's label, or nothing. */
export function groupLabel(by: string, key: string, names: Map<string, string>, lang: Lang): string {
  if (by === 'children') return names.get(key) ?? ''
  const l = LABELS[by]?.get(key)
  return l ? (lang === 'zh-CN' ? l.zh : l.en) : ''
}
const LABELLED = new Set(['children', ...Object.keys(LABELS)])

/** A population answer as a table: group, its name (regions), count and share of the total. */
export function populationTable(
  r: { region: string; by: string; unit: string; total: number; groups: { key: string; n: number }[] },
  names: Map<string, string>,
  lang: Lang,
): StatsTable {
  const withNames = LABELLED.has(r.by)
  return {
    title: `${names.get(r.region) ?? r.region} · ${r.by} · ${r.unit}`,
    columns: [
      { key: 'key', header: word('key', lang) },
      ...(withNames ? [{ key: 'name', header: word('name', lang) }] : []),
      { key: 'n', header: word('n', lang) },
      { key: 'share', header: word('share', lang), percent: true },
    ],
    rows: r.groups.map((g) => ({
      key: g.key,
      ...(withNames ? { name: groupLabel(r.by, g.key, names, lang) } : {}),
      n: g.n,
      share: r.total ? g.n / r.total : null,
    })),
  }
}

type IndicatorGroup = { key: string; counts: Record<string, number>; rates: Record<string, number | null> }

/** A case-statistics answer as a table: group, counters, rates. */
export function casesTable(
  r: { region: string; by: string; from: string; to: string; total: IndicatorGroup; groups: IndicatorGroup[] },
  names: Map<string, string>,
  lang: Lang,
): StatsTable {
  const counts = Object.keys(r.total.counts) as (keyof typeof WORDS)[]
  const rates = Object.keys(r.total.rates) as (keyof typeof WORDS)[]
  const withNames = LABELLED.has(r.by)
  return {
    title: `${names.get(r.region) ?? r.region} · ${r.by} · ${r.from}…${r.to}`,
    columns: [
      { key: 'key', header: word('key', lang) },
      ...(withNames ? [{ key: 'name', header: word('name', lang) }] : []),
      ...counts.map((c) => ({ key: c, header: WORDS[c]?.[lang] ?? c })),
      ...rates.map((c) => ({ key: `rate.${c}`, header: WORDS[c]?.[lang] ?? c, percent: true })),
    ],
    rows: r.groups.map((g) => ({
      key: g.key,
      ...(withNames ? { name: groupLabel(r.by, g.key, names, lang) } : {}),
      ...g.counts,
      ...Object.fromEntries(Object.entries(g.rates).map(([k, v]) => [`rate.${k}`, v])),
    })),
  }
}

// ---------- the monthly PDF report ----------

const font = cjkFont

function chartSvg(option: echarts.EChartsOption, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height })
  try {
    chart.setOption({ animation: false, textStyle: { fontFamily: 'cjk' }, ...option })
    // Labels are outlined in white under their fill (`paint-order`), which svg-to-pdfkit does not
    // know: it would paint the outline over the text. Text is drawn without it.
    return chart.renderToSVGString().replace(/(<text[^>]*?) stroke="[^"]*"/g, '$1')
  } finally {
    chart.dispose()
  }
}

export interface MonthlyReport {
  region: string
  regionName: string
  month: string
  lang: Lang
  population: { total: number; byType: { key: string; n: number }[]; byAge: { key: string; n: number }[] }
  cases: { total: IndicatorGroup; byClass: IndicatorGroup[]; byDay: IndicatorGroup[]; byChild: IndicatorGroup[] }
  names: Map<string, string>
  /** The month's one-window applications (the services module's figures), when the caller sees any. */
  services?: MonthlyServices | undefined
  generatedAt: Date
}

/** What the report shows of the one-window services (figures of the services module). */
export interface MonthlyServices {
  total: {
    applications: number
    onTimeRate: number | null
    avgWorkingDays: number | null
    sparedPerApplication: number | null
    offers: number
    uptake: number | null
  }
  items: {
    name: string
    applications: number
    onTimeRate: number | null
    avgWorkingDays: number | null
    sparedPerApplication: number | null
  }[]
}

const percent = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)}%`)

/** The monthly report of a region: population, the month's cases, charts and tables. */
export function monthlyReportPdf(r: MonthlyReport): Promise<Buffer> {
  const zh = r.lang === 'zh-CN'
  const doc = new PDFDocument({ size: 'A4', margin: 48, info: { Title: `${r.regionName} ${r.month}`, Creator: 'wangge' } })
  doc.registerFont('cjk', font())
  doc.font('cjk')
  const chunks: Buffer[] = []
  doc.on('data', (c: Buffer) => chunks.push(c))
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))))
  const width = doc.page.width - 96
  const svg = (option: echarts.EChartsOption, h: number) => {
    SVGtoPDF(doc, chartSvg(option, width, h), 48, doc.y, { fontCallback: () => 'cjk', assumePt: true })
    doc.y += h + 8
  }
  const heading = (s: string) => {
    // A heading never ends a page.
    if (doc.y > doc.page.height - 160) doc.addPage()
    doc.moveDown(0.6).fontSize(14).text(s).moveDown(0.3).fontSize(10)
  }

  doc.fontSize(20).text(zh ? `${r.regionName} 网格化服务管理月报` : `${r.regionName} — grid management monthly report`)
  doc
    .fontSize(10)
    .fillColor('#555')
    .text(`${r.month} · ${r.region} · ${zh ? '生成于' : 'generated'} ${r.generatedAt.toISOString().slice(0, 16)}Z`)
    .fillColor('#000')

  // Population types as a ring, age bands as bars beside it.
  heading(zh ? `一、人口（实有人口 ${r.population.total.toLocaleString('zh-CN')} 人）` : `1. Population (${r.population.total})`)
  svg(
    {
      tooltip: {},
      series: [
        {
          type: 'pie',
          radius: ['28%', '52%'],
          center: ['28%', '52%'],
          label: { formatter: '{b}\n{d}%', fontSize: 10 },
          data: r.population.byType.map((g) => ({ name: groupLabel('type', g.key, r.names, r.lang) || g.key, value: g.n })),
        },
        { type: 'bar', name: word('n', r.lang), data: r.population.byAge.map((g) => g.n) },
      ],
      grid: { left: '55%', right: 10, top: 20, bottom: 30 },
      xAxis: { type: 'category', data: r.population.byAge.map((g) => g.key), axisLabel: { interval: 0 } },
      yAxis: { type: 'value' },
    } as echarts.EChartsOption,
    200,
  )
  const c = r.cases
  // Every day of the month on the trend, quiet days at zero.
  const [y, m] = r.month.split('-').map(Number) as [number, number]
  const days = Array.from(
    { length: new Date(Date.UTC(y, m, 0)).getUTCDate() },
    (_, i) => `${r.month}-${String(i + 1).padStart(2, '0')}`,
  )
  const day = new Map(c.byDay.map((g) => [g.key, g]))
  heading(
    zh
      ? `二、案件（本月上报 ${c.total.counts.reported} 件，结案率 ${percent(c.total.rates.close)}，按时结案率 ${percent(c.total.rates.onTimeClose)}，满意率 ${percent(c.total.rates.satisfaction)}）`
      : `2. Cases (${c.total.counts.reported} reported; close ${percent(c.total.rates.close)}, on time ${percent(c.total.rates.onTimeClose)}, satisfaction ${percent(c.total.rates.satisfaction)})`,
  )
  svg(
    {
      grid: { left: 40, right: 10, top: 20, bottom: 30 },
      xAxis: { type: 'category', data: days.map((d) => d.slice(8)) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { type: 'line', name: word('reported', r.lang), data: days.map((d) => day.get(d)?.counts.reported ?? 0) },
        { type: 'line', name: word('closed', r.lang), data: days.map((d) => day.get(d)?.counts.closed ?? 0) },
      ],
      legend: { top: 0 },
    },
    180,
  )
  svg(
    {
      grid: { left: 40, right: 10, top: 20, bottom: 30 },
      yAxis: { type: 'value', minInterval: 1 },
      xAxis: {
        type: 'category',
        data: c.byClass.map((g) => groupLabel('class', g.key, r.names, r.lang) || g.key),
        axisLabel: { interval: 0, rotate: c.byClass.length > 6 ? 30 : 0 },
      },
      series: [{ type: 'bar', name: word('reported', r.lang), data: c.byClass.map((g) => g.counts.reported) }],
    },
    160,
  )

  heading(zh ? '三、各下级区域' : '3. By child region')
  const cols: { h: string; w: number; v: (g: IndicatorGroup) => string }[] = [
    { h: word('name', r.lang), w: 0.3, v: (g: IndicatorGroup) => r.names.get(g.key) ?? g.key },
    { h: word('reported', r.lang), w: 0.14, v: (g: IndicatorGroup) => String(g.counts.reported) },
    { h: word('close', r.lang), w: 0.14, v: (g: IndicatorGroup) => percent(g.rates.close) },
    { h: word('onTimeClose', r.lang), w: 0.14, v: (g: IndicatorGroup) => percent(g.rates.onTimeClose) },
    { h: word('rework', r.lang), w: 0.14, v: (g: IndicatorGroup) => percent(g.rates.rework) },
    { h: word('satisfaction', r.lang), w: 0.14, v: (g: IndicatorGroup) => percent(g.rates.satisfaction) },
  ]
  const row = (cells: string[]) => {
    if (doc.y > doc.page.height - 72) doc.addPage()
    const y = doc.y
    let x = 48
    cells.forEach((s, i) => {
      const w = (cols[i]?.w ?? 0.1) * width
      doc.text(s, x, y, { width: w - 4, lineBreak: false, ellipsis: true })
      x += w
    })
    doc.x = 48
    doc.y = y + 16
  }
  row(cols.map((c) => c.h))
  for (const g of c.byChild) row(cols.map((c) => c.v(g)))

  const sv = r.services
  if (sv?.total.applications) {
    const t = sv.total
    heading(
      zh
        ? `四、一窗通办（本月受理 ${t.applications} 件，按时办结率 ${percent(t.onTimeRate)}，平均 ${t.avgWorkingDays ?? '—'} 个工作日，每件免提交材料 ${t.sparedPerApplication ?? '—'} 份；主动服务 ${t.offers} 人次，转化率 ${percent(t.uptake)}）`
        : `4. One-window services (${t.applications} applications; on time ${percent(t.onTimeRate)}, ${t.avgWorkingDays ?? '—'} working days on average, ${t.sparedPerApplication ?? '—'} papers spared each; ${t.offers} proactive offers, uptake ${percent(t.uptake)})`,
    )
    cols.splice(
      0,
      cols.length,
      ...[
        { h: zh ? '事项' : 'Item', w: 0.4, v: () => '' },
        { h: zh ? '办件' : 'Applications', w: 0.15, v: () => '' },
        { h: zh ? '按时率' : 'On time', w: 0.15, v: () => '' },
        { h: zh ? '平均工作日' : 'Working days', w: 0.15, v: () => '' },
        { h: zh ? '免提交/件' : 'Spared each', w: 0.15, v: () => '' },
      ],
    )
    row(cols.map((c) => c.h))
    for (const i of sv.items)
      row([
        i.name,
        String(i.applications),
        percent(i.onTimeRate),
        String(i.avgWorkingDays ?? '—'),
        String(i.sparedPerApplication ?? '—'),
      ])
  }
  doc.end()
  return done
}
