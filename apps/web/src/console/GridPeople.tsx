// The grid panel's people and work: the grid's worker and their A/B partner (with the work phone
// the roster keeps), the community's grid chief, who covers a leave now, and the grid's open and
// overdue cases — each count leading to the ledger filtered to the grid. A user who may not read
// the roster is told so, not shown an empty panel.
import { CASE_STATUSES, TERMINAL } from '@wangge/domain/case-workflow'
import { codeAt } from '@wangge/domain/regions'
import { Descriptions, Typography } from 'antd'
import { useEffect, useState } from 'react'
import { ApiError, get, type Res } from '../shared/api'
import { useI18n } from '../shared/i18n'
import { navigate } from '../shared/router'

type Roster = Res<'/roster'>
type Person = Roster['grids'][number]['workers'][number]

/** Every status but the terminal ones: the grid's open cases. */
const OPEN = CASE_STATUSES.filter((s) => !TERMINAL.has(s)).join(',')

export function GridPeople({ grid }: { grid: string }) {
  const { t } = useI18n()
  const [roster, setRoster] = useState<Roster | 'forbidden' | null>(null)
  const [partner, setPartner] = useState<Person[]>([])
  const [cases, setCases] = useState<{ open: number; overdue: number } | null>(null)
  useEffect(() => {
    const community = codeAt(grid, 'community')
    get<Roster>(`/roster?region=${community}`).then(
      async (r) => {
        setRoster(r)
        const pair = r.grids.find((g) => g.code === grid)?.pair
        if (!pair) return setPartner([])
        const other = pair.partner.startsWith(community)
          ? r
          : await get<Roster>(`/roster?region=${pair.partner}`).catch(() => null)
        setPartner(other?.grids.find((g) => g.code === pair.partner)?.workers ?? [])
      },
      (e) => setRoster(e instanceof ApiError && (e.status === 403 || e.status === 404) ? 'forbidden' : null),
    )
    Promise.all([
      get<{ total: number }>(`/cases?region=${grid}&status=${OPEN}&pageSize=1`),
      get<{ total: number }>(`/cases?region=${grid}&overdue=true&pageSize=1`),
    ]).then(
      ([open, overdue]) => setCases({ open: open.total, overdue: overdue.total }),
      () => setCases(null),
    )
  }, [grid])
  const who = (ps: Person[]) =>
    ps.length ? ps.map((p) => `${p.displayName}${p.phone ? `（${p.phone}）` : ''}`).join('、') : t('vacant')
  const here = roster && roster !== 'forbidden' ? roster.grids.find((g) => g.code === grid) : undefined
  const chiefs = roster && roster !== 'forbidden' ? roster.chiefs.filter((c) => c.community === codeAt(grid, 'community')) : []
  return (
    <Descriptions column={1} size="small" data-testid="grid-people" style={{ marginTop: 8 }}>
      {roster === 'forbidden' ? (
        <Descriptions.Item label={t('worker')}>
          <Typography.Text type="secondary">{t('noPermissionRoster')}</Typography.Text>
        </Descriptions.Item>
      ) : (
        here && (
          <>
            <Descriptions.Item label={t('worker')}>
              <span data-testid="grid-worker">{who(here.workers)}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('partner')}>{here.pair ? who(partner) : '—'}</Descriptions.Item>
            {here.coveredBy && <Descriptions.Item label={t('coveringNow')}>{here.coveredBy.until}</Descriptions.Item>}
            <Descriptions.Item label={t('gridChief')}>{who(chiefs)}</Descriptions.Item>
          </>
        )
      )}
      {cases && (
        <>
          <Descriptions.Item label={t('openCases')}>
            <Typography.Link data-testid="grid-open-cases" onClick={() => navigate(`/cases?region=${grid}&status=${OPEN}`)}>
              {cases.open}
            </Typography.Link>
          </Descriptions.Item>
          <Descriptions.Item label={t('overdueCases')}>
            <Typography.Link onClick={() => navigate(`/cases?region=${grid}&overdue=true`)}>{cases.overdue}</Typography.Link>
          </Descriptions.Item>
        </>
      )}
    </Descriptions>
  )
}
