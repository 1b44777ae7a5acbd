// What waits on the phone: queued items, and the ones the server refused — each refused one with
// the reason in the UI's language and what the worker can do about it: add the photo it lacked,
// correct the class or the description, send it again, or delete it. Nothing leaves the phone
// without the worker's say; a fixed item goes back to the queue and is sent with its client id
// (so it is never recorded twice).
import { DeleteOutlined, EditOutlined, RedoOutlined } from '@ant-design/icons'
import { Button, Form, Modal, Popconfirm, Space, Tag, Typography } from 'antd'
import { useLiveQuery } from 'dexie-react-hooks'
import { useState } from 'react'
import { ApiError, errorText, type Item } from '../shared/api'
import { type Key, useI18n } from '../shared/i18n'
import { Rows } from '../shared/Rows'
import { TAG_STYLES } from '../shared/theme'
import { CameraButton } from './CameraButton'
import { amend, db, discard, type OutboxItem, retry } from './outbox'
import { ReportFields } from './ReportFields'

type Entry = Item<'/catalog'>

const KIND: Record<OutboxItem['kind'], Key> = {
  case: 'kindCase',
  visit: 'kindVisit',
  answer: 'kindAnswer',
  outcome: 'kindOutcome',
}

export function OutboxList({
  kinds,
  catalog,
  onChanged,
  header,
}: {
  /** Only these kinds (the report tab shows its reports); all when absent. */
  kinds?: OutboxItem['kind'][]
  catalog: Entry[]
  /** Called after an item went back to the queue (to sync now). */
  onChanged(): void
  header?: string
}) {
  const { t, lang } = useI18n()
  const items = useLiveQuery(
    async () => (await db.outbox.orderBy('createdAt').toArray()).filter((i) => !kinds || kinds.includes(i.kind)),
    [kinds?.join()],
    [],
  )
  const [editing, setEditing] = useState<OutboxItem | null>(null)
  const entryName = (code: unknown) => {
    const e = catalog.find((c) => c.code === code)
    return e ? (lang === 'zh' ? e.name : e.nameEn) : String(code ?? '')
  }
  const title = (i: OutboxItem) =>
    i.kind === 'case' ? `${entryName(i.body.catalog)} · ${String(i.body.description ?? '')}` : String(i.body.label ?? '')
  return (
    <>
      <Rows
        header={header}
        items={items}
        rowKey={(i) => i.clientId}
        render={(i) => (
          <div data-testid="outbox-item" data-state={i.state} style={{ padding: '10px 12px' }}>
            <div style={{ display: 'flex', gap: 8, alignItems: 'flex-start' }}>
              <Typography.Text style={{ flex: 1, minWidth: 0, wordBreak: 'break-word' }}>
                {t(KIND[i.kind])}：{title(i)}
              </Typography.Text>
              <Tag style={i.state === 'failed' ? TAG_STYLES.red : undefined} data-testid="outbox-state">
                {i.state === 'failed' ? t('refused') : t('outbox')}
              </Tag>
            </div>
            {i.kind === 'case' && (
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {i.photos.length} {t('photosOf')}
              </Typography.Text>
            )}
            {i.state === 'failed' && (
              <>
                <Typography.Paragraph
                  type="danger"
                  style={{ margin: '4px 0', wordBreak: 'break-word' }}
                  data-testid="outbox-reason"
                >
                  {i.errorCode ? errorText(new ApiError(0, i.errorCode, i.error ?? '', i.errorDetails)) : i.error}
                </Typography.Paragraph>
                <Space wrap size={6}>
                  {i.kind === 'case' && (
                    <CameraButton
                      small
                      label={t('addPhoto')}
                      testId="outbox-photo"
                      onPhoto={async (photo) => {
                        await amend(i.clientId, { photo })
                        onChanged()
                      }}
                    />
                  )}
                  {i.kind === 'case' && (
                    <Button size="small" icon={<EditOutlined />} onClick={() => setEditing(i)}>
                      {t('editItem')}
                    </Button>
                  )}
                  <Button
                    size="small"
                    icon={<RedoOutlined />}
                    onClick={async () => {
                      await retry(i.clientId)
                      onChanged()
                    }}
                  >
                    {t('retry')}
                  </Button>
                  <Popconfirm title={t('discardConfirm')} onConfirm={() => discard(i.clientId)}>
                    <Button size="small" danger icon={<DeleteOutlined />}>
                      {t('remove')}
                    </Button>
                  </Popconfirm>
                </Space>
              </>
            )}
          </div>
        )}
      />
      {editing && (
        <EditReport
          item={editing}
          catalog={catalog}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null)
            onChanged()
          }}
        />
      )}
    </>
  )
}

function EditReport({
  item,
  catalog,
  onClose,
  onSaved,
}: {
  item: OutboxItem
  catalog: Entry[]
  onClose(): void
  onSaved(): void
}) {
  const { t } = useI18n()
  const [form] = Form.useForm()
  return (
    <Modal
      open
      title={t('editItem')}
      okText={t('save')}
      cancelText={t('cancel')}
      onCancel={onClose}
      onOk={async () => {
        const v = (await form.validateFields()) as { catalog: string; description: string }
        await amend(item.clientId, { body: { catalog: v.catalog, description: v.description } })
        onSaved()
      }}
    >
      <Form
        form={form}
        name="outbox-edit"
        layout="vertical"
        initialValues={{ catalog: item.body.catalog, description: item.body.description }}
      >
        <ReportFields catalog={catalog} />
      </Form>
    </Modal>
  )
}
