// Grid partition preview (grid.adjust): re-divide one community automatically under a target of
// households per grid — the server's dry run drawn on a map with each grid's households and the
// balance, existing codes marked — then apply it (a partition run; codes of unchanged grids kept).
import { App, Button, Card, Descriptions, Form, InputNumber, Popconfirm, Space, Table, Tag } from 'antd'
import { useEffect, useRef, useState } from 'react'
import { errorText, post, type Res } from '../shared/api'
import { useI18n } from '../shared/i18n'
import { blankMap, maplibregl } from '../shared/maplibre'
import { RegionPicker } from '../shared/pickers'

type Feature = Result['layer']['features'][number]
type Result = Res<'/grids/partition', 'post'>
type Ask = { community: string; target: number; minHouseholds: number }

export function PartitionPage({ region }: { region: string }) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const [form] = Form.useForm<Ask>()
  const [result, setResult] = useState<Result | null>(null)
  const [busy, setBusy] = useState(false)
  const [drawn, setDrawn] = useState(false)
  const box = useRef<HTMLDivElement>(null)
  const map = useRef<maplibregl.Map | null>(null)
  const run = async (dryRun: boolean) => {
    setBusy(true)
    try {
      const v = await form.validateFields()
      setResult(await post<Result>('/grids/partition', { ...v, dryRun }))
      if (!dryRun) message.success(t('saved'))
    } catch (e) {
      if (!(e && typeof e === 'object' && 'errorFields' in e)) message.error(errorText(e, true))
    } finally {
      setBusy(false)
    }
  }
  useEffect(() => {
    if (!result || !box.current) return
    setDrawn(false)
    map.current?.remove()
    const m = blankMap(box.current, {})
    map.current = m
    m.on('load', () => {
      m.addSource('plan', { type: 'geojson', data: result.layer as never })
      m.addLayer({
        id: 'plan-fill',
        type: 'fill',
        source: 'plan',
        paint: { 'fill-color': ['case', ['get', 'existing'], '#6baed6', '#fa8c16'], 'fill-opacity': 0.6 },
      })
      m.addLayer({ id: 'plan-line', type: 'line', source: 'plan', paint: { 'line-color': '#1f3a5f', 'line-width': 1.2 } })
      const b = new maplibregl.LngLatBounds()
      const walk = (c: unknown): void => {
        if (Array.isArray(c) && typeof c[0] === 'number') b.extend(c as [number, number])
        else if (Array.isArray(c)) for (const x of c) walk(x)
      }
      for (const f of result.layer.features) walk(f.geometry.coordinates)
      if (!b.isEmpty()) m.fitBounds(b, { padding: 20, duration: 0 })
      m.once('idle', () => setDrawn(true))
    })
    return () => {
      m.remove()
      map.current = null
    }
  }, [result])
  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid="partition">
      <Form form={form} layout="inline" initialValues={{ target: 200, minHouseholds: 120 }}>
        <Form.Item name="community" label={t('community')} rules={[{ required: true, pattern: /^\d{12}$/ }]}>
          <RegionPicker root={region} levels={['community']} aria-label={t('community')} style={{ width: 240 }} />
        </Form.Item>
        <Form.Item name="target" label={t('targetHouseholds')} rules={[{ required: true }]}>
          <InputNumber min={20} max={2000} />
        </Form.Item>
        <Form.Item name="minHouseholds" label={t('minHouseholds')} rules={[{ required: true }]}>
          <InputNumber min={1} max={2000} />
        </Form.Item>
        <Button onClick={() => run(true)} loading={busy} data-testid="partition-preview">
          {t('preview')}
        </Button>
        {result && !result.applied && (
          <Popconfirm title={t('partitionApply')} onConfirm={() => run(false)} okText={t('apply')} cancelText={t('cancel')}>
            <Button type="primary" danger loading={busy} data-testid="partition-apply">
              {t('apply')}
            </Button>
          </Popconfirm>
        )}
      </Form>
      {result && (
        <Card
          size="small"
          data-testid="partition-result"
          data-grids={result.balance.grids}
          data-applied={String(result.applied)}
          data-drawn={String(drawn)}
        >
          <Descriptions size="small" column={5}>
            <Descriptions.Item label={t('grid')}>
              {result.before.length} → {result.balance.grids}
            </Descriptions.Item>
            <Descriptions.Item label="min">{result.balance.min}</Descriptions.Item>
            <Descriptions.Item label="median">{result.balance.median}</Descriptions.Item>
            <Descriptions.Item label="max">{result.balance.max}</Descriptions.Item>
            <Descriptions.Item label="±20%">{Math.round(result.balance.withinTwentyPercent * 100)}%</Descriptions.Item>
          </Descriptions>
          <div style={{ display: 'flex', gap: 12, flexWrap: 'wrap' }}>
            <div ref={box} style={{ flex: '1 1 420px', height: 420 }} />
            <Table
              style={{ flex: '1 1 360px' }}
              size="small"
              rowKey={(f) => f.properties.code}
              pagination={{ pageSize: 10, showSizeChanger: false }}
              dataSource={result.layer.features}
              columns={[
                {
                  title: t('grid'),
                  render: (_: unknown, f: Feature) => (
                    <Space>
                      <code>{f.properties.code}</code>
                      {!f.properties.existing && <Tag color="orange">{t('newGrid')}</Tag>}
                    </Space>
                  ),
                },
                { title: t('households'), render: (_: unknown, f: Feature) => f.properties.households },
                { title: t('residents'), render: (_: unknown, f: Feature) => f.properties.residents },
              ]}
            />
          </div>
        </Card>
      )}
    </Space>
  )
}
