// A partition run works a street at a time: read the street's dwellings, buildings, grids and
// components in four queries; plan each community (grids.plan.ts: items → groups → geometry →
// codes, keeping unchanged grids' codes); write the street in one transaction — retire vanished
// grids, upsert the new ones, copy grid codes down to dwellings, buildings, components and
// organizations (households and persons take theirs through their dwelling). Reading the next
// street and writing the last overlap with the computation. Adjacency of the region's grids is
// recomputed at the end, and the in-process lookup index is rebuilt on next use.
import { codeAt } from '@wangge/domain'
import { type AreaGeometry, toMulti } from '@wangge/geo'
import type { Kysely, Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import type { ChangeBus } from '../../kernel/change-bus.js'
import { AppError } from '../../kernel/errors.js'
import { setComponentGrids } from '../components/index.js'
import { type ChangeEntry, recordChanges } from '../history/index.js'
import { analyzeGridCodes, dwellingsFollowBuildings, setBuildingGrids, setDwellingGrids } from '../housing/index.js'
import { organizationsFollowBuildings } from '../organizations/index.js'
import { deferGridCounts, recountGrids } from '../stats/index.js'
import { adjacency } from './grids.adjacency.js'
import { DEFAULT_POLICY, type PartitionPolicy, quality } from './grids.partition.js'
import { autoGroups, type CommunityInput, type CommunityPlan, planCommunity } from './grids.plan.js'
import type { GridsRepository } from './grids.repository.js'
import { type GridLookup, toArea } from './lookup-cache.js'

/** What the grids' use cases share: the database, the repository, the lookup index and the bus. */
export interface GridsContext {
  db: Kysely<DB>
  repo: GridsRepository
  lookup: GridLookup
  bus?: ChangeBus | undefined
}

export interface PartitionProgress {
  communities: number
  total: number
  grids: number
}

export interface WriteLog {
  action: ChangeEntry['action']
  actor: string
  source: string
  reason?: string | undefined
  requestId?: string | undefined
  clientIp?: string | undefined
  runId: number | null
  /** Households per grid code before the change (manual adjustments: every written grid is logged). */
  before?: Map<string, number>
  /** A bulk run: the grid population counts are recounted once at its end, not row by row. */
  deferCounts?: boolean
}

/** Grids changed: this process forgets its index, the others hear it on the bus. */
export function gridsChanged(ctx: GridsContext) {
  ctx.lookup.forget()
  ctx.bus?.publish('grids')
}

/** Everything the plans of the communities under a prefix need, in four queries. */
export async function readCommunities(
  ctx: GridsContext,
  prefix: string,
  communities: { code: string; geometry: unknown }[],
  trx: Kysely<DB> | Transaction<DB> = ctx.db,
): Promise<CommunityInput[]> {
  const { repo } = ctx
  const [rows, empty, existing, components] = await Promise.all([
    repo.dwellingsIn(
      communities.map((c) => c.code),
      trx,
    ),
    repo.buildingsWithoutDwellingsUnder(prefix, trx),
    repo.gridsUnder(prefix, trx),
    repo.componentsUnder(prefix, trx),
  ])
  const inputs = new Map<string, CommunityInput>(
    communities.map((c) => [
      c.code,
      {
        code: c.code,
        geometry: toMulti(c.geometry as AreaGeometry),
        buildings: new Map(),
        residentsOf: new Map(),
        existing: [],
        components: [],
      },
    ]),
  )
  // Buildings and their dwellings in id order, so that a run does not depend on row order.
  rows.sort((x, y) => Number(x.building_id) - Number(y.building_id) || Number(x.id) - Number(y.id))
  empty.sort((x, y) => Number(x.id) - Number(y.id))
  for (const r of rows) {
    const input = inputs.get(r.community_code)
    if (!input) continue
    const id = Number(r.building_id)
    let b = input.buildings.get(id)
    if (!b) {
      b = { id, point: [r.lng, r.lat], dwellings: [], grid: r.building_grid_code }
      input.buildings.set(id, b)
    }
    b.dwellings.push({ id: Number(r.id), unit: r.unit, floor: r.floor, households: r.households, grid: r.grid_code })
    input.residentsOf.set(Number(r.id), r.residents)
  }
  for (const e of empty)
    inputs
      .get(e.community_code)
      ?.buildings.set(Number(e.id), { id: Number(e.id), point: [e.lng, e.lat], dwellings: [], grid: e.grid_code })
  for (const g of existing) inputs.get(g.community_code)?.existing.push(g)
  for (const c of components) inputs.get(c.community_code)?.components.push({ id: Number(c.id), lng: c.lng, lat: c.lat })
  return [...inputs.values()]
}

/** Writes the plans of some communities in one transaction, with a history entry per grid
 *  that existed before (old and new household counts). */
export async function writePlans(repo: GridsRepository, trx: Transaction<DB>, plans: CommunityPlan[], log: WriteLog) {
  if (log.deferCounts) await deferGridCounts(trx)
  const retired = plans.flatMap((p) => p.retired)
  if (retired.length) await repo.retire(trx, retired)
  await repo.upsertGrids(
    trx,
    plans.flatMap((p) => p.grids),
    log.runId,
  )
  const entry = (code: string, action: ChangeEntry['action'], households: number | null) => ({
    entity: 'grid' as const,
    entityId: Number(code),
    version: 0,
    action,
    changes: { households: { old: log.before?.get(code) ?? null, new: households } },
    reason: log.reason,
    actor: log.actor,
    source: log.source,
    requestId: log.requestId,
    clientIp: log.clientIp,
  })
  await recordChanges(trx, [
    ...retired.map((code) => entry(code, 'retire', null)),
    ...plans.flatMap((p) =>
      p.grids.filter((g) => p.existingCodes.has(g.code) || log.before).map((g) => entry(g.code, log.action, g.households)),
    ),
  ])
  await setBuildingGrids(
    trx,
    plans.flatMap((p) => p.buildingCodes),
  )
  // Whole buildings: one set-based statement instead of shipping every dwelling id.
  await dwellingsFollowBuildings(
    trx,
    plans.flatMap((p) => p.wholeBuildings),
    plans.map((p) => p.community),
  )
  await setDwellingGrids(
    trx,
    plans.flatMap((p) => p.dwellingCodes),
  )
  await setComponentGrids(
    trx,
    plans.flatMap((p) => p.componentCodes),
  )
  for (const prefix of new Set(plans.map((p) => codeAt(p.community, 'street')))) await organizationsFollowBuildings(trx, prefix)
}

/** The adjacency of a district's grids, computed again from their shapes; answers the pairs. */
export async function recomputeAdjacency({ db, repo }: GridsContext, region: string) {
  const shapes = (await repo.activeShapes(codeAt(region, 'district'))).map(toArea)
  const pairs = adjacency(shapes)
  await db.transaction().execute((trx) =>
    repo.replaceAdjacency(
      trx,
      shapes.map((s) => s.code),
      pairs,
    ),
  )
  return pairs.length
}

/** A promise awaited later must not count as an unhandled rejection meanwhile. */
const settled = <T>(p: Promise<T>) => {
  p.catch(() => {})
  return p
}

/** The run's batches: a street at a time, or a community at a time for a community, or beside a
 *  live server (pauseMs > 0) so that requests wait at most one short transaction. */
function batchesOf(region: string, communities: { code: string; geometry: unknown }[], pauseMs: number) {
  const batches = new Map<string, typeof communities>()
  for (const c of communities) {
    const key = region.length >= 12 || pauseMs > 0 ? c.code : codeAt(c.code, 'street')
    batches.set(key, [...(batches.get(key) ?? []), c])
  }
  return batches
}

/**
 * The automatic partition of every community under a region. `pauseMs` between streets lets
 * queued requests through when the partition runs beside a live server on the single-connection
 * embedded database; `writers` > 1 writes streets in parallel transactions (PostgreSQL; each needs
 * a pool connection besides the reader's).
 */
export async function partition(
  ctx: GridsContext,
  region: string,
  policyIn: Partial<PartitionPolicy> = {},
  onProgress?: (p: PartitionProgress) => void,
  pauseMs = 0,
  writers = 1,
) {
  const { db, repo } = ctx
  const policy = { ...DEFAULT_POLICY, ...policyIn }
  const t0 = Date.now()
  const communities = await repo.communitiesUnder(region)
  if (!communities.length) throw new AppError('REGION_NOT_FOUND', `No communities under ${region}`, { region })
  const runId = await repo.startRun(region, policy)
  const households: number[] = []
  const pp: number[] = []
  const contiguous: boolean[] = []
  const timing = { query: 0, geometry: 0, write: 0, recount: 0 }
  // A street or more: the grids' population counts are recounted once after the writes (the
  // dwellings trigger would move every resident's keys one dwelling at a time).
  const bulk = region.length < 12
  let changed = 0
  let grids = 0
  let done = 0
  // The next batch is read while this one is computed, and written while the next is computed.
  const batches = batchesOf(region, communities, pauseMs)
  const keys = [...batches.keys()]
  const read = (i: number) => settled(readCommunities(ctx, keys[i] as string, batches.get(keys[i] as string) ?? []))
  let nextRead = read(0)
  // Streets are written by up to `writers` transactions at once (different streets touch
  // different rows), so that PostgreSQL can use more than one core for the writes.
  const writing: Promise<unknown>[] = []
  const log: WriteLog = { source: `run ${runId}`, actor: 'partitioner', action: 'partition', runId, deferCounts: bulk }
  for (let i = 0; i < keys.length; i++) {
    let t = performance.now()
    const inputs = await nextRead
    // Prefetching keeps the single embedded connection busy; beside a live server, read on demand.
    if (i + 1 < keys.length && !pauseMs) nextRead = read(i + 1)
    timing.query += performance.now() - t
    t = performance.now()
    const plans = inputs.map((input) => planCommunity(input, autoGroups(input, policy)))
    timing.geometry += performance.now() - t
    t = performance.now()
    if (writing.length >= writers) await writing.shift()
    timing.write += performance.now() - t
    writing.push(settled(db.transaction().execute((trx) => writePlans(repo, trx, plans, log))))
    for (const plan of plans) {
      for (const g of plan.grids) {
        households.push(g.households)
        pp.push(g.polsby_popper)
        contiguous.push(g.contiguous)
      }
      grids += plan.grids.length
      if (plan.changed) changed++
    }
    done += plans.length
    onProgress?.({ communities: done, total: communities.length, grids })
    if (pauseMs) {
      await Promise.all(writing.splice(0))
      await new Promise((resolve) => setTimeout(resolve, pauseMs))
      if (i + 1 < keys.length) nextRead = read(i + 1)
    }
  }
  let t = performance.now()
  await Promise.all(writing)
  timing.write += performance.now() - t
  t = performance.now()
  if (bulk) await recountGrids(db, region)
  timing.recount = performance.now() - t
  const adjacencyPairs = await recomputeAdjacency(ctx, region)
  // (A bulk change: the planner's statistics of the grid codes are refreshed; a community's
  // re-partition moves too few rows to matter.)
  if (changed >= 10) await analyzeGridCodes(db)
  gridsChanged(ctx)
  // Quality over communities big enough for the target (smaller ones form one grid by rule).
  const q = quality({ households, polsbyPopper: pp, contiguous, target: policy.target })
  const report = {
    ...q,
    adjacencyPairs,
    changedCommunities: changed,
    ms: Date.now() - t0,
    phaseMs: Object.fromEntries(Object.entries(timing).map(([k, v]) => [k, Math.round(v)])),
  }
  await repo.finishRun(runId, report, changed)
  return { runId, policy, ...report }
}
