// Every statement of the statistics module (rendered to stats.repository.sql by its test): the
// population rollups and their map layer, the case rollups and the live overdue count, the area
// check, the drift checks and the grids' deferred recount.
import { CLOCK_RUNNING, codeAt, INDICATOR_COUNTERS, type IndicatorRow, isGridCode, REGION_CODE_PATTERN } from '@wangge/domain'
import { type Kysely, sql, type Transaction } from 'kysely'
import type { DB, PopulationDim } from '../../db/schema.js'

type Db = Kysely<DB> | Transaction<DB>

/** What the case statistics group by: a dimension of the rollups, a date, or a child region. */
export type CaseGroup = 'none' | 'children' | 'status' | 'class' | 'subclass' | 'department' | 'day' | 'month'
export interface CasePeriod {
  region: string
  by: CaseGroup
  /** Beijing dates, both inclusive. */
  from: string
  to: string
}

const COUNTERS = INDICATOR_COUNTERS.filter((c) => c !== 'overdue_pending')
const sums = sql.join(COUNTERS.map((c) => sql`sum(${sql.ref(c)})::int as ${sql.ref(c)}`))
const DIM: Partial<Record<CaseGroup, string>> = {
  status: 'status',
  class: 'class',
  subclass: 'subclass',
  department: 'department',
}

/** A group key computed from a case row (`c`): for a grid, and for the live overdue counts. */
function caseKey(q: CasePeriod, childLen: number) {
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
/** The group key of a rollup row. */
function rollupKey(q: CasePeriod) {
  switch (q.by) {
    case 'children':
      return sql`region`
    case 'day':
      return sql`day::text`
    case 'month':
      return sql`to_char(day, 'YYYY-MM')`
    case 'none':
      return sql`${q.region}::text`
    default:
      return sql`key`
  }
}

export const statsRepository = {
  /** Whether a statistics area exists: a region (district, street, community) or a grid. */
  areaExists: async (db: Db, code: string) =>
    (await db
      .selectFrom(isGridCode(code) ? 'grids' : 'regions')
      .select('code')
      .where('code', '=', code)
      .executeTakeFirst()) !== undefined,

  /** The child regions' codes: a community's grids, or a region's child regions. */
  childCodes: async (db: Db, region: string, grids: boolean) =>
    (grids
      ? await db.selectFrom('grids').select('code').where('community_code', '=', region).execute()
      : await db.selectFrom('regions').select('code').where('parent_code', '=', region).execute()
    ).map((c) => c.code),

  /** Names of regions and grids by code. */
  names: async (db: Db, regions: string[], grids: string[]) => [
    ...(regions.length ? await db.selectFrom('regions').select(['code', 'name']).where('code', 'in', regions).execute() : []),
    ...(grids.length ? await db.selectFrom('grids').select(['code', 'name']).where('code', 'in', grids).execute() : []),
  ],

  // ── population ────────────────────────────────────────────────────────────────────────────────
  populationCounts: (db: Db, region: string, dim: PopulationDim) =>
    db
      .selectFrom('population_counts')
      .select(['key', 'n'])
      .where('region', '=', region)
      .where('dim', '=', dim)
      .where(sql<boolean>`n <> 0`)
      .orderBy('key')
      .execute(),

  /** The Beijing date the ages in the rollups are reckoned at. */
  populationAsOf: async (db: Db) =>
    String((await db.selectFrom('population_counts_state').select('as_of').executeTakeFirstOrThrow()).as_of).slice(0, 10),

  /** Each child region's total. */
  childTotals: async (db: Db, children: string[]) =>
    (
      await sql<{ region: string; n: string }>`
        select region, n from population_counts
        where region = any(${children}::text[]) and dim = 'all' and key = '' and n <> 0
        order by region`.execute(db)
    ).rows,

  /** Each child region's rows of one dimension. */
  childCells: async (db: Db, children: string[], dim: PopulationDim) =>
    (
      await sql<{ region: string; key: string; n: string }>`
        select region, key, n from population_counts
        where region = any(${children}::text[]) and dim = ${dim} and n <> 0
        order by region, key`.execute(db)
    ).rows,

  /** One value per grid under a region as one text (`code:n;code:n…`): the driver parses one value. */
  gridLayer: async (db: Db, region: string, dim: string, key: string) =>
    (
      await sql<{ grids: string | null }>`
        select string_agg(region || ':' || n, ';' order by region) as grids from population_counts
        where dim = ${dim} and key = ${key} and region like ${`${region}%`} and length(region) = 15 and n <> 0`.execute(db)
    ).rows[0]?.grids,

  populationDrift: async (db: Db) =>
    (
      await sql<{ region: string; dim: string; key: string; kept: string; counted: string }>`
        select * from population_counts_drift()`.execute(db)
    ).rows,

  /** Moves everyone whose birthday fell after the rollups' date, up to `day`, to their new age. */
  rollAge: async (db: Db, day: string) =>
    Number((await sql<{ n: number }>`select population_counts_roll_age(${day}::date) as n`.execute(db)).rows[0]?.n ?? 0),

  /** This transaction's dwelling updates leave the grid counts to `recountGrids`. */
  deferGridCounts: (trx: Transaction<DB>) => sql`set local wangge.population_grid_counts = 'recount'`.execute(trx),

  /** Recounts the population counts of every grid whose code starts with `prefix` (a region code). */
  recountGrids: (db: Db, prefix: string) => {
    if (!REGION_CODE_PATTERN.test(prefix)) throw new Error(`not a region code: ${prefix}`)
    return sql`select population_counts_rebuild_grids(${prefix})`.execute(db)
  },

  // ── cases ─────────────────────────────────────────────────────────────────────────────────────
  /** Consumes the case change log into the rollups; answers how many cases it counted. */
  drainCases: async (db: Db) => Number((await sql<{ n: number }>`select case_counts_drain() as n`.execute(db)).rows[0]?.n ?? 0),

  /** A grid's counters (below the rollups' lowest level): from its cases, per group key. */
  gridCounters: async (db: Db, q: CasePeriod) => {
    const f = sql.ref('f')
    return (
      await sql<IndicatorRow>`
        select ${caseKey(q, 15)} as key, count(*)::int as reported, sum(${f} & 1)::int as due, sum(${f} >> 1 & 1)::int as handled,
          sum(${f} >> 2 & 1)::int as handled_on_time, sum(${f} >> 3 & 1)::int as reworked, sum(${f} >> 4 & 1)::int as closed,
          sum(${f} >> 5 & 1)::int as closed_on_time, sum(${f} >> 6 & 1)::int as extended,
          sum(${f} >> 7 & 1)::int as called_back, sum(${f} >> 8 & 1)::int as satisfied, sum(${f} >> 9 & 1)::int as self_handled
        from cases c cross join lateral (select case_count_flags(c) as f) ff
        where c.community_code = ${codeAt(q.region, 'community')} and c.grid_code = ${q.region}
          and case_count_day(c.reported_at) between ${q.from}::date and ${q.to}::date
        group by 1 order by 1`.execute(db)
    ).rows
  },

  /** A region's counters from the rollups, per group key (`regions`: the children, or the region). */
  regionCounters: async (db: Db, q: CasePeriod, regions: string[]) =>
    (
      await sql<IndicatorRow>`
        select ${rollupKey(q)} as key, ${sums} from case_counts
        where dim = ${DIM[q.by] ?? 'all'} and region = any(${regions}::text[]) and day between ${q.from}::date and ${q.to}::date
        group by 1 having sum(reported) <> 0 order by 1`.execute(db)
    ).rows,

  /** Open cases of the period past their deadline at `now`, per group key. */
  overdue: async (db: Db, q: CasePeriod, childLen: number, now: Date) =>
    (
      await sql<{ key: string; n: number }>`
        select ${caseKey(q, childLen)} as key, count(*)::int as n from cases c
        where c.closed_at is null and c.deadline < ${now} and c.status in (${sql.join(CLOCK_RUNNING.map((s) => sql`${s}`))})
          and c.community_code like ${`${codeAt(q.region, 'community')}%`}
          ${isGridCode(q.region) ? sql`and c.grid_code = ${q.region}` : sql``}
          and case_count_day(c.reported_at) between ${q.from}::date and ${q.to}::date
        group by 1`.execute(db)
    ).rows,

  caseDrift: async (db: Db) => (await sql<Record<string, unknown>>`select * from case_counts_drift()`.execute(db)).rows,
}
