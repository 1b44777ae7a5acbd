// A/B pairs of adjacent grids (A/B岗): each worker covers the partner grid's worker on leave.
// Suggested per street as a maximum matching of the grids' adjacency (pairing.ts), or made by hand.
import { codeAt, isGridCode } from '@wangge/domain'
import type { Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import { audit, type Principal } from '../access/index.js'
import { suggestPairs as match } from './pairing.js'
import { notFound, type RosterContext } from './roster-context.js'

type Pair = { a: string; b: string; sharedM: number }

export async function pairs(ctx: RosterContext, p: Principal, region: string) {
  p.check('roster.read', region, notFound('region', region))
  const rows = await ctx.repo.pairsUnder(region)
  return rows.map((r) => ({ id: Number(r.id), a: r.grid_a, b: r.grid_b, sharedM: r.shared_m, createdBy: r.created_by }))
}

/** One matching per street over the unpaired grids of a region. */
async function matchStreets(ctx: RosterContext, region: string) {
  const [grids, workers, edges] = await Promise.all([
    ctx.repo.unpairedGridsUnder(region),
    ctx.repo.workersUnder(region),
    ctx.repo.adjacencyUnder(region),
  ])
  const found: Pair[] = []
  const unpaired: string[] = []
  for (const street of new Set(grids.map((g) => codeAt(g.code, 'street')))) {
    const these = grids
      .filter((g) => g.code.startsWith(street))
      .map((g) => ({
        code: g.code,
        community: g.community_code,
        workers: workers.filter((w) => w.scope === g.code).map((w) => Number(w.user_id)),
      }))
    const r = match(
      these,
      edges.filter((e) => e.a.startsWith(street) && e.b.startsWith(street)).map((e) => ({ a: e.a, b: e.b, sharedM: e.shared_m })),
    )
    found.push(...r.pairs)
    unpaired.push(...r.unpaired)
  }
  return { pairs: found, unpaired }
}

/**
 * Suggests pairs for the unpaired grids of a street (or of every street of a district, or of
 * one community only) — a maximum matching of their adjacency — and with `apply` records them.
 */
export async function suggestPairs(ctx: RosterContext, p: Principal, region: string, apply: boolean) {
  p.check(apply ? 'roster.manage' : 'roster.read', region, notFound('region', region))
  if (region.length < 6 || isGridCode(region))
    throw new AppError('VALIDATION_FAILED', 'Pairs are suggested for a community, a street or a district', {
      issues: [{ path: 'region', message: 'a district (6 digits), street (9) or community (12)' }],
    })
  const { pairs, unpaired } = await matchStreets(ctx, region)
  if (apply && pairs.length)
    await ctx.db.transaction().execute(async (trx) => {
      for (const pr of pairs) await insertPair(ctx, trx, pr, p.actor)
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
}

/** Pairs two adjacent, unpaired grids by hand. */
export async function pair(ctx: RosterContext, p: Principal, a: string, b: string) {
  for (const g of [a, b]) p.check('roster.manage', g, notFound('grid', g))
  const [x, y] = [a, b].sort() as [string, string]
  const edge = await ctx.repo.edge(x, y)
  if (!edge) throw new AppError('NOT_ADJACENT', `Grids ${x} and ${y} share no boundary`, { a: x, b: y })
  return ctx.db.transaction().execute(async (trx) => {
    const id = await insertPair(ctx, trx, { a: x, b: y, sharedM: edge.shared_m }, p.actor)
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
}

export async function unpair(ctx: RosterContext, p: Principal, id: number) {
  const pr = await ctx.repo.findPair(id)
  if (!pr) throw notFound('pair', id)()
  for (const g of [pr.grid_a, pr.grid_b]) p.check('roster.manage', g, notFound('pair', id))
  await ctx.db.transaction().execute(async (trx) => {
    await ctx.repo.deletePair(trx, id)
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
}

async function insertPair(ctx: RosterContext, trx: Transaction<DB>, pr: Pair, actor: string) {
  const taken = await ctx.repo.paired(trx, [pr.a, pr.b])
  if (taken.length)
    throw new AppError('ALREADY_PAIRED', `Grid ${taken[0]?.grid_code} is already in a pair`, {
      grids: taken.map((t) => t.grid_code),
    })
  return ctx.repo.insertPair(trx, pr, actor)
}
