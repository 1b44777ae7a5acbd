// The visits module's statements (Kysely only): the night's lists (`visit_tasks_generate`), a
// worker's day, visits written idempotently by client id with what follows from them, coverage
// and the rules. Households, dwellings and buildings are read as the persons and housing modules
// publish them.
import { beijingDate } from '@wangge/domain'
import { type Kysely, sql, type Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import { startsWith } from '../../kernel/like.js'
import { markHouseholdsVisited } from '../persons/index.js'
import { URGENT } from './visit-model.js'

type Db = Kysely<DB> | Transaction<DB>

export interface VisitRow {
  client_id: string
  household_id: number
  grid_code: string | null
  user_id: number
  visited_at: string
  note: string | null
}

export function createVisitsRepository(db: Kysely<DB>) {
  return {
    /** The day's tasks under a region code prefix (a grid, a community, a street; '' for all); answers how many. */
    generate: async (q: Db, day: string, prefix: string) =>
      Number((await sql<{ n: number }>`select visit_tasks_generate(${day}::date, ${prefix}) as n`.execute(q)).rows[0]?.n ?? 0),

    /** Each grid's open tasks of a day under a prefix, and how many of them are urgent. */
    listSizes: (q: Db, day: string, prefix: string) =>
      sql<{ grid_code: string; tasks: number; urgent: number }>`
        select grid_code, count(*)::int as tasks, count(*) filter (where priority <= ${URGENT})::int as urgent
        from visit_tasks
        where day = ${day}::date and grid_code like ${startsWith(prefix)} and visit_id is null
        group by grid_code`
        .execute(q)
        .then((r) => r.rows),

    /** The streets with active grids. */
    streets: async (q: Db) =>
      (
        await sql<{
          street: string
        }>`select distinct left(code, 9) as street from grids where status = 'active' order by 1`.execute(q)
      ).rows.map((r) => r.street),

    /** The tasks of some grids on a day, with their households' places. */
    dayTasks: (day: string, grids: string[]) =>
      db
        .selectFrom('visit_tasks as t')
        .innerJoin('households as h', 'h.id', 't.household_id')
        .innerJoin('dwellings as d', 'd.id', 'h.dwelling_id')
        .innerJoin('buildings as b', 'b.id', 'd.building_id')
        .leftJoin('visit_rules as r', 'r.code', 't.rule_code')
        .select([
          't.grid_code',
          't.household_id',
          't.rule_code',
          'r.name as rule_name',
          't.priority',
          't.due_on',
          't.visit_id',
          'h.last_visited_on',
          'h.members',
          'd.address',
          'b.lng',
          'b.lat',
        ])
        .where('t.day', '=', day)
        .where('t.grid_code', 'in', grids)
        .execute(),

    /** Households with their places (visits of their own, for a question or an offer). */
    homes: (ids: number[]) =>
      db
        .selectFrom('households as h')
        .innerJoin('dwellings as d', 'd.id', 'h.dwelling_id')
        .innerJoin('buildings as b', 'b.id', 'd.building_id')
        .select(['h.id', 'd.grid_code', 'h.last_visited_on', 'h.members', 'd.address', 'b.lng', 'b.lat'])
        .where('h.id', 'in', ids)
        .execute(),

    /** Where households are (community, grid): what a visit to them is checked against (one array
     *  parameter: an import names thousands). */
    placesOf: (ids: number[]) =>
      sql<{ id: number; community_code: string; grid_code: string | null }>`
        select h.id, h.community_code, d.grid_code
        from households h left join dwellings d on d.id = h.dwelling_id
        where h.id = any (${ids}::bigint[])`
        .execute(db)
        .then((r) => r.rows),

    /** A person by ID number (a new resident registered at the door already?). */
    personByIdNumber: (idNumber: string) =>
      db.selectFrom('persons').select('id').where('id_number', '=', idNumber).executeTakeFirst(),

    /** Visits already received under some client ids. */
    visitsByClient: (q: Db, clientIds: string[]) =>
      q
        .selectFrom('visits')
        .select(['id', 'client_id', 'household_id', 'visited_at', 'user_id'])
        .where('client_id', 'in', clientIds)
        .execute(),

    /**
     * Writes visits (a client id seen before is skipped) and what follows from them: the households'
     * last visit, and the task of that day (or an earlier one still open) done. Returns the new ones.
     */
    async insertVisits(trx: Transaction<DB>, rows: readonly VisitRow[]) {
      const inserted = await sql<{ id: number; client_id: string; household_id: number; visited_at: Date }>`
        insert into visits (client_id, household_id, grid_code, user_id, visited_at, note)
        select client_id, household_id, grid_code, user_id, visited_at, note
        from jsonb_populate_recordset(null::visits, ${JSON.stringify(rows)}::jsonb)
        on conflict (client_id) do nothing
        returning id, client_id, household_id, visited_at`.execute(trx)
      const fresh = inserted.rows
      if (fresh.length) {
        const v = JSON.stringify(
          fresh.map((f) => ({
            id: Number(f.id),
            household_id: Number(f.household_id),
            day: beijingDate(new Date(f.visited_at)),
          })),
        )
        await markHouseholdsVisited(trx, v)
        await sql`
          update visit_tasks t set visit_id = x.id, done_on = x.day::date
          from jsonb_to_recordset(${v}::jsonb) as x(id bigint, household_id bigint, day text)
          where t.household_id = x.household_id and t.day <= x.day::date and t.day >= x.day::date - 31 and t.visit_id is null`.execute(
          trx,
        )
      }
      return fresh
    },

    /** Occupied households per grid under a region: all, visited since a day, never visited. */
    coverage: (community: string, region: string, since: string) =>
      sql<{ grid: string; households: number; visited: number; never: number }>`
        select d.grid_code as grid, count(*)::int as households,
          count(*) filter (where h.last_visited_on >= ${since}::date)::int as visited,
          count(*) filter (where h.last_visited_on is null)::int as never
        from households h join dwellings d on d.id = h.dwelling_id
        where d.community_code like ${startsWith(community)} and d.grid_code like ${startsWith(region)}
          and h.members > 0
        group by d.grid_code
        order by d.grid_code`
        .execute(db)
        .then((r) => r.rows),

    rules: () => db.selectFrom('visit_rules').selectAll().orderBy('priority').orderBy('code').execute(),
  }
}

export type VisitsRepository = ReturnType<typeof createVisitsRepository>
