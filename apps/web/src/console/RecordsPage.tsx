// Actual population records (实有人口): search within the user's region, masked by default. Full
// ID numbers, phones and addresses need the unmask permission and a stated reason, which the
// server writes to the audit log; the person's access log shows who looked, when and why.
import { App, Button, Descriptions, Drawer, Form, Input, Modal, Space, Table, Tabs, Tag, Typography } from 'antd'
import { useCallback, useEffect, useState } from 'react'
import { ApiError, can, errorText, get, type Item, type Me, type Res } from '../shared/api'
import { TYPE_LABELS } from '../shared/classes'
import { asIs, useI18n } from '../shared/i18n'
import { PagedTable } from '../shared/PagedTable'
import { navigate, query, usePath } from '../shared/router'
import { beijingTime } from '../shared/time'
import { BuildingsTab, HouseholdsTab, OrganizationsTab } from './BaseRecords'

type Person = Res<'/persons/{id}'>
type PersonRow = Item<'/persons'>
type Access = Item<'/persons/{id}/access-log'>

/** Persons, households, buildings and organizations, each as far as the user may read. */
export default function RecordsPage({ user, region }: { user: Me; region: string }) {
  const { t } = useI18n()
  const path = usePath()
  const tab = query(path).get('tab') ?? 'persons'
  return (
    <Tabs
      activeKey={tab}
      onChange={(k) => navigate(k === 'persons' ? '/records' : `/records?tab=${k}`)}
      destroyOnHidden
      items={[
        { key: 'persons', label: t('persons'), children: <PersonsTab user={user} region={region} /> },
        ...(can(user, 'person.read')
          ? [{ key: 'households', label: t('householdsTab'), children: <HouseholdsTab region={region} /> }]
          : []),
        ...(can(user, 'housing.read')
          ? [{ key: 'buildings', label: t('buildingsTab'), children: <BuildingsTab region={region} /> }]
          : []),
        ...(can(user, 'organization.read')
          ? [{ key: 'organizations', label: t('organizationsTab'), children: <OrganizationsTab region={region} /> }]
          : []),
      ]}
    />
  )
}

function PersonsTab({ user, region }: { user: Me; region: string }) {
  const { t, lang } = useI18n()
  const path = usePath()
  const q = query(path).get('q') ?? ''
  // (The dashboard's population-by-type slices lead here.)
  const type = query(path).get('type') ?? ''
  const [n, setN] = useState(1)
  const [page, setPage] = useState<Res<'/persons'> | null>(null)
  const [open, setOpen] = useState<number | null>(null)
  useEffect(() => {
    setPage(null)
    const p = new URLSearchParams({ region, page: String(n), pageSize: '20', status: 'active' })
    if (type) p.set('populationType', type)
    if (/^\d{6,18}[\dXx]?$/.test(q)) p.set('idNumber', q)
    else if (q) p.set('q', q)
    get<Res<'/persons'>>(`/persons?${p}`).then(setPage, () => setPage({ items: [], total: 0, page: 1, pageSize: 20 }))
  }, [region, n, q, type])
  return (
    <div>
      {type && (
        <Tag closable onClose={() => navigate('/records')} data-testid="type-filter" style={{ marginRight: 8 }}>
          {t('byType')}: {TYPE_LABELS[type]?.[lang === 'zh' ? 0 : 1] ?? type}
        </Tag>
      )}
      <Input.Search
        aria-label={t('search')}
        placeholder={t('personSearch')}
        defaultValue={q}
        allowClear
        style={{ maxWidth: 420, marginBottom: 12 }}
        onSearch={(v) => {
          setN(1)
          navigate(v ? `/records?q=${encodeURIComponent(v)}` : '/records')
        }}
      />
      <PagedTable<PersonRow>
        page={page}
        n={n}
        onPage={setN}
        onOpen={setOpen}
        columns={[
          { title: t('name'), dataIndex: 'name', render: (v: string) => <Typography.Link>{v}</Typography.Link> },
          { title: t('idNumber'), dataIndex: 'idNumber', render: (v: string) => <code>{v}</code> },
          { title: t('birthDate'), dataIndex: 'birthDate' },
          { title: t('address'), dataIndex: 'address', ellipsis: true },
          { title: t('grid'), dataIndex: 'gridCode' },
        ]}
      />
      <PersonDrawer id={open} canUnmask={can(user, 'person.unmask')} onClose={() => setOpen(null)} />
    </div>
  )
}

function PersonDrawer({ id, canUnmask, onClose }: { id: number | null; canUnmask: boolean; onClose(): void }) {
  const { t, lang } = useI18n()
  const { message } = App.useApp()
  const [p, setP] = useState<Person | null>(null)
  const [log, setLog] = useState<Access[]>([])
  // (Not allowed to read the access log is not the same as an empty one.)
  const [logDenied, setLogDenied] = useState(false)
  const [asking, setAsking] = useState(false)
  const [form] = Form.useForm<{ reason: string }>()
  const load = useCallback(
    async (reason?: string) => {
      if (id == null) return
      const qs = reason ? `?unmask=true&reason=${encodeURIComponent(reason)}` : ''
      setP(await get<Person>(`/persons/${id}${qs}`))
      get<Res<'/persons/{id}/access-log'>>(`/persons/${id}/access-log?pageSize=10`).then(
        (r) => {
          setLog(r.items)
          setLogDenied(false)
        },
        (e) => {
          setLog([])
          setLogDenied(e instanceof ApiError && e.status === 403)
        },
      )
    },
    [id],
  )
  useEffect(() => {
    setP(null)
    load().catch(() => setP(null))
  }, [load])
  return (
    <Drawer open={id != null} onClose={onClose} size={520} title={p?.name}>
      {p && (
        <div data-testid="person-panel" data-masked={String(p.masked)}>
          <Space style={{ marginBottom: 12 }}>
            {p.masked ? <Tag>{t('masked')}</Tag> : <Tag color="orange">{t('unmaskedAudited')}</Tag>}
            {p.masked && canUnmask && (
              <Button data-testid="unmask" onClick={() => setAsking(true)}>
                {t('unmask')}
              </Button>
            )}
          </Space>
          <Descriptions column={1} size="small" bordered>
            <Descriptions.Item label={t('idNumber')}>
              <code data-testid="id-number">{p.idNumber}</code>
            </Descriptions.Item>
            <Descriptions.Item label={t('phone')}>{p.phone ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('address')}>{p.address ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('birthDate')}>{p.birthDate}</Descriptions.Item>
            <Descriptions.Item label={t('grid')}>{p.gridCode ?? '—'}</Descriptions.Item>
          </Descriptions>
          <Typography.Title level={5}>{t('accessLog')}</Typography.Title>
          {logDenied ? (
            <Typography.Paragraph type="secondary" data-testid="access-log-denied">
              {t('noPermissionAccessLog')}
            </Typography.Paragraph>
          ) : (
            <Table<Access>
              size="small"
              rowKey="id"
              pagination={false}
              dataSource={log}
              data-testid="access-log"
              columns={[
                { title: t('accessedAt'), dataIndex: 'at', render: (v: string) => beijingTime(v, lang) },
                { title: t('username'), dataIndex: 'actor', render: asIs },
                { title: t('reason'), dataIndex: 'reason' },
              ]}
            />
          )}
          <Modal
            open={asking}
            title={t('unmask')}
            okText={t('submit')}
            cancelText={t('cancel')}
            onCancel={() => setAsking(false)}
            onOk={() => form.submit()}
            destroyOnHidden
          >
            <Typography.Paragraph type="secondary">{t('unmaskWhy')}</Typography.Paragraph>
            <Form
              form={form}
              layout="vertical"
              onFinish={async ({ reason }) => {
                try {
                  await load(reason.trim())
                  setAsking(false)
                } catch (e) {
                  message.error(errorText(e))
                }
              }}
            >
              <Form.Item name="reason" label={t('reason')} rules={[{ required: true, whitespace: true, min: 2 }]}>
                <Input.TextArea rows={2} maxLength={500} />
              </Form.Item>
            </Form>
          </Modal>
        </div>
      )}
    </Drawer>
  )
}
