import { codeAt } from '@wangge/domain/regions'
// The map: no tile server — the polygons come from the API. City → districts → streets →
// communities → grids: the children of the region in view, and from a district down its grids
// (one GeoJSON layer per region, tiled in the browser by MapLibre), coloured by residents,
// households, overdue cases or visit coverage; every open case as a clustered point (overdue ones
// red); the buildings of a community at street zoom. A click drills down; a grid opens its panel.
import { Breadcrumb, Button, Card, Descriptions, Drawer, Segmented, Space, Spin, Typography } from 'antd'
import type { GeoJSONSource } from 'maplibre-gl'
import { useEffect, useRef, useState } from 'react'
import { can, get, type Me, type Page, type Res } from '../shared/api'
import { useI18n } from '../shared/i18n'
import { baseMap, boundsOf, clusterCounts, configuredBasemap, mapLabels, maplibregl } from '../shared/maplibre'
import { navigate, query, usePath } from '../shared/router'
import { GridAdjust } from './GridAdjust'
import { GridPeople } from './GridPeople'

type Measure = 'residents' | 'households' | 'overdue' | 'visits'
interface FC {
  type: 'FeatureCollection'
  features: { type: 'Feature'; id?: string | number; properties: Record<string, unknown>; geometry: { coordinates: unknown } }[]
}
type Region = Res<'/regions/{code}'>
type Coverage = Pick<Res<'/visits/coverage'>, 'grids'>
type GridInfo = Res<'/grids/{code}'>

const PALETTE = ['#f7fbff', '#c6dbef', '#6baed6', '#2171b5', '#08306b']
/** Visit coverage (% of occupied households visited in 30 days): a fixed scale, red to green —
 *  the fill and the legend from the same steps (lowest first: colour from this percentage on). */
const COVERAGE_STEPS: readonly [number, string, string][] = [
  [0, '#cf1322', '< 50%'],
  [50, '#fa8c16', '50 – 80%'],
  [80, '#95de64', '80 – 95%'],
  [95, '#237804', '≥ 95%'],
]
const NO_COVERAGE = '#d9d9d9'
const COVERAGE = [
  'step',
  ['coalesce', ['get', 'visits'], -1],
  NO_COVERAGE,
  // biome-ignore lint/complexity/noFlatMapIdentity: it drops each step's legend label (not the identity)
  ...COVERAGE_STEPS.flatMap(([from, colour]) => [from, colour]),
] as maplibregl.ExpressionSpecification

/** One class of a colouring, as the legend shows it: its colour, its range and how many places. */
interface LegendClass {
  colour: string
  label: string
  count: number
}
interface Colouring {
  fill: maplibregl.ExpressionSpecification | string
  classes: LegendClass[]
}

const fmtN = (n: number) => n.toLocaleString('zh-CN', { maximumFractionDigits: 1 })

/** Fill colour steps over the values' quantiles, with the legend of each step. */
function colourBy(values: number[], prop: string): Colouring {
  const sorted = values.filter((v) => v > 0).sort((a, b) => a - b)
  if (!sorted.length)
    return { fill: PALETTE[0] as string, classes: [{ colour: PALETTE[0] as string, label: '0', count: values.length }] }
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number
  const stops: number[] = []
  for (const s of [0.2, 0.4, 0.6, 0.8].map(q)) if (s > (stops.at(-1) ?? Number.NEGATIVE_INFINITY)) stops.push(s)
  const expr: unknown[] = ['step', ['coalesce', ['get', prop], 0], PALETTE[0]]
  for (const [i, s] of stops.entries()) expr.push(s, PALETTE[i + 1])
  const bounds = [Number.NEGATIVE_INFINITY, ...stops, Number.POSITIVE_INFINITY]
  const classes = bounds.slice(0, -1).map((lo, i) => {
    const hi = bounds[i + 1] as number
    return {
      colour: PALETTE[i] as string,
      label: i === 0 ? `< ${fmtN(hi)}` : hi === Number.POSITIVE_INFINITY ? `≥ ${fmtN(lo)}` : `${fmtN(lo)} – ${fmtN(hi)}`,
      count: values.filter((v) => v >= lo && v < hi).length,
    }
  })
  return { fill: expr as maplibregl.ExpressionSpecification, classes }
}

/** The coverage scale's classes, highest first, counted over the places drawn; then no data. */
function coverageClasses(values: (number | undefined)[], noData: string): LegendClass[] {
  return [
    ...COVERAGE_STEPS.map(([from, colour, label], i) => {
      const to = COVERAGE_STEPS[i + 1]?.[0] ?? Number.POSITIVE_INFINITY
      return { colour, label, count: values.filter((v) => v !== undefined && v >= from && v < to).length }
    }).reverse(),
    { colour: NO_COVERAGE, label: noData, count: values.filter((v) => v === undefined).length },
  ]
}

export default function MapPage({ user, region: home }: { user: Me; region: string }) {
  const { t } = useI18n()
  const path = usePath()
  const region = query(path).get('region') ?? home
  const measure = (query(path).get('measure') as Measure) ?? 'residents'
  const box = useRef<HTMLDivElement>(null)
  const map = useRef<maplibregl.Map | null>(null)
  const labels = useRef<ReturnType<typeof mapLabels> | null>(null)
  const clusters = useRef<ReturnType<typeof clusterCounts> | null>(null)
  /** The property the places are coloured by (for the hover tip). */
  const hoverKey = useRef('residents')
  const [ready, setReady] = useState(false)
  const [info, setInfo] = useState<Region | null>(null)
  const [counts, setCounts] = useState({ areas: 0, grids: 0 })
  const [grid, setGrid] = useState<GridInfo | null>(null)
  const [loading, setLoading] = useState(false)
  const [reloads, setReloads] = useState(0)
  const [openCases, setOpenCases] = useState(0)
  const [coverage, setCoverage] = useState<Map<string, Coverage['grids'][number]>>(new Map())
  const [legend, setLegend] = useState<LegendClass[]>([])

  // biome-ignore lint/correctness/useExhaustiveDependencies: `start` reads refs, setters and `home`; the map is made again when the home region changes
  useEffect(() => {
    let made: maplibregl.Map | null = null
    let gone = false
    // Over the configured basemap, if any (asked once); the platform's layers on top either way.
    configuredBasemap().then((base) => {
      if (gone || !box.current) return
      made = baseMap(box.current, base, { center: [113.27, 23.13], zoom: 9 })
      start(made)
    })
    return () => {
      gone = true
      made?.remove()
    }
  }, [home])

  /** The map's sources, layers and handlers (once, when the map is made). */
  const start = (m: maplibregl.Map) => {
    m.addControl(new maplibregl.NavigationControl({ showCompass: false }))
    m.on('load', () => {
      const empty: FC = { type: 'FeatureCollection', features: [] }
      m.addSource('areas', { type: 'geojson', data: empty as never })
      m.addSource('grids', { type: 'geojson', data: empty as never })
      m.addSource('cases', { type: 'geojson', data: empty as never, cluster: true, clusterRadius: 40 })
      m.addSource('buildings', { type: 'geojson', data: empty as never })
      m.addLayer({
        id: 'areas-fill',
        type: 'fill',
        source: 'areas',
        paint: { 'fill-color': PALETTE[1] as string, 'fill-opacity': 0.7 },
      })
      m.addLayer({
        id: 'grids-fill',
        type: 'fill',
        source: 'grids',
        paint: { 'fill-color': PALETTE[1] as string, 'fill-opacity': 0.75 },
      })
      m.addLayer({ id: 'grids-line', type: 'line', source: 'grids', paint: { 'line-color': '#ffffff', 'line-width': 0.6 } })
      m.addLayer({ id: 'areas-line', type: 'line', source: 'areas', paint: { 'line-color': '#1f3a5f', 'line-width': 1.6 } })
      m.addLayer({
        id: 'buildings',
        type: 'circle',
        source: 'buildings',
        minzoom: 13,
        paint: {
          'circle-color': '#595959',
          'circle-radius': ['interpolate', ['linear'], ['zoom'], 13, 1.5, 17, 5],
          'circle-stroke-color': '#fff',
          'circle-stroke-width': 0.5,
        },
      })
      m.addLayer({
        id: 'cases-cluster',
        type: 'circle',
        source: 'cases',
        paint: {
          'circle-color': ['case', ['has', 'point_count'], '#fa8c16', ['get', 'overdue'], '#a8071a', '#f5222d'],
          'circle-radius': [
            'case',
            ['has', 'point_count'],
            ['interpolate', ['linear'], ['get', 'point_count'], 2, 10, 100, 24],
            5,
          ],
          'circle-stroke-color': '#fff',
          'circle-stroke-width': 1.5,
        },
      })
      setReady(true)
    })
    // Above a community a click goes one level down (the child area under it); within a
    // community it opens the grid under it.
    m.on('click', (e) => {
      const at = new URLSearchParams(location.search).get('region') ?? home
      const building = m.queryRenderedFeatures(e.point, { layers: ['buildings'] })[0]?.properties
      // A building says what it is (and the click goes on to its grid).
      if (building)
        new maplibregl.Popup({ closeButton: true })
          .setLngLat(e.lngLat)
          .setText(`${building.name} · ${building.address} · ${building.floors}F`)
          .addTo(m)
      const area = m.queryRenderedFeatures(e.point, { layers: ['areas-fill'] })[0]?.properties?.code as string | undefined
      const cell = m.queryRenderedFeatures(e.point, { layers: ['grids-fill'] })[0]?.properties?.code as string | undefined
      if (at.length < 12 && area && area !== at)
        navigate(`/map?region=${area}&measure=${query(location.search).get('measure') ?? 'residents'}`)
      else if (cell) get<GridInfo>(`/grids/${cell}`).then(setGrid, () => undefined)
    })
    // Hovering a place names it with the figure it is coloured by.
    const tip = new maplibregl.Popup({ closeButton: false, closeOnClick: false, className: 'map-tip' })
    for (const l of ['grids-fill', 'areas-fill']) {
      m.on('mouseenter', l, () => {
        m.getCanvas().style.cursor = 'pointer'
      })
      m.on('mousemove', l, (e) => {
        const f = e.features?.[0]?.properties
        if (!f || (l === 'areas-fill' && m.getPaintProperty('areas-fill', 'fill-opacity') === 0)) return
        const v = f[hoverKey.current]
        const shown = v === undefined || v === null ? '—' : hoverKey.current === 'visits' ? `${v}%` : fmtN(Number(v))
        tip
          .setLngLat(e.lngLat)
          .setText(`${f.name ?? f.code} · ${shown}`)
          .addTo(m)
      })
      m.on('mouseleave', l, () => {
        m.getCanvas().style.cursor = ''
        tip.remove()
      })
    }
    labels.current = mapLabels(m)
    clusters.current = clusterCounts(m, 'cases')
    map.current = m
    // The page's map, for the browser tests (they click where a place is).
    ;(window as unknown as { wanggeMap?: maplibregl.Map }).wanggeMap = m
  }

  // biome-ignore lint/correctness/useExhaustiveDependencies: `reloads` asks for the layers again after an adjustment
  useEffect(() => {
    const m = map.current
    if (!ready || !m) return
    const ac = new AbortController()
    setLoading(true)
    setGrid(null)
    const level = region.length
    const showGrids = level >= 6
    Promise.all([
      get<Region>(`/regions/${codeAt(region, 'community')}`, ac.signal),
      level < 12
        ? get<FC>(`/regions/${region}/geometry?children=1`, ac.signal)
        : get<FC>(`/regions/${region}/geometry?children=0`, ac.signal).then((f) => ({
            type: 'FeatureCollection' as const,
            features: [f as never],
          })),
      showGrids
        ? get<FC>(`/grids/layer?region=${region}`, ac.signal)
        : Promise.resolve<FC>({ type: 'FeatureCollection', features: [] }),
      level < 12
        ? get<Res<'/stats/population'>>(`/stats/population?region=${region}&by=children`, ac.signal)
        : Promise.resolve({ groups: [] }),
      level < 12
        ? get<{ groups: { key: string; counts: Record<string, number> }[] }>(
            `/stats/cases?region=${region}&by=children`,
            ac.signal,
          )
        : Promise.resolve({ groups: [] }),
      get<FC & { total: number }>(`/cases/points?region=${region}`, ac.signal).catch(
        () => ({ type: 'FeatureCollection', features: [], total: 0 }) as FC & { total: number },
      ),
      measure === 'visits' && can(user, 'person.read')
        ? get<Coverage>(`/visits/coverage?region=${region}`, ac.signal).catch(() => ({ grids: [] }))
        : Promise.resolve<Coverage>({ grids: [] }),
      level >= 12 && can(user, 'housing.read')
        ? get<Page<{ id: number; name: string; address: string; floors: number; location: [number, number] }>>(
            `/buildings?region=${region}&pageSize=500`,
            ac.signal,
          ).catch(() => ({ items: [] }))
        : Promise.resolve({ items: [] }),
    ])
      .then(([r, areas, grids, pop, cases, open, cov, buildings]) => {
        setInfo(r)
        const residents = new Map(pop.groups.map((g) => [g.key, g.n]))
        const overdue = new Map(cases.groups.map((g) => [g.key, g.counts.overduePending ?? 0]))
        const byGrid = new Map(cov.grids.map((g) => [g.grid, g]))
        setCoverage(byGrid)
        for (const f of grids.features) {
          const c = byGrid.get(String(f.properties.code))
          if (c) f.properties.visits = Math.round(c.share * 1000) / 10
        }
        for (const f of areas.features) {
          const code = String(f.properties.code ?? f.id)
          f.properties.code = code
          f.properties.residents = residents.get(code) ?? 0
          f.properties.overdue = overdue.get(code) ?? 0
          // An area's coverage: its grids' households together.
          const inside = cov.grids.filter((g) => g.grid.startsWith(code))
          const homes = inside.reduce((n, g) => n + g.households, 0)
          if (homes) f.properties.visits = Math.round((inside.reduce((n, g) => n + g.visited, 0) / homes) * 1000) / 10
        }
        ;(m.getSource('areas') as GeoJSONSource).setData(areas as never)
        ;(m.getSource('grids') as GeoJSONSource).setData(grids as never)
        clusters.current?.reset()
        ;(m.getSource('cases') as GeoJSONSource).setData(open as never)
        setOpenCases(open.total ?? open.features.length)
        ;(m.getSource('buildings') as GeoJSONSource).setData({
          type: 'FeatureCollection',
          features: buildings.items.map((b) => ({
            type: 'Feature',
            properties: { id: b.id, name: b.name, address: b.address, floors: b.floors },
            geometry: { type: 'Point', coordinates: b.location },
          })),
        } as never)
        const prop =
          measure === 'visits'
            ? 'visits'
            : measure === 'households'
              ? 'households'
              : measure === 'overdue'
                ? 'overdue'
                : 'residents'
        const colouring = (fc: FC, key: string): Colouring =>
          prop === 'visits'
            ? {
                fill: COVERAGE,
                classes: coverageClasses(
                  fc.features.map((f) => f.properties.visits as number | undefined),
                  t('noData'),
                ),
              }
            : colourBy(
                fc.features.map((f) => Number(f.properties[key] ?? 0)),
                key,
              )
        const drawn = grids.features.length ? grids : areas
        const key = !grids.features.length && prop === 'households' ? 'residents' : prop
        const c = colouring(drawn, key)
        m.setPaintProperty(grids.features.length ? 'grids-fill' : 'areas-fill', 'fill-color', c.fill)
        m.setPaintProperty('areas-fill', 'fill-opacity', grids.features.length ? 0 : 0.7)
        setLegend(c.classes)
        hoverKey.current = key
        const b = boundsOf(drawn.features)
        if (b) m.fitBounds(b, { padding: 24, duration: 0 })
        setCounts({ areas: areas.features.length, grids: grids.features.length })
        // Each area drawn named at its centre; within a community its grids too.
        labels.current?.set([
          ...areas.features.flatMap((f) => {
            const at = f.properties.labelAt as [number, number] | null | undefined
            return at && level < 12 ? [{ at, text: String(f.properties.name ?? '') }] : []
          }),
          ...(level >= 12
            ? grids.features.flatMap((f) => {
                const b = boundsOf([f])
                return b
                  ? [{ at: [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2] as [number, number], text: String(f.properties.name ?? '') }]
                  : []
              })
            : []),
        ])
      })
      .catch(() => undefined)
      .finally(() => setLoading(false))
    return () => ac.abort()
  }, [ready, region, measure, reloads, user])

  const crumbs = info
    ? [...info.parents, ...(info.code === codeAt(region, 'community') ? [{ code: info.code, name: info.name }] : [])]
    : []
  return (
    <Card
      styles={{ body: { padding: 0, position: 'relative' } }}
      title={
        <Space wrap>
          <Breadcrumb
            items={crumbs.map((c) => ({
              // Above the user's own region a place is named, not offered (its figures are not theirs).
              title:
                c.code.length < home.length ? (
                  <Typography.Text>{c.name}</Typography.Text>
                ) : (
                  <Typography.Link onClick={() => navigate(`/map?region=${c.code}&measure=${measure}`)}>{c.name}</Typography.Link>
                ),
            }))}
          />
          <Typography.Text type="secondary" data-testid="open-cases">
            {t('openCases')} {openCases}
          </Typography.Text>
          {loading && <Spin size="small" />}
        </Space>
      }
      extra={
        <Space>
          <span>{t('colourBy')}</span>
          <Segmented
            size="small"
            value={measure}
            onChange={(v) => navigate(`/map?region=${region}&measure=${v}`)}
            options={[
              { label: t('residents'), value: 'residents' },
              { label: t('households'), value: 'households' },
              { label: t('overdue'), value: 'overdue' },
              ...(can(user, 'person.read') ? [{ label: t('visitCoverage'), value: 'visits' }] : []),
            ]}
          />
          {info?.parents.length && region.length > home.length ? (
            <Button size="small" onClick={() => navigate(`/map?region=${info.parents.at(-1)?.code}&measure=${measure}`)}>
              {t('up')}
            </Button>
          ) : null}
        </Space>
      }
    >
      <div
        ref={box}
        data-testid="map"
        data-region={region}
        data-areas={counts.areas}
        data-grids={counts.grids}
        data-loading={loading ? 'true' : 'false'}
        style={{ height: 'calc(100vh - 190px)', minHeight: 420 }}
      />
      {legend.length > 0 && (
        <div
          data-testid="map-legend"
          style={{
            position: 'absolute',
            left: 12,
            bottom: 12,
            background: 'rgba(255,255,255,0.92)',
            padding: '8px 10px',
            borderRadius: 6,
            boxShadow: '0 1px 4px rgba(0,0,0,0.15)',
            fontSize: 12,
          }}
        >
          <Typography.Text strong style={{ fontSize: 12 }}>
            {measure === 'visits'
              ? t('visitCoverage')
              : measure === 'overdue'
                ? t('overdue')
                : t(measure === 'households' ? 'households' : 'residents')}
          </Typography.Text>
          {legend.map((c) => (
            <div
              key={c.label}
              data-testid="legend-class"
              data-count={c.count}
              style={{ display: 'flex', alignItems: 'center', gap: 6 }}
            >
              <span
                style={{ width: 14, height: 10, background: c.colour, border: '1px solid #bfbfbf', display: 'inline-block' }}
              />
              <span style={{ flex: 1 }}>{c.label}</span>
              <span style={{ color: '#8c8c8c' }}>{c.count}</span>
            </div>
          ))}
          {openCases > 0 && (
            <div style={{ display: 'flex', alignItems: 'center', gap: 6, marginTop: 4 }}>
              <span style={{ width: 10, height: 10, borderRadius: 5, background: '#f5222d', display: 'inline-block' }} />
              <span>{t('openCases')}</span>
              <span style={{ width: 10, height: 10, borderRadius: 5, background: '#a8071a', display: 'inline-block' }} />
              <span>{t('overdue')}</span>
            </div>
          )}
        </div>
      )}
      <Drawer open={!!grid} onClose={() => setGrid(null)} title={grid?.name} size={360}>
        {grid && (
          <Descriptions column={1} size="small" data-testid="grid-panel">
            <Descriptions.Item label={t('grid')}>{grid.code}</Descriptions.Item>
            <Descriptions.Item label={t('households')}>{grid.households}</Descriptions.Item>
            <Descriptions.Item label={t('residents')}>{grid.residents}</Descriptions.Item>
            {coverage.get(grid.code) && (
              <Descriptions.Item label={t('visitCoverage')}>
                <span data-testid="grid-coverage">
                  {coverage.get(grid.code)?.visited} / {coverage.get(grid.code)?.households} (
                  {Math.round((coverage.get(grid.code)?.share ?? 0) * 100)}%)
                </span>
              </Descriptions.Item>
            )}
          </Descriptions>
        )}
        {grid && <GridPeople key={grid.code} grid={grid.code} />}
        {grid && can(user, 'grid.adjust') && (
          <GridAdjust
            key={grid.code}
            grid={grid.code}
            neighbours={grid.neighbours}
            onDone={() => {
              setGrid(null)
              setReloads((n) => n + 1)
            }}
          />
        )}
      </Drawer>
    </Card>
  )
}
