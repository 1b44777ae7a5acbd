// Case statistics from the case rollups (migration 0018: `case_counts` per reported day, region
// level and dimension, fed by a change log that `drain()` consumes — every half second in the
// server, and before every answer so that answers are exact). A grid, below the rollups' lowest
// level, is counted from its community's cases directly (a few hundred a year). Overdue cases are
// a live fact (now past the deadline), counted from the open cases (a partial index) of the period.
import {
  beijingDate,
  INDICATOR_COUNTERS,
  type IndicatorRow,
  indicatorGroup,
  isGridCode,
  REGION_CODE_LENGTH,
} from '@wangge/domain'
import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import type { Principal } from '../access/index.js'
import { type CaseGroup, statsRepository as repo } from './stats.repository.js'

export const CASE_STATS_BY = [
  'none',
  'children',
  'status',
  'class',
  'subclass',
  'department',
  'day',
  'month',
] as const satisfies readonly CaseGroup[]
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
export function createCaseStats({ db, clock }: { db: Kysely<DB>; clock: () => Date }) {
  const drain = () => repo.drainCases(db)

  /** The period's counters per group key, from the rollups (regions) or the cases (a grid). */
  async function counted(q: CaseStatsQuery, children: string[]): Promise<Map<string, IndicatorRow>> {
    const rows = isGridCode(q.region)
      ? await repo.gridCounters(db, q)
      : await repo.regionCounters(db, q, q.by === 'children' ? children : [q.region])
    return new Map(rows.map((r) => [String(r.key), r]))
  }

  /** Open cases of the period past their deadline now, per group key (dates have none). */
  async function overdue(q: CaseStatsQuery, childLen: number): Promise<Map<string, number>> {
    if (q.by === 'day' || q.by === 'month') return new Map()
    return new Map((await repo.overdue(db, q, childLen, clock())).map((x) => [String(x.key), Number(x.n)]))
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
      if (!(await repo.areaExists(db, q.region))) throw notFound()
      const childLen = CHILD_LENGTH[q.region.length] ?? 0
      if (q.by === 'children' && !childLen)
        throw new AppError('VALIDATION_FAILED', 'A grid has no child regions', {
          issues: [{ path: 'by', message: 'no children' }],
        })
      let children: string[] = []
      if (q.by === 'children') children = await repo.childCodes(db, q.region, childLen === 15)
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
      return repo.caseDrift(db)
    },

    /** The default period: this month so far (Beijing). */
    defaultPeriod() {
      const today = beijingDate(clock())
      return { from: `${today.slice(0, 8)}01`, to: today }
    },
  }
}

export type CaseStats = ReturnType<typeof createCaseStats>
