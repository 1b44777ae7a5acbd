// The roster of grid workers (issue: grid workers): who works which grid (a `grid_worker` grant at
// the grid), the grid chief of each community (`grid_chief` at the community), A/B pairs of
// adjacent grids, and leave cover — the partner of an absent worker holds that worker's grid
// grants while the leave runs (auth.service adds them to the principal), so scope, task lists
// and case verifications follow and fall back afterwards without anyone touching the grants.
import { beijingDate, codeAt, isGridCode } from '@wangge/domain'
import { type Kysely, sql, type Transaction } from 'kysely'
import type { DB, WorkerLeavesTable } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import { readSetting } from '../../kernel/settings.js'
import { audit, type CoveredUsersSql, type Principal, replaceRoleHolders } from '../access/index.js'
import { evaluateWorkers } from './evaluation.js'
import { suggestPairs } from './pairing.js'

export interface RosterPolicy {
  maxWorkersPerGrid: number
  maxGridsPerWorker: number
}
const DEFAULT_POLICY: RosterPolicy = { maxWorkersPerGrid: 1, maxGridsPerWorker: 2 }

type Db = Kysely<DB> | Transaction<DB>
const notFound = (what: string, code: string | number) => () => new AppError('NOT_FOUND', `No ${what} ${code}`, { [what]: code })

export function createRosterService({
  db,
  invalidate,
  clock = () => new Date(),
}: {
  db: Kysely<DB>
  /** Grants changed: cached principals must be rebuilt. */
  invalidate: () => void
  clock?: () => Date
}) {
  async function policy(trx: Db = db): Promise<RosterPolicy> {
    const r = await readSetting<Partial<RosterPolicy>>(trx, 'roster.policy')
    return { ...DEFAULT_POLICY, ...(r?.value ?? {}) }
  }

  /** The grids a user works (their `grid_worker` grants at grid codes). */
  const gridsOf = async (userId: number, trx: Db = db) =>
    (
      await trx
        .selectFrom('user_roles')
        .select('scope')
        .where('user_id', '=', userId)
        .where('role_code', '=', 'grid_worker')
        .where(sql<boolean>`length(scope) = 15`)
        .execute()
    ).map((r) => r.scope)

  async function activeGrid(code: string, trx: Db = db) {
    return trx
      .selectFrom('grids')
      .select(['code', 'community_code'])
      .where('code', '=', code)
      .where('status', '=', 'active')
      .executeTakeFirst()
  }

  /** Replaces the holders of one role at one scope (a grid's workers, a community's chiefs). */
  async function setHolders(p: Principal, role: 'grid_worker' | 'grid_chief', scope: string, userIds: number[]) {
    await db.transaction().execute(async (trx) => {
      const users = await trx
        .selectFrom('users')
        .select(['id', 'username', 'status'])
        .where('id', 'in', [0, ...userIds])
        .execute()
      const missing = userIds.filter((id) => !users.some((u) => Number(u.id) === id && u.status === 'active'))
      if (missing.length)
        throw new AppError('VALIDATION_FAILED', 'Unknown or inactive users', {
          issues: missing.map((id) => ({ path: 'userIds', message: `No active user ${id}` })),
        })
      if (role === 'grid_worker') {
        const pol = await policy(trx)
        if (userIds.length > pol.maxWorkersPerGrid)
          throw new AppError('ROSTER_POLICY', `A grid has at most ${pol.maxWorkersPerGrid} worker(s)`, {
            maxWorkersPerGrid: pol.maxWorkersPerGrid,
          })
        for (const id of userIds) {
          const held = (await gridsOf(id, trx)).filter((g) => g !== scope)
          if (held.length + 1 > pol.maxGridsPerWorker)
            throw new AppError('ROSTER_POLICY', `A worker holds at most ${pol.maxGridsPerWorker} grid(s)`, {
              userId: id,
              grids: held,
              maxGridsPerWorker: pol.maxGridsPerWorker,
            })
        }
      }
      const before = await replaceRoleHolders(trx, { role, scope, userIds, grantedBy: p.actor })
      await audit(trx, {
        actor: p.actor,
        action: role === 'grid_worker' ? 'roster.workers' : 'roster.chiefs',
        objectType: role === 'grid_worker' ? 'grid' : 'region',
        objectId: scope,
        details: { before, after: userIds },
        requestId: p.requestId,
        clientIp: p.clientIp,
      })
    })
    invalidate()
  }

  const today = () => beijingDate(clock())

  return {
    policy,

    /** The monthly evaluation of the grid workers under a region (evaluation.ts). */
    evaluate: (p: Principal, q: { region: string; month: string }) => evaluateWorkers(db, p, q),

    /** The grids under a region with their workers, pair partner and any running leave; the chiefs. */
    async roster(p: Principal, region: string) {
      p.check('roster.read', region, notFound('region', region))
      const grids = await db
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
        .where('g.code', 'like', `${region}%`)
        .orderBy('g.code')
        .execute()
      const holders = await db
        .selectFrom('user_roles as ur')
        .innerJoin('users as u', 'u.id', 'ur.user_id')
        .leftJoin('worker_profiles as wp', 'wp.user_id', 'u.id')
        .select(['ur.scope', 'ur.role_code', 'u.id', 'u.username', 'u.display_name', 'wp.background', 'wp.phone'])
        .where('ur.role_code', 'in', ['grid_worker', 'grid_chief'])
        .where('ur.scope', 'like', `${codeAt(region, 'community')}%`)
        .execute()
      const leaves = await db
        .selectFrom('worker_leaves')
        .select(['id', 'user_id', 'cover_user_id', 'starts_on', 'ends_on'])
        .where('status', '=', 'approved')
        .where('starts_on', '<=', today())
        .where('ends_on', '>=', today())
        .execute()
      const person = (h: (typeof holders)[number]) => ({
        id: Number(h.id),
        username: h.username,
        displayName: h.display_name,
        background: h.background,
        phone: h.phone,
      })
      const onLeave = new Map(leaves.map((l) => [Number(l.user_id), l]))
      return {
        region,
        policy: await policy(),
        grids: grids.map((g) => {
          const workers = holders.filter((h) => h.role_code === 'grid_worker' && h.scope === g.code)
          const leave = workers.map((w) => onLeave.get(Number(w.id))).find((l) => l)
          return {
            code: g.code,
            name: g.name,
            community: g.community_code,
            households: g.households,
            workers: workers.map(person),
            pair: g.pair_id ? { id: Number(g.pair_id), partner: g.partner as string } : null,
            coveredBy: leave ? { userId: Number(leave.cover_user_id), until: String(leave.ends_on).slice(0, 10) } : null,
          }
        }),
        chiefs: holders
          .filter((h) => h.role_code === 'grid_chief' && h.scope.startsWith(codeAt(region, 'community')))
          .map((h) => ({ community: h.scope, ...person(h) })),
      }
    },

    /**
     * Workers' profiles — where they came from (former rental-housing administrator, social
     * worker …), their work phone, when they started — for workers the caller manages (every grid
     * they hold in the caller's `roster.manage` scope); written together, audited.
     */
    async setProfiles(
      p: Principal,
      profiles: readonly {
        userId: number
        background: 'rental_admin' | 'social_worker' | 'community_staff' | 'other'
        phone?: string | null | undefined
        startedOn?: string | null | undefined
      }[],
    ) {
      if (!profiles.length) return { updated: 0 }
      const grants = await db
        .selectFrom('user_roles')
        .select(['user_id', 'scope'])
        .where('role_code', 'in', ['grid_worker', 'grid_chief'])
        .where(
          'user_id',
          'in',
          profiles.map((x) => x.userId),
        )
        .execute()
      for (const x of profiles) {
        const held = grants.filter((g) => Number(g.user_id) === x.userId).map((g) => g.scope)
        if (!held.length) throw notFound('user', x.userId)()
        for (const g of held) p.check('roster.manage', g, notFound('user', x.userId))
      }
      await db.transaction().execute(async (trx) => {
        for (let k = 0; k < profiles.length; k += 500)
          await trx
            .insertInto('worker_profiles')
            .values(
              profiles.slice(k, k + 500).map((x) => ({
                user_id: x.userId,
                background: x.background,
                phone: x.phone ?? null,
                started_on: x.startedOn ?? null,
                updated_by: p.actor,
              })),
            )
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
        await audit(trx, {
          actor: p.actor,
          action: 'roster.profiles',
          objectType: 'user',
          objectId: profiles.length === 1 ? String(profiles[0]?.userId) : null,
          details: { users: profiles.length },
          requestId: p.requestId,
          clientIp: p.clientIp,
        })
      })
      return { updated: profiles.length }
    },

    async setWorkers(p: Principal, grid: string, userIds: number[]) {
      p.check('roster.manage', grid, notFound('grid', grid))
      if (!(await activeGrid(grid))) throw notFound('grid', grid)()
      await setHolders(p, 'grid_worker', grid, [...new Set(userIds)])
    },

    async setChiefs(p: Principal, community: string, userIds: number[]) {
      p.check('roster.manage', community, notFound('community', community))
      const c = await db.selectFrom('regions').select('level').where('code', '=', community).executeTakeFirst()
      if (c?.level !== 'community') throw notFound('community', community)()
      await setHolders(p, 'grid_chief', community, [...new Set(userIds)])
    },

    async pairs(p: Principal, region: string) {
      p.check('roster.read', region, notFound('region', region))
      const rows = await db
        .selectFrom('grid_pairs')
        .select(['id', 'grid_a', 'grid_b', 'shared_m', 'created_by', 'created_at'])
        .where((eb) => eb.or([eb('grid_a', 'like', `${region}%`), eb('grid_b', 'like', `${region}%`)]))
        .orderBy('grid_a')
        .execute()
      return rows.map((r) => ({ id: Number(r.id), a: r.grid_a, b: r.grid_b, sharedM: r.shared_m, createdBy: r.created_by }))
    },

    /**
     * Suggests pairs for the unpaired grids of a street (or of every street of a district, or of
     * one community only) — a maximum matching of their adjacency — and with `apply` records them.
     */
    async suggestPairs(p: Principal, region: string, apply: boolean) {
      p.check(apply ? 'roster.manage' : 'roster.read', region, notFound('region', region))
      if (region.length < 6 || isGridCode(region))
        throw new AppError('VALIDATION_FAILED', 'Pairs are suggested for a community, a street or a district', {
          issues: [{ path: 'region', message: 'a district (6 digits), street (9) or community (12)' }],
        })
      const grids = await db
        .selectFrom('grids as g')
        .select(['g.code', 'g.community_code'])
        .where('g.status', '=', 'active')
        .where('g.code', 'like', `${region}%`)
        .where((eb) =>
          eb.not(eb.exists(eb.selectFrom('grid_pair_members as m').select('m.grid_code').whereRef('m.grid_code', '=', 'g.code'))),
        )
        .orderBy('g.code')
        .execute()
      const workers = await db
        .selectFrom('user_roles')
        .select(['scope', 'user_id'])
        .where('role_code', '=', 'grid_worker')
        .where('scope', 'like', `${region}%`)
        .execute()
      const edges = await db
        .selectFrom('grid_adjacency')
        .select(['a', 'b', 'shared_m'])
        .where('a', 'like', `${region}%`)
        .where('b', 'like', `${region}%`)
        .execute()
      const pairs: { a: string; b: string; sharedM: number }[] = []
      const unpaired: string[] = []
      // One matching per street.
      const streets = [...new Set(grids.map((g) => codeAt(g.code, 'street')))]
      for (const street of streets) {
        const these = grids
          .filter((g) => g.code.startsWith(street))
          .map((g) => ({
            code: g.code,
            community: g.community_code,
            workers: workers.filter((w) => w.scope === g.code).map((w) => Number(w.user_id)),
          }))
        const r = suggestPairs(
          these,
          edges
            .filter((e) => e.a.startsWith(street) && e.b.startsWith(street))
            .map((e) => ({ a: e.a, b: e.b, sharedM: e.shared_m })),
        )
        pairs.push(...r.pairs)
        unpaired.push(...r.unpaired)
      }
      if (apply && pairs.length)
        await db.transaction().execute(async (trx) => {
          for (const pr of pairs) await insertPair(trx, pr, p.actor)
          await audit(trx, {
            actor: p.actor,
            action: 'roster.pairs',
            objectType: 'region',
            objectId: region,
            details: { pairs: pairs.length },
            requestId: p.requestId,
            clientIp: p.clientIp,
          })
        })
      return { region, applied: apply, pairs, unpaired }
    },

    /** Pairs two adjacent, unpaired grids by hand. */
    async pair(p: Principal, a: string, b: string) {
      for (const g of [a, b]) p.check('roster.manage', g, notFound('grid', g))
      const [x, y] = [a, b].sort() as [string, string]
      const edge = await db
        .selectFrom('grid_adjacency')
        .select('shared_m')
        .where('a', '=', x)
        .where('b', '=', y)
        .executeTakeFirst()
      if (!edge) throw new AppError('NOT_ADJACENT', `Grids ${x} and ${y} share no boundary`, { a: x, b: y })
      return db.transaction().execute(async (trx) => {
        const id = await insertPair(trx, { a: x, b: y, sharedM: edge.shared_m }, p.actor)
        await audit(trx, {
          actor: p.actor,
          action: 'roster.pair',
          objectType: 'grid',
          objectId: x,
          details: { a: x, b: y },
          requestId: p.requestId,
          clientIp: p.clientIp,
        })
        return { id, a: x, b: y, sharedM: edge.shared_m }
      })
    },

    async unpair(p: Principal, id: number) {
      const pr = await db.selectFrom('grid_pairs').select(['grid_a', 'grid_b']).where('id', '=', id).executeTakeFirst()
      if (!pr) throw notFound('pair', id)()
      for (const g of [pr.grid_a, pr.grid_b]) p.check('roster.manage', g, notFound('pair', id))
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('grid_pairs').where('id', '=', id).execute()
        await audit(trx, {
          actor: p.actor,
          action: 'roster.unpair',
          objectType: 'grid',
          objectId: pr.grid_a,
          details: { a: pr.grid_a, b: pr.grid_b },
          requestId: p.requestId,
          clientIp: p.clientIp,
        })
      })
    },

    /**
     * A leave: the cover is the worker of the grid paired with one of the absent worker's grids
     * (or the one named among them). A manager's request is approved at once; a worker's own waits
     * for a manager (the grid chief).
     */
    async requestLeave(
      p: Principal,
      input: { userId?: number | undefined; from: string; to: string; reason: string; coverUserId?: number | undefined },
    ) {
      const userId = input.userId ?? p.user.id
      if (input.to < input.from)
        throw new AppError('VALIDATION_FAILED', 'The leave ends before it starts', {
          issues: [{ path: 'to', message: 'before from' }],
        })
      const grids = await gridsOf(userId)
      // Someone else's leave needs roster.manage over every grid they work; short of that, the
      // answer is the one for an unknown user (403 only inside the caller's scope) — before anything
      // is said about their grids or partners.
      if (userId !== p.user.id && !(grids.length && grids.every((g) => p.allows('roster.manage', g)))) {
        for (const g of grids) p.check('roster.manage', g, notFound('user', userId))
        throw notFound('user', userId)()
      }
      if (!grids.length) throw new AppError('NO_PARTNER', `User ${userId} works no grid`, { userId })
      const manager = grids.every((g) => p.allows('roster.manage', g))
      const partners = await db
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
        .execute()
      const candidates = [...new Set(partners.map((r) => Number(r.user_id)))]
      const cover = input.coverUserId ?? candidates[0]
      if (cover === undefined || !candidates.includes(cover))
        throw new AppError('NO_PARTNER', 'The cover must be the worker of a grid paired with the absent worker’s', {
          userId,
          candidates,
        })
      return db.transaction().execute(async (trx) => {
        // One leave at a time per worker; a cover cannot be away themselves.
        const clash = await trx
          .selectFrom('worker_leaves')
          .select(['id', 'user_id'])
          .where('status', 'in', ['requested', 'approved'])
          .where('user_id', 'in', [userId, cover])
          .where('starts_on', '<=', input.to)
          .where('ends_on', '>=', input.from)
          .forUpdate()
          .execute()
        if (clash.length)
          throw new AppError('LEAVE_OVERLAP', 'A leave of the worker or of the cover overlaps this one', {
            leaves: clash.map((c) => Number(c.id)),
          })
        const row = await trx
          .insertInto('worker_leaves')
          .values({
            user_id: userId,
            cover_user_id: cover,
            starts_on: input.from,
            ends_on: input.to,
            reason: input.reason,
            status: manager ? 'approved' : 'requested',
            requested_by: p.actor,
            ...(manager ? { decided_by: p.actor, decided_at: clock() } : {}),
          })
          .returningAll()
          .executeTakeFirstOrThrow()
        await audit(trx, {
          actor: p.actor,
          action: 'roster.leave',
          objectType: 'user',
          objectId: String(userId),
          details: { leave: Number(row.id), cover, from: input.from, to: input.to, status: row.status },
          requestId: p.requestId,
          clientIp: p.clientIp,
        })
        invalidate()
        return leaveView(row)
      })
    },

    /** A manager approves or rejects a requested leave; the worker or a manager cancels one. */
    async decideLeave(p: Principal, id: number, input: { decision: 'approve' | 'reject' | 'cancel'; version: number }) {
      return db.transaction().execute(async (trx) => {
        const l = await trx.selectFrom('worker_leaves').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
        if (!l) throw notFound('leave', id)()
        const grids = await gridsOf(Number(l.user_id), trx)
        const own = Number(l.user_id) === p.user.id
        if (!(input.decision === 'cancel' && own))
          for (const g of grids.length ? grids : ['-']) p.check('roster.manage', g, notFound('leave', id))
        if (l.version !== input.version)
          throw new AppError('VERSION_CONFLICT', 'The leave changed meanwhile', { current: l.version })
        const allowed = input.decision === 'cancel' ? ['requested', 'approved'] : ['requested']
        if (!allowed.includes(l.status))
          throw new AppError('INVALID_TRANSITION', `A ${l.status} leave cannot be ${input.decision}d`, { status: l.status })
        const status = ({ approve: 'approved', reject: 'rejected', cancel: 'cancelled' } as const)[input.decision]
        const row = await trx
          .updateTable('worker_leaves')
          .set({ status, decided_by: p.actor, decided_at: clock(), version: l.version + 1 })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirstOrThrow()
        await audit(trx, {
          actor: p.actor,
          action: `roster.leave.${input.decision}`,
          objectType: 'user',
          objectId: String(l.user_id),
          details: { leave: id },
          requestId: p.requestId,
          clientIp: p.clientIp,
        })
        invalidate()
        return leaveView(row)
      })
    },

    /** Leaves of the workers of a region's grids (running ones, or all since a date). */
    async leaves(p: Principal, region: string, q: { running?: boolean | undefined }) {
      p.check('roster.read', region, notFound('region', region))
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
              .where('ur.scope', 'like', `${region}%`),
          ),
        )
      if (q.running)
        query = query.where('l.status', '=', 'approved').where('l.starts_on', '<=', today()).where('l.ends_on', '>=', today())
      return (await query.orderBy('l.starts_on', 'desc').limit(500).execute()).map(leaveView)
    },
  }
}

async function insertPair(trx: Transaction<DB>, pr: { a: string; b: string; sharedM: number }, actor: string) {
  const taken = await trx.selectFrom('grid_pair_members').select('grid_code').where('grid_code', 'in', [pr.a, pr.b]).execute()
  if (taken.length)
    throw new AppError('ALREADY_PAIRED', `Grid ${taken[0]?.grid_code} is already in a pair`, {
      grids: taken.map((t) => t.grid_code),
    })
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
}

function leaveView(l: {
  id: number
  user_id: number
  cover_user_id: number
  starts_on: Date | string
  ends_on: Date | string
  reason: string
  status: WorkerLeavesTable['status']
  requested_by: string
  decided_by: string | null
  version: number
}) {
  const day = (d: Date | string) => (d instanceof Date ? beijingDate(d) : String(d).slice(0, 10))
  return {
    id: Number(l.id),
    userId: Number(l.user_id),
    coverUserId: Number(l.cover_user_id),
    from: day(l.starts_on),
    to: day(l.ends_on),
    reason: l.reason,
    status: l.status,
    requestedBy: l.requested_by,
    decidedBy: l.decided_by,
    version: l.version,
  }
}

export type RosterService = ReturnType<typeof createRosterService>

/** For access: the users whose grid grants `userId` holds today as their cover (an approved leave
 *  running on the Beijing date). */
export const coveredUsersSql: CoveredUsersSql = (userId) =>
  sql`select l.user_id from worker_leaves l where l.cover_user_id = ${userId} and l.status = 'approved'
        and (now() at time zone 'Asia/Shanghai')::date between l.starts_on and l.ends_on`
