// The leader's dashboard: population and the case loop of the user's region, this year so far.
// Every figure leads to what is behind it — a chart bar to the filtered case list, an area to
// the map, a card to its list.
import { FundProjectionScreenOutlined } from '@ant-design/icons'
import { Alert, Button, Card, Col, Row, Segmented, Space, Statistic, Typography } from 'antd'
import { useEffect, useMemo, useState } from 'react'
import { get, type Res } from '../shared/api'
import { Chart, type ChartOption } from '../shared/Chart'
import { CLASS_NAMES, TYPE_LABELS } from '../shared/classes'
import { useI18n } from '../shared/i18n'
import { navigate } from '../shared/router'
import { beijingToday } from '../shared/time'

/** (What the dashboard reads of it: a figure the user may not see is left out, not fatal.) */
type Pop = Pick<Res<'/stats/population'>, 'total' | 'groups'>
type CaseStats = Pick<Res<'/stats/cases'>, 'total' | 'groups'>
type Region = Pick<Res<'/regions/{code}'>, 'code' | 'name'> & Partial<Pick<Res<'/regions/{code}'>, 'children'>>

const num = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '—' : v.toLocaleString())
const pct = (v: number | null | undefined) => (v == null ? '—' : `${(v * 100).toFixed(1)}%`)

/** The demo's background history while it runs (from the health answer, every 15 s until done). */
function DemoProgress() {
  const { t } = useI18n()
  const [demo, setDemo] = useState<Res<'/health'>['demo']>(null)
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined
    let stopped = false
    const poll = () =>
      get<Res<'/health'>>('/health')
        .then((h) => {
          if (stopped) return
          setDemo(h.demo)
          if (h.demo) timer = setTimeout(poll, 15_000)
        })
        .catch(() => undefined)
    void poll()
    return () => {
      stopped = true
      clearTimeout(timer)
    }
  }, [])
  if (!demo) return null
  const pct = demo.total ? Math.floor((demo.done / demo.total) * 100) : 0
  return (
    <Alert
      type="info"
      showIcon
      data-testid="demo-progress"
      style={{ marginBottom: 12 }}
      message={`${t('demoBusy')}${t(`demo_${demo.phase}` as never)} ${pct}%`}
    />
  )
}

export function Dashboard({ region }: { region: string }) {
  const { t, lang, status } = useI18n()
  const [data, setData] = useState<{
    region: Region
    type: Pop
    children: Pop
    households: Pop
    cases: CaseStats
    byStatus: CaseStats
    byClass: CaseStats
    byDay: CaseStats
    byDepartment: CaseStats
    departments: Map<string, { zh: string; en: string }>
    classes: typeof CLASS_NAMES
  } | null>(null)
  // The period, in Beijing dates: this year so far (本年累计) or this month so far (本月).
  const [span, setSpan] = useState<'year' | 'month'>('year')
  const today = beijingToday()
  const from = span === 'year' ? `${today.slice(0, 4)}-01-01` : `${today.slice(0, 7)}-01`
  const period = `from=${from}&to=${today}`
  const md = (d: string) => (lang === 'zh' ? `${Number(d.slice(5, 7))}月${Number(d.slice(8, 10))}日` : d.slice(5))
  const periodText =
    lang === 'zh'
      ? `${span === 'year' ? '本年累计' : '本月'} ${md(from)}–今日（${md(today)}）`
      : `${span === 'year' ? 'This year' : 'This month'} ${md(from)} – today (${md(today)})`
  useEffect(() => {
    const ac = new AbortController()
    const s = ac.signal
    const started = performance.now()
    // A figure the user may not see (a department has no population rights) is left out, not fatal.
    const noPop: Pop = { total: Number.NaN, groups: [] }
    const noCases: CaseStats = { total: { key: '', counts: {}, rates: {} }, groups: [] }
    const opt = <T,>(path: string, none: T) => get<T>(path, s).catch(() => none)
    Promise.all([
      opt<Region>(`/regions/${region}`, { code: region, name: region }),
      opt<Pop>(`/stats/population?region=${region}&by=type`, noPop),
      opt<Pop>(`/stats/population?region=${region}&by=children`, noPop),
      opt<Pop>(`/stats/population?region=${region}&by=householdSize`, noPop),
      opt<CaseStats>(`/stats/cases?region=${region}&${period}`, noCases),
      opt<CaseStats>(`/stats/cases?region=${region}&by=status&${period}`, noCases),
      opt<CaseStats>(`/stats/cases?region=${region}&by=class&${period}`, noCases),
      opt<CaseStats>(`/stats/cases?region=${region}&by=day&${period}`, noCases),
      opt<CaseStats>(`/stats/cases?region=${region}&by=department&${period}`, noCases),
      opt<Res<'/departments'>>('/departments', []),
    ])
      .then(([r, type, children, households, cases, byStatus, byClass, byDay, byDepartment, departments]) => {
        setData({
          region: r,
          type,
          children,
          households,
          cases,
          byStatus,
          byClass,
          byDay,
          byDepartment: { ...byDepartment, groups: byDepartment.groups.filter((g) => g.key) },
          departments: new Map(departments.map((d) => [d.code, { zh: d.name, en: d.nameEn }])),
          classes: CLASS_NAMES,
        })
        document.body.dataset.dashboardMs = String(Math.round(performance.now() - started))
      })
      .catch(() => undefined)
    return () => ac.abort()
  }, [region, period])

  const names = useMemo(() => new Map((data?.region.children ?? []).map((c) => [c.code, c.name])), [data])
  const charts = useMemo(() => {
    if (!data) return null
    const bar = (keys: string[], values: number[], horizontal = false): ChartOption => ({
      tooltip: {},
      grid: { left: horizontal ? 110 : 40, right: 16, top: 16, bottom: 40 },
      [horizontal ? 'yAxis' : 'xAxis']: { type: 'category', data: keys, axisLabel: { interval: 0, rotate: horizontal ? 0 : 30 } },
      [horizontal ? 'xAxis' : 'yAxis']: { type: 'value' },
      series: [{ type: 'bar', data: values, itemStyle: { color: '#1458c8' } }],
    })
    const typeName = (k: string) => TYPE_LABELS[k]?.[lang === 'zh' ? 0 : 1] ?? k
    return {
      type: {
        tooltip: { trigger: 'item' },
        legend: { bottom: 0 },
        series: [
          {
            type: 'pie',
            radius: ['40%', '70%'],
            data: data.type.groups.map((g) => ({ name: typeName(g.key), value: g.n, key: g.key })),
          },
        ],
      } as ChartOption,
      children: bar(
        data.children.groups.map((g) => names.get(g.key) ?? g.key),
        data.children.groups.map((g) => g.n),
        true,
      ),
      status: bar(
        data.byStatus.groups.map((g) => status(g.key)),
        data.byStatus.groups.map((g) => g.counts.reported ?? 0),
      ),
      klass: bar(
        data.byClass.groups.map((g) => data.classes.get(g.key)?.[lang] ?? g.key),
        data.byClass.groups.map((g) => g.counts.reported ?? 0),
      ),
      department: bar(
        data.byDepartment.groups.map((g) => data.departments.get(g.key)?.[lang] ?? g.key),
        data.byDepartment.groups.map((g) => g.counts.due ?? 0),
      ),
      trend: {
        tooltip: { trigger: 'axis' },
        grid: { left: 40, right: 16, top: 16, bottom: 30 },
        xAxis: { type: 'category', data: data.byDay.groups.map((g) => g.key) },
        yAxis: { type: 'value' },
        series: [{ type: 'line', smooth: true, areaStyle: {}, data: data.byDay.groups.map((g) => g.counts.reported ?? 0) }],
      } as ChartOption,
    }
  }, [data, names, lang, status])

  if (!data || !charts) return <Card loading />
  const c = data.cases.total
  const households = data.households.total
  const card = (title: string, value: string | number, to: string, testId: string) => (
    <Col xs={12} md={8} xl={4}>
      <Card hoverable onClick={() => navigate(to)} data-testid={testId}>
        <Statistic title={title} value={value} />
      </Card>
    </Col>
  )
  return (
    <div data-testid="dashboard" data-ready="true">
      <DemoProgress />
      <Space wrap style={{ marginBottom: 12, justifyContent: 'space-between', width: '100%' }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {data.region.name} · {t('dashboard')}
        </Typography.Title>
        <Space>
          <Typography.Text type="secondary" data-testid="period">
            {periodText}
          </Typography.Text>
          <Segmented
            size="small"
            value={span}
            onChange={(v) => setSpan(v as 'year' | 'month')}
            options={[
              { value: 'year', label: lang === 'zh' ? '本年' : 'Year' },
              { value: 'month', label: lang === 'zh' ? '本月' : 'Month' },
            ]}
          />
          <Button
            size="small"
            icon={<FundProjectionScreenOutlined />}
            onClick={() => navigate('/screen')}
            data-testid="open-screen"
          >
            {t('bigScreen')}
          </Button>
        </Space>
      </Space>
      <Row gutter={[16, 16]}>
        {card(t('residents'), num(data.type.total), `/map?region=${region}`, 'kpi-residents')}
        {card(t('households'), num(households), `/map?region=${region}&measure=households`, 'kpi-households')}
        {card(t('casesReported'), num(c.counts.reported), '/cases', 'kpi-reported')}
        {card(t('overdue'), num(c.counts.overduePending), '/cases?overdue=true', 'kpi-overdue')}
        {card(t('onTimeHandling'), pct(c.rates.onTimeHandling), '/cases?status=handled,verified,closed', 'kpi-ontime')}
        {card(t('satisfaction'), pct(c.rates.satisfaction), '/cases?status=closed', 'kpi-satisfaction')}
      </Row>
      <Row gutter={[16, 16]} style={{ marginTop: 16 }}>
        <Col xs={24} lg={10}>
          <Card title={t('byType')}>
            <Chart
              label={t('byType')}
              option={charts.type}
              onClick={(p) => {
                const g = data.type.groups[p.dataIndex]
                if (g) navigate(`/records?type=${g.key}`)
              }}
            />
          </Card>
        </Col>
        <Col xs={24} lg={14}>
          <Card title={t('byChildren')}>
            <Chart
              label={t('byChildren')}
              option={charts.children}
              height={Math.max(280, data.children.groups.length * 22)}
              onClick={(p) => {
                const g = data.children.groups[p.dataIndex]
                if (g) navigate(`/map?region=${g.key}`)
              }}
            />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={t('casesByStatus')}>
            <Chart
              label={t('casesByStatus')}
              option={charts.status}
              onClick={(p) => {
                const g = data.byStatus.groups[p.dataIndex]
                if (g) navigate(`/cases?status=${g.key}`)
              }}
            />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={t('casesByClass')}>
            <Chart
              label={t('casesByClass')}
              option={charts.klass}
              onClick={(p) => {
                const g = data.byClass.groups[p.dataIndex]
                if (g) navigate(`/cases?class=${g.key}`)
              }}
            />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={t('casesByDepartment')}>
            <Chart
              label={t('casesByDepartment')}
              option={charts.department}
              onClick={(p) => {
                const g = data.byDepartment.groups[p.dataIndex]
                if (g) navigate(`/cases?department=${g.key}`)
              }}
            />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={t('casesTrend')}>
            <Chart label={t('casesTrend')} option={charts.trend} height={220} onClick={() => navigate('/cases')} />
          </Card>
        </Col>
      </Row>
      <ServicesRow region={region} />
    </div>
  )
}

/** The one-window services of the last 90 days (loaded on its own: the rest does not wait). */
function ServicesRow({ region }: { region: string }) {
  const { t, lang } = useI18n()
  const zh = lang === 'zh'
  const [s, setS] = useState<Res<'/services/stats'>['total'] | null>(null)
  useEffect(() => {
    get<Res<'/services/stats'>>(`/services/stats?region=${region}`).then(
      (r) => setS(r.total),
      () => setS(null),
    )
  }, [region])
  if (!s?.applications) return null
  const item = (title: string, value: string | number) => (
    <Col xs={12} md={6}>
      <Statistic title={title} value={value} />
    </Col>
  )
  return (
    <Card
      title={`${t('services')} · ${zh ? '近90天' : 'last 90 days'}`}
      style={{ marginTop: 16 }}
      hoverable
      onClick={() => navigate('/services')}
      data-testid="dashboard-services"
    >
      <Row gutter={[16, 16]}>
        {item(zh ? '办件' : 'Applications', num(s.applications))}
        {item(zh ? '按时办结率' : 'Decided on time', pct(s.onTimeRate))}
        {item(zh ? '每件免提交材料' : 'Papers spared each', s.sparedPerApplication ?? '—')}
        {item(zh ? '主动服务转化率' : 'Proactive uptake', pct(s.uptake))}
      </Row>
    </Card>
  )
}
