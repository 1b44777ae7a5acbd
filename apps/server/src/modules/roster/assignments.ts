// Who works where: the grids under a region with their workers, pair partner and any running
// leave, and the chiefs; the holders of a grid (`grid_worker`) or a community (`grid_chief`) —
// grants that access owns and replaces on the roster's behalf — within the roster policy; and the
// workers' profiles.
import { codeAt } from '@wangge/domain'
import type { Kysely, Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import { readSetting } from '../../kernel/settings.js'
import { audit, type Principal, replaceRoleHolders } from '../access/index.js'
import type { ProfileRow } from './roster.repository.js'
import { notFound, type RosterContext, today } from './roster-context.js'

export interface RosterPolicy {
  maxWorkersPerGrid: number
  maxGridsPerWorker: number
}
const DEFAULT_POLICY: RosterPolicy = { maxWorkersPerGrid: 1, maxGridsPerWorker: 2 }

export async function rosterPolicy(db: Kysely<DB> | Transaction<DB>): Promise<RosterPolicy> {
  const r = await readSetting<Partial<RosterPolicy>>(db, 'roster.policy')
  return { ...DEFAULT_POLICY, ...(r?.value ?? {}) }
}

/** The grids under a region with their workers, pair partner and any running leave; the chiefs. */
export async function roster(ctx: RosterContext, p: Principal, region: string) {
  p.check('roster.read', region, notFound('region', region))
  const community = codeAt(region, 'community')
  const [grids, holders, leaves] = await Promise.all([
    ctx.repo.gridsWithPairs(region),
    ctx.repo.holdersUnder(community),
    ctx.repo.leavesRunningOn(today(ctx)),
  ])
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
    policy: await rosterPolicy(ctx.db),
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
      .filter((h) => h.role_code === 'grid_chief' && h.scope.startsWith(community))
      .map((h) => ({ community: h.scope, ...person(h) })),
  }
}

export interface ProfileInput {
  userId: number
  background: ProfileRow['background']
  phone?: string | null | undefined
  startedOn?: string | null | undefined
}

/**
 * Workers' profiles — where they came from (former rental-housing administrator, social
 * worker …), their work phone, when they started — for workers the caller manages (every grid
 * they hold in the caller's `roster.manage` scope); written together, audited.
 */
export async function setProfiles(ctx: RosterContext, p: Principal, profiles: readonly ProfileInput[]) {
  if (!profiles.length) return { updated: 0 }
  const grants = await ctx.repo.rosterGrantsOf(profiles.map((x) => x.userId))
  for (const x of profiles) {
    const held = grants.filter((g) => Number(g.user_id) === x.userId).map((g) => g.scope)
    if (!held.length) throw notFound('user', x.userId)()
    for (const g of held) p.check('roster.manage', g, notFound('user', x.userId))
  }
  await ctx.db.transaction().execute(async (trx) => {
    await ctx.repo.upsertProfiles(
      trx,
      profiles.map((x) => ({
        user_id: x.userId,
        background: x.background,
        phone: x.phone ?? null,
        started_on: x.startedOn ?? null,
        updated_by: p.actor,
      })),
    )
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
}

export async function setWorkers(ctx: RosterContext, p: Principal, grid: string, userIds: number[]) {
  p.check('roster.manage', grid, notFound('grid', grid))
  if (!(await ctx.repo.activeGrid(grid))) throw notFound('grid', grid)()
  await setHolders(ctx, p, 'grid_worker', grid, [...new Set(userIds)])
}

export async function setChiefs(ctx: RosterContext, p: Principal, community: string, userIds: number[]) {
  p.check('roster.manage', community, notFound('community', community))
  if ((await ctx.repo.regionLevel(community)) !== 'community') throw notFound('community', community)()
  await setHolders(ctx, p, 'grid_chief', community, [...new Set(userIds)])
}

/** A grid's new workers within the policy: so many per grid, so many grids per worker. */
async function checkPolicy(ctx: RosterContext, trx: Transaction<DB>, scope: string, userIds: number[]) {
  const pol = await rosterPolicy(trx)
  if (userIds.length > pol.maxWorkersPerGrid)
    throw new AppError('ROSTER_POLICY', `A grid has at most ${pol.maxWorkersPerGrid} worker(s)`, {
      maxWorkersPerGrid: pol.maxWorkersPerGrid,
    })
  for (const id of userIds) {
    const held = (await ctx.repo.gridsOf(id, trx)).filter((g) => g !== scope)
    if (held.length + 1 > pol.maxGridsPerWorker)
      throw new AppError('ROSTER_POLICY', `A worker holds at most ${pol.maxGridsPerWorker} grid(s)`, {
        userId: id,
        grids: held,
        maxGridsPerWorker: pol.maxGridsPerWorker,
      })
  }
}

/** Replaces the holders of one role at one scope (a grid's workers, a community's chiefs). */
async function setHolders(
  ctx: RosterContext,
  p: Principal,
  role: 'grid_worker' | 'grid_chief',
  scope: string,
  userIds: number[],
) {
  await ctx.db.transaction().execute(async (trx) => {
    const users = await ctx.repo.users(trx, userIds)
    const missing = userIds.filter((id) => !users.some((u) => Number(u.id) === id && u.status === 'active'))
    if (missing.length)
      throw new AppError('VALIDATION_FAILED', 'Unknown or inactive users', {
        issues: missing.map((id) => ({ path: 'userIds', message: `No active user ${id}` })),
      })
    if (role === 'grid_worker') await checkPolicy(ctx, trx, scope, userIds)
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
  ctx.invalidate()
}
