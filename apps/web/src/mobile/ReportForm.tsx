// Report a case on site: subclass, description, camera photos and the GPS position. Checked
// against the class's requirements (the cached catalog: how many photos) before it is saved to the
// outbox, offline too; then sent. What the server still refuses waits below with its reason and
// the ways to fix it (OutboxList).
import { AimOutlined } from '@ant-design/icons'
import { App, Button, Form, Input, Space, Typography } from 'antd'
import { useLiveQuery } from 'dexie-react-hooks'
import { useEffect, useState } from 'react'
import { get, type Item } from '../shared/api'
import { useI18n } from '../shared/i18n'
import { RowItem, Rows } from '../shared/Rows'
import { CameraButton } from './CameraButton'
import { OutboxList } from './OutboxList'
import { cached, db, enqueue, reportLacks } from './outbox'
import { ReportFields } from './ReportFields'

type Entry = Item<'/catalog'>

export function ReportForm({ onQueued }: { onQueued(): void }) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const [form] = Form.useForm()
  const [catalog, setCatalog] = useState<Entry[]>([])
  const [pos, setPos] = useState<{ lng: number; lat: number } | null>(null)
  const [photos, setPhotos] = useState<Blob[]>([])
  const chosen = Form.useWatch('catalog', form) as string | undefined
  const entry = catalog.find((e) => e.code === chosen)
  const sent = useLiveQuery(() => db.sent.orderBy('sentAt').reverse().limit(5).toArray(), [], [])
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
          const lacks = reportLacks(
            catalog.find((e) => e.code === v.catalog),
            photos.length,
          )
          if (lacks) {
            message.error(`${t('needPhotos')}（${lacks.required} ${t('photosOf')}）`)
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
            photos,
          )
          form.resetFields()
          setPhotos([])
          message.success(t('queued'))
          onQueued()
        }}
      >
        <ReportFields catalog={catalog} />
        <Form.Item
          label={t('photo')}
          required={!!entry?.photos}
          extra={entry?.photos ? `${t('needPhotos')}（${entry.photos} ${t('photosOf')}）` : undefined}
        >
          <Space wrap>
            <CameraButton label={t('photo')} testId="photo" onPhoto={(photo) => setPhotos((ps) => [...ps, photo].slice(-3))} />
            {photos.map((p, k) => (
              <img
                // biome-ignore lint/suspicious/noArrayIndexKey: photos are only appended or cleared
                key={k}
                src={URL.createObjectURL(p)}
                alt={`${t('photo')} ${k + 1}`}
                height={48}
              />
            ))}
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
      <div style={{ marginTop: 16 }}>
        <OutboxList kinds={['case']} catalog={catalog} onChanged={onQueued} header={t('outbox')} />
      </div>
      <Rows
        style={{ marginTop: 16 }}
        header={t('sent')}
        items={sent.filter((s) => s.kind === 'case')}
        rowKey={(i) => i.clientId}
        render={(i) => (
          <RowItem
            data-testid="report-item"
            title={i.label}
            extra={<Typography.Text type="secondary">{i.ref}</Typography.Text>}
          />
        )}
      />
    </div>
  )
}
