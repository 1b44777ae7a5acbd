// The command centre's wall (大屏, `/screen`): 1920×1080, dark, no interaction needed — it refreshes
// itself every minute. The user's region with its children drawn and every open case as a point
// (overdue ones dark red); today's and this month's reports, handled on time, satisfaction, overdue
// now; overdue by department, the month's top classes, visit coverage, and the departments' data
// sharing ranking where the user may see it. A click on a child area narrows the wall to it.
import { codeAt } from '@wangge/domain/regions'
import { theme as antdTheme, Col, ConfigProvider, Row, Typography } from 'antd'
import type { GeoJSONSource } from 'maplibre-gl'
import { useEffect, useMemo, useRef, useState } from 'react'
import { can, get, type Me, type Res } from '../shared/api'
import { Chart, type ChartOption } from '../shared/Chart'
import { CLASS_NAMES } from '../shared/classes'
import { useDepartments } from '../shared/departments'
import { useI18n } from '../shared/i18n'
import { blankMap, boundsOf, type maplibregl } from '../shared/maplibre'
import { navigate, query, usePath } from '../shared/router'
import { beijingToday } from '../shared/time'

type CaseStats = Pick<Res<'/stats/cases'>, 'total' | 'groups'>
type Board = Res<'/sharing/board'>
type Coverage = Res<'/visits/coverage'>
interface FC {
  type: 'FeatureCollection'
  features: { properties: Record<string, unknown>; geometry: { coordinates: unknown } }[]
}

const REFRESH_MS = 60_000
const BG = '#0b1a33'
const PANEL = '#10264a'
const INK = '#e6f0ff'

interface Wall {
  name: string
  today: CaseStats
  month: CaseStats
  byDepartment: CaseStats
  byClass: CaseStats
  coverage: { visited: number; households: number } | null
  board: Board | null
  areas: FC
  points: FC & { total?: number }
  at: Date
}

function Panel({ title, children, testId }: { title: string; children: React.ReactNode; testId?: string }) {
  return (
    <div data-testid={testId} style={{ background: PANEL, borderRadius: 6, padding: '10px 14px', marginBottom: 12 }}>
      <Typography.Text style={{ color: '#8fb3ff', fontSize: 16 }}>{title}</Typography.Text>
      {children}
    </div>
  )
}

export default function BigScreen({ user, region: home }: { user: Me; region: string }) {
  const { t, lang } = useI18n()
  const department = useDepartments()
  const path = usePath()
  const region = query(path).get('region') ?? home
  const [wall, setWall] = useState<Wall | null>(null)
  const [tick, setTick] = useState(0)
  const box = useRef<HTMLDivElement>(null)
  const map = useRef<maplibregl.Map | null>(null)
  const [mapReady, setMapReady] = useState(false)

  useEffect(() => {
    const timer = setInterval(() => setTick((n) => n + 1), REFRESH_MS)
    return () => clearInterval(timer)
  }, [])

  // biome-ignore lint/correctness/useExhaustiveDependencies: `tick` is the refresh
  useEffect(() => {
    const today = beijingToday()
    const month = `from=${today.slice(0, 7)}-01&to=${today}`
    const none: CaseStats = { total: { key: '', counts: {}, rates: {} }, groups: [] }
    const opt = <T,>(p: string, fallback: T) => get<T>(p).catch(() => fallback)
    Promise.all([
      opt<Res<'/regions/{code}'> | null>(`/regions/${codeAt(region, 'community')}`, null),
      opt<CaseStats>(`/stats/cases?region=${region}&from=${today}&to=${today}`, none),
      opt<CaseStats>(`/stats/cases?region=${region}&${month}`, none),
      opt<CaseStats>(`/stats/cases?region=${region}&by=department&${month}`, none),
      opt<CaseStats>(`/stats/cases?region=${region}&by=class&${month}`, none),
      can(user, 'person.read') ? opt<Coverage | null>(`/visits/coverage?region=${region}`, null) : Promise.resolve(null),
      can(user, 'sharing.read') ? opt<Board | null>(`/sharing/board?region=${region}`, null) : Promise.resolve(null),
      opt<FC>(`/regions/${region}/geometry?children=1`, { type: 'FeatureCollection', features: [] }),
      opt<FC & { total?: number }>(`/cases/points?region=${region}`, { type: 'FeatureCollection', features: [] }),
    ]).then(([r, today_, month_, byDepartment, byClass, coverage, board, areas, points]) =>
      setWall({
        name: r?.name ?? region,
        today: today_,
        month: month_,
        byDepartment,
        byClass,
        coverage: coverage
          ? {
              visited: coverage.grids.reduce((n, g) => n + g.visited, 0),
              households: coverage.grids.reduce((n, g) => n + g.households, 0),
            }
          : null,
        board,
        areas,
        points,
        at: new Date(),
      }),
    )
  }, [region, tick, user])

  useEffect(() => {
    const m = blankMap(box.current as HTMLDivElement, { background: BG, center: [113.27, 23.13], zoom: 9 })
    m.on('load', () => {
      const empty = { type: 'FeatureCollection', features: [] }
      m.addSource('areas', { type: 'geojson', data: empty as never })
      m.addSource('cases', { type: 'geojson', data: empty as never })
      m.addLayer({ id: 'areas-fill', type: 'fill', source: 'areas', paint: { 'fill-color': '#17407a', 'fill-opacity': 0.8 } })
      m.addLayer({ id: 'areas-line', type: 'line', source: 'areas', paint: { 'line-color': '#4f8cff', 'line-width': 1.2 } })
      m.addLayer({
        id: 'cases',
        type: 'circle',
        source: 'cases',
        paint: {
          'circle-color': ['case', ['get', 'overdue'], '#ff4d4f', '#faad14'],
          'circle-radius': 3,
          'circle-opacity': 0.9,
        },
      })
      setMapReady(true)
    })
    // An operator may narrow the wall to a child area.
    m.on('click', 'areas-fill', (e) => {
      const code = e.features?.[0]?.properties?.code
      if (code) navigate(`/screen?region=${code}`)
    })
    map.current = m
    return () => m.remove()
  }, [])

  useEffect(() => {
    const m = map.current
    if (!mapReady || !m || !wall) return
    ;(m.getSource('areas') as GeoJSONSource).setData(wall.areas as never)
    ;(m.getSource('cases') as GeoJSONSource).setData(wall.points as never)
    const b = boundsOf(wall.areas.features)
    if (b) m.fitBounds(b, { padding: 30, duration: 0 })
  }, [mapReady, wall])

  const charts = useMemo(() => {
    if (!wall) return null
    const bar = (keys: string[], values: number[], color: string): ChartOption => ({
      textStyle: { color: INK },
      grid: { left: 150, right: 24, top: 8, bottom: 8 },
      yAxis: { type: 'category', data: keys, inverse: true, axisLabel: { color: INK, fontSize: 14 } },
      xAxis: { type: 'value', axisLabel: { color: '#8fb3ff' }, splitLine: { lineStyle: { color: '#1f3b66' } } },
      series: [{ type: 'bar', data: values, itemStyle: { color }, label: { show: true, position: 'right', color: INK } }],
    })
    const overdue = wall.byDepartment.groups
      .filter((g) => g.key && (g.counts.overduePending ?? 0) > 0)
      .sort((a, b) => (b.counts.overduePending ?? 0) - (a.counts.overduePending ?? 0))
      .slice(0, 8)
    const classes = [...wall.byClass.groups].sort((a, b) => (b.counts.reported ?? 0) - (a.counts.reported ?? 0)).slice(0, 8)
    return {
      overdue: bar(
        overdue.map((g) => department(g.key)),
        overdue.map((g) => g.counts.overduePending ?? 0),
        '#ff4d4f',
      ),
      classes: bar(
        classes.map((g) => CLASS_NAMES.get(g.key)?.[lang] ?? g.key),
        classes.map((g) => g.counts.reported ?? 0),
        '#4f8cff',
      ),
    }
  }, [wall, department, lang])

  const pct = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)}%`)
  const num = (v: number | undefined) => (v === undefined ? '—' : v.toLocaleString('zh-CN'))
  const kpi = (label: string, value: string, testId: string) => (
    <div data-testid={testId} style={{ background: PANEL, borderRadius: 6, padding: '12px 16px', marginBottom: 12 }}>
      <div style={{ color: '#8fb3ff', fontSize: 16 }}>{label}</div>
      <div style={{ color: INK, fontSize: 40, fontWeight: 600, lineHeight: 1.2 }}>{value}</div>
    </div>
  )
  const cov = wall?.coverage
  const ranking = (wall?.board?.departments ?? [])
    .filter((d) => !d.exempt && d.score !== null)
    .sort((a, b) => (b.score ?? 0) - (a.score ?? 0))
  return (
    <ConfigProvider theme={{ algorithm: antdTheme.darkAlgorithm }}>
      <div
        data-testid="big-screen"
        data-refreshed={wall?.at.toISOString() ?? ''}
        style={{ background: BG, color: INK, minHeight: '100vh', padding: 16, boxSizing: 'border-box' }}
      >
        <div style={{ display: 'flex', alignItems: 'baseline', gap: 16, marginBottom: 12 }}>
          <Typography.Title level={2} style={{ color: INK, margin: 0, flex: 1 }} data-testid="screen-title">
            {wall?.name ?? ''} {t('screenTitle')}
          </Typography.Title>
          <Typography.Text style={{ color: '#8fb3ff', fontSize: 16 }}>
            {t('screenRefreshed')}{' '}
            {wall ? wall.at.toLocaleTimeString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false }) : '—'}
          </Typography.Text>
        </div>
        <Row gutter={16}>
          <Col span={5}>
            {kpi(t('screenToday'), num(wall?.today.total.counts.reported), 'screen-today')}
            {kpi(t('screenMonth'), num(wall?.month.total.counts.reported), 'screen-month')}
            {kpi(t('onTimeHandling'), pct(wall?.month.total.rates.onTimeHandling), 'screen-ontime')}
            {kpi(t('satisfaction'), pct(wall?.month.total.rates.satisfaction), 'screen-satisfaction')}
            {kpi(t('overdue'), num(wall?.month.total.counts.overduePending), 'screen-overdue')}
            {cov && kpi(t('visitCoverage'), cov.households ? pct(cov.visited / cov.households) : '—', 'screen-coverage')}
          </Col>
          <Col span={12}>
            <div
              ref={box}
              data-testid="screen-map"
              style={{ height: 'calc(100vh - 110px)', minHeight: 600, borderRadius: 6, overflow: 'hidden' }}
            />
            <Typography.Text style={{ color: '#8fb3ff' }}>
              {t('openCases')} {num(wall?.points.total ?? wall?.points.features.length)} ·{' '}
              <span style={{ color: '#ff4d4f' }}>●</span> {t('overdue')} <span style={{ color: '#faad14' }}>●</span>{' '}
              {t('lightGreen')}
            </Typography.Text>
          </Col>
          <Col span={7}>
            <Panel title={t('screenOverdueByDept')} testId="screen-overdue-departments">
              {charts && <Chart option={charts.overdue} height={260} label={t('screenOverdueByDept')} />}
            </Panel>
            <Panel title={t('screenTopClasses')}>
              {charts && <Chart option={charts.classes} height={260} label={t('screenTopClasses')} />}
            </Panel>
            {ranking.length > 0 && (
              <Panel title={t('screenSharingRanking')} testId="screen-sharing">
                {ranking.slice(0, 8).map((d, i) => (
                  <div key={d.department} style={{ display: 'flex', gap: 8, fontSize: 15, color: d.atRisk ? '#ff7875' : INK }}>
                    <span style={{ width: 24 }}>{i + 1}</span>
                    <span style={{ flex: 1 }}>{department(d.department)}</span>
                    <span>{d.score?.toFixed(1)}</span>
                  </div>
                ))}
              </Panel>
            )}
          </Col>
        </Row>
      </div>
    </ConfigProvider>
  )
}
