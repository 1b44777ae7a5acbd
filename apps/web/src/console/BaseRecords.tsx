// The base records besides persons (人、地、物、事、组织): households with their members, buildings
// with their dwellings and residents, organizations — each a search within the user's region, a
// paged list, and a panel. Persons shown inside are masked as everywhere (unmasking is on the
// person's own record, with a reason).
import { Descriptions, Drawer, Input, Statistic, Table, Tag, Typography } from 'antd'
import { type ReactNode, useEffect, useState } from 'react'
import { get, type Item, type Page, type Res } from '../shared/api'
import { codeText } from '../shared/codes'
import { type Key, useI18n } from '../shared/i18n'
import { PagedTable } from '../shared/PagedTable'

/** A searchable, paged list of one kind of record under the region, and the record's panel. */
function RecordList<T extends { id: number }, D>({
  kind,
  url,
  search,
  columns,
  title,
  panel,
}: {
  kind: string
  url: (page: number, q: string) => string
  search?: Key
  columns: { title: Key; render: (r: T) => ReactNode }[]
  title: (d: D) => string
  panel: (d: D) => ReactNode
}) {
  const { t } = useI18n()
  const [n, setN] = useState(1)
  const [q, setQ] = useState('')
  const [page, setPage] = useState<Page<T> | null>(null)
  const [open, setOpen] = useState<number | null>(null)
  const [detail, setDetail] = useState<D | null>(null)
  const href = url(n, q) // (the list's address: a new one reloads it)
  useEffect(() => {
    setPage(null)
    get<Page<T>>(href).then(setPage, () => setPage({ items: [], total: 0, page: 1, pageSize: 20 }))
  }, [href])
  useEffect(() => {
    setDetail(null)
    if (open != null) get<D>(`/${kind}/${open}`).then(setDetail, () => setDetail(null))
  }, [kind, open])
  return (
    <div data-testid={`records-${kind}`}>
      {search && (
        <Input.Search
          aria-label={t(search)}
          placeholder={t(search)}
          allowClear
          style={{ maxWidth: 420, marginBottom: 12 }}
          onSearch={(v) => {
            setN(1)
            setQ(v.trim())
          }}
        />
      )}
      <PagedTable<T>
        page={page}
        n={n}
        onPage={setN}
        onOpen={setOpen}
        columns={columns.map((c, i) => ({ key: i, title: t(c.title), render: (_: unknown, r: T) => c.render(r) }))}
      />
      <Drawer open={open != null} onClose={() => setOpen(null)} size={560} title={detail ? title(detail) : ''}>
        {detail && <div data-testid={`${kind}-panel`}>{panel(detail)}</div>}
      </Drawer>
    </div>
  )
}

/** A household's members as its record lists them. */
type Member = Res<'/households/{id}'>['members'][number]

function Members({ rows }: { rows: Member[] }) {
  const { t } = useI18n()
  return (
    <Table<Member>
      size="small"
      rowKey="id"
      pagination={false}
      dataSource={rows}
      columns={[
        { title: t('name'), dataIndex: 'name' },
        { title: t('idNumber'), dataIndex: 'idNumber', render: (v: string) => <code>{v}</code> },
        { title: t('birthDate'), dataIndex: 'birthDate' },
      ]}
    />
  )
}

const link = (v: ReactNode) => <Typography.Link>{v}</Typography.Link>

export function HouseholdsTab({ region }: { region: string }) {
  const { t, lang } = useI18n()
  return (
    <RecordList<Item<'/households'>, Res<'/households/{id}'>>
      kind="households"
      url={(n) => `/households?region=${region}&page=${n}&pageSize=20`}
      columns={[
        { title: 'householdNumber', render: (h) => link(h.householdNumber ?? `#${h.id}`) },
        { title: 'kind', render: (h) => <Tag>{codeText(h.kind, 'householdKind', lang)}</Tag> },
        { title: 'size', render: (h) => h.size },
        { title: 'address', render: (h) => h.address },
        { title: 'grid', render: (h) => h.gridCode },
      ]}
      title={(h) => `${t('householdNumber')} ${h.householdNumber ?? h.id}`}
      panel={(h) => (
        <>
          <Descriptions column={1} size="small" bordered>
            <Descriptions.Item label={t('kind')}>{codeText(h.kind, 'householdKind', lang)}</Descriptions.Item>
            <Descriptions.Item label={t('address')}>{h.address ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('grid')}>{h.gridCode ?? '—'}</Descriptions.Item>
          </Descriptions>
          <Typography.Title level={5}>{t('members')}</Typography.Title>
          <Members rows={h.members ?? []} />
        </>
      )}
    />
  )
}

export function BuildingsTab({ region }: { region: string }) {
  const { t, lang } = useI18n()
  return (
    <RecordList<Item<'/buildings'>, Res<'/buildings/{id}'>>
      kind="buildings"
      search="addressSearch"
      url={(n, q) => `/buildings?region=${region}&page=${n}&pageSize=20${q ? `&address=${encodeURIComponent(q)}` : ''}`}
      columns={[
        { title: 'buildingName', render: (b) => link(b.name) },
        { title: 'address', render: (b) => b.address },
        { title: 'use', render: (b) => codeText(b.use, 'buildingUse', lang) },
        { title: 'floors', render: (b) => b.floors },
        { title: 'grid', render: (b) => b.gridCode },
      ]}
      title={(b) => b.name}
      panel={(b) => (
        <>
          <Descriptions column={2} size="small" bordered>
            <Descriptions.Item label={t('address')} span={2}>
              {b.address}
            </Descriptions.Item>
            <Descriptions.Item label={t('use')}>{codeText(b.use, 'buildingUse', lang)}</Descriptions.Item>
            <Descriptions.Item label={t('builtYear')}>{b.builtYear ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('floors')}>{b.floors}</Descriptions.Item>
            <Descriptions.Item label={t('units')}>{b.units}</Descriptions.Item>
          </Descriptions>
          {b.summary && (
            <div style={{ display: 'flex', gap: 24, margin: '12px 0' }}>
              <Statistic title={t('dwellings')} value={b.summary.dwellings} />
              <Statistic title={t('residents')} value={b.summary.residents} />
              <Statistic title={t('rented')} value={b.summary.rented} />
              <Statistic title={t('vacantHomes')} value={b.summary.vacant} />
              <Statistic title={t('averageRent')} value={b.summary.averageRent ?? '—'} />
            </div>
          )}
          <Table
            size="small"
            rowKey="id"
            pagination={{ pageSize: 10, showSizeChanger: false }}
            dataSource={b.dwellings ?? []}
            expandable={{
              rowExpandable: (d) => d.residents.length > 0,
              expandedRowRender: (d) => <Members rows={d.residents} />,
            }}
            columns={[
              { title: t('room'), dataIndex: 'room' },
              { title: t('occupancy'), dataIndex: 'occupancy', render: (v: string | null) => codeText(v, 'occupancy', lang) },
              { title: t('residents'), render: (_: unknown, d) => d.residents.length },
              { title: t('averageRent'), dataIndex: 'rentMonthly', render: (v: number | null) => v ?? '—' },
            ]}
          />
        </>
      )}
    />
  )
}

export function OrganizationsTab({ region }: { region: string }) {
  const { t, lang } = useI18n()
  return (
    <RecordList<Item<'/organizations'>, Res<'/organizations/{id}'>>
      kind="organizations"
      search="orgSearch"
      url={(n, q) => {
        const p = new URLSearchParams({ region, page: String(n), pageSize: '20' })
        if (/^[0-9A-Z]{18}$/.test(q)) p.set('uscc', q)
        else if (q) p.set('q', q)
        return `/organizations?${p}`
      }}
      columns={[
        { title: 'orgName', render: (o) => link(o.name) },
        { title: 'kind', render: (o) => <Tag>{codeText(o.type, 'orgType', lang)}</Tag> },
        { title: 'uscc', render: (o) => <code>{o.uscc}</code> },
        { title: 'employees', render: (o) => o.employees },
        { title: 'grid', render: (o) => o.gridCode },
      ]}
      title={(o) => o.name}
      panel={(o) => (
        <Descriptions column={1} size="small" bordered>
          <Descriptions.Item label={t('uscc')}>
            <code>{o.uscc}</code>
          </Descriptions.Item>
          <Descriptions.Item label={t('kind')}>{codeText(o.type, 'orgType', lang)}</Descriptions.Item>
          <Descriptions.Item label={t('industry')}>{codeText(o.industry, 'industry', lang)}</Descriptions.Item>
          <Descriptions.Item label={t('legalRep')}>{o.legalRepresentative}</Descriptions.Item>
          <Descriptions.Item label={t('phone')}>{o.phone ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('employees')}>{o.employees}</Descriptions.Item>
          <Descriptions.Item label={t('address')}>{o.address}</Descriptions.Item>
          <Descriptions.Item label={t('grid')}>{o.gridCode ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('status')}>{codeText(o.status, 'orgStatus', lang)}</Descriptions.Item>
        </Descriptions>
      )}
    />
  )
}
