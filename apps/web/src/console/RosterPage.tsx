// Grid workers: who works each grid (with the A/B partner and any leave cover), the leaves to
// decide, and the monthly evaluation (rates, score, grade, ranks) with its xlsx export.

import { fieldTitle } from '@wangge/domain/sharing'
import { App, Button, DatePicker, Space, Table, Tabs, Tag } from 'antd'
import dayjs from 'dayjs'
import { useCallback, useEffect, useState } from 'react'
import { can, errorText, get, type Item, type Me, post, type Res } from '../shared/api'
import { asIs, useI18n } from '../shared/i18n'
import { beijingToday } from '../shared/time'

type RosterGrid = Res<'/roster'>['grids'][number]
type Leave = Item<'/roster/leaves'>
type Evaluation = Res<'/roster/evaluation'>['workers'][number]

const pct = (v: number | null) => (v == null ? '—' : `${v.toFixed(1)}%`)
const GRADE_COLOURS: Record<string, string> = { A: 'green', B: 'cyan', C: 'blue', D: 'orange', E: 'red' }

export default function RosterPage({ user, region }: { user: Me; region: string }) {
  const { t } = useI18n()
  return (
    <Tabs
      items={[
        { key: 'roster', label: t('rosterTab'), children: <RosterTable region={region} /> },
        { key: 'leaves', label: t('leavesTab'), children: <Leaves region={region} canDecide={can(user, 'roster.manage')} /> },
        { key: 'evaluation', label: t('evaluationTab'), children: <EvaluationTable region={region} /> },
        {
          key: 'conflicts',
          label: t('conflictsTab'),
          children: <Conflicts region={region} canResolve={can(user, 'roster.manage')} />,
        },
      ]}
    />
  )
}

function RosterTable({ region }: { region: string }) {
  const { t } = useI18n()
  const [grids, setGrids] = useState<RosterGrid[] | null>(null)
  useEffect(() => {
    get<Res<'/roster'>>(`/roster?region=${region}`).then(
      (r) => setGrids(r.grids),
      () => setGrids([]),
    )
  }, [region])
  return (
    <Table<RosterGrid>
      rowKey="code"
      size="small"
      loading={!grids}
      dataSource={grids ?? []}
      data-testid="roster"
      pagination={{ pageSize: 20, showSizeChanger: false }}
      columns={[
        { title: t('grid'), dataIndex: 'code' },
        { title: t('name'), dataIndex: 'name' },
        { title: t('households'), dataIndex: 'households' },
        {
          title: t('worker'),
          render: (_: unknown, g) =>
            g.workers.length ? (
              g.workers.map((w) => (
                <span key={w.id}>
                  {asIs(w.displayName)} {w.background && <Tag>{t(`bg_${w.background}` as never)}</Tag>}
                </span>
              ))
            ) : (
              <Tag color="red">{t('vacant')}</Tag>
            ),
        },
        { title: t('phone'), render: (_: unknown, g) => g.workers.map((w) => w.phone ?? '').join(' ') },
        { title: t('partner'), render: (_: unknown, g) => g.pair?.partner ?? '—' },
        { title: t('cover'), render: (_: unknown, g) => (g.coveredBy ? `→ ${g.coveredBy.until}` : '') },
      ]}
    />
  )
}

function Leaves({ region, canDecide }: { region: string; canDecide: boolean }) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const [rows, setRows] = useState<Leave[] | null>(null)
  const load = useCallback(() => {
    get<Leave[]>(`/roster/leaves?region=${region}`).then(setRows, () => setRows([]))
  }, [region])
  useEffect(load, [load])
  const decide = async (l: Leave, decision: 'approve' | 'reject') => {
    try {
      await post(`/roster/leaves/${l.id}/decision`, { decision, version: l.version })
    } catch (e) {
      message.error(errorText(e))
    }
    load()
  }
  return (
    <Table<Leave>
      rowKey="id"
      size="small"
      loading={!rows}
      dataSource={rows ?? []}
      data-testid="leaves"
      columns={[
        { title: t('requestedBy'), dataIndex: 'requestedBy', render: asIs },
        { title: t('period'), render: (_: unknown, l) => `${l.from} – ${l.to}` },
        { title: t('reason'), dataIndex: 'reason' },
        { title: t('status'), dataIndex: 'status', render: (s: string) => <Tag>{t(`leave_${s}` as never) ?? s}</Tag> },
        {
          title: '',
          render: (_: unknown, l) =>
            canDecide && l.status === 'requested' ? (
              <Space>
                <Button size="small" type="primary" onClick={() => decide(l, 'approve')}>
                  {t('approve')}
                </Button>
                <Button size="small" onClick={() => decide(l, 'reject')}>
                  {t('reject')}
                </Button>
              </Space>
            ) : null,
        },
      ]}
    />
  )
}

function EvaluationTable({ region }: { region: string }) {
  const { t } = useI18n()
  // The evaluation reviews a closed month: the last one in Beijing (the current one is a picker away).
  const [month, setMonth] = useState(() => dayjs(beijingToday()).subtract(1, 'month').format('YYYY-MM'))
  const [rows, setRows] = useState<Evaluation[] | null>(null)
  useEffect(() => {
    setRows(null)
    get<Res<'/roster/evaluation'>>(`/roster/evaluation?region=${region}&month=${month}`).then(
      (r) => setRows(r.workers),
      () => setRows([]),
    )
  }, [region, month])
  return (
    <div>
      <Space style={{ marginBottom: 12 }}>
        <DatePicker
          picker="month"
          allowClear={false}
          aria-label={t('month')}
          value={dayjs(`${month}-01`)}
          onChange={(d) => d && setMonth(d.format('YYYY-MM'))}
        />
        <Button href={`/api/v1/roster/evaluation/export?region=${region}&month=${month}&format=xlsx`}>{t('exportXlsx')}</Button>
      </Space>
      <Table<Evaluation>
        rowKey="userId"
        size="small"
        loading={!rows}
        dataSource={rows ?? []}
        data-testid="evaluation"
        pagination={{ pageSize: 20, showSizeChanger: false }}
        columns={[
          { title: t('worker'), dataIndex: 'displayName', render: asIs },
          { title: t('grid'), render: (_: unknown, r) => r.grids.join(' ') },
          { title: t('visitsOnTime'), render: (_: unknown, r) => `${r.visits.onTime}/${r.visits.due} · ${pct(r.visits.rate)}` },
          { title: t('casesReported'), render: (_: unknown, r) => `${r.cases.reported} · ${pct(r.cases.validRate)}` },
          { title: t('verifiedOnTime'), render: (_: unknown, r) => pct(r.verifications.rate) },
          { title: t('satisfaction'), render: (_: unknown, r) => pct(r.satisfaction.rate) },
          {
            title: t('offer'),
            render: (_: unknown, r) =>
              r.proactive.offers ? `${r.proactive.answered}/${r.proactive.offers} · ${pct(r.proactive.uptake)}` : '—',
          },
          { title: t('score'), dataIndex: 'score', sorter: (a, b) => (a.score ?? -1) - (b.score ?? -1) },
          {
            title: t('grade'),
            dataIndex: 'grade',
            render: (g: string | null) =>
              g ? (
                <Tag color={GRADE_COLOURS[g]} translate="no">
                  {g}
                </Tag>
              ) : (
                '—'
              ),
          },
          { title: t('rank'), render: (_: unknown, r) => `${r.rank.community} / ${r.rank.street}` },
        ]}
      />
    </div>
  )
}

type Conflict = Item<'/visits/conflicts'>

/** Door-to-door changes that met another change of the same field: keep the later, or restore. */
function Conflicts({ region, canResolve }: { region: string; canResolve: boolean }) {
  const { t, lang } = useI18n()
  const { message } = App.useApp()
  const [rows, setRows] = useState<Conflict[] | null>(null)
  const load = useCallback(() => {
    get<Conflict[]>(`/visits/conflicts?region=${region}`).then(setRows, () => setRows([]))
  }, [region])
  useEffect(load, [load])
  const resolve = async (c: Conflict, keep: 'kept' | 'other') => {
    try {
      await post(`/visits/conflicts/${c.id}/resolve`, { keep })
    } catch (e) {
      message.error(errorText(e))
    }
    load()
  }
  const show = (v: unknown) => (v == null ? '—' : String(v))
  return (
    <Table<Conflict>
      rowKey="id"
      size="small"
      loading={!rows}
      dataSource={rows ?? []}
      data-testid="conflicts"
      columns={[
        { title: t('grid'), dataIndex: 'grid' },
        {
          title: t('record'),
          render: (_: unknown, c) =>
            `${t(c.entity === 'person' ? 'entityPerson' : 'entityHousehold')} #${c.entityId} · ${fieldTitle(c.entity, c.field, lang)}`,
        },
        {
          title: t('keptValue'),
          render: (_: unknown, c) => (
            <>
              {show(c.kept.value)} ({asIs(c.kept.by)})
            </>
          ),
        },
        {
          title: t('otherValue'),
          render: (_: unknown, c) => (
            <>
              {show(c.other.value)} ({asIs(c.other.by)})
            </>
          ),
        },
        {
          title: '',
          render: (_: unknown, c) =>
            canResolve ? (
              <Space>
                <Button size="small" onClick={() => resolve(c, 'kept')}>
                  {t('keepKept')}
                </Button>
                <Button size="small" onClick={() => resolve(c, 'other')}>
                  {t('keepOther')}
                </Button>
              </Space>
            ) : null,
        },
      ]}
    />
  )
}
