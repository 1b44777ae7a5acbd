// The residents' channels behind the scenes: the notification outbox (what went to whom, what is
// waiting or failed), the reports residents flagged (a moderator hides a report's public text and
// photos — kept, not lost), and the Open311 clients with their API keys.
import { App as AntApp, Button, Form, Input, InputNumber, Modal, Select, Space, Table, Tabs, Tag, Typography } from 'antd'
import { useCallback, useEffect, useState } from 'react'
import { can, del, errorText, get, type Item, type Me, type Page, post, put, type Res } from '../shared/api'
import { useDepartments } from '../shared/departments'
import { asIs, useI18n } from '../shared/i18n'
import { beijingTime } from '../shared/time'

/** An in-app recipient in words (`grid:440104001001` → 网格 440104001001, a department by name); a
 *  phone as it is. */
function recipientText(r: string, zh: boolean, department: (code: string) => string) {
  const [kind, id] = r.split(':', 2)
  if (kind === 'dept' && id) return `${zh ? '部门' : 'department'} ${department(id)}`
  const label = (
    { grid: ['网格', 'grid'], user: ['用户', 'user'], dept: ['部门', 'department'], centre: ['指挥中心', 'centre'] } as Record<
      string,
      [string, string]
    >
  )[kind ?? '']
  return label && id ? `${label[zh ? 0 : 1]} ${id}` : r
}

type Notification = Item<'/notifications'>
type Flagged = Res<'/residents/flagged'>[number]
type Client = Res<'/open311/clients'>[number]

export default function ChannelsPage({ user }: { user: Me }) {
  const { lang } = useI18n()
  const zh = lang === 'zh'
  return (
    <Tabs
      items={[
        ...(can(user, 'notification.read')
          ? [{ key: 'outbox', label: zh ? '通知发件箱' : 'Notification outbox', children: <Outbox /> }]
          : []),
        ...(can(user, 'resident.moderate')
          ? [{ key: 'flagged', label: zh ? '举报待审' : 'Flagged reports', children: <FlaggedReports /> }]
          : []),
        ...(can(user, 'open311.admin')
          ? [{ key: 'open311', label: zh ? 'Open311 接入' : 'Open311 clients', children: <Clients /> }]
          : []),
      ]}
    />
  )
}

function Outbox() {
  const { lang } = useI18n()
  const department = useDepartments()
  const zh = lang === 'zh'
  const { message } = AntApp.useApp()
  const [status, setStatus] = useState<string | undefined>()
  const [page, setPage] = useState(1)
  const [data, setData] = useState<Page<Notification> | null>(null)
  const load = useCallback(
    () =>
      get<Page<Notification>>(`/notifications?page=${page}&pageSize=20${status ? `&status=${status}` : ''}`).then(setData, (e) =>
        message.error(errorText(e)),
      ),
    [page, status, message],
  )
  useEffect(() => {
    void load()
  }, [load])
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Space>
        <Select
          aria-label={zh ? '状态' : 'Status'}
          allowClear
          style={{ width: 140 }}
          placeholder={zh ? '全部状态' : 'Any status'}
          value={status}
          onChange={(v) => {
            setStatus(v)
            setPage(1)
          }}
          options={[
            { value: 'pending', label: zh ? '待发送' : 'Waiting' },
            { value: 'sent', label: zh ? '已发送' : 'Sent' },
            { value: 'failed', label: zh ? '发送失败' : 'Failed' },
          ]}
        />
        <Button
          onClick={async () => {
            const r = await post<{ sent: number; failed: number }>('/notifications/drain')
            message.success(`${zh ? '已发送' : 'Sent'} ${r.sent}，${zh ? '失败' : 'failed'} ${r.failed}`)
            await load()
          }}
        >
          {zh ? '立即发送' : 'Send now'}
        </Button>
      </Space>
      <Table<Notification>
        data-testid="outbox"
        rowKey="id"
        size="small"
        loading={!data}
        dataSource={data?.items ?? []}
        pagination={{ current: page, pageSize: 20, total: data?.total ?? 0, onChange: setPage, showSizeChanger: false }}
        columns={[
          { title: zh ? '时间' : 'Created', dataIndex: 'createdAt', render: (s: string) => beijingTime(s, lang), width: 170 },
          {
            title: zh ? '渠道' : 'Channel',
            dataIndex: 'channel',
            width: 90,
            render: (c: string) =>
              ({ sms: zh ? '短信' : 'SMS', wechat: zh ? '微信' : 'WeChat', inapp: zh ? '站内' : 'In-app' })[c] ?? c,
          },
          {
            title: zh ? '接收方' : 'To',
            dataIndex: 'recipient',
            width: 160,
            render: (r: string) => recipientText(r, zh, department),
          },
          { title: zh ? '内容' : 'Message', dataIndex: 'text', ellipsis: true },
          {
            title: zh ? '状态' : 'Status',
            dataIndex: 'status',
            width: 110,
            render: (s: string, n) => (
              <Tag color={s === 'sent' ? 'green' : s === 'failed' ? 'red' : 'blue'} title={n.lastError ?? undefined}>
                {{ sent: zh ? '已发送' : 'sent', failed: zh ? '失败' : 'failed', pending: zh ? '待发送' : 'waiting' }[s] ?? s}
                {n.attempts > 1 ? ` ×${n.attempts}` : ''}
              </Tag>
            ),
          },
        ]}
      />
    </Space>
  )
}

function FlaggedReports() {
  const { lang } = useI18n()
  const zh = lang === 'zh'
  const { message } = AntApp.useApp()
  const [rows, setRows] = useState<Flagged[] | null>(null)
  const load = useCallback(() => get<Flagged[]>('/residents/flagged').then(setRows, () => setRows([])), [])
  useEffect(() => {
    void load()
  }, [load])
  return (
    <Table<Flagged>
      data-testid="flagged"
      rowKey="number"
      size="small"
      loading={!rows}
      dataSource={rows ?? []}
      pagination={false}
      columns={[
        { title: zh ? '编号' : 'No.', dataIndex: 'number', width: 180 },
        { title: zh ? '类别' : 'Class', dataIndex: zh ? 'className' : 'classNameEn', width: 150 },
        { title: zh ? '内容' : 'Text', dataIndex: 'description' },
        { title: zh ? '举报次数' : 'Flags', dataIndex: 'flagged', width: 90 },
        {
          title: '',
          width: 120,
          render: (_: unknown, r) => (
            <Button
              size="small"
              danger
              onClick={async () => {
                try {
                  await put(`/residents/reports/${r.number}/moderation`, {
                    hidden: true,
                    reason: zh ? '内容不当' : 'Inappropriate',
                  })
                  message.success(zh ? '已隐藏公开内容' : 'Hidden from the public')
                  await load()
                } catch (e) {
                  message.error(errorText(e))
                }
              }}
            >
              {zh ? '隐藏公开内容' : 'Hide'}
            </Button>
          ),
        },
      ]}
    />
  )
}

function Clients() {
  const { lang } = useI18n()
  const zh = lang === 'zh'
  const { message, modal } = AntApp.useApp()
  const [rows, setRows] = useState<Client[] | null>(null)
  const [open, setOpen] = useState(false)
  const [form] = Form.useForm()
  const load = useCallback(() => get<Client[]>('/open311/clients').then(setRows, () => setRows([])), [])
  useEffect(() => {
    void load()
  }, [load])
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Button type="primary" onClick={() => setOpen(true)}>
        {zh ? '签发 API 密钥' : 'Issue an API key'}
      </Button>
      <Modal
        open={open}
        title={zh ? '签发 Open311 API 密钥' : 'Issue an Open311 API key'}
        onCancel={() => setOpen(false)}
        onOk={async () => {
          const v = await form.validateFields()
          try {
            const r = await post<{ key: string }>('/open311/clients', v)
            setOpen(false)
            form.resetFields()
            modal.info({
              title: zh ? '请妥善保存，仅显示一次' : 'Keep it safe: shown once',
              content: <Typography.Text copyable>{r.key}</Typography.Text>,
            })
            await load()
          } catch (e) {
            message.error(errorText(e))
          }
        }}
      >
        <Form form={form} layout="vertical" initialValues={{ perMinute: 60 }}>
          <Form.Item name="name" label={zh ? '客户端名称' : 'Client'} rules={[{ required: true, min: 2 }]}>
            <Input maxLength={100} />
          </Form.Item>
          <Form.Item name="perMinute" label={zh ? '每分钟请求上限' : 'Requests per minute'}>
            <InputNumber min={1} max={10000} />
          </Form.Item>
        </Form>
      </Modal>
      <Table<Client>
        data-testid="open311-clients"
        rowKey="id"
        size="small"
        loading={!rows}
        dataSource={rows ?? []}
        pagination={false}
        columns={[
          { title: zh ? '客户端' : 'Client', dataIndex: 'name', render: asIs },
          { title: zh ? '密钥前缀' : 'Key prefix', dataIndex: 'prefix', render: (p: string) => <code>o311_{p}_…</code> },
          { title: zh ? '每分钟上限' : 'Per minute', dataIndex: 'perMinute' },
          { title: zh ? '签发人' : 'Issued by', dataIndex: 'createdBy', render: asIs },
          { title: zh ? '签发时间' : 'Issued', dataIndex: 'createdAt', render: (s: string) => beijingTime(s, lang) },
          {
            title: zh ? '状态' : 'State',
            render: (_: unknown, c) =>
              c.revoked ? (
                <Tag>{zh ? '已吊销' : 'revoked'}</Tag>
              ) : (
                <Button
                  size="small"
                  danger
                  onClick={async () => {
                    await del(`/open311/clients/${c.id}`)
                    await load()
                  }}
                >
                  {zh ? '吊销' : 'Revoke'}
                </Button>
              ),
          },
        ]}
      />
    </Space>
  )
}
