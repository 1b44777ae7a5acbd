// Report a case on site: subclass, description, a camera photo and the GPS position. Saved to
// the outbox first (so no signal loses nothing), then sent.
import { AimOutlined, CameraOutlined } from '@ant-design/icons'
import { App, Button, Form, Input, Select, Space, Typography } from 'antd'
import { useLiveQuery } from 'dexie-react-hooks'
import { useEffect, useState } from 'react'
import { get, type Item } from '../shared/api'
import { useI18n } from '../shared/i18n'
import { shrink } from '../shared/photos'
import { RowItem, Rows } from '../shared/Rows'
import { cached, db, enqueue } from './outbox'

type Entry = Item<'/catalog'>

export function ReportForm({ onQueued }: { onQueued(): void }) {
  const { t, lang } = useI18n()
  const { message } = App.useApp()
  const [form] = Form.useForm()
  const [catalog, setCatalog] = useState<Entry[]>([])
  const [pos, setPos] = useState<{ lng: number; lat: number } | null>(null)
  const [photo, setPhoto] = useState<Blob | null>(null)
  const sent = useLiveQuery(() => db.sent.orderBy('sentAt').reverse().limit(5).toArray(), [], [])
  const waiting = useLiveQuery(() => db.outbox.where('kind').equals('case').toArray(), [], [])
  const locate = () =>
    navigator.geolocation?.getCurrentPosition(
      (p) => setPos({ lng: p.coords.longitude, lat: p.coords.latitude }),
      () => message.warning(t('location')),
      { enableHighAccuracy: true, timeout: 15_000, maximumAge: 60_000 },
    )
  // biome-ignore lint/correctness/useExhaustiveDependencies: once, on opening the form
  useEffect(() => {
    cached('catalog', () => get<Entry[]>('/catalog?active=true')).then(
      (c) => setCatalog(c.filter((e) => e.kind !== 'service')),
      () => undefined,
    )
    locate()
  }, [])
  return (
    <div style={{ padding: 12 }}>
      <Form
        form={form}
        layout="vertical"
        onFinish={async (v: { catalog: string; description: string; address?: string }) => {
          if (!pos) {
            message.warning(t('location'))
            return
          }
          await enqueue(
            'case',
            {
              catalog: v.catalog,
              description: v.description,
              ...(v.address ? { address: v.address } : {}),
              ...pos,
              source: 'grid_worker',
            },
            photo ? [photo] : [],
          )
          form.resetFields()
          setPhoto(null)
          message.success(t('queued'))
          onQueued()
        }}
      >
        <Form.Item name="catalog" label={t('catalog')} rules={[{ required: true }]}>
          <Select
            showSearch={{ optionFilterProp: 'label' }}
            options={catalog.map((e) => ({ value: e.code, label: `${e.code} ${lang === 'zh' ? e.name : e.nameEn}` }))}
          />
        </Form.Item>
        <Form.Item name="description" label={t('description')} rules={[{ required: true, whitespace: true }]}>
          <Input.TextArea rows={3} maxLength={2000} />
        </Form.Item>
        <Form.Item label={t('photo')}>
          <Space>
            <label
              className="ant-btn ant-btn-default"
              style={{ display: 'inline-flex', alignItems: 'center', gap: 6, padding: '4px 12px' }}
            >
              <CameraOutlined /> {t('photo')}
              <input
                type="file"
                accept="image/*"
                capture="environment"
                data-testid="photo"
                style={{ display: 'none' }}
                onChange={async (e) => {
                  const f = e.target.files?.[0]
                  if (f) setPhoto(await shrink(f))
                }}
              />
            </label>
            {photo && <img src={URL.createObjectURL(photo)} alt={t('photo')} height={48} />}
          </Space>
        </Form.Item>
        <Form.Item label={t('location')}>
          <Space>
            <Typography.Text data-testid="position">{pos ? `${pos.lng.toFixed(5)}, ${pos.lat.toFixed(5)}` : '—'}</Typography.Text>
            <Button size="small" icon={<AimOutlined />} onClick={locate}>
              {t('locate')}
            </Button>
          </Space>
        </Form.Item>
        <Form.Item name="address" label={t('address')}>
          <Input maxLength={200} />
        </Form.Item>
        <Button type="primary" htmlType="submit" block size="large">
          {t('submit')}
        </Button>
      </Form>
      <Rows
        style={{ marginTop: 16 }}
        header={`${t('outbox')} / ${t('sent')}`}
        items={[
          ...waiting.map((w) => ({
            key: w.clientId,
            text: String(w.body.description),
            tag: w.state === 'failed' ? (w.error ?? 'failed') : t('outbox'),
          })),
          ...sent.filter((s) => s.kind === 'case').map((s) => ({ key: s.clientId, text: s.label, tag: s.ref })),
        ]}
        rowKey={(i) => i.key}
        render={(i) => (
          <RowItem data-testid="report-item" title={i.text} extra={<Typography.Text type="secondary">{i.tag}</Typography.Text>} />
        )}
      />
    </div>
  )
}
