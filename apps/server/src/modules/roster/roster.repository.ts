// The roster's statements (Kysely only): grid workers' and chiefs' grants as the roster reads them
// (access owns `user_roles` and publishes these reads), the grids and adjacency it pairs, workers'
// profiles, A/B pairs and leaves (tables the roster owns).
import { type Kysely, sql, type Transaction } from 'kysely'
import type { DB, WorkerLeavesTable } from '../../db/schema.js'
import { startsWith } from '../../kernel/like.js'

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
