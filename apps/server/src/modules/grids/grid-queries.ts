// Reading grids: pages of them, one with its neighbours, the map layer, a grid's outline, its
// neighbours and its history — each within what the caller may see (`region.read`).
import { codeAt, isGridCode } from '@wangge/domain'
import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import { type Principal, scopeSql } from '../access/index.js'
import { listChanges } from '../history/index.js'
import type { GridsRepository } from './grids.repository.js'

export const gridNotFound = (code: string) => () => new AppError('GRID_NOT_FOUND', `No grid ${code}`, { code })

const scope = (p: Principal) => scopeSql(p, 'region.read', { community: 'community_code', grid: 'code' })

export function createGridQueries(db: Kysely<DB>, repo: GridsRepository) {
  /** Neighbours across the whole adjacency graph (a neighbour outside the caller's scope is
   *  still named: pairing and cover need to know who is next door). */
  async function neighbours(p: Principal, code: string) {
    if (!(await repo.exists(code))) throw gridNotFound(code)()
    p.check('region.read', code, gridNotFound(code))
    return neighboursOf(code)
  }
  /** (The grid is known to exist and be readable.) */
  async function neighboursOf(code: string) {
    return (await repo.neighbours(code)).map((r) => ({
      code: r.code,
      name: r.name,
      communityCode: r.community_code,
      households: r.households,
      sharedM: r.shared_m,
    }))
  }

  return {
    neighbours,

    async list(p: Principal, region: string | undefined, page: number, pageSize: number) {
      p.require('region.read')
      const f = {
        region: region ? codeAt(region, 'community') : undefined,
        grid: region && isGridCode(region) ? region : undefined,
      }
      const r = await repo.page(f, scope(p), pageSize, (page - 1) * pageSize)
      return { items: r.items.map(summary), total: r.total, page, pageSize }
    },

    async get(p: Principal, code: string) {
      const g = await repo.find(code)
      if (!g) throw gridNotFound(code)()
      p.check('region.read', code, gridNotFound(code))
      const next = await neighboursOf(code)
      return {
        ...summary(g),
        status: g.status,
        signature: g.signature,
        bbox: [g.min_lng, g.min_lat, g.max_lng, g.max_lat],
        neighbours: next.map((n) => n.code),
      }
    },

    /**
     * The map layer: every active grid under a region the caller may see, simplified, as one
     * GeoJSON FeatureCollection text built by the database (the 1,900 grids of a district in one
     * value; the browser tiles it). Properties: code, name, community, households, residents.
     */
    async layer(p: Principal, region: string) {
      p.require('region.read')
      const features = await repo.layerFeatures(codeAt(region, 'community'), scope(p))
      return `{"type":"FeatureCollection","features":[${features ?? ''}]}`
    },

    async geometry(p: Principal, code: string, detail: 'full' | 'simplified') {
      p.check('region.read', code, gridNotFound(code))
      const g = await repo.shape(code)
      if (!g) throw gridNotFound(code)()
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

    /** Partition runs and manual adjustments of a grid, newest first. */
    async history(p: Principal, code: string, page: number, pageSize: number) {
      if (!(await repo.exists(code))) throw gridNotFound(code)()
      p.check('region.read', code, gridNotFound(code))
      const r = await listChanges(db, 'grid', Number(code), pageSize, (page - 1) * pageSize)
      return { ...r, page, pageSize }
    },

    countUnder: (region: string) => repo.countUnder(region),
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
