// The case workbench: the queue of the caller's scope (a dispatcher's region, a department's
// dispatched cases), filters in the URL, and a case's panel with its timeline and the buttons of
// the actions the server says the caller may take now — from the one transition table the server
// enforces. Each action asks for what that step requires and carries the case's version: when
// someone else acted first the server answers 409 and the panel reloads.
import { CASE_SOURCE_LABELS, CASE_STATUSES, durationWords, SUPERVISION_LABELS } from '@wangge/domain/case-workflow'
import { App, Badge, Button, Descriptions, Drawer, Input, Select, Space, Switch, Table, Tag, Timeline, Typography } from 'antd'
import { type CSSProperties, useCallback, useEffect, useState } from 'react'
import { ActionModal, type CaseView } from '../shared/ActionModal'
import { can, get, type Item, type Me, type Page } from '../shared/api'
import { CLASS_NAMES } from '../shared/classes'
import { useDepartments } from '../shared/departments'
import { asIs, useI18n } from '../shared/i18n'
import { PagedTable } from '../shared/PagedTable'
import { navigate, query, usePath } from '../shared/router'
import { beijingTime } from '../shared/time'
import { CaseMiniMap } from './CaseMiniMap'

type Step = Item<'/cases/{id}/timeline'>

const SUPERVISION_COLOURS: Record<string, string> = { reminded: 'blue', yellow: 'gold', red: 'red' }
/** Under this many minutes of the limit's clock left, a case is due soon (yellow). */
const DUE_SOON_MINUTES = 120
type Light = 'green' | 'yellow' | 'red' | 'none'
const LIGHT_COLOURS: Record<Light, string> = { green: '#389e0d', yellow: '#d48806', red: '#cf1322', none: '#bfbfbf' }
const LIGHT_KEYS = { green: 'lightGreen', yellow: 'lightYellow', red: 'lightRed', none: 'lightNone' } as const
export const lightOf = (c: Pick<CaseView, 'overdue' | 'minutesLeft'>): Light =>
  c.overdue ? 'red' : c.minutesLeft === null ? 'none' : c.minutesLeft < DUE_SOON_MINUTES ? 'yellow' : 'green'
/** The time left on a case's clock, in words, with its light ('—' without a clock). */
function TimeLeft({ c, style }: { c: Pick<CaseView, 'overdue' | 'minutesLeft'>; style?: CSSProperties }) {
  const { t, lang } = useI18n()
  const light = lightOf(c)
  return (
    <Badge
      style={style}
      color={LIGHT_COLOURS[light]}
      data-light={light}
      text={light === 'red' ? t('lightRed') : c.minutesLeft === null ? '—' : durationWords(c.minutesLeft, lang)}
    />
  )
}
const SORTS = [
  ['newest', 'sortNewest'],
  ['deadline', 'sortDeadline'],
  ['oldest', 'sortOldest'],
] as const

export default function CasesPage({ user, region }: { user: Me; region: string }) {
  const { t, status, lang } = useI18n()
  const path = usePath()
  const q = query(path)
  const department = useDepartments()
  const [catalog, setCatalog] = useState<Map<string, Item<'/catalog'>>>(new Map())
  useEffect(() => {
    get<Item<'/catalog'>[]>('/catalog').then(
      (c) => setCatalog(new Map(c.map((e) => [e.code, e]))),
      () => undefined,
    )
  }, [])
  const [page, setPage] = useState<Page<CaseView> | null>(null)
  const [n, setN] = useState(1)
  const [open, setOpen] = useState<number | null>(null)
  const filter = {
    status: q.get('status') ?? '',
    overdue: q.get('overdue') ?? '',
    q: q.get('q') ?? '',
    class: q.get('class') ?? '',
    department: q.get('department') ?? '',
    sort: q.get('sort') ?? '',
  }
  // The ledger's filter as the API takes it (the list and its export alike).
  // (The map's grid panel opens the ledger of one grid: `region` in the URL narrows the user's own.)
  const params = new URLSearchParams({ region: q.get('region') ?? region })
  for (const [k, v] of Object.entries(filter)) if (v) params.set(k, v)
  const filterQuery = params.toString()
  const load = useCallback(() => {
    get<Page<CaseView>>(`/cases?${filterQuery}&page=${n}&pageSize=20`).then(setPage, () =>
      setPage({ items: [], total: 0, page: 1, pageSize: 20 }),
    )
  }, [filterQuery, n])
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
        <Select
          aria-label={t('sortNewest')}
          style={{ minWidth: 150 }}
          value={filter.sort || 'newest'}
          onChange={(v: string) => setFilter('sort', v === 'newest' ? '' : v)}
          options={SORTS.map(([value, key]) => ({ value, label: t(key) }))}
          data-testid="ledger-sort"
        />
        <Button
          href={`/api/v1/cases/export?${filterQuery}&format=xlsx&lang=${lang === 'zh' ? 'zh-CN' : 'en'}`}
          data-testid="ledger-export"
        >
          {t('exportXlsx')}
        </Button>
        {can(user, 'case.register') && (
          <Button type="primary" onClick={() => navigate('/hotline')} data-testid="register-case">
            {t('registerCase')}
          </Button>
        )}
      </Space>
      <PagedTable<CaseView>
        page={page}
        n={n}
        onPage={setN}
        onOpen={setOpen}
        columns={[
          {
            title: t('number'),
            dataIndex: 'number',
            width: 170,
            render: (v: string) => <Typography.Link style={{ whiteSpace: 'nowrap' }}>{v}</Typography.Link>,
          },
          {
            title: t('caseClass'),
            dataIndex: 'catalogCode',
            render: (v: string) => {
              const e = catalog.get(v)
              return e ? (lang === 'zh' ? e.name : e.nameEn) : v
            },
          },
          { title: t('description'), dataIndex: 'description', ellipsis: true },
          { title: t('address'), dataIndex: 'address', ellipsis: true, render: (v: string | null) => v ?? '—' },
          {
            title: t('grid'),
            dataIndex: 'gridCode',
            width: 150,
            render: (v: string | null, r) => (
              <Typography.Text code style={{ whiteSpace: 'nowrap' }}>
                {v ?? r.communityCode}
              </Typography.Text>
            ),
          },
          {
            title: t('caseSource'),
            dataIndex: 'source',
            render: (v: string) => CASE_SOURCE_LABELS[v as keyof typeof CASE_SOURCE_LABELS]?.[lang] ?? v,
          },
          {
            title: t('reporter'),
            dataIndex: 'reporterName',
            render: (v: string | null, r) => asIs(v ?? r.reporter),
          },
          { title: t('department'), dataIndex: 'department', render: (v: string | null) => department(v) },
          {
            title: t('status'),
            dataIndex: 'status',
            render: (v: string) => <Tag>{status(v)}</Tag>,
          },
          {
            title: t('timeLeft'),
            dataIndex: 'minutesLeft',
            render: (_: unknown, r) => <TimeLeft c={r} />,
          },
          {
            title: t('supervisionCol'),
            dataIndex: 'supervision',
            render: (v: keyof typeof SUPERVISION_LABELS) =>
              SUPERVISION_COLOURS[v] ? <Tag color={SUPERVISION_COLOURS[v]}>{SUPERVISION_LABELS[v][lang]}</Tag> : '—',
          },
          { title: t('reportedAt'), dataIndex: 'reportedAt', render: (v: string) => beijingTime(v, lang) },
        ]}
      />
      <Space size={16} wrap style={{ marginTop: 8 }} data-testid="ledger-legend">
        <Typography.Text type="secondary">{t('timeLeft')}：</Typography.Text>
        {(Object.keys(LIGHT_COLOURS) as Light[]).map((l) => (
          <Badge key={l} color={LIGHT_COLOURS[l]} text={t(LIGHT_KEYS[l])} />
        ))}
      </Space>
      <CaseDrawer id={open} onClose={() => setOpen(null)} onChanged={load} />
    </div>
  )
}

export function CaseDrawer({ id, onClose, onChanged }: { id: number | null; onClose(): void; onChanged(): void }) {
  const { t, status, action, lang } = useI18n()
  const { message } = App.useApp()
  const department = useDepartments()
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
            <Descriptions.Item label={t('address')}>{c.address ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('caseSource')}>
              {CASE_SOURCE_LABELS[c.source as keyof typeof CASE_SOURCE_LABELS]?.[lang] ?? c.source} ·{' '}
              {asIs(c.reporterName ?? c.reporter)}
            </Descriptions.Item>
            <Descriptions.Item label={t('department')}>{department(c.department)}</Descriptions.Item>
            {c.routingBasis && (
              <Descriptions.Item label={t('routingBasis')}>
                <span data-testid="routing-basis">
                  {['catalog', 'routing_rule', 'component', 'override'].includes(c.routingBasis)
                    ? t(`basis_${c.routingBasis}` as 'basis_catalog')
                    : c.routingBasis}
                </span>
              </Descriptions.Item>
            )}
            <Descriptions.Item label={t('deadline')}>
              {beijingTime(c.deadline, lang)}
              {c.deadline && <TimeLeft c={c} style={{ marginLeft: 8 }} />}
            </Descriptions.Item>
            <Descriptions.Item label={t('grid')}>{c.gridCode ?? c.communityCode}</Descriptions.Item>
          </Descriptions>
          <DeadlineHistory steps={steps} />
          <CaseMiniMap lng={c.lng} lat={c.lat} grid={c.gridCode} />
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
                  <b>{action(s.action)}</b> → {status(s.toStatus)} · <Actor name={s.actor} /> · {beijingTime(s.at, lang)}
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

/** Who took a step: the platform itself in words, a user by their login name (a proper noun). */
function Actor({ name }: { name: string }) {
  const { t } = useI18n()
  return name === 'system' ? t('systemActor') : asIs(name)
}

/** Each deadline the case had: set by a step (dispatch, extension, rework) or moved by the calendar. */
function DeadlineHistory({ steps }: { steps: Step[] }) {
  const { t, action, lang } = useI18n()
  const rows = steps.flatMap((s) => {
    const d = s.details as { deadline?: unknown; to?: unknown }
    const due = typeof d.deadline === 'string' ? d.deadline : typeof d.to === 'string' ? d.to : null
    return due ? [{ id: s.id, at: s.at, step: action(s.action), due }] : []
  })
  if (!rows.length) return null
  return (
    <Table
      data-testid="deadline-history"
      size="small"
      rowKey="id"
      pagination={false}
      style={{ marginTop: 8 }}
      title={() => t('deadlineHistory')}
      dataSource={rows}
      columns={[
        { title: t('stepAt'), dataIndex: 'at', render: (v: string) => beijingTime(v, lang) },
        { title: t('stepAction'), dataIndex: 'step' },
        { title: t('deadline'), dataIndex: 'due', render: (v: string) => beijingTime(v, lang) },
      ]}
    />
  )
}
