// Regions: the administrative hierarchy city → district → street/town → community/village.
// Read-only through the API; the data comes from committed reference files (regions.loader.ts).
// Invariants: every region's path is its parent's path plus its own code; codes are statistical
// division codes whose length fixes the level. A malformed code is a 400, an unknown one a 404.
import { levelOfCode } from '@wangge/domain'
import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import { createRegionsRepository } from './regions.repository.js'

export interface RegionSummary {
  code: string
  name: string
  level: string
  kind: string
}

export function createRegionsService({ db, grids }: { db: Kysely<DB>; grids: { countUnder(region: string): Promise<number> } }) {
  const repo = createRegionsRepository(db)

  async function getRow(code: string) {
    if (!levelOfCode(code)) throw new AppError('INVALID_REGION_CODE', 'A region code has 4, 6, 9 or 12 digits', { code })
    const row = await repo.findByCode(code)
    if (!row) throw new AppError('REGION_NOT_FOUND', `No region with code ${code}`, { code })
    return row
  }

  function feature(g: NonNullable<Awaited<ReturnType<typeof repo.findGeometry>>>) {
    return {
      type: 'Feature' as const,
      id: g.code,
      bbox: [g.min_lng, g.min_lat, g.max_lng, g.max_lat],
      properties: {
        code: g.code,
        name: g.name,
        level: g.level,
        synthetic: g.synthetic,
        source: g.source,
        areaM2: Math.round(g.area_m2),
        // Where the map writes the region's name.
        labelAt: g.centroid_lng == null || g.centroid_lat == null ? null : ([g.centroid_lng, g.centroid_lat] as [number, number]),
      },
      geometry: g.geometry as { type: 'Polygon' | 'MultiPolygon'; coordinates: unknown },
    }
  }

  return {
    async get(code: string) {
      const row = await getRow(code)
      const [parents, children, counts, gridCount] = await Promise.all([
        repo.listAncestors(row.path),
        repo.listChildren(code),
        repo.countDescendantsByLevel(row.path),
        grids.countUnder(code),
      ])
      const count = (level: string) => Number(counts.find((c) => c.level === level)?.n ?? 0)
      return {
        code: row.code,
        name: row.name,
        level: row.level,
        kind: row.kind,
        path: row.path,
        parentCode: row.parent_code,
        pinyin: row.pinyin,
        initials: row.initials,
        centroid:
          row.centroid_lng == null || row.centroid_lat == null
            ? null
            : ([row.centroid_lng, row.centroid_lat] as [number, number]),
        source: row.source,
        version: row.version,
        parents,
        children,
        descendantCounts: {
          district: count('district'),
          street: count('street'),
          community: count('community'),
          grid: gridCount,
        },
      }
    },

    async geometry(code: string) {
      await getRow(code)
      const g = await repo.findGeometry(code)
      if (!g) throw new AppError('NOT_FOUND', `Region ${code} has no geometry`, { code })
      return feature(g)
    },

    async childGeometries(code: string) {
      await getRow(code)
      const rows = await repo.listChildGeometries(code)
      return { type: 'FeatureCollection' as const, features: rows.map(feature) }
    },

    async search(f: {
      q?: string | undefined
      level?: string | undefined
      within?: string | undefined
      page: number
      pageSize: number
    }) {
      if (f.within) await getRow(f.within)
      const { items, total } = await repo.search({ ...f, limit: f.pageSize, offset: (f.page - 1) * f.pageSize })
      return {
        items: items.map((r) => ({
          code: r.code,
          name: r.name,
          level: r.level,
          kind: r.kind,
          parentCode: r.parent_code,
          path: r.path,
        })),
        total,
        page: f.page,
        pageSize: f.pageSize,
      }
    },
  }
}

export type RegionsService = ReturnType<typeof createRegionsService>
