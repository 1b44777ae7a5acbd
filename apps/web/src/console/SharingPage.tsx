// Data sharing (信息共享): the dataset catalog and who answers for which field group, every
// delivery with its rejected and unmatched rows, and — for a department's own user — delivering a
// file with upload progress. The server limits a department user to its own datasets.
import { UploadOutlined } from '@ant-design/icons'
import { ROW_PROBLEMS, type RowProblem } from '@wangge/domain/sharing'
import {
  Alert,
  App as AntApp,
  Button,
  Descriptions,
  Drawer,
  Form,
  Input,
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
import { useCallback, useEffect, useState } from 'react'
import { can, errorText, get, type Item, type Me, type Page, type Res, upload } from '../shared/api'
import { type Key, useI18n } from '../shared/i18n'

type Dataset = Item<'/sharing/datasets'>
type Delivery = Item<'/sharing/deliveries'>
type Department = Item<'/departments'>
type Reject = Item<'/sharing/deliveries/{id}/rejects'>
type Unmatched = Item<'/sharing/deliveries/{id}/unmatched'>

const STATUS_COLOUR: Record<string, string> = { applied: 'green', partially_applied: 'orange', rejected: 'red' }
const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString('zh-CN', { hour12: false }) : '—')

function useDepartments() {
  const { lang } = useI18n()
  const [departments, setDepartments] = useState<Department[]>([])
  useEffect(() => {
    get<Department[]>('/departments').then(setDepartments, () => setDepartments([]))
  }, [])
  return (code: string | null) => departments.find((d) => d.code === code)?.[lang === 'zh' ? 'name' : 'nameEn'] ?? code ?? '—'
}

export default function SharingPage({ user }: { user: Me }) {
  const { t } = useI18n()
  const [datasets, setDatasets] = useState<Dataset[]>([])
  const [reload, setReload] = useState(0)
  useEffect(() => {
    get<Dataset[]>('/sharing/datasets').then(setDatasets, () => setDatasets([]))
  }, [])
  return (
    <Tabs
      destroyOnHidden
      items={[
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
        { key: 'datasets', label: t('datasetsTab'), children: <Datasets datasets={datasets} /> },
        { key: 'ownership', label: t('ownershipTab'), children: <Ownership /> },
      ]}
    />
  )
}

function Datasets({ datasets }: { datasets: Dataset[] }) {
  const { t, lang } = useI18n()
  const dept = useDepartments()
  return (
    <Table<Dataset>
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
              { title: t('fieldName'), dataIndex: 'name' },
              { title: t('fieldLabel'), dataIndex: 'label' },
              { title: t('fieldType'), dataIndex: 'type', render: (v: string, f) => (f.codeTable ? `${v} (${f.codeTable})` : v) },
              { title: t('required'), dataIndex: 'required', render: (v?: boolean) => (v ? '✓' : '') },
              { title: t('writesTo'), dataIndex: 'target', render: (v?: string) => v ?? '—' },
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
          render: (v: string[]) => (v.length ? v.map((g) => <Tag key={g}>{g}</Tag>) : '—'),
        },
        { title: t('version'), dataIndex: 'version' },
      ]}
    />
  )
}

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
        { title: t('fields'), dataIndex: 'fields', render: (v: string[], r) => [...v, ...r.tags.map((x) => `#${x}`)].join('、') },
        { title: t('owner'), dataIndex: 'department', render: (v: string | null) => dept(v) },
        { title: t('dataset'), dataIndex: 'dataset', render: (v: string | null) => v ?? '—' },
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
          { title: t('deliveryKey'), dataIndex: 'deliveryKey' },
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
