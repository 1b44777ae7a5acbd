// Administration of the case catalog (subclasses: answerable department, time limits per urgency,
// self-handling, photos needed, active) and of the routing rules (subclass × region → department).
// Every change carries the version seen and a reason; it applies to cases opened afterwards.
import {
  App,
  Button,
  Drawer,
  Form,
  Input,
  InputNumber,
  Popconfirm,
  Select,
  Space,
  Switch,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd'
import { useCallback, useEffect, useMemo, useState } from 'react'
import { del, errorText, get, type Item, patch, post } from '../shared/api'
import { useI18n } from '../shared/i18n'
import { CatalogPicker, RegionPicker } from '../shared/pickers'

type Unit = 'working_hours' | 'working_days' | 'natural_hours'
type Entry = Item<'/catalog'>
type Department = Item<'/departments'>
type Rule = Item<'/routing-rules'>

export default function CatalogPage({ region }: { region: string }) {
  const { t } = useI18n()
  const [departments, setDepartments] = useState<Department[]>([])
  useEffect(() => {
    get<Department[]>('/departments').then(setDepartments, () => setDepartments([]))
  }, [])
  return (
    <Tabs
      items={[
        { key: 'catalog', label: t('catalog'), children: <Catalog departments={departments} /> },
        { key: 'rules', label: t('routingRules'), children: <Rules departments={departments} region={region} /> },
      ]}
    />
  )
}

function useUnits() {
  const { t } = useI18n()
  return [
    { value: 'working_hours', label: t('workingHours') },
    { value: 'working_days', label: t('workingDays') },
    { value: 'natural_hours', label: t('naturalHours') },
  ]
}

function Catalog({ departments }: { departments: Department[] }) {
  const { t, lang } = useI18n()
  const units = useUnits()
  const unitLabel = (u: Unit) => units.find((x) => x.value === u)?.label ?? u
  const [rows, setRows] = useState<Entry[] | null>(null)
  const [q, setQ] = useState('')
  const [editing, setEditing] = useState<Entry | null>(null)
  const load = useCallback(() => get<Entry[]>('/catalog').then(setRows, () => setRows([])), [])
  useEffect(() => {
    load()
  }, [load])
  const shown = useMemo(
    () =>
      (rows ?? []).filter(
        (e) => !q || e.code.includes(q.toUpperCase()) || e.name.includes(q) || e.nameEn.toLowerCase().includes(q.toLowerCase()),
      ),
    [rows, q],
  )
  const dept = (c: string) => departments.find((d) => d.code === c)?.[lang === 'zh' ? 'name' : 'nameEn'] ?? c
  return (
    <div>
      <Input.Search
        aria-label={t('search')}
        placeholder={t('search')}
        allowClear
        onSearch={setQ}
        style={{ maxWidth: 320, marginBottom: 12 }}
      />
      <Table<Entry>
        rowKey="code"
        size="small"
        loading={!rows}
        dataSource={shown}
        data-testid="catalog"
        pagination={{ pageSize: 20, showSizeChanger: false }}
        onRow={(r) => ({ onClick: () => setEditing(r), style: { cursor: 'pointer' } })}
        columns={[
          { title: t('number'), dataIndex: 'code' },
          { title: t('name'), render: (_: unknown, e) => (lang === 'zh' ? e.name : e.nameEn) },
          { title: t('department'), render: (_: unknown, e) => dept(e.department) },
          { title: t('limitNormal'), render: (_: unknown, e) => `${e.limits.normal.amount} ${unitLabel(e.limits.normal.unit)}` },
          { title: t('limitUrgent'), render: (_: unknown, e) => `${e.limits.urgent.amount} ${unitLabel(e.limits.urgent.unit)}` },
          { title: t('selfHandle'), render: (_: unknown, e) => (e.selfHandle ? '✓' : '') },
          { title: t('photo'), dataIndex: 'photos' },
          { title: t('status'), render: (_: unknown, e) => (e.active ? '' : <Tag>{t('inactive')}</Tag>) },
        ]}
      />
      <EntryDrawer
        entry={editing}
        departments={departments}
        onClose={() => setEditing(null)}
        onSaved={() => {
          setEditing(null)
          load()
        }}
      />
    </div>
  )
}

function EntryDrawer({
  entry,
  departments,
  onClose,
  onSaved,
}: {
  entry: Entry | null
  departments: Department[]
  onClose(): void
  onSaved(): void
}) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const units = useUnits()
  const [form] = Form.useForm()
  useEffect(() => {
    if (entry) form.setFieldsValue({ ...entry, reason: '' })
  }, [entry, form])
  const limitFields = (which: 'normal' | 'urgent') => (
    <Space>
      <Form.Item name={['limits', which, 'amount']} noStyle rules={[{ required: true }]}>
        <InputNumber aria-label={`${which} amount`} min={0.5} max={720} step={0.5} />
      </Form.Item>
      <Form.Item name={['limits', which, 'unit']} noStyle>
        <Select aria-label={`${which} unit`} options={units} style={{ width: 120 }} />
      </Form.Item>
    </Space>
  )
  return (
    <Drawer open={!!entry} onClose={onClose} size={480} title={entry ? `${entry.code} ${entry.name}` : ''}>
      <Form
        form={form}
        layout="vertical"
        data-testid="catalog-form"
        onFinish={async (v: Entry & { reason: string }) => {
          if (!entry) return
          try {
            await patch(`/catalog/${entry.code}`, {
              version: entry.version,
              department: v.department,
              limits: v.limits,
              selfHandle: v.selfHandle,
              photos: v.photos,
              active: v.active,
              reason: v.reason,
            })
            message.success(t('done'))
            onSaved()
          } catch (e) {
            message.error(errorText(e, true))
          }
        }}
      >
        <Form.Item name="department" label={t('department')}>
          <Select
            showSearch={{ optionFilterProp: 'label' }}
            options={departments.map((d) => ({ value: d.code, label: d.name }))}
          />
        </Form.Item>
        <Form.Item label={t('limitNormal')}>{limitFields('normal')}</Form.Item>
        <Form.Item label={t('limitUrgent')}>{limitFields('urgent')}</Form.Item>
        <Form.Item name="selfHandle" label={t('selfHandle')} valuePropName="checked">
          <Switch />
        </Form.Item>
        <Form.Item name="photos" label={t('photo')}>
          <InputNumber min={0} max={9} />
        </Form.Item>
        <Form.Item name="active" label={t('activeEntry')} valuePropName="checked">
          <Switch />
        </Form.Item>
        <Form.Item name="reason" label={t('reason')} rules={[{ required: true, whitespace: true, min: 2 }]}>
          <Input maxLength={500} />
        </Form.Item>
        <Typography.Paragraph type="secondary">{t('appliesToNew')}</Typography.Paragraph>
        <Button type="primary" htmlType="submit">
          {t('submit')}
        </Button>
      </Form>
    </Drawer>
  )
}

function Rules({ departments, region }: { departments: Department[]; region: string }) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const [rows, setRows] = useState<Rule[] | null>(null)
  const [form] = Form.useForm()
  const load = useCallback(() => get<Rule[]>('/routing-rules').then(setRows, () => setRows([])), [])
  useEffect(() => {
    load()
  }, [load])
  const run = async (fn: () => Promise<unknown>) => {
    try {
      await fn()
      load()
    } catch (e) {
      message.error(errorText(e, true))
    }
  }
  return (
    <div>
      <Form
        form={form}
        layout="inline"
        style={{ marginBottom: 12, rowGap: 8 }}
        data-testid="rule-form"
        onFinish={(v: { catalogCode: string; region: string; department: string; note?: string }) =>
          run(async () => {
            await post('/routing-rules', v)
            form.resetFields()
          })
        }
      >
        <Form.Item name="catalogCode" label={t('catalog')} rules={[{ required: true }]}>
          <CatalogPicker aria-label={t('catalog')} style={{ width: 220 }} />
        </Form.Item>
        <Form.Item name="region" label={t('region')} rules={[{ required: true }]}>
          <RegionPicker root={region} aria-label={t('region')} style={{ width: 220 }} />
        </Form.Item>
        <Form.Item name="department" label={t('department')} rules={[{ required: true }]}>
          <Select
            style={{ width: 200 }}
            aria-label={t('department')}
            showSearch
            optionFilterProp="label"
            options={departments.map((d) => ({ value: d.code, label: d.name }))}
          />
        </Form.Item>
        <Form.Item name="note" label={t('note')}>
          <Input style={{ width: 160 }} />
        </Form.Item>
        <Button htmlType="submit" type="primary">
          {t('add')}
        </Button>
      </Form>
      <Table<Rule>
        rowKey="id"
        size="small"
        loading={!rows}
        dataSource={rows ?? []}
        data-testid="routing-rules"
        columns={[
          { title: t('catalog'), dataIndex: 'catalogCode' },
          { title: t('region'), dataIndex: 'region' },
          { title: t('department'), dataIndex: 'department' },
          { title: t('note'), dataIndex: 'note' },
          {
            title: '',
            render: (_: unknown, r) => (
              <Popconfirm title={t('remove')} onConfirm={() => run(() => del(`/routing-rules/${r.id}`))}>
                <Button size="small" danger>
                  {t('remove')}
                </Button>
              </Popconfirm>
            ),
          },
        ]}
      />
    </div>
  )
}
