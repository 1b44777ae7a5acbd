import { codeAt, isGridCode } from '@wangge/domain'
// Grids (单元网格): partition runs, reads, point lookup and adjacency.
// A partition run works a street at a time: read the street's dwellings, buildings, grids and
// components in four queries; plan each community (grids.plan.ts: items → groups → geometry →
// codes, keeping unchanged grids' codes); write the street in one transaction — retire vanished
// grids, upsert the new ones, copy grid codes down to dwellings, buildings, components and
// organizations (households and persons take theirs through their dwelling). Reading the next
// street and writing the last overlap with the computation. Adjacency of the region's grids is
// recomputed at the end, and the in-process lookup index is rebuilt on next use.
import { type AreaGeometry, toMulti } from '@wangge/geo'
import { type Kysely, sql, type Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import type { ChangeBus } from '../../kernel/change-bus.js'
import { AppError } from '../../kernel/errors.js'
import { startsWith } from '../../kernel/like.js'
import { type Principal, scopeSql } from '../access/index.js'
import { setComponentGrids } from '../components/index.js'
import { type ChangeEntry, listChanges, recordChanges } from '../history/index.js'
import { analyzeGridCodes, dwellingsFollowBuildings, setBuildingGrids, setDwellingGrids } from '../housing/index.js'
import { organizationsFollowBuildings } from '../organizations/index.js'
import { deferGridCounts, recountGrids } from '../stats/index.js'
import { adjacency } from './grids.adjacency.js'
import {
  type AdjustedGroups,
  type Adjustment,
  applyAdjustment,
  checkPlan,
  currentGroups,
  NoMoreCandidates,
} from './grids.adjust.js'
import { AreaIndex } from './grids.lookup.js'
import { DEFAULT_POLICY, type PartitionPolicy, quality } from './grids.partition.js'
import { autoGroups, type CommunityInput, type CommunityPlan, planCommunity } from './grids.plan.js'
import { createGridsRepository } from './grids.repository.js'

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

export interface AdjustOptions {
  dryRun: boolean
  reason: string
  versions?: Record<string, number> | undefined
}

const gridNotFound = (code: string) => () => new AppError('GRID_NOT_FOUND', `No grid ${code}`, { code })

export function createGridsService({ db, bus }: { db: Kysely<DB>; bus?: ChangeBus | undefined }) {
  const repo = createGridsRepository(db)
  let index: { grids: AreaIndex; communities: AreaIndex } | undefined
  // The build in progress: concurrent first lookups share it instead of each building an index.
  let building: Promise<{ grids: AreaIndex; communities: AreaIndex }> | undefined

  async function lookupIndex() {
    if (index) return index
    if (!building) {
      const started = buildIndex()
      building = started
      started
        .finally(() => {
          if (building === started) building = undefined
        })
        .catch(() => undefined)
    }
    return building
  }

  let indexGeneration = 0 // bumped when grids change: a build started before keeps its result to itself
  function forgetIndex() {
    index = undefined
    building = undefined
    indexGeneration++
  }
  bus?.on('grids', forgetIndex)
  async function buildIndex() {
    const generation = indexGeneration
    const grids = await repo.activeShapes()
    const communities = await db
      .selectFrom('region_geometries as g')
      .innerJoin('regions as r', 'r.code', 'g.code')
      .select(['g.code', 'g.geometry', 'g.min_lng', 'g.min_lat', 'g.max_lng', 'g.max_lat'])
      .where('r.level', '=', 'community')
      .execute()
    const toArea = (g: {
      code: string
      geometry: unknown
      min_lng: number
      min_lat: number
      max_lng: number
      max_lat: number
    }) => ({
      code: g.code,
      bbox: [g.min_lng, g.min_lat, g.max_lng, g.max_lat] as [number, number, number, number],
      geometry: toMulti(g.geometry as AreaGeometry),
    })
    const built = { grids: new AreaIndex(grids.map(toArea)), communities: new AreaIndex(communities.map(toArea)) }
    if (generation === indexGeneration) index = built
    return built
  }

  /** Everything the plans of the communities under a prefix need, in four queries. */
  async function readCommunities(
    prefix: string,
    communities: { code: string; geometry: unknown }[],
    trx: Kysely<DB> | Transaction<DB> = db,
  ): Promise<CommunityInput[]> {
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
  async function writePlans(trx: Transaction<DB>, plans: CommunityPlan[], log: WriteLog) {
    if (log.deferCounts) await deferGridCounts(trx)
    const retired = plans.flatMap((p) => p.retired)
    if (retired.length) {
      await trx
        .updateTable('grids')
        .set({ status: 'retired', retired_at: new Date(), updated_at: new Date(), version: sql`version + 1` })
        .where('code', 'in', retired)
        .execute()
      await trx
        .deleteFrom('grid_adjacency')
        .where((eb) => eb.or([eb('a', 'in', retired), eb('b', 'in', retired)]))
        .execute()
    }
    const rows = plans.flatMap((p) => p.grids)
    await repo.upsertGrids(trx, rows, log.runId)
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

  /** The one community an adjustment works in (INVALID_ADJUSTMENT when it would span two). */
  async function communityOfAdjustment(a: Adjustment): Promise<string> {
    const grids = a.kind === 'merge' ? a.grids : a.kind === 'split' ? [a.grid] : [a.to]
    const found = await db.selectFrom('grids').select(['code', 'status']).where('code', 'in', grids).execute()
    for (const code of grids) {
      const g = found.find((f) => f.code === code)
      if (g?.status !== 'active') throw new AppError('GRID_NOT_FOUND', `No active grid ${code}`, { code })
    }
    const communities = new Set(grids.map((g) => codeAt(g, 'community')))
    if (a.kind === 'move') {
      const rows =
        'buildingId' in a
          ? await db.selectFrom('buildings').select('community_code').where('id', '=', a.buildingId).execute()
          : await db.selectFrom('dwellings').select('community_code').distinct().where('id', 'in', a.dwellingIds).execute()
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

  async function recomputeAdjacency(region: string) {
    const shapes = (await repo.activeShapes(codeAt(region, 'district'))).map((g) => ({
      code: g.code,
      bbox: [g.min_lng, g.min_lat, g.max_lng, g.max_lat] as [number, number, number, number],
      geometry: toMulti(g.geometry as AreaGeometry),
    }))
    const pairs = adjacency(shapes)
    await db.transaction().execute(async (trx) => {
      const codes = shapes.map((s) => s.code)
      for (let i = 0; i < codes.length; i += 5000) {
        const chunk = codes.slice(i, i + 5000)
        await trx
          .deleteFrom('grid_adjacency')
          .where((eb) => eb.or([eb('a', 'in', chunk), eb('b', 'in', chunk)]))
          .execute()
      }
      for (let i = 0; i < pairs.length; i += 2000)
        await trx
          .insertInto('grid_adjacency')
          .values(pairs.slice(i, i + 2000).map((p) => ({ a: p.a, b: p.b, shared_m: p.sharedM })))
          .execute()
    })
    return pairs.length
  }

  return {
    /** `pauseMs` between streets lets queued requests through when the partition runs beside a
     *  live server on the single-connection embedded database; `writers` > 1 writes streets in
     *  parallel transactions (PostgreSQL; each needs a pool connection besides the reader's). */
    async partition(
      region: string,
      policyIn: Partial<PartitionPolicy> = {},
      onProgress?: (p: PartitionProgress) => void,
      pauseMs = 0,
      writers = 1,
    ) {
      const policy = { ...DEFAULT_POLICY, ...policyIn }
      const t0 = Date.now()
      const communities = await repo.communitiesUnder(region)
      if (!communities.length) throw new AppError('REGION_NOT_FOUND', `No communities under ${region}`, { region })
      const run = await db
        .insertInto('grid_partition_runs')
        .values({ region_code: region, policy: JSON.stringify(policy), quality: null })
        .returning('id')
        .executeTakeFirstOrThrow()
      const runId = Number(run.id)
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
      // Batches of a street (or the one community asked for); the next batch is read while this
      // one is computed, and written while the next is computed.
      const batches = new Map<string, typeof communities>()
      for (const c of communities) {
        // Beside a live server (pauseMs > 0) a community at a time, so that requests wait at most
        // one short transaction; otherwise a street at a time.
        const key = region.length >= 12 || pauseMs > 0 ? c.code : codeAt(c.code, 'street')
        batches.set(key, [...(batches.get(key) ?? []), c])
      }
      const keys = [...batches.keys()]
      // A promise awaited later must not count as an unhandled rejection meanwhile.
      const settled = <T>(p: Promise<T>) => {
        p.catch(() => {})
        return p
      }
      const read = (i: number) => settled(readCommunities(keys[i] as string, batches.get(keys[i] as string) ?? []))
      let nextRead = read(0)
      // Streets are written by up to `writers` transactions at once (different streets touch
      // different rows), so that PostgreSQL can use more than one core for the writes.
      const writing: Promise<unknown>[] = []
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
        writing.push(
          settled(
            db.transaction().execute((trx) =>
              writePlans(trx, plans, {
                source: `run ${runId}`,
                actor: 'partitioner',
                action: 'partition',
                runId,
                deferCounts: bulk,
              }),
            ),
          ),
        )
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
      const adjacencyPairs = await recomputeAdjacency(region)
      // (A bulk change: the planner's statistics of the grid codes are refreshed; a community's
      // re-partition moves too few rows to matter.)
      if (changed >= 10) await analyzeGridCodes(db)
      forgetIndex()
      bus?.publish('grids')
      // Quality over communities big enough for the target (smaller ones form one grid by rule).
      const q = quality({ households, polsbyPopper: pp, contiguous, target: policy.target })
      const report = {
        ...q,
        adjacencyPairs,
        changedCommunities: changed,
        ms: Date.now() - t0,
        phaseMs: Object.fromEntries(Object.entries(timing).map(([k, v]) => [k, Math.round(v)])),
      }
      await db
        .updateTable('grid_partition_runs')
        .set({ quality: JSON.stringify(report), changed_communities: changed, finished_at: new Date() })
        .where('id', '=', Number(run.id))
        .execute()
      return { runId: Number(run.id), policy, ...report }
    },

    async list(p: Principal, region: string | undefined, page: number, pageSize: number) {
      p.require('region.read')
      let q = db
        .selectFrom('grids')
        .where('status', '=', 'active')
        .where(scopeSql(p, 'region.read', { community: 'community_code', grid: 'code' }))
      if (region) q = q.where('community_code', 'like', startsWith(codeAt(region, 'community')))
      if (region && isGridCode(region)) q = q.where('code', '=', region)
      const [items, total] = await Promise.all([
        q
          .select([
            'code',
            'name',
            'community_code',
            'households',
            'residents',
            'buildings',
            'area_m2',
            'polsby_popper',
            'contiguous',
            'centroid_lng',
            'centroid_lat',
            'version',
          ])
          .orderBy('code')
          .limit(pageSize)
          .offset((page - 1) * pageSize)
          .execute(),
        q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ])
      return { items: items.map(summary), total: Number(total.n), page, pageSize }
    },

    async get(p: Principal, code: string) {
      const g = await db.selectFrom('grids').selectAll().where('code', '=', code).executeTakeFirst()
      if (!g) throw gridNotFound(code)()
      p.check('region.read', code, gridNotFound(code))
      const neighbours = await this.neighbours(p, code)
      return {
        ...summary(g),
        status: g.status,
        signature: g.signature,
        bbox: [g.min_lng, g.min_lat, g.max_lng, g.max_lat],
        neighbours: neighbours.map((n) => n.code),
      }
    },

    /**
     * The map layer: every active grid under a region the caller may see, simplified, as one
     * GeoJSON FeatureCollection text built by the database (the 1,900 grids of a district in one
     * value; the browser tiles it). Properties: code, name, community, households, residents.
     */
    async layer(p: Principal, region: string) {
      p.require('region.read')
      const r = await db
        .selectFrom('grids')
        .where('status', '=', 'active')
        .where('community_code', 'like', startsWith(codeAt(region, 'community')))
        .where(scopeSql(p, 'region.read', { community: 'community_code', grid: 'code' }))
        .select(
          sql<string | null>`string_agg(json_build_object('type', 'Feature', 'id', code::bigint, 'properties',
            json_build_object('code', code, 'name', name, 'community', community_code, 'households', households,
              'residents', residents), 'geometry', simplified)::text, ',' order by code)`.as('features'),
        )
        .executeTakeFirst()
      return `{"type":"FeatureCollection","features":[${r?.features ?? ''}]}`
    },

    async geometry(p: Principal, code: string, detail: 'full' | 'simplified') {
      p.check('region.read', code, gridNotFound(code))
      const g = await db
        .selectFrom('grids')
        .select([
          'code',
          'name',
          'community_code',
          'households',
          'status',
          'geometry',
          'simplified',
          'min_lng',
          'min_lat',
          'max_lng',
          'max_lat',
        ])
        .where('code', '=', code)
        .executeTakeFirst()
      if (!g) throw new AppError('GRID_NOT_FOUND', `No grid ${code}`, { code })
      return {
        type: 'Feature' as const,
        id: g.code,
        bbox: [g.min_lng, g.min_lat, g.max_lng, g.max_lat],
        properties: {
          code: g.code,
          name: g.name,
          communityCode: g.community_code,
          households: g.households,
          status: g.status,
          detail,
        },
        geometry: (detail === 'full' ? g.geometry : g.simplified) as { type: 'Polygon' | 'MultiPolygon'; coordinates: unknown },
      }
    },

    /** Neighbours across the whole adjacency graph (a neighbour outside the caller's scope is
     *  still named: pairing and cover need to know who is next door). */
    async neighbours(p: Principal, code: string) {
      const exists = await db.selectFrom('grids').select('code').where('code', '=', code).executeTakeFirst()
      if (!exists) throw gridNotFound(code)()
      p.check('region.read', code, gridNotFound(code))
      const rows = await db
        .selectFrom('grid_adjacency as x')
        .innerJoin('grids as g', (j) => j.on(sql<boolean>`g.code = case when x.a = ${code} then x.b else x.a end`))
        .select(['g.code', 'g.name', 'g.community_code', 'g.households', 'x.shared_m'])
        .where((eb) => eb.or([eb('x.a', '=', code), eb('x.b', '=', code)]))
        .orderBy('g.code')
        .execute()
      return rows.map((r) => ({
        code: r.code,
        name: r.name,
        communityCode: r.community_code,
        households: r.households,
        sharedM: r.shared_m,
      }))
    },

    async lookup(lng: number, lat: number) {
      const ix = await lookupIndex()
      const grid = ix.grids.find(lng, lat)
      const community = grid ? codeAt(grid, 'community') : ix.communities.find(lng, lat)
      if (!community)
        throw new AppError('OUTSIDE_COVERAGE', `(${lng}, ${lat}) is outside every community of this city`, { lng, lat })
      return {
        grid: grid ?? null,
        community,
        street: codeAt(community, 'street'),
        district: codeAt(community, 'district'),
        city: codeAt(community, 'city'),
      }
    },

    /** Partition runs and manual adjustments of a grid, newest first. */
    async history(p: Principal, code: string, page: number, pageSize: number) {
      const g = await db.selectFrom('grids').select('code').where('code', '=', code).executeTakeFirst()
      if (!g) throw gridNotFound(code)()
      p.check('region.read', code, gridNotFound(code))
      const r = await listChanges(db, 'grid', Number(code), pageSize, (page - 1) * pageSize)
      return { ...r, page, pageSize }
    },

    /** The lookup index itself (benchmarks). */
    lookupIndex,

    /**
     * The automatic division of one community under a policy, as it would come out — or, with
     * `apply`, done (a partition run of that community; codes of unchanged grids are kept). The
     * answer: the proposed grids as a FeatureCollection (simplified polygons; households, residents,
     * buildings; whether the code exists already), the grids there now, and the balance.
     */
    async partitionCommunity(p: Principal, community: string, policyIn: Partial<PartitionPolicy>, apply: boolean) {
      const missing = () => new AppError('REGION_NOT_FOUND', `No community ${community}`, { community })
      p.check('grid.adjust', community, missing)
      const policy = { ...DEFAULT_POLICY, ...policyIn }
      const communities = await repo.communitiesUnder(community)
      if (communities.length !== 1) throw missing()
      const before = await db
        .selectFrom('grids')
        .select(['code', 'households'])
        .where('community_code', '=', community)
        .where('status', '=', 'active')
        .orderBy('code')
        .execute()
      // The grids proposed (or, applied, those there now), which of their codes exist, which retire.
      // (`simplified`: a GeoJSON MultiPolygon, from the jsonb column or the plan's text.)
      type Geometry = { type: string; coordinates: unknown }
      type Proposed = { code: string; households: number; residents: number; buildings: number; simplified: Geometry }
      let proposed: Proposed[]
      let retired: string[]
      const existing = new Set(before.map((g) => g.code))
      if (apply) {
        await this.partition(community, policy)
        proposed = await db
          .selectFrom('grids')
          .select(['code', 'households', 'residents', 'buildings', 'simplified'])
          .where('community_code', '=', community)
          .where('status', '=', 'active')
          .orderBy('code')
          .$narrowType<{ simplified: Geometry }>()
          .execute()
        retired = [...existing].filter((code) => !proposed.some((g) => g.code === code))
      } else {
        const [input] = (await readCommunities(community, communities)) as [CommunityInput]
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
    },

    /**
     * A manual adjustment (grids.adjust.ts), all or nothing in one transaction that locks the
     * community's grids. `versions` (code → version the caller saw) turns a concurrent change into
     * VERSION_CONFLICT; `dryRun` answers with the before/after counts and writes nothing.
     */
    async adjust(p: Principal, a: Adjustment, opts: AdjustOptions) {
      const community = await communityOfAdjustment(a)
      p.check('grid.adjust', community, () => new AppError('GRID_NOT_FOUND', `No active grid in ${community}`, { community }))
      const region = await repo.communitiesUnder(community)
      const result = await db.transaction().execute(async (trx) => {
        const locked = await trx
          .selectFrom('grids')
          .select(['code', 'version', 'geometry'])
          .where('community_code', '=', community)
          .where('status', '=', 'active')
          .orderBy('code')
          .forUpdate()
          .execute()
        const version = new Map(locked.map((g) => [g.code, g.version]))
        for (const [code, v] of Object.entries(opts.versions ?? {}))
          if (version.get(code) !== v)
            throw new AppError('VERSION_CONFLICT', `Grid ${code} was changed by someone else; reload and try again`, {
              code,
              current: version.get(code) ?? null,
              given: v,
            })
        const [input] = await readCommunities(community, region, trx)
        if (!input) throw new AppError('REGION_NOT_FOUND', `No community ${community}`, { community })
        const groups = currentGroups(input)
        const before = new Map([...groups].map(([code, items]) => [code, items.reduce((n, i) => n + i.households, 0)]))
        const pairs = await trx
          .selectFrom('grid_adjacency')
          .select(['a', 'b'])
          .where('a', 'like', startsWith(community))
          .where('b', 'like', startsWith(community))
          .execute()
        const adjacentSet = new Set(pairs.map((p) => `${p.a}|${p.b}`))
        const adjacent = (x: string, y: string) => adjacentSet.has(x < y ? `${x}|${y}` : `${y}|${x}`)
        // An automatic split tries its candidate cuts until one gives two connected grids.
        let adjusted: AdjustedGroups | undefined
        let plan: CommunityPlan | undefined
        let refusal: unknown
        for (let attempt = 0; !plan; attempt++) {
          try {
            adjusted = applyAdjustment(input, attempt ? currentGroups(input) : groups, a, adjacent, attempt)
            const candidate = planCommunity(input, adjusted.groups, adjusted.codes)
            checkPlan(candidate, adjusted)
            plan = candidate
          } catch (e) {
            if (e instanceof NoMoreCandidates) throw refusal
            // Only a cut that leaves a half in pieces makes the next candidate worth trying.
            const inPieces = e instanceof AppError && e.details?.reason === 'NOT_CONTIGUOUS'
            if (a.kind !== 'split' || a.buildingIds?.length || !inPieces) throw e
            refusal = e
          }
        }
        if (!adjusted) throw refusal
        // Write the grids the adjustment touched, the one a split creates, and any other whose
        // outline moved with them; the rest keep their rows and versions.
        const stored = new Map(locked.map((g) => [g.code, JSON.stringify(g.geometry)]))
        const written = plan.grids.filter(
          (g) => adjusted.touched.includes(g.code) || !plan.existingCodes.has(g.code) || stored.get(g.code) !== g.geometry,
        )
        if (!opts.dryRun)
          await writePlans(trx, [{ ...plan, grids: written }], {
            action: a.kind,
            actor: p.actor,
            source: 'manual adjustment',
            reason: opts.reason,
            requestId: p.requestId,
            clientIp: p.clientIp,
            runId: null,
            before,
          })
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
              version: opts.dryRun ? (version.get(g.code) ?? null) : (version.get(g.code) ?? 0) + 1,
            })),
            ...plan.retired.map((code) => ({
              code,
              change: 'retired' as const,
              householdsBefore: before.get(code) ?? null,
              householdsAfter: 0,
              residents: 0,
              buildings: 0,
              version: opts.dryRun ? (version.get(code) ?? null) : (version.get(code) ?? 0) + 1,
            })),
          ],
          unchanged: plan.grids.length - written.length,
        }
      })
      if (!opts.dryRun) {
        await recomputeAdjacency(codeAt(community, 'district'))
        forgetIndex()
        bus?.publish('grids')
      }
      return result
    },

    countUnder: async (region: string) =>
      Number(
        (
          await db
            .selectFrom('grids')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('status', '=', 'active')
            .where('community_code', 'like', startsWith(region))
            .executeTakeFirstOrThrow()
        ).n,
      ),
  }
}

function summary(g: {
  code: string
  name: string
  community_code: string
  households: number
  residents: number
  buildings: number
  area_m2: number
  polsby_popper: number
  contiguous: boolean
  centroid_lng: number
  centroid_lat: number
  version: number
}) {
  return {
    code: g.code,
    name: g.name,
    communityCode: g.community_code,
    households: g.households,
    residents: g.residents,
    buildings: g.buildings,
    areaM2: Math.round(g.area_m2),
    polsbyPopper: Math.round(g.polsby_popper * 1000) / 1000,
    contiguous: g.contiguous,
    centroid: [g.centroid_lng, g.centroid_lat] as [number, number],
    version: g.version,
  }
}

export type GridsService = ReturnType<typeof createGridsService>
