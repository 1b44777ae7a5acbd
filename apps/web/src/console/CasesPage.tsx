// The case workbench: the queue of the caller's scope (a dispatcher's region, a department's
// dispatched cases), filters in the URL, and a case's panel with its timeline and the buttons of
// the actions the server says the caller may take now — from the one transition table the server
// enforces. Each action asks for what that step requires and carries the case's version: when
// someone else acted first the server answers 409 and the panel reloads.
import { CASE_STATUSES } from '@wangge/domain/case-workflow'
import { App, Button, Descriptions, Drawer, Input, Select, Space, Switch, Tag, Timeline, Typography } from 'antd'
import { useCallback, useEffect, useState } from 'react'
import { ActionModal, type CaseView } from '../shared/ActionModal'
import { get, type Item, type Me, type Page } from '../shared/api'
import { CLASS_NAMES } from '../shared/classes'
import { useI18n } from '../shared/i18n'
import { PagedTable } from '../shared/PagedTable'
import { navigate, query, usePath } from '../shared/router'

type Step = Item<'/cases/{id}/timeline'>

const SUPERVISION_COLOURS: Record<string, string> = { reminded: 'blue', yellow: 'gold', red: 'red' }
const fmt = (s: string | null) => (s ? new Date(s).toLocaleString() : '—')

export default function CasesPage({ region }: { user: Me; region: string }) {
  const { t, status, lang } = useI18n()
  const path = usePath()
  const q = query(path)
  const [page, setPage] = useState<Page<CaseView> | null>(null)
  const [n, setN] = useState(1)
  const [open, setOpen] = useState<number | null>(null)
  const filter = {
    status: q.get('status') ?? '',
    overdue: q.get('overdue') ?? '',
    q: q.get('q') ?? '',
    class: q.get('class') ?? '',
    department: q.get('department') ?? '',
  }
  const load = useCallback(() => {
    const p = new URLSearchParams({ region, page: String(n), pageSize: '20' })
    if (filter.status) p.set('status', filter.status)
    if (filter.overdue) p.set('overdue', filter.overdue)
    if (filter.q) p.set('q', filter.q)
    if (filter.class) p.set('class', filter.class)
    if (filter.department) p.set('department', filter.department)
    get<Page<CaseView>>(`/cases?${p}`).then(setPage, () => setPage({ items: [], total: 0, page: 1, pageSize: 20 }))
  }, [region, n, filter.status, filter.overdue, filter.q, filter.class, filter.department])
  useEffect(load, [load])
  const setFilter = (k: string, v: string) => {
    const p = query(path)
    if (v) p.set(k, v)
    else p.delete(k)
    setN(1)
    navigate(`/cases?${p}`)
  }
  return (
    <div>
      <Space wrap style={{ marginBottom: 12 }}>
        <Select
          aria-label={t('status')}
          style={{ minWidth: 220 }}
          mode="multiple"
          allowClear
          placeholder={t('status')}
          value={filter.status ? filter.status.split(',') : []}
          onChange={(v: string[]) => setFilter('status', v.join(','))}
          options={CASE_STATUSES.map((s) => ({ value: s, label: status(s) }))}
        />
        <Space>
          <Switch
            aria-label={t('overdue')}
            checked={filter.overdue === 'true'}
            onChange={(v) => setFilter('overdue', v ? 'true' : '')}
          />
          {t('overdue')}
        </Space>
        {filter.department && (
          <Tag closable onClose={() => setFilter('department', '')} data-testid="department-filter">
            {t('department')}: {filter.department}
          </Tag>
        )}
        {filter.class && (
          <Tag closable onClose={() => setFilter('class', '')} data-testid="class-filter">
            {t('casesByClass')}: {CLASS_NAMES.get(filter.class)?.[lang] ?? filter.class}
          </Tag>
        )}
        <Input.Search
          aria-label={t('search')}
          placeholder={t('search')}
          defaultValue={filter.q}
          onSearch={(v) => setFilter('q', v)}
          allowClear
        />
      </Space>
      <PagedTable<CaseView>
        page={page}
        n={n}
        onPage={setN}
        onOpen={setOpen}
        columns={[
          { title: t('number'), dataIndex: 'number', render: (v: string) => <Typography.Link>{v}</Typography.Link> },
          {
            title: t('status'),
            dataIndex: 'status',
            render: (v: string, r) => (
              <Space size={4}>
                <Tag>{status(v)}</Tag>
                {r.overdue && <Tag color="red">{t('overdue')}</Tag>}
                {SUPERVISION_COLOURS[r.supervision] && <Tag color={SUPERVISION_COLOURS[r.supervision]}>●</Tag>}
              </Space>
            ),
          },
          { title: t('description'), dataIndex: 'description', ellipsis: true },
          { title: t('department'), dataIndex: 'department' },
          { title: t('reportedAt'), dataIndex: 'reportedAt', render: fmt },
          { title: t('deadline'), dataIndex: 'deadline', render: fmt },
        ]}
      />
      <CaseDrawer id={open} onClose={() => setOpen(null)} onChanged={load} />
    </div>
  )
}

export function CaseDrawer({ id, onClose, onChanged }: { id: number | null; onClose(): void; onChanged(): void }) {
  const { t, status, action } = useI18n()
  const { message } = App.useApp()
  const [c, setC] = useState<CaseView | null>(null)
  const [steps, setSteps] = useState<Step[]>([])
  const [acting, setActing] = useState<string | null>(null)
  const reload = useCallback(() => {
    if (id == null) return
    get<CaseView>(`/cases/${id}`).then(setC, () => setC(null))
    get<Step[]>(`/cases/${id}/timeline`).then(setSteps, () => setSteps([]))
  }, [id])
  useEffect(() => {
    setC(null)
    reload()
  }, [reload])
  return (
    <Drawer open={id != null} onClose={onClose} size={560} title={c ? `${c.number} · ${status(c.status)}` : ''}>
      {c && (
        <div data-testid="case-panel" data-status={c.status}>
          <Descriptions column={1} size="small" bordered>
            <Descriptions.Item label={t('description')}>{c.description}</Descriptions.Item>
            <Descriptions.Item label={t('department')}>{c.department ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('deadline')}>{fmt(c.deadline)}</Descriptions.Item>
            <Descriptions.Item label={t('grid')}>{c.gridCode ?? '—'}</Descriptions.Item>
          </Descriptions>
          <Typography.Title level={5}>{t('actions')}</Typography.Title>
          <Space wrap>
            {c.actions.length ? (
              c.actions.map((a) => (
                <Button key={a} data-action={a} onClick={() => setActing(a)}>
                  {action(a)}
                </Button>
              ))
            ) : (
              <Typography.Text type="secondary">{t('noActions')}</Typography.Text>
            )}
          </Space>
          <Typography.Title level={5}>{t('timeline')}</Typography.Title>
          <Timeline
            items={steps.map((s) => ({
              content: (
                <div>
                  <b>{action(s.action)}</b> → {status(s.toStatus)} · {s.actor} · {fmt(s.at)}
                  {s.note && <div>{s.note}</div>}
                  {s.attachments.map((a) => (
                    <img key={a.id} src={a.thumbnailUrl} alt="" height={64} style={{ marginRight: 4 }} />
                  ))}
                </div>
              ),
            }))}
          />
          <ActionModal
            caseView={c}
            action={acting}
            onClose={() => setActing(null)}
            onDone={(conflict) => {
              setActing(null)
              if (conflict) message.warning(t('conflict'))
              reload()
              onChanged()
            }}
          />
        </div>
      )}
    </Drawer>
  )
}
