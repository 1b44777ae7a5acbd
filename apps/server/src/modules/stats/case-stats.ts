// Case statistics from the case rollups (migration 0018: `case_counts` per reported day, region
// level and dimension, fed by a change log that `drain()` consumes — every half second in the
// server, and before every answer so that answers are exact). A grid, below the rollups' lowest
// level, is counted from its community's cases directly (a few hundred a year). Overdue cases are
// a live fact (now past the deadline), counted from the open cases (a partial index) of the period.
import {
  beijingDate,
  CLOCK_RUNNING,
  codeAt,
  INDICATOR_COUNTERS,
  type IndicatorRow,
  indicatorGroup,
  isGridCode,
  REGION_CODE_LENGTH,
} from '@wangge/domain'
import { type Kysely, sql } from 'kysely'
import type { DB } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import type { Principal } from '../access/index.js'
import { areaExists } from './area.js'

export const CASE_STATS_BY = ['none', 'children', 'status', 'class', 'subclass', 'department', 'day', 'month'] as const
export type CaseStatsBy = (typeof CASE_STATS_BY)[number]

export interface CaseStatsQuery {
  region: string
  by: CaseStatsBy
  /** Beijing dates, both inclusive (reported between). */
  from: string
  to: string
}

const CHILD_LENGTH: Record<number, number> = {
  [REGION_CODE_LENGTH.city]: REGION_CODE_LENGTH.district,
  [REGION_CODE_LENGTH.district]: REGION_CODE_LENGTH.street,
  [REGION_CODE_LENGTH.street]: REGION_CODE_LENGTH.community,
  [REGION_CODE_LENGTH.community]: 15,
}
const COUNTERS = INDICATOR_COUNTERS.filter((c) => c !== 'overdue_pending')
const sums = sql.join(COUNTERS.map((c) => sql`sum(${sql.ref(c)})::int as ${sql.ref(c)}`))
const DIM: Partial<Record<CaseStatsBy, string>> = {
  status: 'status',
  class: 'class',
  subclass: 'subclass',
  department: 'department',
}

/** A group key computed from a case row (`c`): for a grid, and for the live overdue counts. */
function caseKey(q: CaseStatsQuery, childLen: number) {
  switch (q.by) {
    case 'children':
      return childLen === 15 ? sql`coalesce(c.grid_code, '')` : sql`left(c.community_code, ${childLen})`
    case 'none':
      return sql`${q.region}::text`
    case 'day':
      return sql`case_count_day(c.reported_at)::text`
    case 'month':
      return sql`to_char(case_count_day(c.reported_at), 'YYYY-MM')`
    case 'status':
      return sql`c.status`
    case 'class':
      return sql`left(c.catalog_code, 3)`
    case 'subclass':
      return sql`c.catalog_code`
    case 'department':
      return sql`coalesce(c.department, '')`
  }
}

export function createCaseStats({ db, clock }: { db: Kysely<DB>; clock: () => Date }) {
  const drain = async () => Number((await sql<{ n: number }>`select case_counts_drain() as n`.execute(db)).rows[0]?.n ?? 0)

  /** The period's counters per group key, from the rollups (regions) or the cases (a grid). */
  async function counted(q: CaseStatsQuery, children: string[]): Promise<Map<string, IndicatorRow>> {
    let rows: IndicatorRow[]
    if (isGridCode(q.region)) {
      const key = caseKey(q, 15)
      const f = sql.ref('f')
      const r = await sql<IndicatorRow>`
        select ${key} as key, count(*)::int as reported, sum(${f} & 1)::int as due, sum(${f} >> 1 & 1)::int as handled,
          sum(${f} >> 2 & 1)::int as handled_on_time, sum(${f} >> 3 & 1)::int as reworked, sum(${f} >> 4 & 1)::int as closed,
          sum(${f} >> 5 & 1)::int as closed_on_time, sum(${f} >> 6 & 1)::int as extended,
          sum(${f} >> 7 & 1)::int as called_back, sum(${f} >> 8 & 1)::int as satisfied, sum(${f} >> 9 & 1)::int as self_handled
        from cases c cross join lateral (select case_count_flags(c) as f) ff
        where c.community_code = ${codeAt(q.region, 'community')} and c.grid_code = ${q.region}
          and case_count_day(c.reported_at) between ${q.from}::date and ${q.to}::date
        group by 1 order by 1`.execute(db)
      rows = r.rows
    } else {
      const dim = DIM[q.by] ?? 'all'
      const key =
        q.by === 'children'
          ? sql`region`
          : q.by === 'day'
            ? sql`day::text`
            : q.by === 'month'
              ? sql`to_char(day, 'YYYY-MM')`
              : q.by === 'none'
                ? sql`${q.region}::text`
                : sql`key`
      const regions = q.by === 'children' ? children : [q.region]
      const r = await sql<IndicatorRow>`
        select ${key} as key, ${sums} from case_counts
        where dim = ${dim} and region = any(${regions}::text[]) and day between ${q.from}::date and ${q.to}::date
        group by 1 having sum(reported) <> 0 order by 1`.execute(db)
      rows = r.rows
    }
    return new Map(rows.map((r) => [String(r.key), r]))
  }

  /** Open cases of the period past their deadline now, per group key (dates have none). */
  async function overdue(q: CaseStatsQuery, childLen: number): Promise<Map<string, number>> {
    if (q.by === 'day' || q.by === 'month') return new Map()
    const key = caseKey(q, childLen)
    const running = sql.join(CLOCK_RUNNING.map((s) => sql`${s}`))
    const r = await sql<{ key: string; n: number }>`
      select ${key} as key, count(*)::int as n from cases c
      where c.closed_at is null and c.deadline < ${clock()} and c.status in (${running})
        and c.community_code like ${`${codeAt(q.region, 'community')}%`}
        ${isGridCode(q.region) ? sql`and c.grid_code = ${q.region}` : sql``}
        and case_count_day(c.reported_at) between ${q.from}::date and ${q.to}::date
      group by 1`.execute(db)
    return new Map(r.rows.map((x) => [String(x.key), Number(x.n)]))
  }

  return {
    drain,

    /** Drains the change log every `ms` (the server; a drain that fails is logged and retried). */
    start(ms: number, log: { error: (o: object, m: string) => void }) {
      let running = false
      const timer = setInterval(async () => {
        if (running) return
        running = true
        try {
          await drain()
        } catch (err) {
          log.error({ err }, 'case statistics drain failed')
        } finally {
          running = false
        }
      }, ms)
      timer.unref()
      return () => clearInterval(timer)
    },

    /** Case counts and rates for a region subtree and period, by one dimension. */
    async cases(p: Principal, q: CaseStatsQuery) {
      const notFound = () => new AppError('NOT_FOUND', `No statistics for region ${q.region}`, { region: q.region })
      p.check('case.read', q.region, notFound)
      if (q.from > q.to)
        throw new AppError('VALIDATION_FAILED', '`from` is after `to`', { issues: [{ path: 'from', message: 'after to' }] })
      if (!(await areaExists(db, q.region))) throw notFound()
      const childLen = CHILD_LENGTH[q.region.length] ?? 0
      if (q.by === 'children' && !childLen)
        throw new AppError('VALIDATION_FAILED', 'A grid has no child regions', {
          issues: [{ path: 'by', message: 'no children' }],
        })
      let children: string[] = []
      if (q.by === 'children')
        children =
          childLen === 15
            ? (await db.selectFrom('grids').select('code').where('community_code', '=', q.region).execute()).map((g) => g.code)
            : (await db.selectFrom('regions').select('code').where('parent_code', '=', q.region).execute()).map((r) => r.code)
      await drain()
      // A community's grids are below the rollups: count each grid from the cases.
      const byKey =
        q.by === 'children' && childLen === 15
          ? new Map(
              (
                await Promise.all(
                  children.map(async (g) => [g, (await counted({ ...q, region: g, by: 'none' }, [])).get(g)] as const),
                )
              ).filter((e): e is readonly [string, IndicatorRow] => e[1] !== undefined),
            )
          : await counted(q, children)
      const late = await overdue(q, childLen)
      const zero = Object.fromEntries(INDICATOR_COUNTERS.map((c) => [c, 0])) as Record<string, number>
      const keys = [...new Set([...byKey.keys(), ...late.keys()])].sort()
      const groups = keys.map((key) =>
        indicatorGroup({ ...zero, ...byKey.get(key), key, overdue_pending: late.get(key) ?? 0 } as IndicatorRow),
      )
      // The region's own total (a community's cases without a grid are in no child).
      const all = { ...q, by: 'none' as const }
      const total = indicatorGroup({
        ...zero,
        ...(await counted(all, [])).get(q.region),
        key: q.region,
        overdue_pending: (await overdue(all, childLen)).get(q.region) ?? 0,
      } as IndicatorRow)
      return { region: q.region, by: q.by, from: q.from, to: q.to, asOf: clock().toISOString(), total, groups }
    },

    /** Differences between the case rollups and a recount from `cases` (drained first; none when exact). */
    async drift() {
      await drain()
      return (await sql<Record<string, unknown>>`select * from case_counts_drift()`.execute(db)).rows
    },

    /** The default period: this month so far (Beijing). */
    defaultPeriod() {
      const today = beijingDate(clock())
      return { from: `${today.slice(0, 8)}01`, to: today }
    },
  }
}

export type CaseStats = ReturnType<typeof createCaseStats>
