// Grids (单元网格): partition runs, reads, point lookup and adjacency.
// A partition run handles one community at a time, each in its own transaction: compute items →
// groups → geometry → codes (keeping unchanged grids' codes), retire vanished grids, write the
// new ones, and copy grid codes down to dwellings, buildings, households, persons, organizations
// and components. Adjacency of the region's grids is recomputed at the end, and the in-process
// lookup index is rebuilt on next use.
import { type AreaGeometry, areaM2, bboxOf, centroid, type MultiPolygonCoords, pointInMultiPolygon, toMulti } from '@wangge/geo'
import { type Kysely, sql } from 'kysely'
import type { DB } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import { startsWith } from '../../kernel/like.js'
import { recordChange } from '../history/history.service.js'
import { adjacency } from './grids.adjacency.js'
import { assignCodes, signatureOf } from './grids.codes.js'
import { gridGeometry, polsbyPopper, simplified } from './grids.geometry.js'
import { AreaIndex } from './grids.lookup.js'
import { type BuildingIn, bisect, DEFAULT_POLICY, gridCount, type PartitionPolicy, quality, toItems } from './grids.partition.js'
import { createGridsRepository } from './grids.repository.js'

export interface PartitionProgress {
  communities: number
  total: number
  grids: number
}

const fromMulti = (mp: MultiPolygonCoords): AreaGeometry =>
  mp.length === 1 ? { type: 'Polygon', coordinates: mp[0] as never } : { type: 'MultiPolygon', coordinates: mp }

export function createGridsService({ db }: { db: Kysely<DB> }) {
  const repo = createGridsRepository(db)
  const timing = { query: 0, geometry: 0, write: 0 }
  let index: { grids: AreaIndex; communities: AreaIndex } | undefined

  async function lookupIndex() {
    if (index) return index
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
    index = { grids: new AreaIndex(grids.map(toArea)), communities: new AreaIndex(communities.map(toArea)) }
    return index
  }

  async function partitionCommunity(runId: number, community: string, geometry: MultiPolygonCoords, policy: PartitionPolicy) {
    return db.transaction().execute(async (trx) => {
      const t0 = performance.now()
      const rows = await repo.dwellingsOf(community, trx)
      const empty = await repo.buildingsWithoutDwellings(community, trx)
      const buildings = new Map<number, BuildingIn>()
      const residentsOf = new Map<number, number>()
      for (const r of rows) {
        const id = Number(r.building_id)
        let b = buildings.get(id)
        if (!b) {
          b = { id, point: [r.lng, r.lat], dwellings: [] }
          buildings.set(id, b)
        }
        b.dwellings.push({ id: Number(r.id), unit: r.unit, floor: r.floor, households: Number(r.households ?? 0) })
        residentsOf.set(Number(r.id), Number(r.residents ?? 0))
      }
      for (const e of empty) buildings.set(Number(e.id), { id: Number(e.id), point: [e.lng, e.lat], dwellings: [] })
      timing.query += performance.now() - t0
      const t1 = performance.now()
      const items = toItems([...buildings.values()], policy)
      const total = items.reduce((s, i) => s + i.households, 0)
      const shapes = items.length
        ? gridGeometry(geometry, bisect(items, gridCount(total, items.length, policy)))
        : [{ items: [], geometry }]
      timing.geometry += performance.now() - t1
      const t2 = performance.now()
      const existing = await repo.gridsOf(community, trx)
      const signatures = shapes.map((s) => signatureOf(s.items))
      const codes = assignCodes(
        community,
        shapes.map((s, i) => ({ signature: signatures[i] as string, site: centroid(s.geometry) })),
        existing,
      )
      const kept = new Set(codes)
      const retired = existing.filter((e) => e.status === 'active' && !kept.has(e.code))
      if (retired.length) {
        await trx
          .updateTable('grids')
          .set({ status: 'retired', retired_at: new Date(), updated_at: new Date() })
          .where(
            'code',
            'in',
            retired.map((r) => r.code),
          )
          .execute()
        await trx
          .deleteFrom('grid_adjacency')
          .where((eb) =>
            eb.or([
              eb(
                'a',
                'in',
                retired.map((r) => r.code),
              ),
              eb(
                'b',
                'in',
                retired.map((r) => r.code),
              ),
            ]),
          )
          .execute()
        for (const r of retired)
          await recordChange(trx, {
            entity: 'grid',
            entityId: Number(r.code),
            version: 0,
            action: 'retire',
            changes: {},
            actor: 'partitioner',
            source: `run ${runId}`,
          })
      }
      const buildingCodes: [number, string][] = []
      const dwellingCodes: [number, string][] = []
      const stats = shapes.map((s, i) => {
        const code = codes[i] as string
        let households = 0
        let residents = 0
        const bids = new Set<number>()
        for (const it of s.items) {
          households += it.households
          bids.add(it.buildingId)
          const b = buildings.get(it.buildingId) as BuildingIn
          const ds = it.dwellingIds ?? b.dwellings.map((d) => d.id)
          for (const d of ds) {
            residents += residentsOf.get(d) ?? 0
            dwellingCodes.push([d, code])
          }
          if (!it.dwellingIds || it.key.endsWith('p0')) buildingCodes.push([it.buildingId, code])
        }
        return { code, households, residents, buildings: bids.size }
      })
      const isNew = new Set(existing.map((e) => e.code))
      for (const [i, s] of shapes.entries()) {
        const st = stats[i] as (typeof stats)[number]
        const [minLng, minLat, maxLng, maxLat] = bboxOf(s.geometry)
        const [cLng, cLat] = centroid(s.geometry)
        const values = {
          community_code: community,
          seq: Number(st.code.slice(12)),
          name: `${st.code.slice(12)}网格`,
          status: 'active',
          households: st.households,
          residents: st.residents,
          buildings: st.buildings,
          signature: signatures[i] as string,
          geometry: JSON.stringify(fromMulti(s.geometry)),
          simplified: JSON.stringify(fromMulti(simplified(s.geometry))),
          min_lng: minLng,
          min_lat: minLat,
          max_lng: maxLng,
          max_lat: maxLat,
          centroid_lng: cLng,
          centroid_lat: cLat,
          area_m2: areaM2(s.geometry),
          polsby_popper: polsbyPopper(s.geometry),
          contiguous: isContiguous(s.geometry, geometry),
          run_id: runId,
          retired_at: null,
        }
        await trx
          .insertInto('grids')
          .values({ code: st.code, ...values })
          .onConflict((oc) =>
            oc.column('code').doUpdateSet({ ...values, version: sql`grids.version + 1`, updated_at: new Date() }),
          )
          .execute()
        if (!isNew.has(st.code))
          await recordChange(trx, {
            entity: 'grid',
            entityId: Number(st.code),
            version: 1,
            action: 'partition',
            changes: { households: { old: null, new: st.households } },
            actor: 'partitioner',
            source: `run ${runId}`,
          })
      }
      await repo.setCodes(trx, 'dwellings', dwellingCodes)
      await repo.setCodes(trx, 'buildings', buildingCodes)
      const components = await repo.componentsOf(community, trx)
      const componentCodes: [number, string][] = []
      for (const c of components) {
        const i = shapes.findIndex((s) => pointInMultiPolygon([c.lng, c.lat], s.geometry))
        componentCodes.push([Number(c.id), codes[Math.max(i, 0)] as string])
      }
      await repo.setCodes(trx, 'components', componentCodes)
      await repo.propagate(trx, community)
      timing.write += performance.now() - t2
      return {
        grids: shapes.length,
        changed: retired.length > 0 || codes.some((c) => !isNew.has(c)),
        households: stats.map((s) => s.households),
        polsbyPopper: shapes.map((s) => polsbyPopper(s.geometry)),
        contiguous: shapes.map((s) => isContiguous(s.geometry, geometry)),
      }
    })
  }

  async function recomputeAdjacency(region: string) {
    const shapes = (await repo.activeShapes(region.slice(0, 6))).map((g) => ({
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
    /** `pauseMs` between communities lets queued requests through when the partition runs beside
     *  a live server on the single-connection embedded database. */
    async partition(
      region: string,
      policyIn: Partial<PartitionPolicy> = {},
      onProgress?: (p: PartitionProgress) => void,
      pauseMs = 0,
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
      const households: number[] = []
      const pp: number[] = []
      const contiguous: boolean[] = []
      let changed = 0
      let grids = 0
      for (const [i, c] of communities.entries()) {
        const r = await partitionCommunity(Number(run.id), c.code, toMulti(c.geometry as AreaGeometry), policy)
        households.push(...r.households)
        pp.push(...r.polsbyPopper)
        contiguous.push(...r.contiguous)
        grids += r.grids
        if (r.changed) changed++
        onProgress?.({ communities: i + 1, total: communities.length, grids })
        if (pauseMs) await new Promise((resolve) => setTimeout(resolve, pauseMs))
      }
      const adjacencyPairs = await recomputeAdjacency(region)
      index = undefined
      // Quality over communities big enough for the target (smaller ones form one grid by rule).
      const q = quality({ households, polsbyPopper: pp, contiguous, target: policy.target })
      const report = {
        ...q,
        adjacencyPairs,
        changedCommunities: changed,
        ms: Date.now() - t0,
        phaseMs: Object.fromEntries(Object.entries(timing).map(([k, v]) => [k, Math.round(v)])),
      }
      timing.query = timing.geometry = timing.write = 0
      await db
        .updateTable('grid_partition_runs')
        .set({ quality: JSON.stringify(report), changed_communities: changed, finished_at: new Date() })
        .where('id', '=', Number(run.id))
        .execute()
      return { runId: Number(run.id), policy, ...report }
    },

    async list(region: string | undefined, page: number, pageSize: number) {
      let q = db.selectFrom('grids').where('status', '=', 'active')
      if (region) q = q.where('community_code', 'like', startsWith(region.slice(0, 12)))
      if (region && region.length === 15) q = q.where('code', '=', region)
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

    async get(code: string) {
      const g = await db.selectFrom('grids').selectAll().where('code', '=', code).executeTakeFirst()
      if (!g) throw new AppError('GRID_NOT_FOUND', `No grid ${code}`, { code })
      const neighbours = await this.neighbours(code)
      return {
        ...summary(g),
        status: g.status,
        signature: g.signature,
        bbox: [g.min_lng, g.min_lat, g.max_lng, g.max_lat],
        neighbours: neighbours.map((n) => n.code),
      }
    },

    async geometry(code: string, detail: 'full' | 'simplified') {
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

    async neighbours(code: string) {
      const exists = await db.selectFrom('grids').select('code').where('code', '=', code).executeTakeFirst()
      if (!exists) throw new AppError('GRID_NOT_FOUND', `No grid ${code}`, { code })
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
      const community = grid ? grid.slice(0, 12) : ix.communities.find(lng, lat)
      if (!community)
        throw new AppError('OUTSIDE_COVERAGE', `(${lng}, ${lat}) is outside every community of this city`, { lng, lat })
      return {
        grid: grid ?? null,
        community,
        street: community.slice(0, 9),
        district: community.slice(0, 6),
        city: community.slice(0, 4),
      }
    },

    /** The lookup index itself (benchmarks). */
    lookupIndex,

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

/** One piece — or, where the community itself is in pieces (parts touching at a point), its
 *  extra parts are whole parts of the community. */
function isContiguous(grid: MultiPolygonCoords, community: MultiPolygonCoords): boolean {
  if (grid.length <= 1) return true
  const areas = grid.map((p) => areaM2([p]))
  const largest = areas.indexOf(Math.max(...areas))
  const communityParts = community.map((p) => areaM2([p]))
  return areas.every((a, i) => i === largest || communityParts.some((c) => Math.abs(c - a) <= 1e-6 * c + 1e-3))
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
