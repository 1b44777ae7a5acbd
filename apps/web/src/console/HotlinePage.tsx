// The 12345 hotline desk and the counter (受理登记): an operator takes a call or a resident at the
// counter (来访, source `resident`), types the phone (earlier cases appear), finds the place by
// address or drops a pin on the map (the grid shown), picks the class by name, code or pinyin
// initials, and either answers directly (直接答复: closed with the answer) or registers the request
// into the loop (source `hotline` for a call). The call-back worklist lists the cases waiting for a
// resident's confirmation, with the satisfaction entered from the call.
import {
  App as AntApp,
  Button,
  Card,
  Col,
  Empty,
  Form,
  Input,
  List,
  Row,
  Segmented,
  Space,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd'
import { useEffect, useMemo, useRef, useState } from 'react'
import { errorText, get, type Item, type Me, type Page, post, type Res } from '../shared/api'
import { useI18n } from '../shared/i18n'
import { blankMap, maplibregl } from '../shared/maplibre'
import { CatalogPicker } from '../shared/pickers'

type CallerCase = Res<'/residents/callers/{phone}/cases'>[number]
type Building = Item<'/buildings'>
type Place = { lng: number; lat: number; address: string; grid: string | null; community: string }
type CaseItem = Item<'/cases'>

export default function HotlinePage(_: { user: Me }) {
  const { lang } = useI18n()
  const zh = lang === 'zh'
  return (
    <Tabs
      items={[
        { key: 'call', label: zh ? '来电受理' : 'Take a call', children: <Call /> },
        { key: 'callback', label: zh ? '回访工作台' : 'Call-backs', children: <Callbacks /> },
      ]}
    />
  )
}

function Call() {
  const { lang, status } = useI18n()
  const zh = lang === 'zh'
  const { message } = AntApp.useApp()
  const [phone, setPhone] = useState('')
  const [history, setHistory] = useState<CallerCase[] | null>(null)
  const [buildings, setBuildings] = useState<Building[]>([])
  const [place, setPlace] = useState<Place | null>(null)
  const [form] = Form.useForm()
  const [busy, setBusy] = useState(false)
  // How the request came: a 12345 call, or a resident at the counter (来访).
  const [source, setSource] = useState<'hotline' | 'resident'>('hotline')

  const lookUpCaller = async () => {
    if (!/^1\d{10}$/.test(phone)) return
    try {
      setHistory(await get<CallerCase[]>(`/residents/callers/${phone}/cases`))
    } catch (e) {
      message.error(errorText(e))
    }
  }

  const choose = async (b: Building) => {
    const [lng, lat] = b.location
    try {
      const at = await get<Res<'/lookup'>>(`/lookup?lng=${lng}&lat=${lat}`)
      setPlace({ lng, lat, address: b.address, grid: at.grid, community: at.community })
      form.setFieldValue('address', b.address)
    } catch (e) {
      message.error(errorText(e))
    }
  }

  /** A pin dropped on the map: the place is the point, named by its community. */
  const pin = async (lng: number, lat: number) => {
    try {
      const at = await get<Res<'/lookup'>>(`/lookup?lng=${lng}&lat=${lat}`)
      const community = await get<Res<'/regions/{code}'>>(`/regions/${at.community}`)
      const address = `${community.name}${zh ? '（地图选点）' : ' (pinned on the map)'}`
      setPlace({ lng, lat, address, grid: at.grid, community: at.community })
      setBuildings([])
    } catch (e) {
      message.error(errorText(e))
    }
  }

  /** Registers the call as a case; answers its id and version. */
  const file = async (v: Record<string, string>) => {
    if (!place) throw new Error(zh ? '请先查找并选择地址' : 'Find and pick the address first')
    return post<{ id: number; version: number; number: string }>('/cases', {
      catalog: v.catalog,
      description: v.description,
      lng: place.lng,
      lat: place.lat,
      address: v.address || place.address,
      source,
      ...(phone ? { reporterPhone: phone } : {}),
      ...(v.name ? { reporterName: v.name } : {}),
    })
  }

  return (
    <Row gutter={16}>
      <Col xs={24} lg={14}>
        <Segmented
          style={{ marginBottom: 12 }}
          value={source}
          onChange={(v: string) => setSource(v as 'hotline' | 'resident')}
          data-testid="intake-source"
          options={[
            { value: 'hotline', label: zh ? '12345 来电' : '12345 call' },
            { value: 'resident', label: zh ? '来访登记' : 'Walk-in' },
          ]}
        />
        <Card size="small" title={zh ? (source === 'hotline' ? '来电人' : '来访人') : 'Resident'} style={{ marginBottom: 12 }}>
          <Space.Compact style={{ width: '100%' }}>
            <Input
              aria-label={zh ? '来电号码' : 'Caller’s phone'}
              placeholder={zh ? '来电号码' : 'Caller’s phone'}
              value={phone}
              maxLength={11}
              inputMode="tel"
              onChange={(e) => setPhone(e.target.value.trim())}
              onPressEnter={lookUpCaller}
            />
            <Button onClick={lookUpCaller} disabled={!/^1\d{10}$/.test(phone)}>
              {zh ? '历史来电' : 'Earlier cases'}
            </Button>
          </Space.Compact>
          {history && (
            <List
              size="small"
              data-testid="caller-history"
              locale={{ emptyText: zh ? '无历史诉求' : 'No earlier cases' }}
              dataSource={history}
              renderItem={(c) => (
                <List.Item key={c.number}>
                  <Space wrap>
                    <a href={`/cases/${c.id}`}>{c.number}</a>
                    <Tag>{zh ? c.className : c.classNameEn}</Tag>
                    <Tag color={c.overdue ? 'red' : 'blue'}>{status(c.caseStatus)}</Tag>
                    <Typography.Text type="secondary">{c.description.slice(0, 40)}</Typography.Text>
                    {c.followed && <Tag>{zh ? '我也遇到了' : 'me too'}</Tag>}
                  </Space>
                </List.Item>
              )}
            />
          )}
        </Card>
        <Card size="small" title={zh ? '诉求登记' : 'The request'}>
          <Form form={form} layout="vertical" data-testid="hotline-form">
            <Form.Item label={zh ? '地址' : 'Address'} required>
              <Input.Search
                aria-label={zh ? '地址查找' : 'Find the address'}
                placeholder={zh ? '输入地址（路名、门牌）查找' : 'Street and number'}
                enterButton={zh ? '查找' : 'Find'}
                onSearch={async (q) => {
                  if (!q.trim()) return
                  const r = await get<Page<Building>>(`/buildings?address=${encodeURIComponent(q.trim())}&pageSize=8`)
                  setBuildings(r.items)
                }}
              />
              {buildings.length > 0 && !place && (
                <List
                  size="small"
                  data-testid="address-results"
                  dataSource={buildings}
                  renderItem={(b) => (
                    <List.Item key={b.id} style={{ cursor: 'pointer' }} onClick={() => choose(b)}>
                      {b.address}
                    </List.Item>
                  )}
                />
              )}
              {place && (
                <Typography.Paragraph data-testid="place" style={{ marginTop: 8, marginBottom: 0 }}>
                  {place.address} · {zh ? '网格' : 'grid'} {place.grid ?? '—'}{' '}
                  <Button size="small" type="link" onClick={() => setPlace(null)}>
                    {zh ? '重选' : 'Change'}
                  </Button>
                </Typography.Paragraph>
              )}
            </Form.Item>
            <Form.Item name="address" label={zh ? '详细位置' : 'Where exactly'}>
              <Input maxLength={200} />
            </Form.Item>
            <Form.Item name="catalog" label={zh ? '诉求分类' : 'Class'} rules={[{ required: true }]}>
              <CatalogPicker aria-label={zh ? '诉求分类' : 'Class'} />
            </Form.Item>
            <Form.Item name="description" label={zh ? '来电内容' : 'What the caller says'} rules={[{ required: true, min: 4 }]}>
              <Input.TextArea rows={3} maxLength={1000} />
            </Form.Item>
            <Form.Item name="name" label={zh ? '来电人称呼' : 'Caller’s name'}>
              <Input maxLength={40} />
            </Form.Item>
            <Form.Item name="answer" label={zh ? '答复内容（直接答复时填写）' : 'The answer (when answering directly)'}>
              <Input.TextArea rows={2} maxLength={1000} />
            </Form.Item>
            <Space>
              <Button
                type="primary"
                loading={busy}
                onClick={async () => {
                  const v = await form.validateFields()
                  setBusy(true)
                  try {
                    const c = await file(v)
                    await post(`/cases/${c.id}/actions`, { action: 'register', version: c.version })
                    message.success(`${zh ? '已登记派单流程' : 'Registered'} ${c.number}`)
                    form.resetFields()
                    setPlace(null)
                  } catch (e) {
                    message.error(errorText(e))
                  } finally {
                    setBusy(false)
                  }
                }}
              >
                {zh ? '登记并流转' : 'Register into the loop'}
              </Button>
              <Button
                loading={busy}
                onClick={async () => {
                  const v = await form.validateFields()
                  if (!v.answer?.trim()) return message.warning(zh ? '请填写答复内容' : 'Write the answer first')
                  setBusy(true)
                  try {
                    const c = await file(v)
                    await post(`/cases/${c.id}/actions`, { action: 'answer', version: c.version, result: v.answer.trim() })
                    message.success(`${zh ? '已直接答复并办结' : 'Answered and closed'} ${c.number}`)
                    form.resetFields()
                    setPlace(null)
                  } catch (e) {
                    message.error(errorText(e))
                  } finally {
                    setBusy(false)
                  }
                }}
              >
                {zh ? '直接答复' : 'Answer directly'}
              </Button>
            </Space>
          </Form>
        </Card>
      </Col>
      <Col xs={24} lg={10}>
        <GridMap place={place} onPick={pin} />
        <Typography.Text type="secondary">{zh ? '点击地图可直接选点' : 'Click the map to pin the place'}</Typography.Text>
      </Col>
    </Row>
  )
}

/** The place and its grid on a map. */
function GridMap({ place, onPick }: { place: Place | null; onPick(lng: number, lat: number): void }) {
  const box = useRef<HTMLDivElement>(null)
  const map = useRef<maplibregl.Map | null>(null)
  const marker = useRef<maplibregl.Marker | null>(null)
  const pick = useRef(onPick)
  pick.current = onPick
  useEffect(() => {
    if (!box.current) return
    const m = blankMap(box.current, { center: [113.27, 23.13], zoom: 11 })
    m.on('load', () => {
      m.addSource('grid', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } })
      m.addLayer({ id: 'grid-fill', type: 'fill', source: 'grid', paint: { 'fill-color': '#1677ff', 'fill-opacity': 0.15 } })
      m.addLayer({ id: 'grid-line', type: 'line', source: 'grid', paint: { 'line-color': '#1677ff', 'line-width': 2 } })
    })
    m.on('click', (e) => pick.current(e.lngLat.lng, e.lngLat.lat))
    map.current = m
    ;(window as unknown as { wanggeHotlineMap?: maplibregl.Map }).wanggeHotlineMap = m // (for the browser tests)
    return () => m.remove()
  }, [])
  useEffect(() => {
    const m = map.current
    if (!m || !place) return
    marker.current?.remove()
    marker.current = new maplibregl.Marker().setLngLat([place.lng, place.lat]).addTo(m)
    m.flyTo({ center: [place.lng, place.lat], zoom: Math.max(m.getZoom(), 16) })
    if (place.grid)
      get<Res<'/grids/{code}/geometry'>>(`/grids/${place.grid}/geometry?detail=simplified`).then((f) => {
        const src = m.getSource('grid') as maplibregl.GeoJSONSource | undefined
        src?.setData(f as never)
      })
  }, [place])
  return <div ref={box} data-testid="hotline-map" style={{ height: 420, borderRadius: 8, overflow: 'hidden' }} />
}

function Callbacks() {
  const { lang } = useI18n()
  const zh = lang === 'zh'
  const { message } = AntApp.useApp()
  const [rows, setRows] = useState<CaseItem[] | null>(null)
  const load = useMemo(
    () => () =>
      get<Page<CaseItem>>('/cases?status=verified&pageSize=100').then(
        (r) => setRows(r.items),
        () => setRows([]),
      ),
    [],
  )
  useEffect(() => {
    void load()
  }, [load])
  const act = async (c: CaseItem, satisfaction: 'satisfied' | 'basically_satisfied' | 'dissatisfied') => {
    try {
      await post(`/cases/${c.id}/actions`, {
        action: satisfaction === 'dissatisfied' ? 'callback_dissatisfied' : 'callback_satisfied',
        version: c.version,
        satisfaction,
        ...(satisfaction === 'dissatisfied' ? { reason: zh ? '回访：来电人不满意' : 'Call-back: dissatisfied' } : {}),
      })
      message.success(zh ? '已记录回访' : 'Recorded')
      await load()
    } catch (e) {
      message.error(errorText(e))
    }
  }
  if (rows && !rows.length) return <Empty description={zh ? '没有待回访的案件' : 'Nothing to call back'} />
  return (
    <Table<CaseItem>
      data-testid="callbacks"
      rowKey="id"
      size="small"
      loading={!rows}
      dataSource={rows ?? []}
      pagination={false}
      columns={[
        { title: zh ? '编号' : 'No.', dataIndex: 'number', render: (n: string, c) => <a href={`/cases/${c.id}`}>{n}</a> },
        { title: zh ? '问题' : 'Problem', dataIndex: 'description', ellipsis: true },
        { title: zh ? '来电人' : 'Caller', render: (_: unknown, c) => `${c.reporterName ?? ''} ${c.reporterPhone ?? ''}` },
        {
          title: zh ? '回访结果' : 'Outcome',
          render: (_: unknown, c) => (
            <Space>
              <Button size="small" type="primary" onClick={() => act(c, 'satisfied')}>
                {zh ? '满意' : 'Satisfied'}
              </Button>
              <Button size="small" onClick={() => act(c, 'basically_satisfied')}>
                {zh ? '基本满意' : 'Fairly'}
              </Button>
              <Button size="small" danger onClick={() => act(c, 'dissatisfied')}>
                {zh ? '不满意' : 'Dissatisfied'}
              </Button>
            </Space>
          ),
        },
      ]}
    />
  )
}
