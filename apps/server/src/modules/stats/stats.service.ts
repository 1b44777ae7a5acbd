// Population statistics from the live rollups (migrations 0014/0017: `population_counts`, kept exact
// by triggers on persons, households, dwellings and special-group records in the same transaction):
// any region of any level, broken down by child region, population type, sex, age band, care tag,
// tenure (persons by their dwelling's occupancy), household size (households by active members) or
// special group (active records by type) — a few rows read, never a scan of the base tables.
// `drift()` recounts from the base table and lists every difference (there must be none).
import { beijingDate, isGridCode } from '@wangge/domain'
import type { Kysely, Transaction } from 'kysely'
import type { DB, PopulationDim } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import type { Principal } from '../access/index.js'
import { type BatchJobHandler, nightly, schedule } from '../jobs/index.js'
import { statsRepository as repo } from './stats.repository.js'

export const POPULATION_BY = [
  'none',
  'children',
  'type',
  'sex',
  'ageBand',
  'tag',
  'tenure',
  'householdSize',
  'specialGroup',
] as const
export type PopulationBy = (typeof POPULATION_BY)[number]
/** Default age bands (lower bounds, years): children, school age, young, middle, older, oldest. */
export const DEFAULT_AGE_BANDS = [0, 7, 18, 35, 60, 80] as const

export type PopulationUnit = 'persons' | 'households' | 'records'
/** What the groups of a breakdown count (persons unless said here). */
export const POPULATION_UNIT: Partial<Record<PopulationBy, PopulationUnit>> = {
  householdSize: 'households',
  specialGroup: 'records',
}
/** Household sizes from this many members up are one group. */
export const HOUSEHOLD_SIZE_CAP = 10
/** Breakdowns that need `person.special` (care tags and special groups are special information). */
const SPECIAL: readonly PopulationBy[] = ['tag', 'specialGroup']
const SPECIAL_DIMS: readonly string[] = ['tag', 'special']

/** The second dimension of a cross-table (child regions × this). */
export const BREAKDOWN = ['type', 'sex', 'ageBand', 'tag', 'tenure', 'householdSize', 'specialGroup'] as const
export type Breakdown = (typeof BREAKDOWN)[number]
const DIM_OF: Record<Breakdown, PopulationDim> = {
  type: 'type',
  sex: 'sex',
  ageBand: 'age',
  tag: 'tag',
  tenure: 'tenure',
  householdSize: 'hhsize',
  specialGroup: 'special',
}
export interface PopulationGroup {
  key: string
  n: number
  breakdown?: { key: string; n: number }[]
}

/** A dimension's rows as groups: ages into bands, household sizes capped, the rest as they are. */
function grouped(by: Breakdown, rows: { key: string; n: number }[], bands: readonly number[]) {
  if (by === 'ageBand')
    return bands.map((lo, i) => {
      const hi = bands[i + 1]
      return {
        key: bandLabel(bands, i),
        n: rows.filter((a) => Number(a.key) >= lo && (hi === undefined || Number(a.key) < hi)).reduce((s, a) => s + a.n, 0),
      }
    })
  if (by === 'householdSize') {
    // Exact sizes up to the cap, the rest in one group.
    const sizes = new Map<string, number>()
    for (const s of rows) {
      const k = Number(s.key) >= HOUSEHOLD_SIZE_CAP ? `${HOUSEHOLD_SIZE_CAP}+` : s.key
      sizes.set(k, (sizes.get(k) ?? 0) + s.n)
    }
    return [...sizes].map(([key, n]) => ({ key, n })).sort((a, b) => Number.parseInt(a.key, 10) - Number.parseInt(b.key, 10))
  }
  return rows
}

const NEXT_LEVEL: Record<number, number> = { 4: 6, 6: 9, 9: 12, 12: 15 }

export function bandLabel(bands: readonly number[], i: number): string {
  const lo = bands[i] as number
  const hi = bands[i + 1]
  return hi === undefined ? `${lo}+` : `${lo}-${hi - 1}`
}

/** The birthday roll-over runs at every Beijing midnight (a scheduled job, once per day). */
const rollJob = (now: Date) => nightly('stats.roll_age', '00:00', now)
const roll = (db: Kysely<DB> | Transaction<DB>, day: string) => repo.rollAge(db, day)

export function createStatsService({ db }: { db: Kysely<DB> }) {
  const notFound = (region: string) => () => new AppError('NOT_FOUND', `No statistics for region ${region}`, { region })

  async function counts(region: string, dim: PopulationDim) {
    const rows = await repo.populationCounts(db, region, dim)
    return rows.map((r) => ({ key: r.key, n: Number(r.n) }))
  }

  return {
    /**
     * The population of a region (in the caller's `person.read` scope) by one dimension; by child
     * region, optionally each child broken down by a second one (`of`: a cross-table in two reads).
     */
    async population(
      p: Principal,
      q: { region: string; by: PopulationBy; of?: Breakdown | undefined; bands?: readonly number[] | undefined },
    ) {
      p.check('person.read', q.region, notFound(q.region))
      // Care tags and special groups are special information: only for whoever may see it there.
      for (const by of [q.by, q.of]) if (by && SPECIAL.includes(by)) p.check('person.special', q.region, notFound(q.region))
      if (q.of && q.by !== 'children')
        throw new AppError('VALIDATION_FAILED', '`of` breaks down child regions (by=children)', {
          issues: [{ path: 'of', message: 'only with by=children' }],
        })
      if (!(await repo.areaExists(db, q.region))) throw notFound(q.region)()
      const asOf = await repo.populationAsOf(db)
      const bands = q.bands ?? DEFAULT_AGE_BANDS
      const persons = (await counts(q.region, 'all'))[0]?.n ?? 0
      const unit: PopulationUnit = POPULATION_UNIT[q.by] ?? 'persons'
      if (q.by === 'none') return { region: q.region, by: q.by, unit, asOf, total: persons, groups: [] }
      if (q.by !== 'children') {
        const groups = grouped(q.by, await counts(q.region, DIM_OF[q.by]), bands)
        const total = unit === 'persons' ? persons : groups.reduce((s, g) => s + g.n, 0)
        return { region: q.region, by: q.by, unit, asOf, total, groups }
      }
      const next = NEXT_LEVEL[q.region.length]
      if (!next)
        throw new AppError('VALIDATION_FAILED', 'A grid has no child regions', {
          issues: [{ path: 'by', message: 'no children' }],
        })
      // The child regions by code (regions, or a community's grids), then their rows by key.
      const children = await repo.childCodes(db, q.region, next === 15)
      const rows = await repo.childTotals(db, children)
      let groups: PopulationGroup[] = rows.map((r) => ({ key: r.region, n: Number(r.n) }))
      if (q.of) {
        const of = q.of
        const cells = await repo.childCells(db, children, DIM_OF[of])
        const byRegion = new Map<string, { key: string; n: number }[]>()
        for (const c of cells) {
          const list = byRegion.get(c.region) ?? []
          list.push({ key: c.key, n: Number(c.n) })
          byRegion.set(c.region, list)
        }
        groups = groups.map((g) => ({ ...g, breakdown: grouped(of, byRegion.get(g.key) ?? [], bands) }))
      }
      return { region: q.region, by: q.by, unit, asOf, total: persons, groups }
    },

    /**
     * The map layer: one value per grid under a region (a district: ≈ 2,000; the city: ≈ 25,000) for
     * one measure — everyone (`all`), or one key of a dimension (`type:migrant`, `sex:2`, `tag:…`).
     */
    async gridLayer(p: Principal, q: { region: string; measure: string }) {
      p.check('person.read', q.region, notFound(q.region))
      const [dim, key = ''] = q.measure === 'all' ? ['all', ''] : q.measure.split(':')
      if (SPECIAL_DIMS.includes(dim as string)) p.check('person.special', q.region, notFound(q.region))
      // One text value instead of 25,000 rows (`code:n;code:n…`): the driver parses one value.
      const text = await repo.gridLayer(db, q.region, dim as string, key)
      return {
        region: q.region,
        measure: q.measure,
        grids: text
          ? text.split(';').map((e) => {
              const i = e.indexOf(':')
              return { code: e.slice(0, i), n: Number(e.slice(i + 1)) }
            })
          : [],
      }
    },

    /** The names of regions and grids by code (for exports and reports). */
    async names(codes: string[]) {
      const grids = codes.filter((c) => isGridCode(c))
      const regions = codes.filter((c) => c.length !== 15)
      const rows = await repo.names(db, regions, grids)
      return new Map(rows.map((r) => [r.code, r.name]))
    },

    /** Differences between the rollups and a recount from `persons` (must be none). */
    async drift() {
      const rows = await repo.populationDrift(db)
      return rows.map((r) => ({
        region: r.region,
        dim: r.dim,
        key: r.key,
        kept: Number(r.kept),
        counted: Number(r.counted),
      }))
    },

    /** Moves everyone whose birthday fell after the rollups' date, up to `day`, to their new age. */
    rollAge: (day: string) => roll(db, day),

    /** Catches the ages up to today and schedules the next midnight's roll-over (idempotent). */
    async startDaily(now: Date) {
      await roll(db, beijingDate(now))
      await schedule(db, rollJob(now))
    },

    jobHandlers: {
      // Rolls the ages to the day (catching up any missed days) and schedules the next midnight.
      'stats.roll_age': async (trx, jobs, now) => {
        const moved = await roll(trx, beijingDate(now))
        await schedule(trx, rollJob(now))
        return jobs.map(() => ({ moved }))
      },
    } as Record<string, BatchJobHandler>,
  }
}

export type StatsService = ReturnType<typeof createStatsService>
