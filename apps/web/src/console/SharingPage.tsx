// Data sharing (信息共享): the dataset catalog and who answers for which field group, every
// delivery with its rejected and unmatched rows, and — for a department's own user — delivering a
// file with upload progress. The server limits a department user to its own datasets.
import { PlusOutlined, UploadOutlined } from '@ant-design/icons'
import {
  careTagTitle,
  FIELD_TYPE_LABELS,
  type FieldType,
  fieldTitle,
  ROW_PROBLEMS,
  type RowProblem,
  SHARED_FIELD_GROUPS,
} from '@wangge/domain/sharing'
import {
  Alert,
  App as AntApp,
  Button,
  DatePicker,
  Descriptions,
  Drawer,
  Form,
  Input,
  Modal,
  Progress,
  Radio,
  Select,
  Space,
  Table,
  Tabs,
  Tag,
  Typography,
  Upload,
} from 'antd'
import dayjs from 'dayjs'
import { useCallback, useEffect, useState } from 'react'
import { can, errorText, get, type Item, type Me, type Page, post, type Res, upload } from '../shared/api'
import { codeText } from '../shared/codes'
import { useDepartments } from '../shared/departments'
import { asIs, type Key, useI18n } from '../shared/i18n'
import { beijingTime } from '../shared/time'
import { DatasetEditor } from './DatasetEditor'
import { useDefinitionColumns } from './definition-form'
import { RulesTab } from './RulesTab'

type Dataset = Item<'/sharing/datasets'>
type Delivery = Item<'/sharing/deliveries'>
type Reject = Item<'/sharing/deliveries/{id}/rejects'>
type Unmatched = Item<'/sharing/deliveries/{id}/unmatched'>
type Board = Res<'/sharing/board'>
type BoardRow = Board['departments'][number]
type Finding = Item<'/sharing/findings'>

const STATUS_COLOUR: Record<string, string> = { applied: 'green', partially_applied: 'orange', rejected: 'red' }
const when = (iso: string | null) => beijingTime(iso, 'zh')

export default function SharingPage({ user }: { user: Me }) {
  const { t } = useI18n()
  const [datasets, setDatasets] = useState<Dataset[]>([])
  const [reload, setReload] = useState(0)
  const [catalog, setCatalog] = useState(0)
  // biome-ignore lint/correctness/useExhaustiveDependencies: catalog refetches after an edit
  useEffect(() => {
    get<Dataset[]>('/sharing/datasets').then(setDatasets, () => setDatasets([]))
  }, [catalog])
  return (
    <Tabs
      destroyOnHidden
      items={[
        { key: 'board', label: t('boardTab'), children: <BoardView key={reload} /> },
        { key: 'findings', label: t('findingsTab'), children: <Findings user={user} /> },
        {
          key: 'deliveries',
          label: t('deliveriesTab'),
          children: <Deliveries key={reload} datasets={datasets} />,
        },
        ...(can(user, 'sharing.deliver')
          ? [
              {
                key: 'deliver',
                label: t('deliverTab'),
                children: <Deliver datasets={datasets} onDelivered={() => setReload((n) => n + 1)} />,
              },
            ]
          : []),
        {
          key: 'datasets',
          label: t('datasetsTab'),
          children: <Datasets user={user} datasets={datasets} onSaved={() => setCatalog((n) => n + 1)} />,
        },
        { key: 'rules', label: t('rulesTab'), children: <RulesTab user={user} datasets={datasets} /> },
        { key: 'ownership', label: t('ownershipTab'), children: <Ownership key={catalog} /> },
      ]}
    />
  )
}

function Datasets({ user, datasets, onSaved }: { user: Me; datasets: Dataset[]; onSaved(): void }) {
  const { t, lang } = useI18n()
  const dept = useDepartments()
  const admin = can(user, 'sharing.admin')
  const [editing, setEditing] = useState<Dataset | 'new' | null>(null)
  const definitionColumns = useDefinitionColumns<Dataset>(admin, setEditing)
  const [departments, setDepartments] = useState<{ value: string; label: string }[]>([])
  useEffect(() => {
    if (admin)
      get<Res<'/departments'>>('/departments').then(
        (ds) => setDepartments(ds.map((d) => ({ value: d.code, label: lang === 'zh' ? d.name : d.nameEn }))),
        () => setDepartments([]),
      )
  }, [admin, lang])
  return (
    <>
      {admin && (
        <Button icon={<PlusOutlined />} style={{ marginBottom: 12 }} onClick={() => setEditing('new')}>
          {t('newDataset')}
        </Button>
      )}
      <Table<Dataset>
        data-testid="datasets"
        rowKey="code"
        size="middle"
        dataSource={datasets}
        pagination={false}
        expandable={{
          expandedRowRender: (d) => (
            <Table
              rowKey="name"
              size="small"
              pagination={false}
              dataSource={d.fields}
              columns={[
                { title: t('fieldName'), dataIndex: 'name', render: (v: string) => <code translate="no">{v}</code> },
                { title: t('fieldLabel'), dataIndex: 'label' },
                {
                  title: t('fieldType'),
                  dataIndex: 'type',
                  render: (v: FieldType, f) => (
                    <>
                      {FIELD_TYPE_LABELS[v]?.[lang === 'zh' ? 0 : 1] ?? v}
                      {f.codeTable && <code translate="no"> {f.codeTable}</code>}
                    </>
                  ),
                },
                { title: t('required'), dataIndex: 'required', render: (v?: boolean) => (v ? '✓' : '') },
                {
                  title: t('writesTo'),
                  dataIndex: 'target',
                  render: (v?: string) => (v ? fieldTitle(d.entity, v, lang) : '—'),
                },
              ]}
            />
          ),
        }}
        columns={[
          { title: t('dataset'), dataIndex: 'name', render: (v: string, d) => (lang === 'zh' ? v : d.nameEn) },
          { title: t('providingDept'), dataIndex: 'department', render: (v: string) => dept(v) },
          { title: t('rhythm'), dataIndex: 'rhythm', render: (v: string) => t(`rhythm_${v}` as Key) },
          { title: t('freshnessLimit'), dataIndex: 'freshnessDays', render: (v: number) => `${v} ${t('daysUnit')}` },
          {
            title: t('confidentiality'),
            dataIndex: 'confidentiality',
            render: (v: string) => <Tag color={v === 'secret' ? 'purple' : undefined}>{t(`conf_${v}` as Key)}</Tag>,
          },
          { title: t('recordKey'), dataIndex: 'recordKey', render: (v: string) => t(`key_${v}` as Key) },
          {
            title: t('fieldGroups'),
            dataIndex: 'fieldGroups',
            render: (v: string[]) => (v.length ? v.map((g) => <Tag key={g}>{groupName(g, lang)}</Tag>) : '—'),
          },
          ...definitionColumns,
        ]}
      />
      <DatasetEditor
        dataset={editing}
        departments={departments}
        onClose={() => setEditing(null)}
        onSaved={() => {
          setEditing(null)
          onSaved()
        }}
      />
    </>
  )
}

/** A shared field group's name (`person.identity` → 身份信息). */
const groupName = (code: string, lang: 'zh' | 'en') =>
  (SHARED_FIELD_GROUPS as Record<string, { zh: string; en: string }>)[code]?.[lang] ?? code

function Ownership() {
  const { t, lang } = useI18n()
  const dept = useDepartments()
  const [rows, setRows] = useState<Res<'/sharing/ownership'>>([])
  useEffect(() => {
    get<Res<'/sharing/ownership'>>('/sharing/ownership').then(setRows, () => setRows([]))
  }, [])
  return (
    <Table
      rowKey="group"
      size="middle"
      pagination={false}
      dataSource={rows}
      columns={[
        { title: t('fieldGroups'), dataIndex: 'name', render: (v: string, r) => (lang === 'zh' ? v : r.nameEn) },
        {
          title: t('fields'),
          dataIndex: 'fields',
          render: (v: string[], r) =>
            [...v.map((f) => fieldTitle(r.entity, f, lang)), ...r.tags.map((x) => `#${careTagTitle(x, lang)}`)].join('、'),
        },
        { title: t('owner'), dataIndex: 'department', render: (v: string | null) => dept(v) },
        {
          title: t('dataset'),
          dataIndex: 'dataset',
          render: (v: string | null, r) => (lang === 'zh' ? r.datasetName : r.datasetNameEn) ?? v ?? '—',
        },
      ]}
    />
  )
}

function Deliveries({ datasets }: { datasets: Dataset[] }) {
  const { t, lang } = useI18n()
  const dept = useDepartments()
  const [n, setN] = useState(1)
  const [dataset, setDataset] = useState<string | undefined>()
  const [page, setPage] = useState<Page<Delivery> | null>(null)
  const [open, setOpen] = useState<Delivery | null>(null)
  useEffect(() => {
    setPage(null)
    const q = new URLSearchParams({ page: String(n), pageSize: '20', ...(dataset ? { dataset } : {}) })
    get<Page<Delivery>>(`/sharing/deliveries?${q}`).then(setPage, () => setPage({ items: [], total: 0, page: 1, pageSize: 20 }))
  }, [n, dataset])
  const name = (code: string) => {
    const d = datasets.find((x) => x.code === code)
    return d ? (lang === 'zh' ? d.name : d.nameEn) : code
  }
  return (
    <>
      <Space style={{ marginBottom: 12 }}>
        <Select
          allowClear
          style={{ width: 280 }}
          placeholder={t('dataset')}
          value={dataset}
          onChange={(v) => {
            setDataset(v)
            setN(1)
          }}
          options={datasets.map((d) => ({ value: d.code, label: lang === 'zh' ? d.name : d.nameEn }))}
        />
      </Space>
      <Table<Delivery>
        rowKey="id"
        size="middle"
        loading={!page}
        dataSource={page?.items ?? []}
        onRow={(r) => ({ onClick: () => setOpen(r), style: { cursor: 'pointer' } })}
        pagination={{ current: n, pageSize: 20, total: page?.total ?? 0, onChange: setN, showSizeChanger: false }}
        columns={[
          { title: t('receivedAt'), dataIndex: 'receivedAt', render: when },
          { title: t('dataset'), dataIndex: 'dataset', render: name },
          { title: t('providingDept'), dataIndex: 'department', render: (v: string) => dept(v) },
          { title: t('deliveryKey'), dataIndex: 'deliveryKey', render: asIs },
          { title: t('channel'), dataIndex: 'channel', render: (v: string) => t(`channel_${v}` as Key) },
          { title: t('mode'), dataIndex: 'mode', render: (v: string) => t(`mode_${v}` as Key) },
          {
            title: t('status'),
            dataIndex: 'status',
            render: (v: string) => <Tag color={STATUS_COLOUR[v]}>{t(`delivery_${v}` as Key)}</Tag>,
          },
          { title: t('rowsTotal'), dataIndex: ['rows', 'total'] },
          { title: t('rowsChanged'), dataIndex: ['rows', 'changed'] },
          { title: t('rowsRejected'), dataIndex: ['rows', 'rejected'] },
          { title: t('rowsUnmatched'), dataIndex: ['rows', 'unmatched'] },
        ]}
      />
      <Drawer
        width={760}
        open={!!open}
        onClose={() => setOpen(null)}
        title={open ? `${name(open.dataset)} · ${open.deliveryKey}` : ''}
      >
        {open && <DeliveryDetail delivery={open} dataset={datasets.find((x) => x.code === open.dataset)} />}
      </Drawer>
    </>
  )
}

function DeliveryDetail({ delivery: d, dataset }: { delivery: Delivery; dataset: Dataset | undefined }) {
  const { t, lang } = useI18n()
  const label = (f: string) => dataset?.fields.find((x) => x.name === f)?.label ?? f
  const [rejects, setRejects] = useState<Page<Reject> | null>(null)
  const [unmatched, setUnmatched] = useState<Page<Unmatched> | null>(null)
  const [rn, setRn] = useState(1)
  const [un, setUn] = useState(1)
  useEffect(() => {
    get<Page<Reject>>(`/sharing/deliveries/${d.id}/rejects?page=${rn}&pageSize=20`).then(setRejects, () => setRejects(null))
  }, [d.id, rn])
  useEffect(() => {
    get<Page<Unmatched>>(`/sharing/deliveries/${d.id}/unmatched?page=${un}&pageSize=20`).then(setUnmatched, () =>
      setUnmatched(null),
    )
  }, [d.id, un])
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="large">
      <Descriptions size="small" column={2} bordered>
        <Descriptions.Item label={t('status')}>
          <Tag color={STATUS_COLOUR[d.status]}>{t(`delivery_${d.status}` as Key)}</Tag>
        </Descriptions.Item>
        <Descriptions.Item label={t('policy')}>{t(`policy_${d.policy}` as Key)}</Descriptions.Item>
        <Descriptions.Item label={t('asOf')}>{when(d.asOf)}</Descriptions.Item>
        <Descriptions.Item label={t('receivedAt')}>{when(d.receivedAt)}</Descriptions.Item>
        <Descriptions.Item label={t('rowsTotal')}>{d.rows.total}</Descriptions.Item>
        <Descriptions.Item label={t('rowsChanged')}>{d.rows.changed}</Descriptions.Item>
        <Descriptions.Item label={t('rowsUnchanged')}>{d.rows.unchanged}</Descriptions.Item>
        <Descriptions.Item label={t('rowsRejected')}>{d.rows.rejected}</Descriptions.Item>
        <Descriptions.Item label={t('rowsUnmatched')}>{d.rows.unmatched}</Descriptions.Item>
        <Descriptions.Item label={t('rowsRemoved')}>{d.rows.removed}</Descriptions.Item>
      </Descriptions>
      {d.rows.rejected > 0 && (
        <>
          <Space>
            <Typography.Title level={5} style={{ margin: 0 }}>
              {t('rejectedRows')}
            </Typography.Title>
            <Button
              size="small"
              icon={<UploadOutlined rotate={180} />}
              href={`/api/v1/sharing/deliveries/${d.id}/rejects/file?format=xlsx`}
            >
              {t('downloadRejects')}
            </Button>
          </Space>
          <Table<Reject>
            rowKey={(r) => `${r.rowNo}-${r.field}`}
            size="small"
            loading={!rejects}
            dataSource={rejects?.items ?? []}
            pagination={{ current: rn, pageSize: 20, total: rejects?.total ?? 0, onChange: setRn, showSizeChanger: false }}
            columns={[
              { title: t('rowNo'), dataIndex: 'rowNo', width: 70 },
              { title: t('fieldName'), dataIndex: 'field', render: (f: string) => (lang === 'zh' ? label(f) : f) },
              {
                title: t('problem'),
                dataIndex: 'problem',
                render: (v: string, r) => (lang === 'zh' ? (ROW_PROBLEMS[v as RowProblem]?.zh ?? v) : r.message),
              },
              { title: t('value'), dataIndex: 'value' },
            ]}
          />
        </>
      )}
      {d.rows.unmatched > 0 && (
        <>
          <Typography.Title level={5} style={{ margin: 0 }}>
            {t('unmatchedRows')}
          </Typography.Title>
          <Table<Unmatched>
            rowKey="rowNo"
            size="small"
            loading={!unmatched}
            dataSource={unmatched?.items ?? []}
            pagination={{ current: un, pageSize: 20, total: unmatched?.total ?? 0, onChange: setUn, showSizeChanger: false }}
            columns={[
              { title: t('rowNo'), dataIndex: 'rowNo', width: 70 },
              { title: t('recordKey'), dataIndex: 'recordKey' },
              {
                title: t('fields'),
                dataIndex: 'record',
                render: (r: Record<string, unknown>) =>
                  Object.entries(r)
                    .filter(([, v]) => v != null && v !== '')
                    .map(([k, v]) => `${k}: ${String(v)}`)
                    .join('；'),
              },
            ]}
          />
        </>
      )}
    </Space>
  )
}

const TYPES: Record<string, string> = {
  csv: 'text/csv',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  jsonl: 'application/x-ndjson',
}

function Deliver({ datasets, onDelivered }: { datasets: Dataset[]; onDelivered(): void }) {
  const { t, lang } = useI18n()
  const { message } = AntApp.useApp()
  const [dataset, setDataset] = useState<string | undefined>()
  const [file, setFile] = useState<File | null>(null)
  const [mode, setMode] = useState<'snapshot' | 'incremental'>('snapshot')
  const [policy, setPolicy] = useState<'all_or_nothing' | 'valid_rows'>('all_or_nothing')
  const [key, setKey] = useState('')
  const [share, setShare] = useState<number | null>(null)
  const [result, setResult] = useState<Delivery | null>(null)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    if (!dataset && datasets[0]) setDataset(datasets[0].code)
  }, [datasets, dataset])
  const pick = useCallback((f: File) => {
    setFile(f)
    setResult(null)
    setError(null)
    const day = new Date().toISOString().slice(0, 10).replaceAll('-', '')
    setKey(`${day}-${f.name.replace(/\.[^.]+$/, '')}`.replace(/[^A-Za-z0-9._:-]/g, '_').slice(0, 100))
    return false
  }, [])
  if (!datasets.length) return <Alert type="info" message={t('noDataset')} />
  const ext = file?.name.split('.').pop()?.toLowerCase() ?? ''
  const send = async () => {
    if (!file || !dataset) return
    setShare(0)
    setError(null)
    setResult(null)
    try {
      const q = new URLSearchParams({ mode, policy, fileName: file.name })
      const r = await upload<Delivery>(
        `/sharing/datasets/${dataset}/deliveries/${encodeURIComponent(key)}/file?${q}`,
        file,
        TYPES[ext] ?? 'application/octet-stream',
        setShare,
      )
      setResult(r)
      message.success(t(`delivery_${r.status}` as Key))
      onDelivered()
    } catch (e) {
      setError(errorText(e))
    } finally {
      setShare(null)
    }
  }
  return (
    <Form layout="vertical" style={{ maxWidth: 640 }}>
      <Typography.Paragraph type="secondary">{t('deliveryHint')}</Typography.Paragraph>
      <Form.Item label={t('dataset')}>
        <Select
          value={dataset}
          onChange={setDataset}
          options={datasets.map((d) => ({ value: d.code, label: lang === 'zh' ? d.name : d.nameEn }))}
        />
      </Form.Item>
      <Form.Item label={t('chooseFile')}>
        <Upload accept=".csv,.xlsx,.jsonl,.ndjson,.txt" maxCount={1} beforeUpload={pick} showUploadList={false}>
          <Button icon={<UploadOutlined />}>{file ? file.name : t('chooseFile')}</Button>
        </Upload>
      </Form.Item>
      <Form.Item label={t('mode')}>
        <Radio.Group value={mode} onChange={(e) => setMode(e.target.value)}>
          <Radio value="snapshot">{t('mode_snapshot')}</Radio>
          <Radio value="incremental">{t('mode_incremental')}</Radio>
        </Radio.Group>
      </Form.Item>
      <Form.Item label={t('policy')}>
        <Radio.Group value={policy} onChange={(e) => setPolicy(e.target.value)}>
          <Radio value="all_or_nothing">{t('policy_all_or_nothing')}</Radio>
          <Radio value="valid_rows">{t('policy_valid_rows')}</Radio>
        </Radio.Group>
      </Form.Item>
      <Form.Item label={t('deliveryKey')}>
        <Input value={key} onChange={(e) => setKey(e.target.value)} maxLength={100} />
      </Form.Item>
      <Button type="primary" disabled={!file || !key || share !== null} onClick={send}>
        {t('upload')}
      </Button>
      {share !== null && (
        <div style={{ marginTop: 12 }} role="status">
          <Typography.Text>{t('uploading')}</Typography.Text>
          <Progress percent={Math.round(share * 100)} status="active" />
        </div>
      )}
      {error && <Alert style={{ marginTop: 12 }} type="error" message={error} />}
      {result && (
        <Alert
          style={{ marginTop: 12 }}
          type={result.status === 'applied' ? 'success' : result.status === 'rejected' ? 'error' : 'warning'}
          message={`${t(`delivery_${result.status}` as Key)}：${t('rowsTotal')} ${result.rows.total}，${t('rowsChanged')} ${result.rows.changed}，${t('rowsRejected')} ${result.rows.rejected}，${t('rowsUnmatched')} ${result.rows.unmatched}`}
          action={
            result.rows.rejected > 0 ? (
              <Button size="small" href={`/api/v1/sharing/deliveries/${result.id}/rejects/file?format=xlsx`}>
                {t('downloadRejects')}
              </Button>
            ) : undefined
          }
        />
      )}
    </Form>
  )
}

const pct = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)}%`)

function BoardView() {
  const { t, lang } = useI18n()
  const dept = useDepartments()
  const [month, setMonth] = useState(() => dayjs().format('YYYY-MM'))
  const [board, setBoard] = useState<Board | null>(null)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    setBoard(null)
    get<Board>(`/sharing/board?month=${month}`).then(setBoard, (e) => setError(errorText(e)))
  }, [month])
  if (error) return <Alert type="error" message={error} />
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space wrap>
        <DatePicker
          picker="month"
          allowClear={false}
          value={dayjs(`${month}-01`)}
          onChange={(d) => d && setMonth(d.format('YYYY-MM'))}
        />
        <Button href={`/api/v1/sharing/board/file?month=${month}&format=xlsx`}>{t('exportXlsx')}</Button>
        <Button href={`/api/v1/sharing/board/file?month=${month}&format=pdf`}>{t('exportPdf')}</Button>
      </Space>
      <Typography.Text type="secondary">{t('boardNote')}</Typography.Text>
      <Table<BoardRow>
        data-testid="sharing-board"
        rowKey="department"
        size="middle"
        loading={!board}
        pagination={false}
        dataSource={board?.departments ?? []}
        expandable={{
          expandedRowRender: (d) => (
            <Table
              rowKey="code"
              size="small"
              pagination={false}
              dataSource={d.datasets}
              columns={[
                { title: t('dataset'), dataIndex: 'name' },
                { title: t('rhythm'), dataIndex: 'rhythm', render: (v: string) => t(`rhythm_${v}` as Key) },
                {
                  title: `${t('due')} / ${t('delivered')}`,
                  render: (_: unknown, x) => (x.exempt ? t('exempt') : `${x.due} / ${x.delivered}`),
                },
                { title: t('asOf'), dataIndex: 'newestAsOf', render: (v: string | null) => v ?? '—' },
                {
                  title: t('freshShare'),
                  render: (_: unknown, x) =>
                    x.ageDays === null ? (
                      '—'
                    ) : (
                      <Tag color={x.fresh ? 'green' : 'red'}>{`${x.ageDays} / ${x.freshnessDays} ${t('daysUnit')}`}</Tag>
                    ),
                },
                { title: t('completeness'), dataIndex: 'completeness', render: pct },
                { title: t('rejectedRate'), dataIndex: 'rejectedRate', render: pct },
                { title: '', dataIndex: 'silent', render: (v: boolean) => (v ? <Tag color="red">{t('silent')}</Tag> : null) },
              ]}
            />
          ),
        }}
        columns={[
          { title: t('providingDept'), dataIndex: 'department', render: (v: string) => dept(v) },
          {
            title: t('score'),
            dataIndex: 'score',
            render: (v: number | null, d) =>
              d.exempt ? <Tag>{t('exempt')}</Tag> : <Typography.Text strong>{v}</Typography.Text>,
          },
          {
            title: t('budgetRisk'),
            dataIndex: 'atRisk',
            render: (v: boolean, d) =>
              d.exempt ? (
                '—'
              ) : v ? (
                <Tag color="red">{t('budgetRisk')}</Tag>
              ) : (
                <Tag color="green">{lang === 'zh' ? '正常' : 'no'}</Tag>
              ),
          },
          { title: `${t('due')} / ${t('delivered')}`, render: (_: unknown, d) => `${d.due} / ${d.delivered}` },
          { title: t('onTimeRate'), dataIndex: 'onTimeRate', render: pct },
          { title: t('freshShare'), dataIndex: 'freshShare', render: pct },
          { title: t('completeness'), dataIndex: 'completeness', render: pct },
          { title: t('rejectedRate'), dataIndex: 'rejectedRate', render: pct },
          { title: t('findingsOpen'), render: (_: unknown, d) => d.findings.open },
          { title: t('findingsResolved'), render: (_: unknown, d) => d.findings.resolved },
          {
            title: t('medianDays'),
            render: (_: unknown, d) =>
              d.findings.medianDaysToResolve === null ? '—' : d.findings.medianDaysToResolve.toFixed(1),
          },
        ]}
      />
    </Space>
  )
}

const STATUS_TAG: Record<string, string> = { open: 'orange', resolved: 'green', cleared: 'default' }

function Findings({ user }: { user: Me }) {
  const { t, lang } = useI18n()
  const dept = useDepartments()
  const { message } = AntApp.useApp()
  const [n, setN] = useState(1)
  const [status, setStatus] = useState<string>('open')
  const [page, setPage] = useState<Page<Finding> | null>(null)
  const [open, setOpen] = useState<Finding | null>(null)
  const [note, setNote] = useState('')
  const [reload, setReload] = useState(0)
  // biome-ignore lint/correctness/useExhaustiveDependencies: reload refetches
  useEffect(() => {
    setPage(null)
    get<Page<Finding>>(`/sharing/findings?page=${n}&pageSize=20${status ? `&status=${status}` : ''}`).then(setPage, () =>
      setPage({ items: [], total: 0, page: 1, pageSize: 20 }),
    )
  }, [n, status, reload])
  const resolve = async (side: 'department' | 'base') => {
    if (!open) return
    try {
      await post(`/sharing/findings/${open.id}/resolve`, { side, note, version: open.version })
      message.success(t('done'))
      setOpen(null)
      setNote('')
      setReload((x) => x + 1)
    } catch (e) {
      message.error(errorText(e))
    }
  }
  const mayResolve = (f: Finding) =>
    f.status === 'open' &&
    (f.assignee === 'department'
      ? user.department === f.ownerDepartment || can(user, 'sharing.admin')
      : can(user, 'person.write'))
  return (
    <>
      <Space style={{ marginBottom: 12 }}>
        <Select
          style={{ width: 160 }}
          value={status}
          onChange={(v) => {
            setStatus(v)
            setN(1)
          }}
          options={[
            { value: 'open', label: t('finding_open') },
            { value: 'resolved', label: t('finding_resolved') },
            { value: 'cleared', label: t('finding_cleared') },
            { value: '', label: t('all') },
          ]}
        />
      </Space>
      <Table<Finding>
        data-testid="findings"
        rowKey="id"
        size="middle"
        loading={!page}
        dataSource={page?.items ?? []}
        onRow={(r) => ({ onClick: () => setOpen(r), style: { cursor: 'pointer' } })}
        pagination={{ current: n, pageSize: 20, total: page?.total ?? 0, onChange: setN, showSizeChanger: false }}
        columns={[
          { title: t('firstSeen'), dataIndex: 'firstSeenAt', render: when },
          { title: t('rule'), dataIndex: 'ruleName', render: (v: string, f) => (lang === 'zh' ? v : f.ruleNameEn) },
          { title: t('community'), dataIndex: 'communityCode' },
          { title: t('owner'), dataIndex: 'ownerDepartment', render: (v: string) => dept(v) },
          { title: t('assignee'), dataIndex: 'assignee', render: (v: string) => t(`assignee_${v}` as Key) },
          {
            title: t('status'),
            dataIndex: 'status',
            render: (v: string) => <Tag color={STATUS_TAG[v]}>{t(`finding_${v}` as Key)}</Tag>,
          },
        ]}
      />
      <Modal
        open={!!open}
        title={open ? (lang === 'zh' ? open.ruleName : open.ruleNameEn) : ''}
        onCancel={() => setOpen(null)}
        footer={
          open && mayResolve(open)
            ? [
                <Button key="base" disabled={note.length < 2} onClick={() => resolve('base')}>
                  {t('baseRight')}
                </Button>,
                <Button key="dept" type="primary" disabled={note.length < 2} onClick={() => resolve('department')}>
                  {t('departmentRight')}
                </Button>,
              ]
            : null
        }
      >
        {open && (
          <Space direction="vertical" style={{ width: '100%' }}>
            <Alert type="info" message={open.question} />
            <Descriptions size="small" column={1} bordered>
              <Descriptions.Item label={open.left.label}>
                {codeText(open.left.value, open.left.codeTable, lang)}
              </Descriptions.Item>
              <Descriptions.Item label={open.right.label}>
                {codeText(open.right.value, open.right.codeTable, lang)}
              </Descriptions.Item>
              <Descriptions.Item label={t('owner')}>{dept(open.ownerDepartment)}</Descriptions.Item>
              <Descriptions.Item label={t('assignee')}>{t(`assignee_${open.assignee}` as Key)}</Descriptions.Item>
              <Descriptions.Item label={t('status')}>
                {t(`finding_${open.status}` as Key)}
                {open.resolution ? ` · ${t(`resolution_${open.resolution}` as Key)}` : ''}
              </Descriptions.Item>
              {open.resolutionNote && <Descriptions.Item label={t('note')}>{open.resolutionNote}</Descriptions.Item>}
            </Descriptions>
            {mayResolve(open) && (
              <Input.TextArea
                aria-label={t('note')}
                placeholder={t('note')}
                value={note}
                onChange={(e) => setNote(e.target.value)}
              />
            )}
          </Space>
        )}
      </Modal>
    </>
  )
}
