// Population statistics from the live rollups (migrations 0014/0017: `population_counts`, kept exact
// by triggers on persons, households, dwellings and special-group records in the same transaction):
// any region of any level, broken down by child region, population type, sex, age band, care tag,
// tenure (persons by their dwelling's occupancy), household size (households by active members) or
// special group (active records by type) — a few rows read, never a scan of the base tables.
// `drift()` recounts from the base table and lists every difference (there must be none).
import { beijingDate } from '@wangge/domain'
import { type Kysely, sql, type Transaction } from 'kysely'
import type { DB, PopulationDim } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import type { Principal } from '../access/principal.js'
import { type BatchJobHandler, schedule } from '../jobs/scheduler.js'

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

const NEXT_LEVEL: Record<number, number> = { 4: 6, 6: 9, 9: 12, 12: 15 }

export function bandLabel(bands: readonly number[], i: number): string {
  const lo = bands[i] as number
  const hi = bands[i + 1]
  return hi === undefined ? `${lo}+` : `${lo}-${hi - 1}`
}

/** The birthday roll-over runs at every Beijing midnight (a scheduled job, once per day). */
const rollJob = (now: Date) => {
  const next = beijingDate(new Date(now.getTime() + 86_400_000))
  return { kind: 'stats.roll_age', key: `stats.roll_age:${next}`, runAt: new Date(`${next}T00:00:00+08:00`) }
}
const roll = async (db: Kysely<DB> | Transaction<DB>, day: string) =>
  Number((await sql<{ n: number }>`select population_counts_roll_age(${day}::date) as n`.execute(db)).rows[0]?.n ?? 0)

export function createStatsService({ db }: { db: Kysely<DB> }) {
  const notFound = (region: string) => () => new AppError('NOT_FOUND', `No statistics for region ${region}`, { region })

  async function counts(region: string, dim: PopulationDim) {
    const rows = await db
      .selectFrom('population_counts')
      .select(['key', 'n'])
      .where('region', '=', region)
      .where('dim', '=', dim)
      .where(sql<boolean>`n <> 0`)
      .orderBy('key')
      .execute()
    return rows.map((r) => ({ key: r.key, n: Number(r.n) }))
  }

  return {
    /** The population of a region (in the caller's `person.read` scope) by one dimension. */
    async population(p: Principal, q: { region: string; by: PopulationBy; bands?: readonly number[] | undefined }) {
      p.check('person.read', q.region, notFound(q.region))
      // Care tags and special groups are special information: only for whoever may see it there.
      if (SPECIAL.includes(q.by)) p.check('person.special', q.region, notFound(q.region))
      // (Regions are in `regions`, grids in `grids`.)
      const known = await db
        .selectFrom(q.region.length === 15 ? 'grids' : 'regions')
        .select('code')
        .where('code', '=', q.region)
        .executeTakeFirst()
      if (!known) throw notFound(q.region)()
      let total = (await counts(q.region, 'all'))[0]?.n ?? 0
      let groups: { key: string; n: number }[] = []
      switch (q.by) {
        case 'none':
          break
        case 'children': {
          const next = NEXT_LEVEL[q.region.length]
          if (!next)
            throw new AppError('VALIDATION_FAILED', 'A grid has no child regions', {
              issues: [{ path: 'by', message: 'no children' }],
            })
          const rows = await sql<{ region: string; n: string }>`
            select region, n from population_counts
            where dim = 'all' and key = '' and region like ${`${q.region}%`} and length(region) = ${next} and n <> 0
            order by region`.execute(db)
          groups = rows.rows.map((r) => ({ key: r.region, n: Number(r.n) }))
          break
        }
        case 'ageBand': {
          const bands = q.bands ?? DEFAULT_AGE_BANDS
          const byAge = await counts(q.region, 'age')
          groups = bands.map((_, i) => ({
            key: bandLabel(bands, i),
            n: byAge
              .filter(
                (a) =>
                  Number(a.key) >= (bands[i] as number) &&
                  (bands[i + 1] === undefined || Number(a.key) < (bands[i + 1] as number)),
              )
              .reduce((s, a) => s + a.n, 0),
          }))
          break
        }
        case 'householdSize': {
          // Exact sizes up to the cap, the rest in one group; the total is the households'.
          const bySize = await counts(q.region, 'hhsize')
          const sizes = new Map<string, number>()
          for (const s of bySize) {
            const k = Number(s.key) >= HOUSEHOLD_SIZE_CAP ? `${HOUSEHOLD_SIZE_CAP}+` : s.key
            sizes.set(k, (sizes.get(k) ?? 0) + s.n)
          }
          groups = [...sizes]
            .map(([key, n]) => ({ key, n }))
            .sort((a, b) => Number.parseInt(a.key, 10) - Number.parseInt(b.key, 10))
          total = groups.reduce((s, g) => s + g.n, 0)
          break
        }
        case 'specialGroup':
          groups = await counts(q.region, 'special')
          total = groups.reduce((s, g) => s + g.n, 0)
          break
        default:
          groups = await counts(q.region, q.by)
      }
      const asOf = await db.selectFrom('population_counts_state').select('as_of').executeTakeFirstOrThrow()
      const unit: PopulationUnit = POPULATION_UNIT[q.by] ?? 'persons'
      return { region: q.region, by: q.by, unit, asOf: String(asOf.as_of).slice(0, 10), total, groups }
    },

    /**
     * The map layer: one value per grid under a region (a district: ≈ 2,000; the city: ≈ 25,000) for
     * one measure — everyone (`all`), or one key of a dimension (`type:migrant`, `sex:2`, `tag:…`).
     */
    async gridLayer(p: Principal, q: { region: string; measure: string }) {
      p.check('person.read', q.region, notFound(q.region))
      const [dim, key = ''] = q.measure === 'all' ? ['all', ''] : q.measure.split(':')
      if (SPECIAL_DIMS.includes(dim as string)) p.check('person.special', q.region, notFound(q.region))
      const rows = await sql<{ region: string; n: string }>`
        select region, n from population_counts
        where dim = ${dim} and key = ${key} and region like ${`${q.region}%`} and length(region) = 15 and n <> 0
        order by region`.execute(db)
      return { region: q.region, measure: q.measure, grids: rows.rows.map((r) => ({ code: r.region, n: Number(r.n) })) }
    },

    /** The names of regions and grids by code (for exports and reports). */
    async names(codes: string[]) {
      const grids = codes.filter((c) => c.length === 15)
      const regions = codes.filter((c) => c.length !== 15)
      const rows = [
        ...(regions.length ? await db.selectFrom('regions').select(['code', 'name']).where('code', 'in', regions).execute() : []),
        ...(grids.length ? await db.selectFrom('grids').select(['code', 'name']).where('code', 'in', grids).execute() : []),
      ]
      return new Map(rows.map((r) => [r.code, r.name]))
    },

    /** Differences between the rollups and a recount from `persons` (must be none). */
    async drift() {
      const rows = await sql<{ region: string; dim: string; key: string; kept: string; counted: string }>`
        select * from population_counts_drift()`.execute(db)
      return rows.rows.map((r) => ({
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
