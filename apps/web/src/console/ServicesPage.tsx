// One-window services (一窗通办): the window, where a clerk looks a resident up by ID number with
// their consent and sees the verified facts (source, date), the household, the items the
// resident may have now (and why not the others) and, for an item, the papers the shared data
// spares (免提交); the applications (办件) with their clock, decided by the department; the
// proactive offers (主动服务) of the grid workers; the figures; and the items with their rules.
import {
  App as AntApp,
  Button,
  Card,
  Checkbox,
  Col,
  Descriptions,
  Empty,
  Form,
  Input,
  Modal,
  Row,
  Select,
  Space,
  Table,
  Tabs,
  Tag,
  Typography,
  Upload,
} from 'antd'
import { useCallback, useEffect, useState } from 'react'
import { can, errorText, get, type Item, type Me, type Page, post, put, type Res } from '../shared/api'
import { Chart } from '../shared/Chart'
import { codeText } from '../shared/codes'
import { useDepartments } from '../shared/departments'
import { useI18n } from '../shared/i18n'
import { upload } from '../shared/photos'
import { beijingTime } from '../shared/time'

type WindowView = Res<'/services/window/lookup', 'post'>
type Checklist = Res<'/services/window/{number}/items/{code}'>
type Application = Item<'/services/applications'>
type Offer = Item<'/services/offers'>
type ServiceItem = Item<'/services/items'>
type Stats = Res<'/services/stats'>

const STATUS_COLOUR: Record<string, string> = {
  submitted: 'blue',
  reviewing: 'gold',
  approved: 'green',
  rejected: 'red',
  delivered: 'cyan',
  withdrawn: 'default',
  draft: 'default',
}
const OFFER_COLOUR: Record<string, string> = { open: 'blue', applied: 'green', declined: 'default', unreachable: 'orange' }
const FACT_TABLES: Record<string, string> = {
  sex: 'sex',
  status: 'personStatus',
  populationType: 'populationType',
  permitType: 'permitType',
  maritalStatus: 'maritalStatus',
  employment: 'employment',
  careTags: 'careTag',
  healthFlags: 'healthFlag',
  occupancy: 'occupancy',
}

export default function ServicesPage({ user, region }: { user: Me; region: string }) {
  const { lang } = useI18n()
  const zh = lang === 'zh'
  const tabs = [
    ...(can(user, 'service.window') ? [{ key: 'window', label: zh ? '一窗受理' : 'The window', children: <Window /> }] : []),
    { key: 'applications', label: zh ? '办件' : 'Applications', children: <Applications user={user} /> },
    ...(can(user, 'service.offer') ? [{ key: 'offers', label: zh ? '主动服务' : 'Proactive', children: <Offers /> }] : []),
    { key: 'stats', label: zh ? '统计' : 'Figures', children: <Figures region={region} /> },
    { key: 'items', label: zh ? '服务事项' : 'Service items', children: <Items user={user} /> },
  ]
  return <Tabs items={tabs} />
}

function factValue(v: unknown, name: string, zh: boolean, lang: 'zh' | 'en') {
  if (v === null || v === undefined) return <Typography.Text type="secondary">{zh ? '无记录' : 'none held'}</Typography.Text>
  if (typeof v === 'boolean') return v ? (zh ? '是' : 'yes') : zh ? '否' : 'no'
  if (Array.isArray(v)) return v.length ? v.map((x) => <Tag key={String(x)}>{codeText(x, FACT_TABLES[name], lang)}</Tag>) : '—'
  return FACT_TABLES[name] ? codeText(v, FACT_TABLES[name], lang) : String(v)
}

function Window() {
  const { lang } = useI18n()
  const zh = lang === 'zh'
  const dept = useDepartments()
  const { message } = AntApp.useApp()
  const [form] = Form.useForm()
  const [view, setView] = useState<WindowView | null>(null)
  const [chosen, setChosen] = useState<string | null>(null)
  const [checklist, setChecklist] = useState<Checklist | null>(null)
  const [brought, setBrought] = useState<Record<string, { seen?: boolean; attachment?: number }>>({})
  const [busy, setBusy] = useState(false)
  const [done, setDone] = useState<Res<'/services/window/{number}/applications', 'post'> | null>(null)

  const lookUp = async () => {
    const v = await form.validateFields()
    setBusy(true)
    try {
      setView(
        await post<WindowView>('/services/window/lookup', {
          idNumber: String(v.idNumber).trim(),
          consent: v.consent ? (zh ? '本人到场，同意查询其共享信息' : 'In person; agreed to the look-up') : '',
          notify: !!v.notify,
        }),
      )
      setChosen(null)
      setChecklist(null)
      setDone(null)
    } catch (e) {
      message.error(errorText(e))
    } finally {
      setBusy(false)
    }
  }
  const choose = async (code: string) => {
    if (!view) return
    setChosen(code)
    setBrought({})
    setDone(null)
    try {
      setChecklist(await get<Checklist>(`/services/window/${view.visit.number}/items/${code}`))
    } catch (e) {
      message.error(errorText(e))
    }
  }
  const submit = async () => {
    if (!view || !checklist) return
    setBusy(true)
    try {
      const materials = Object.entries(brought).map(([code, b]) => ({ code, ...b }))
      const r = await post<Res<'/services/window/{number}/applications', 'post'>>(
        `/services/window/${view.visit.number}/applications`,
        {
          item: checklist.item.code,
          materials,
        },
      )
      setDone(r)
      message.success(`${zh ? '已受理' : 'Accepted'} ${r.number}`)
    } catch (e) {
      message.error(errorText(e))
    } finally {
      setBusy(false)
    }
  }

  const eligible = view?.items.filter((i) => i.eligible) ?? []
  const others = view?.items.filter((i) => !i.eligible) ?? []
  const outstanding = checklist?.materials.filter((m) => !m.spared && m.why !== 'not_applicable') ?? []
  const ready = outstanding.every((m) => brought[m.code]?.seen || brought[m.code]?.attachment)
  return (
    <Row gutter={16}>
      <Col xs={24} xl={10}>
        <Card size="small" title={zh ? '身份核验' : 'Identify the resident'} style={{ marginBottom: 12 }}>
          <Form form={form} layout="vertical" data-testid="window-lookup">
            <Form.Item
              name="idNumber"
              label={zh ? '公民身份号码' : 'ID number'}
              rules={[{ required: true, pattern: /^\d{17}[\dXx]$/, message: zh ? '请输入18位身份号码' : '18 characters' }]}
            >
              <Input maxLength={18} aria-label={zh ? '公民身份号码' : 'ID number'} onPressEnter={lookUp} />
            </Form.Item>
            <Form.Item
              name="consent"
              valuePropName="checked"
              rules={[
                {
                  validator: (_r, v) =>
                    v ? Promise.resolve() : Promise.reject(new Error(zh ? '须经本人同意' : 'Consent is needed')),
                },
              ]}
            >
              <Checkbox>
                {zh ? '本人到场，同意查询其共享信息（查询将记入审计）' : 'In person, agrees to the look-up (audited)'}
              </Checkbox>
            </Form.Item>
            <Form.Item name="notify" valuePropName="checked">
              <Checkbox>{zh ? '同意接收主动服务短信提醒' : 'Agrees to SMS about services they become eligible for'}</Checkbox>
            </Form.Item>
            <Button type="primary" onClick={lookUp} loading={busy}>
              {zh ? '查询' : 'Look up'}
            </Button>
          </Form>
        </Card>
        {view && (
          <Card
            size="small"
            title={`${view.person.name} · ${codeText(view.person.sex, 'sex', lang)} · ${view.person.birthDate}`}
            extra={<Typography.Text type="secondary">{view.visit.number}</Typography.Text>}
            data-testid="window-person"
          >
            <Descriptions size="small" column={1}>
              <Descriptions.Item label={zh ? '身份号码' : 'ID number'}>{view.person.idNumber}</Descriptions.Item>
              <Descriptions.Item label={zh ? '住址' : 'Address'}>{view.person.address ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={zh ? '电话' : 'Phone'}>{view.person.phone ?? '—'}</Descriptions.Item>
            </Descriptions>
            <Table
              size="small"
              rowKey="name"
              pagination={false}
              data-testid="window-facts"
              dataSource={view.facts}
              columns={[
                { title: zh ? '信息项' : 'Fact', dataIndex: 'zh', render: (_v, f) => (zh ? f.zh : f.en) },
                { title: zh ? '值' : 'Value', render: (_v, f) => factValue(f.value, f.name, zh, lang) },
                { title: zh ? '来源部门' : 'Source', dataIndex: 'source', render: (v: string | null) => (v ? dept(v) : '—') },
                { title: zh ? '更新于' : 'As of', dataIndex: 'asOf', render: (v: string | null) => (v ? v.slice(0, 10) : '—') },
              ]}
            />
            <Typography.Title level={5} style={{ marginTop: 12 }}>
              {zh ? '同户成员' : 'Household'}
            </Typography.Title>
            <Space wrap>
              {view.household.map((m) => (
                <Tag key={m.id} color={m.self ? 'blue' : undefined}>
                  {m.name} · {m.age}
                  {zh ? '岁' : ''} {m.status !== 'active' ? `(${codeText(m.status, 'personStatus', lang)})` : ''}
                </Tag>
              ))}
            </Space>
          </Card>
        )}
      </Col>
      <Col xs={24} xl={14}>
        {view ? (
          <>
            <Card size="small" title={zh ? '可办理事项' : 'Items the resident may have now'} style={{ marginBottom: 12 }}>
              {eligible.length ? (
                <Space wrap data-testid="eligible-items">
                  {eligible.map((i) => (
                    <Button key={i.code} type={chosen === i.code ? 'primary' : 'default'} onClick={() => choose(i.code)}>
                      {zh ? i.name : i.nameEn}
                      {i.spared > 0 && (
                        <Tag color="green" style={{ marginInlineStart: 6 }}>
                          {zh ? `免提交${i.spared}项` : `${i.spared} spared`}
                        </Tag>
                      )}
                    </Button>
                  ))}
                </Space>
              ) : (
                <Empty description={zh ? '暂无符合条件的事项' : 'None at present'} />
              )}
              <Typography.Title level={5} style={{ marginTop: 12 }}>
                {zh ? '暂不符合的事项' : 'Not eligible'}
              </Typography.Title>
              <Table
                size="small"
                rowKey="code"
                pagination={false}
                data-testid="ineligible-items"
                dataSource={others}
                columns={[
                  { title: zh ? '事项' : 'Item', render: (_v, i) => (zh ? i.name : i.nameEn), width: 180 },
                  {
                    title: zh ? '未满足的条件' : 'Conditions not met',
                    render: (_v, i) =>
                      i.conditions
                        .filter((c) => !c.ok)
                        .map((c) => (
                          <Tag key={c.zh} color="orange">
                            {zh ? c.zh : c.en}
                          </Tag>
                        )),
                  },
                ]}
              />
            </Card>
            {checklist && (
              <Card
                size="small"
                title={`${zh ? checklist.item.name : checklist.item.nameEn} · ${dept(checklist.item.department)}`}
                data-testid="checklist"
              >
                <Typography.Paragraph type="secondary">
                  {zh ? '承诺时限' : 'Limit'}: {checklist.item.departmentDays}{' '}
                  {zh ? '个工作日（部门审核审批）' : 'working days (review and decision)'} · {zh ? '收费' : 'Fee'}:{' '}
                  {checklist.item.fee} · {checklist.item.legalBasis}
                </Typography.Paragraph>
                <Table
                  size="small"
                  rowKey="code"
                  pagination={false}
                  dataSource={checklist.materials}
                  columns={[
                    { title: zh ? '材料' : 'Material', render: (_v, m) => (zh ? m.zh : m.en) },
                    {
                      title: zh ? '核验' : 'Proof',
                      render: (_v, m) =>
                        m.spared ? (
                          <Tag color="green">
                            {zh ? '免提交' : 'Spared'} · {dept(m.source)} {m.asOf?.slice(0, 10)}
                          </Tag>
                        ) : m.why === 'not_applicable' ? (
                          <Tag>{zh ? '不适用' : 'n/a'}</Tag>
                        ) : m.why === 'stale' ? (
                          <Tag color="orange">
                            {zh ? '共享数据已过期，需提交' : 'Shared data too old: bring it'} ({m.asOf?.slice(0, 10)})
                          </Tag>
                        ) : (
                          <Tag color="blue">{zh ? '需提交' : 'To bring'}</Tag>
                        ),
                    },
                    {
                      title: zh ? '收取' : 'Received',
                      render: (_v, m) =>
                        m.spared || m.why === 'not_applicable' ? null : (
                          <Space>
                            <Checkbox
                              checked={!!brought[m.code]?.seen}
                              onChange={(e) => setBrought((b) => ({ ...b, [m.code]: { ...b[m.code], seen: e.target.checked } }))}
                            >
                              {zh ? '原件已核验' : 'Original seen'}
                            </Checkbox>
                            <Upload
                              accept="image/*"
                              showUploadList={false}
                              beforeUpload={async (file) => {
                                try {
                                  const id = await upload(file)
                                  setBrought((b) => ({ ...b, [m.code]: { ...b[m.code], attachment: id } }))
                                } catch (e) {
                                  message.error(errorText(e))
                                }
                                return false
                              }}
                            >
                              <Button size="small">
                                {brought[m.code]?.attachment ? (zh ? '已扫描' : 'Scanned') : zh ? '扫描上传' : 'Scan'}
                              </Button>
                            </Upload>
                          </Space>
                        ),
                    },
                  ]}
                />
                <Space style={{ marginTop: 12 }}>
                  <Button type="primary" disabled={!ready || !!done} loading={busy} onClick={submit}>
                    {zh ? '提交受理' : 'Accept the application'}
                  </Button>
                  {done && (
                    <Typography.Text data-testid="accepted">
                      {zh ? '受理编号' : 'Number'} <a href={`/cases/${done.caseId}`}>{done.number}</a> ·{' '}
                      {zh
                        ? `已派至${dept(done.department)}；居民可在居民页面凭编号和手机后四位查询进度`
                        : `sent to ${dept(done.department)}; the resident follows it on the residents' page`}
                    </Typography.Text>
                  )}
                </Space>
              </Card>
            )}
          </>
        ) : (
          <Empty description={zh ? '输入身份号码并经本人同意后查询' : 'Enter the ID number, with consent'} />
        )}
      </Col>
    </Row>
  )
}

function Applications({ user }: { user: Me }) {
  const { lang } = useI18n()
  const zh = lang === 'zh'
  const dept = useDepartments()
  const { message } = AntApp.useApp()
  const [status, setStatus] = useState<string | undefined>(undefined)
  const [page, setPage] = useState(1)
  const [data, setData] = useState<Page<Application> | null>(null)
  const [deciding, setDeciding] = useState<{ a: Application; approve: boolean } | null>(null)
  const [reason, setReason] = useState('')
  const load = useCallback(() => {
    const q = new URLSearchParams({ page: String(page), pageSize: '20', ...(status ? { status } : {}) })
    get<Page<Application>>(`/services/applications?${q}`).then(setData, (e) => message.error(errorText(e)))
  }, [page, status, message])
  useEffect(load, [load])
  const mayDecide = (a: Application) =>
    can(user, 'case.handle') &&
    (!user.department || user.department === a.department) &&
    ['submitted', 'reviewing'].includes(a.status)
  return (
    <>
      <Space style={{ marginBottom: 12 }}>
        <Select
          allowClear
          style={{ width: 160 }}
          placeholder={zh ? '办件状态' : 'Status'}
          value={status}
          onChange={(v) => {
            setStatus(v)
            setPage(1)
          }}
          options={['submitted', 'reviewing', 'approved', 'rejected', 'delivered', 'withdrawn'].map((s) => ({
            value: s,
            label: zh
              ? {
                  submitted: '已受理',
                  reviewing: '审核中',
                  approved: '已批准',
                  rejected: '不予批准',
                  delivered: '已办结送达',
                  withdrawn: '已撤回',
                }[s]
              : s,
          }))}
        />
      </Space>
      <Table
        size="small"
        rowKey="id"
        data-testid="applications"
        dataSource={data?.items ?? []}
        pagination={{ current: page, pageSize: 20, total: data?.total ?? 0, onChange: setPage, showSizeChanger: false }}
        columns={[
          {
            title: zh ? '编号' : 'Number',
            dataIndex: 'number',
            render: (v: string, a) => <a href={`/cases/${a.caseId}`}>{v}</a>,
          },
          { title: zh ? '事项' : 'Item', dataIndex: 'itemName' },
          { title: zh ? '申请人' : 'Applicant', dataIndex: 'applicant' },
          {
            title: zh ? '状态' : 'Status',
            dataIndex: 'status',
            render: (v: string, a) => <Tag color={STATUS_COLOUR[v]}>{zh ? a.statusLabel : v}</Tag>,
          },
          { title: zh ? '承办部门' : 'Department', dataIndex: 'department', render: (v: string | null) => dept(v) },
          {
            title: zh ? '办理时限' : 'Due',
            dataIndex: 'deadline',
            render: (v: string | null, a) =>
              v ? (
                <Typography.Text type={a.overdue ? 'danger' : undefined}>
                  {beijingTime(v, lang)}
                  {a.overdue ? (zh ? '（超期）' : ' (late)') : ''}
                </Typography.Text>
              ) : (
                '—'
              ),
          },
          {
            title: zh ? '免提交材料' : 'Papers spared',
            render: (_v, a) => `${a.spared}/${a.required}`,
          },
          { title: zh ? '受理时间' : 'Accepted', dataIndex: 'createdAt', render: (v: string) => beijingTime(v, lang) },
          {
            title: zh ? '操作' : 'Actions',
            render: (_v, a) =>
              mayDecide(a) ? (
                <Space>
                  <Button size="small" type="primary" onClick={() => setDeciding({ a, approve: true })}>
                    {zh ? '批准' : 'Approve'}
                  </Button>
                  <Button size="small" danger onClick={() => setDeciding({ a, approve: false })}>
                    {zh ? '不予批准' : 'Reject'}
                  </Button>
                </Space>
              ) : null,
          },
        ]}
      />
      <Modal
        open={!!deciding}
        title={
          deciding ? `${deciding.approve ? (zh ? '批准' : 'Approve') : zh ? '不予批准' : 'Reject'} · ${deciding.a.number}` : ''
        }
        okText={zh ? '确定' : 'OK'}
        cancelText={zh ? '取消' : 'Cancel'}
        okButtonProps={{ disabled: reason.trim().length < 2 }}
        onCancel={() => setDeciding(null)}
        onOk={async (): Promise<void> => {
          if (!deciding) return
          try {
            await post(`/services/applications/${deciding.a.id}/decide`, {
              approve: deciding.approve,
              reason: reason.trim(),
              version: deciding.a.caseVersion,
            })
            message.success(zh ? '已办理' : 'Done')
            setDeciding(null)
            setReason('')
            load()
          } catch (e) {
            message.error(errorText(e))
          }
        }}
      >
        <Input.TextArea
          aria-label={zh ? '审批意见' : 'Reason'}
          placeholder={zh ? '审批意见' : 'Reason'}
          rows={3}
          maxLength={500}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
        />
      </Modal>
    </>
  )
}

function Offers() {
  const { lang } = useI18n()
  const zh = lang === 'zh'
  const { message } = AntApp.useApp()
  const [status, setStatus] = useState<string>('open')
  const [page, setPage] = useState(1)
  const [data, setData] = useState<Page<Offer> | null>(null)
  useEffect(() => {
    const q = new URLSearchParams({ page: String(page), pageSize: '20', ...(status ? { status } : {}) })
    get<Page<Offer>>(`/services/offers?${q}`).then(setData, (e) => message.error(errorText(e)))
  }, [page, status, message])
  const label = (s: string) =>
    zh
      ? (({ open: '待告知', applied: '已申请', declined: '不需要', unreachable: '未联系上' } as Record<string, string>)[s] ?? s)
      : s
  return (
    <>
      <Select
        style={{ width: 160, marginBottom: 12 }}
        value={status}
        onChange={(v) => {
          setStatus(v)
          setPage(1)
        }}
        options={['open', 'applied', 'declined', 'unreachable'].map((s) => ({ value: s, label: label(s) }))}
      />
      <Table
        size="small"
        rowKey="id"
        data-testid="offers"
        dataSource={data?.items ?? []}
        pagination={{ current: page, pageSize: 20, total: data?.total ?? 0, onChange: setPage, showSizeChanger: false }}
        columns={[
          { title: zh ? '事项' : 'Item', dataIndex: 'itemName' },
          { title: zh ? '居民' : 'Resident', dataIndex: 'name' },
          { title: zh ? '缘由' : 'Why', dataIndex: 'reason' },
          { title: zh ? '网格' : 'Grid', dataIndex: 'grid' },
          { title: zh ? '发现日期' : 'Found', dataIndex: 'createdOn' },
          {
            title: zh ? '结果' : 'Outcome',
            dataIndex: 'status',
            render: (v: string) => <Tag color={OFFER_COLOUR[v]}>{label(v)}</Tag>,
          },
          { title: zh ? '短信' : 'SMS', dataIndex: 'notified', render: (v: boolean) => (v ? (zh ? '已发送' : 'sent') : '—') },
        ]}
      />
    </>
  )
}

function Figures({ region }: { region: string }) {
  const { lang } = useI18n()
  const zh = lang === 'zh'
  const [stats, setStats] = useState<Stats | null>(null)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    get<Stats>(`/services/stats?region=${region}`).then(setStats, (e) => setError(errorText(e)))
  }, [region])
  if (error) return <Typography.Text type="danger">{error}</Typography.Text>
  if (!stats) return null
  const t = stats.total
  return (
    <>
      <Descriptions size="small" bordered column={{ xs: 1, md: 3 }} data-testid="service-totals" style={{ marginBottom: 12 }}>
        <Descriptions.Item label={zh ? '办件' : 'Applications'}>{t.applications}</Descriptions.Item>
        <Descriptions.Item label={zh ? '按时办结率' : 'Decided on time'}>{pct(t.onTimeRate)}</Descriptions.Item>
        <Descriptions.Item label={zh ? '平均办理（工作日）' : 'Average working days'}>
          {t.avgWorkingDays ?? '—'}
        </Descriptions.Item>
        <Descriptions.Item label={zh ? '免提交材料' : 'Papers spared'}>
          {t.spared} {zh ? `份（每件平均${t.sparedPerApplication ?? 0}份）` : `(${t.sparedPerApplication ?? 0} per application)`}
        </Descriptions.Item>
        <Descriptions.Item label={zh ? '主动服务' : 'Proactive offers'}>
          {t.offers} · {zh ? '已申请' : 'applied'} {t.offersApplied}
        </Descriptions.Item>
        <Descriptions.Item label={zh ? '主动服务转化率' : 'Proactive uptake'}>{pct(t.uptake)}</Descriptions.Item>
      </Descriptions>
      <Row gutter={16}>
        <Col xs={24} xl={12}>
          <Card size="small" title={zh ? '各事项办件与按时率' : 'Applications per item'}>
            <Chart
              label={zh ? '各事项办件数' : 'Applications per item'}
              height={Math.max(240, stats.items.length * 22)}
              option={{
                tooltip: { trigger: 'axis' },
                grid: { left: 140, right: 24, top: 8, bottom: 24 },
                xAxis: { type: 'value' },
                yAxis: { type: 'category', data: stats.items.map((i) => (zh ? i.name : i.code)), inverse: true },
                series: [{ type: 'bar', name: zh ? '办件' : 'applications', data: stats.items.map((i) => i.applications) }],
              }}
            />
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Table
            size="small"
            rowKey="code"
            pagination={false}
            data-testid="service-by-area"
            dataSource={stats.areas}
            columns={[
              { title: zh ? '区域' : 'Area', dataIndex: 'name' },
              { title: zh ? '办件' : 'Applications', dataIndex: 'applications' },
              { title: zh ? '按时率' : 'On time', dataIndex: 'onTimeRate', render: pct },
              { title: zh ? '免提交/件' : 'Spared each', dataIndex: 'sparedPerApplication' },
              { title: zh ? '主动服务' : 'Offers', dataIndex: 'offers' },
              { title: zh ? '转化率' : 'Uptake', dataIndex: 'uptake', render: pct },
            ]}
          />
        </Col>
      </Row>
    </>
  )
}
const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`)

function Items({ user }: { user: Me }) {
  const { lang } = useI18n()
  const zh = lang === 'zh'
  const dept = useDepartments()
  const { message } = AntApp.useApp()
  const [items, setItems] = useState<ServiceItem[]>([])
  const [editing, setEditing] = useState<ServiceItem | null>(null)
  const [text, setText] = useState('')
  const [reason, setReason] = useState('')
  const load = useCallback(() => {
    get<ServiceItem[]>('/services/items').then(setItems, (e) => message.error(errorText(e)))
  }, [message])
  useEffect(load, [load])
  const admin = can(user, 'service.admin')
  return (
    <>
      <Table
        size="small"
        rowKey="code"
        pagination={false}
        data-testid="service-items"
        dataSource={items}
        expandable={{
          expandedRowRender: (i) => (
            <Descriptions size="small" column={1}>
              <Descriptions.Item label={zh ? '办理条件' : 'Conditions'}>
                {i.conditions.map((c) => (
                  <Tag key={c.zh}>{zh ? c.zh : c.en}</Tag>
                ))}
              </Descriptions.Item>
              <Descriptions.Item label={zh ? '规则（JSON Logic）' : 'Rule (JSON Logic)'}>
                <Typography.Text code style={{ whiteSpace: 'pre-wrap' }}>
                  {JSON.stringify({ and: i.conditions.map((c) => c.rule) })}
                </Typography.Text>
              </Descriptions.Item>
              <Descriptions.Item label={zh ? '法律依据' : 'Legal basis'}>{i.legalBasis}</Descriptions.Item>
              {i.proactive && (
                <Descriptions.Item label={zh ? '主动服务' : 'Proactive'}>
                  {i.proactive.reason}：{i.proactive.tell}
                </Descriptions.Item>
              )}
            </Descriptions>
          ),
        }}
        columns={[
          { title: zh ? '编码' : 'Code', dataIndex: 'code', width: 80 },
          { title: zh ? '事项' : 'Item', render: (_v, i) => (zh ? i.name : i.nameEn) },
          { title: zh ? '承办部门' : 'Department', dataIndex: 'department', render: (v: string) => dept(v) },
          { title: zh ? '时限（工作日）' : 'Working days', dataIndex: 'departmentDays' },
          { title: zh ? '材料' : 'Materials', render: (_v, i) => i.materials.length },
          {
            title: zh ? '主动服务' : 'Proactive',
            render: (_v, i) => (i.proactive ? <Tag color="green">{zh ? '是' : 'yes'}</Tag> : '—'),
          },
          { title: zh ? '版本' : 'Version', dataIndex: 'version', width: 70 },
          ...(admin
            ? [
                {
                  title: zh ? '操作' : 'Actions',
                  render: (_v: unknown, i: ServiceItem) => (
                    <Button
                      size="small"
                      onClick={() => {
                        const {
                          code: _c,
                          active: _a,
                          version: _v2,
                          updatedAt: _u,
                          updatedBy: _b,
                          departmentDays: _d,
                          ...definition
                        } = i
                        setText(JSON.stringify(definition, null, 2))
                        setReason('')
                        setEditing(i)
                      }}
                    >
                      {zh ? '修改' : 'Edit'}
                    </Button>
                  ),
                },
              ]
            : []),
        ]}
      />
      <Modal
        open={!!editing}
        width={760}
        title={editing ? `${zh ? '修改事项' : 'Edit'} ${editing.code} ${editing.name}` : ''}
        okText={zh ? '保存新版本' : 'Save a new version'}
        cancelText={zh ? '取消' : 'Cancel'}
        okButtonProps={{ disabled: reason.trim().length < 2 }}
        onCancel={() => setEditing(null)}
        onOk={async () => {
          if (!editing) return
          let definition: unknown
          try {
            definition = JSON.parse(text)
          } catch {
            return message.error(zh ? '定义不是有效的 JSON' : 'Not valid JSON')
          }
          try {
            await put(`/services/items/${editing.code}`, {
              definition,
              active: editing.active,
              reason: reason.trim(),
              version: editing.version,
            })
            message.success(zh ? '已保存' : 'Saved')
            setEditing(null)
            load()
          } catch (e) {
            message.error(errorText(e, true))
          }
        }}
      >
        <Input.TextArea
          aria-label={zh ? '事项定义' : 'Definition'}
          rows={18}
          value={text}
          onChange={(e) => setText(e.target.value)}
          style={{ fontFamily: 'monospace' }}
        />
        <Input
          style={{ marginTop: 8 }}
          aria-label={zh ? '修改原因' : 'Reason'}
          placeholder={zh ? '修改原因（必填）' : 'Reason (required)'}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
        />
      </Modal>
    </>
  )
}
