// The roster's statements: grid workers' and chiefs' grants as the roster reads them (access owns
// `user_roles` and publishes these reads), the grids and adjacency it pairs, workers' profiles, A/B
// pairs and leaves (tables the roster owns); the monthly evaluation's counts; and, for access, the
// users a cover stands in for (a subquery access's grant reads take).
import { type Kysely, sql, type Transaction } from 'kysely'
import type { DB, WorkerLeavesTable } from '../../db/schema.js'
import { startsWith } from '../../kernel/like.js'
import type { CoveredUsersSql } from '../access/index.js'

type Db = Kysely<DB> | Transaction<DB>

export interface ProfileRow {
  user_id: number
  background: 'rental_admin' | 'social_worker' | 'community_staff' | 'other'
  phone: string | null
  started_on: string | null
  updated_by: string
}

export interface LeaveInsert {
  user_id: number
  cover_user_id: number
  starts_on: string
  ends_on: string
  reason: string
  status: WorkerLeavesTable['status']
  requested_by: string
  decided_by?: string
  decided_at?: Date
}

export function createRosterRepository(db: Kysely<DB>) {
  return {
    /** The grids a user works (their `grid_worker` grants at grid codes). */
    gridsOf: async (userId: number, trx: Db = db) =>
      (
        await trx
          .selectFrom('user_roles')
          .select('scope')
          .where('user_id', '=', userId)
          .where('role_code', '=', 'grid_worker')
          .where(sql<boolean>`length(scope) = 15`)
          .execute()
      ).map((r) => r.scope),

    activeGrid: (code: string) =>
      db
        .selectFrom('grids')
        .select(['code', 'community_code'])
        .where('code', '=', code)
        .where('status', '=', 'active')
        .executeTakeFirst(),

    regionLevel: async (code: string) =>
      (await db.selectFrom('regions').select('level').where('code', '=', code).executeTakeFirst())?.level,

    users: (trx: Db, ids: number[]) =>
      trx
        .selectFrom('users')
        .select(['id', 'username', 'status'])
        .where('id', 'in', [0, ...ids])
        .execute(),

    /** The active grids under a region with their pair and partner. */
    gridsWithPairs: (region: string) =>
      db
        .selectFrom('grids as g')
        .leftJoin('grid_pair_members as m', 'm.grid_code', 'g.code')
        .leftJoin('grid_pairs as gp', 'gp.id', 'm.pair_id')
        .select([
          'g.code',
          'g.name',
          'g.community_code',
          'g.households',
          'gp.id as pair_id',
          sql<string | null>`case when gp.grid_a = g.code then gp.grid_b else gp.grid_a end`.as('partner'),
        ])
        .where('g.status', '=', 'active')
        .where('g.code', 'like', startsWith(region))
        .orderBy('g.code')
        .execute(),

    /** Grid workers and chiefs with grants under a prefix, with their profiles. */
    holdersUnder: (prefix: string) =>
      db
        .selectFrom('user_roles as ur')
        .innerJoin('users as u', 'u.id', 'ur.user_id')
        .leftJoin('worker_profiles as wp', 'wp.user_id', 'u.id')
        .select(['ur.scope', 'ur.role_code', 'u.id', 'u.username', 'u.display_name', 'wp.background', 'wp.phone'])
        .where('ur.role_code', 'in', ['grid_worker', 'grid_chief'])
        .where('ur.scope', 'like', startsWith(prefix))
        .execute(),

    /** Approved leaves running on a (Beijing) day. */
    leavesRunningOn: (day: string) =>
      db
        .selectFrom('worker_leaves')
        .select(['id', 'user_id', 'cover_user_id', 'starts_on', 'ends_on'])
        .where('status', '=', 'approved')
        .where('starts_on', '<=', day)
        .where('ends_on', '>=', day)
        .execute(),

    /** Grid workers' and chiefs' grants of some users. */
    rosterGrantsOf: (userIds: number[]) =>
      db
        .selectFrom('user_roles')
        .select(['user_id', 'scope'])
        .where('role_code', 'in', ['grid_worker', 'grid_chief'])
        .where('user_id', 'in', userIds)
        .execute(),

    async upsertProfiles(trx: Transaction<DB>, rows: ProfileRow[]) {
      for (let k = 0; k < rows.length; k += 500)
        await trx
          .insertInto('worker_profiles')
          .values(rows.slice(k, k + 500))
          .onConflict((oc) =>
            oc.column('user_id').doUpdateSet((eb) => ({
              background: eb.ref('excluded.background'),
              phone: eb.ref('excluded.phone'),
              started_on: eb.ref('excluded.started_on'),
              updated_by: eb.ref('excluded.updated_by'),
              updated_at: sql`now()`,
            })),
          )
          .execute()
    },

    pairsUnder: (region: string) =>
      db
        .selectFrom('grid_pairs')
        .select(['id', 'grid_a', 'grid_b', 'shared_m', 'created_by', 'created_at'])
        .where((eb) => eb.or([eb('grid_a', 'like', startsWith(region)), eb('grid_b', 'like', startsWith(region))]))
        .orderBy('grid_a')
        .execute(),

    unpairedGridsUnder: (region: string) =>
      db
        .selectFrom('grids as g')
        .select(['g.code', 'g.community_code'])
        .where('g.status', '=', 'active')
        .where('g.code', 'like', startsWith(region))
        .where((eb) =>
          eb.not(eb.exists(eb.selectFrom('grid_pair_members as m').select('m.grid_code').whereRef('m.grid_code', '=', 'g.code'))),
        )
        .orderBy('g.code')
        .execute(),

    workersUnder: (region: string) =>
      db
        .selectFrom('user_roles')
        .select(['scope', 'user_id'])
        .where('role_code', '=', 'grid_worker')
        .where('scope', 'like', startsWith(region))
        .execute(),

    adjacencyUnder: (region: string) =>
      db
        .selectFrom('grid_adjacency')
        .select(['a', 'b', 'shared_m'])
        .where('a', 'like', startsWith(region))
        .where('b', 'like', startsWith(region))
        .execute(),

    /** The shared boundary of two grids (a < b), if they are adjacent. */
    edge: (a: string, b: string) =>
      db.selectFrom('grid_adjacency').select('shared_m').where('a', '=', a).where('b', '=', b).executeTakeFirst(),

    /** Which of some grids are in a pair already. */
    paired: (trx: Db, codes: string[]) =>
      trx.selectFrom('grid_pair_members').select('grid_code').where('grid_code', 'in', codes).execute(),

    async insertPair(trx: Transaction<DB>, pr: { a: string; b: string; sharedM: number }, actor: string) {
      const row = await trx
        .insertInto('grid_pairs')
        .values({ grid_a: pr.a, grid_b: pr.b, shared_m: pr.sharedM, created_by: actor })
        .returning('id')
        .executeTakeFirstOrThrow()
      await trx
        .insertInto('grid_pair_members')
        .values([
          { grid_code: pr.a, pair_id: row.id },
          { grid_code: pr.b, pair_id: row.id },
        ])
        .execute()
      return Number(row.id)
    },

    findPair: (id: number) => db.selectFrom('grid_pairs').select(['grid_a', 'grid_b']).where('id', '=', id).executeTakeFirst(),

    deletePair: (trx: Transaction<DB>, id: number) => trx.deleteFrom('grid_pairs').where('id', '=', id).execute(),

    /** The workers of the grids paired with some grids (a leave's possible covers), but `userId`. */
    partnersOf: (grids: string[], userId: number) =>
      db
        .selectFrom('grid_pair_members as m')
        .innerJoin('grid_pairs as gp', 'gp.id', 'm.pair_id')
        .innerJoin('user_roles as ur', (j) =>
          j
            .on('ur.role_code', '=', 'grid_worker')
            .on(sql<boolean>`ur.scope = case when gp.grid_a = m.grid_code then gp.grid_b else gp.grid_a end`),
        )
        .select(['ur.user_id', 'm.grid_code'])
        .where('m.grid_code', 'in', grids)
        .where('ur.user_id', '<>', userId)
        .orderBy('m.grid_code')
        .execute(),

    /** Requested or approved leaves of some users overlapping [from, to], locked. */
    overlappingLeaves: (trx: Transaction<DB>, userIds: number[], from: string, to: string) =>
      trx
        .selectFrom('worker_leaves')
        .select(['id', 'user_id'])
        .where('status', 'in', ['requested', 'approved'])
        .where('user_id', 'in', userIds)
        .where('starts_on', '<=', to)
        .where('ends_on', '>=', from)
        .forUpdate()
        .execute(),

    insertLeave: (trx: Transaction<DB>, values: LeaveInsert) =>
      trx.insertInto('worker_leaves').values(values).returningAll().executeTakeFirstOrThrow(),

    lockLeave: (trx: Transaction<DB>, id: number) =>
      trx.selectFrom('worker_leaves').selectAll().where('id', '=', id).forUpdate().executeTakeFirst(),

    decideLeave: (
      trx: Transaction<DB>,
      id: number,
      set: { status: WorkerLeavesTable['status']; decided_by: string; decided_at: Date; version: number },
    ) => trx.updateTable('worker_leaves').set(set).where('id', '=', id).returningAll().executeTakeFirstOrThrow(),

    /** Leaves of the grid workers of a region (with `runningOn`: approved ones running that day), newest first. */
    leavesUnder: (region: string, runningOn: string | undefined) => {
      let query = db
        .selectFrom('worker_leaves as l')
        .selectAll('l')
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom('user_roles as ur')
              .select('ur.user_id')
              .whereRef('ur.user_id', '=', 'l.user_id')
              .where('ur.role_code', '=', 'grid_worker')
              .where('ur.scope', 'like', startsWith(region)),
          ),
        )
      if (runningOn)
        query = query.where('l.status', '=', 'approved').where('l.starts_on', '<=', runningOn).where('l.ends_on', '>=', runningOn)
      return query.orderBy('l.starts_on', 'desc').limit(500).execute()
    },
  }
}

export type RosterRepository = ReturnType<typeof createRosterRepository>

/**
 * The monthly evaluation's counts per grid worker of a region (roster/evaluation.ts turns them into
 * rates, scores and ranks), in the caller's transaction: visits due and on time, reports, verifications, call-backs and offers
 * — read from visits', cases' and services' tables (db/tables.ts names these reads).
 */
export async function evaluationCounts(trx: Transaction<DB>, region: string, from: string, to: string) {
  // A month of a district's tasks is grouped by household and due date: more than the default
  // work_mem, and a spill to disk doubles the time.
  await sql`set local work_mem = '64MB'`.execute(trx)
  const rows = await sql<{
    user_id: number
    username: string
    display_name: string
    grids: string[]
    due: number
    on_time: number
    reported: number
    valid: number
    self_handled: number
    verified: number
    verified_on_time: number
    called_back: number
    satisfied: number
    offers: number
    offers_answered: number
    offers_applied: number
  }>`
    with workers as (
      select u.id as user_id, u.username, u.display_name, array_agg(ur.scope order by ur.scope) as grids
      from user_roles ur join users u on u.id = ur.user_id
      where ur.role_code = 'grid_worker' and length(ur.scope) = 15 and ur.scope like ${startsWith(region)}
      group by u.id
    ),
    -- Per grid first, from the tasks alone (each carries the day its visit was made), over the
    -- due-date index: joined to the workers' grid arrays, and then to each task's visit, 越秀's
    -- month (1.4M task rows) took minutes, then 12 s.
    worker_grids as (
      select w.user_id, unnest(w.grids) as grid from workers w
    ),
    scheduled as (
      select t.grid_code, t.household_id, t.due_on, bool_or(t.done_on <= t.due_on) as on_time
      from visit_tasks t
      where t.due_on between ${from}::date and ${to}::date and t.grid_code like ${startsWith(region)}
      group by 1, 2, 3
    ),
    per_grid as (
      select grid_code, count(*)::int as due, count(*) filter (where on_time)::int as on_time from scheduled group by 1
    ),
    visits_due as materialized (
      select wg.user_id, sum(g.due)::int as due, sum(g.on_time)::int as on_time
      from worker_grids wg join per_grid g on g.grid_code = wg.grid group by 1
    ),
    reports as materialized (
      select w.user_id, count(*)::int as reported,
        count(*) filter (where c.status <> 'cancelled')::int as valid,
        count(*) filter (where c.dispatch_count = 0 and c.status = 'closed')::int as self_handled,
        count(*) filter (where c.satisfaction is not null)::int as called_back,
        count(*) filter (where c.satisfaction in ('satisfied', 'basically_satisfied'))::int as satisfied
      from workers w join cases c on c.reporter_user_id = w.user_id
      where (c.reported_at at time zone 'Asia/Shanghai')::date between ${from}::date and ${to}::date
      group by 1
    ),
    -- The month's verifications once (the workers' row estimate is one: a join to it was planned
    -- as a rescan of the steps per worker, 57 s for one street).
    verify_steps as materialized (
      select s.case_id, s.actor, s.at from case_steps s
      where s.action in ('verify_pass', 'verify_fail')
        and (s.at at time zone 'Asia/Shanghai')::date between ${from}::date and ${to}::date
    ),
    verifications as materialized (
      select w.user_id, count(*)::int as verified,
        count(*) filter (where h.at is not null and s.at <= h.at + interval '24 hours')::int as verified_on_time
      from verify_steps s join workers w on w.username = s.actor
        left join lateral (
          select max(x.at) as at from case_steps x where x.case_id = s.case_id and x.action = 'handle' and x.at <= s.at
        ) h on true
      group by 1
    ),
    offers as materialized (
      select w.user_id, count(*)::int as offers, count(*) filter (where o.status <> 'open')::int as answered,
        count(*) filter (where o.status = 'applied')::int as applied
      from worker_grids w join service_offers o on o.grid_code = w.grid
      where o.created_on between ${from}::date and ${to}::date
      group by 1
    )
    select w.user_id, w.username, w.display_name, w.grids,
      coalesce(vd.due, 0) as due, coalesce(vd.on_time, 0) as on_time,
      coalesce(r.reported, 0) as reported, coalesce(r.valid, 0) as valid, coalesce(r.self_handled, 0) as self_handled,
      coalesce(v.verified, 0) as verified, coalesce(v.verified_on_time, 0) as verified_on_time,
      coalesce(r.called_back, 0) as called_back, coalesce(r.satisfied, 0) as satisfied,
      coalesce(o.offers, 0) as offers, coalesce(o.answered, 0) as offers_answered, coalesce(o.applied, 0) as offers_applied
    from workers w left join reports r on r.user_id = w.user_id left join verifications v on v.user_id = w.user_id
      left join offers o on o.user_id = w.user_id left join visits_due vd on vd.user_id = w.user_id
    order by w.user_id`.execute(trx)
  return rows.rows
}

/** For access: the users whose grid grants `userId` holds today as their cover (an approved leave
 *  running on the Beijing date). */
export const coveredUsersSql: CoveredUsersSql = (userId) =>
  sql`select l.user_id from worker_leaves l where l.cover_user_id = ${userId} and l.status = 'approved'
        and (now() at time zone 'Asia/Shanghai')::date between l.starts_on and l.ends_on`
