// Changing one community's grids by hand: the automatic division under another policy, previewed
// or applied, and the manual adjustments (grids.adjust.ts: merge, split, move) — each all or
// nothing in one transaction that locks the community's grids.
import { codeAt } from '@wangge/domain'
import type { Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import type { Principal } from '../access/index.js'
import {
  type AdjustedGroups,
  type Adjustment,
  applyAdjustment,
  checkPlan,
  currentGroups,
  NoMoreCandidates,
} from './grids.adjust.js'
import { DEFAULT_POLICY, type PartitionPolicy } from './grids.partition.js'
import { autoGroups, type CommunityInput, type CommunityPlan, planCommunity } from './grids.plan.js'
import { type GridsContext, gridsChanged, partition, readCommunities, recomputeAdjacency, writePlans } from './partition-run.js'

export interface AdjustOptions {
  dryRun: boolean
  reason: string
  versions?: Record<string, number> | undefined
}

type Geometry = { type: string; coordinates: unknown }
type Proposed = { code: string; households: number; residents: number; buildings: number; simplified: Geometry }

/**
 * The automatic division of one community under a policy, as it would come out — or, with
 * `apply`, done (a partition run of that community; codes of unchanged grids are kept). The
 * answer: the proposed grids as a FeatureCollection (simplified polygons; households, residents,
 * buildings; whether the code exists already), the grids there now, and the balance.
 */
export async function partitionCommunity(
  ctx: GridsContext,
  p: Principal,
  community: string,
  policyIn: Partial<PartitionPolicy>,
  apply: boolean,
) {
  const missing = () => new AppError('REGION_NOT_FOUND', `No community ${community}`, { community })
  p.check('grid.adjust', community, missing)
  const policy = { ...DEFAULT_POLICY, ...policyIn }
  const communities = await ctx.repo.communitiesUnder(community)
  if (communities.length !== 1) throw missing()
  const before = await ctx.repo.activeIn(community)
  // The grids proposed (or, applied, those there now), which of their codes exist, which retire.
  // (`simplified`: a GeoJSON MultiPolygon, from the jsonb column or the plan's text.)
  let proposed: Proposed[]
  let retired: string[]
  const existing = new Set(before.map((g) => g.code))
  if (apply) {
    await partition(ctx, community, policy)
    proposed = await ctx.repo.activeShapesIn<Geometry>(community)
    retired = [...existing].filter((code) => !proposed.some((g) => g.code === code))
  } else {
    const [input] = (await readCommunities(ctx, community, communities)) as [CommunityInput]
    const plan = planCommunity(input, autoGroups(input, policy))
    proposed = plan.grids.map((g) => ({ ...g, simplified: JSON.parse(g.simplified) as Geometry }))
    retired = plan.retired
  }
  const households = proposed.map((g) => g.households).sort((a, b) => a - b)
  const within = households.filter((h) => Math.abs(h - policy.target) <= policy.target * 0.2).length
  return {
    community,
    policy,
    applied: apply,
    before: before.map((g) => ({ code: g.code, households: g.households })),
    retired,
    balance: {
      grids: households.length,
      min: households[0] ?? 0,
      median: households[Math.floor(households.length / 2)] ?? 0,
      max: households.at(-1) ?? 0,
      withinTwentyPercent: households.length ? Math.round((within / households.length) * 1000) / 1000 : 0,
    },
    layer: {
      type: 'FeatureCollection' as const,
      features: proposed.map((g) => ({
        type: 'Feature' as const,
        properties: {
          code: g.code,
          households: g.households,
          residents: g.residents,
          buildings: g.buildings,
          existing: existing.has(g.code),
        },
        geometry: g.simplified,
      })),
    },
  }
}

/** The one community an adjustment works in (INVALID_ADJUSTMENT when it would span two). */
async function communityOfAdjustment(ctx: GridsContext, a: Adjustment): Promise<string> {
  const grids = a.kind === 'merge' ? a.grids : a.kind === 'split' ? [a.grid] : [a.to]
  const found = await ctx.repo.statuses(grids)
  for (const code of grids) {
    const g = found.find((f) => f.code === code)
    if (g?.status !== 'active') throw new AppError('GRID_NOT_FOUND', `No active grid ${code}`, { code })
  }
  const communities = new Set(grids.map((g) => codeAt(g, 'community')))
  if (a.kind === 'move') {
    const rows = await ctx.repo.placesOf(a)
    if (!rows.length)
      throw new AppError('NOT_FOUND', 'buildingId' in a ? `No building ${a.buildingId}` : 'None of these dwellings exists', {
        ...a,
      })
    for (const r of rows) communities.add(r.community_code)
  }
  if (communities.size > 1)
    throw new AppError('INVALID_ADJUSTMENT', 'A grid adjustment stays inside one community', {
      reason: 'DIFFERENT_COMMUNITIES',
      communities: [...communities],
    })
  return [...communities][0] as string
}

/** The plan of an adjustment; an automatic split tries its candidate cuts until one gives two
 *  connected grids. */
function planAdjustment(
  input: CommunityInput,
  a: Adjustment,
  adjacent: (x: string, y: string) => boolean,
): { adjusted: AdjustedGroups; plan: CommunityPlan } {
  const groups = currentGroups(input)
  let refusal: unknown
  for (let attempt = 0; ; attempt++) {
    try {
      const adjusted = applyAdjustment(input, attempt ? currentGroups(input) : groups, a, adjacent, attempt)
      const plan = planCommunity(input, adjusted.groups, adjusted.codes)
      checkPlan(plan, adjusted)
      return { adjusted, plan }
    } catch (e) {
      if (e instanceof NoMoreCandidates) throw refusal
      // Only a cut that leaves a half in pieces makes the next candidate worth trying.
      const inPieces = e instanceof AppError && e.details?.reason === 'NOT_CONTIGUOUS'
      if (a.kind !== 'split' || a.buildingIds?.length || !inPieces) throw e
      refusal = e
    }
  }
}

/**
 * A manual adjustment (grids.adjust.ts), all or nothing in one transaction that locks the
 * community's grids. `versions` (code → version the caller saw) turns a concurrent change into
 * VERSION_CONFLICT; `dryRun` answers with the before/after counts and writes nothing.
 */
export async function adjust(ctx: GridsContext, p: Principal, a: Adjustment, opts: AdjustOptions) {
  const community = await communityOfAdjustment(ctx, a)
  p.check('grid.adjust', community, () => new AppError('GRID_NOT_FOUND', `No active grid in ${community}`, { community }))
  const region = await ctx.repo.communitiesUnder(community)
  const result = await ctx.db.transaction().execute((trx) => adjustLocked(ctx, trx, p, a, opts, community, region))
  if (!opts.dryRun) {
    await recomputeAdjacency(ctx, codeAt(community, 'district'))
    gridsChanged(ctx)
  }
  return result
}

async function adjustLocked(
  ctx: GridsContext,
  trx: Transaction<DB>,
  p: Principal,
  a: Adjustment,
  opts: AdjustOptions,
  community: string,
  region: { code: string; geometry: unknown }[],
) {
  const locked = await ctx.repo.lockActiveIn(trx, community)
  const version = new Map(locked.map((g) => [g.code, g.version]))
  for (const [code, v] of Object.entries(opts.versions ?? {}))
    if (version.get(code) !== v)
      throw new AppError('VERSION_CONFLICT', `Grid ${code} was changed by someone else; reload and try again`, {
        code,
        current: version.get(code) ?? null,
        given: v,
      })
  const [input] = await readCommunities(ctx, community, region, trx)
  if (!input) throw new AppError('REGION_NOT_FOUND', `No community ${community}`, { community })
  const before = new Map([...currentGroups(input)].map(([code, items]) => [code, items.reduce((n, i) => n + i.households, 0)]))
  const pairs = await ctx.repo.adjacencyWithin(trx, community)
  const adjacentSet = new Set(pairs.map((p) => `${p.a}|${p.b}`))
  const { adjusted, plan } = planAdjustment(input, a, (x, y) => adjacentSet.has(x < y ? `${x}|${y}` : `${y}|${x}`))
  // Write the grids the adjustment touched, the one a split creates, and any other whose
  // outline moved with them; the rest keep their rows and versions.
  const stored = new Map(locked.map((g) => [g.code, JSON.stringify(g.geometry)]))
  const written = plan.grids.filter(
    (g) => adjusted.touched.includes(g.code) || !plan.existingCodes.has(g.code) || stored.get(g.code) !== g.geometry,
  )
  if (!opts.dryRun)
    await writePlans(ctx.repo, trx, [{ ...plan, grids: written }], {
      action: a.kind,
      actor: p.actor,
      source: 'manual adjustment',
      reason: opts.reason,
      requestId: p.requestId,
      clientIp: p.clientIp,
      runId: null,
      before,
    })
  const versionAfter = (code: string) => (opts.dryRun ? (version.get(code) ?? null) : (version.get(code) ?? 0) + 1)
  return {
    kind: a.kind,
    dryRun: opts.dryRun,
    community,
    grids: [
      ...written.map((g) => ({
        code: g.code,
        change: plan.existingCodes.has(g.code) ? ('changed' as const) : ('created' as const),
        householdsBefore: before.get(g.code) ?? null,
        householdsAfter: g.households,
        residents: g.residents,
        buildings: g.buildings,
        version: versionAfter(g.code),
      })),
      ...plan.retired.map((code) => ({
        code,
        change: 'retired' as const,
        householdsBefore: before.get(code) ?? null,
        householdsAfter: 0,
        residents: 0,
        buildings: 0,
        version: versionAfter(code),
      })),
    ],
    unchanged: plan.grids.length - written.length,
  }
}
