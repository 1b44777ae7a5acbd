// One community's grids, computed without touching the database: items → groups → geometry →
// codes (keeping unchanged grids' codes) → what to write. Used by partition runs and by manual
// adjustments (which pass their own groups).
import { areaM2, bboxOf, centroid, fromMulti, type MultiPolygonCoords, pointInMultiPolygon } from '@wangge/geo'
import { assignCodes, type Existing, signatureOf } from './grids.codes.js'
import { communityParts, type GridShape, gridGeometry, polsbyPopper, simplified } from './grids.geometry.js'
import {
  type BuildingIn,
  bisect,
  gridCount,
  type Item,
  normalizeGroups,
  type PartitionPolicy,
  toItems,
} from './grids.partition.js'

export interface CommunityInput {
  code: string
  geometry: MultiPolygonCoords
  buildings: Map<number, BuildingIn>
  /** Active residents per dwelling. */
  residentsOf: Map<number, number>
  existing: Existing[]
  components: { id: number; lng: number; lat: number }[]
}

export interface GridRow {
  code: string
  community_code: string
  seq: number
  name: string
  status: 'active'
  households: number
  residents: number
  buildings: number
  signature: string
  geometry: string
  simplified: string
  min_lng: number
  min_lat: number
  max_lng: number
  max_lat: number
  centroid_lng: number
  centroid_lat: number
  area_m2: number
  polsby_popper: number
  contiguous: boolean
}

export interface CommunityPlan {
  community: string
  grids: GridRow[]
  retired: string[]
  /** Codes that existed before (their rows are updated, not created). */
  existingCodes: Set<string>
  /** Dwellings of split buildings (the others follow their building: `wholeBuildings`). */
  dwellingCodes: [number, string][]
  /** Buildings wholly in one grid: their dwellings take the building's grid code. */
  wholeBuildings: number[]
  buildingCodes: [number, string][]
  componentCodes: [number, string][]
  changed: boolean
}

/** Groups of items for a community under a policy (the automatic division). */
export function autoGroups(input: CommunityInput, policy: PartitionPolicy): Item[][] {
  const items = toItems([...input.buildings.values()], policy)
  const total = items.reduce((s, i) => s + i.households, 0)
  return items.length ? normalizeGroups(bisect(items, gridCount(total, items.length, policy)), input.buildings) : [[]]
}

export function planCommunity(input: CommunityInput, groups: Item[][], fixedCodes?: (string | undefined)[]): CommunityPlan {
  const shapes: GridShape[] = gridGeometry(input.geometry, groups)
  const parts = communityParts(input.geometry)
  const signatures = shapes.map((s) => signatureOf(s.items))
  const codes = assignCodes(
    input.code,
    shapes.map((s, i) => ({ signature: signatures[i] as string, site: centroid(s.geometry), code: fixedCodes?.[i] })),
    input.existing,
  )
  const kept = new Set(codes)
  const retired = input.existing.filter((e) => e.status === 'active' && !kept.has(e.code)).map((e) => e.code)
  const existingCodes = new Set(input.existing.map((e) => e.code))
  const dwellingCodes: [number, string][] = []
  const wholeBuildings: number[] = []
  const buildingCodes: [number, string][] = []
  // A split building's footprint is recorded in the grid holding most of its households (a tie:
  // the one with its lowest dwelling id) — the grid its footprint's ground goes to.
  const pieceShares = new Map<number, Map<string, { households: number; first: number }>>()
  const grids = shapes.map((s, i): GridRow => {
    const code = codes[i] as string
    let households = 0
    let residents = 0
    const bids = new Set<number>()
    for (const it of s.items) {
      households += it.households
      bids.add(it.buildingId)
      const b = input.buildings.get(it.buildingId) as BuildingIn
      for (const d of it.dwellingIds ?? b.dwellings.map((x) => x.id)) {
        residents += input.residentsOf.get(d) ?? 0
        // Dwellings of a whole building take the building's code in SQL (wholeBuildings).
        if (it.dwellingIds) dwellingCodes.push([d, code])
      }
      if (!it.dwellingIds && b.dwellings.length) wholeBuildings.push(it.buildingId)
      if (!it.dwellingIds) buildingCodes.push([it.buildingId, code])
      else {
        const share = pieceShares.get(it.buildingId) ?? new Map<string, { households: number; first: number }>()
        const prev = share.get(code) ?? { households: 0, first: Number.POSITIVE_INFINITY }
        share.set(code, { households: prev.households + it.households, first: Math.min(prev.first, ...it.dwellingIds) })
        pieceShares.set(it.buildingId, share)
      }
    }
    const [minLng, minLat, maxLng, maxLat] = bboxOf(s.geometry)
    const [cLng, cLat] = centroid(s.geometry)
    return {
      code,
      community_code: input.code,
      seq: Number(code.slice(12)),
      name: `${code.slice(12)}网格`,
      status: 'active',
      households,
      residents,
      buildings: bids.size,
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
      contiguous: isContiguous(s.geometry, parts),
    }
  })
  for (const [buildingId, share] of pieceShares) {
    const [code] = [...share.entries()].sort((a, b) => b[1].households - a[1].households || a[1].first - b[1].first)[0] as [
      string,
      unknown,
    ]
    buildingCodes.push([buildingId, code])
  }
  const componentCodes: [number, string][] = input.components.map((c) => {
    const i = shapes.findIndex((s) => pointInMultiPolygon([c.lng, c.lat], s.geometry))
    return [c.id, codes[Math.max(i, 0)] as string]
  })
  return {
    community: input.code,
    grids,
    retired,
    existingCodes,
    dwellingCodes,
    wholeBuildings,
    buildingCodes,
    componentCodes,
    changed: retired.length > 0 || codes.some((c) => !existingCodes.has(c)),
  }
}

/** One piece — or, where the community itself is in pieces (islands, or lobes touching the rest
 *  at a single point: `communityParts`), its extra parts are whole parts of the community. */
export function isContiguous(grid: MultiPolygonCoords, communityParts: MultiPolygonCoords): boolean {
  if (grid.length <= 1) return true
  const areas = grid.map((p) => areaM2([p]))
  const largest = areas.indexOf(Math.max(...areas))
  const partAreas = communityParts.map((p) => areaM2([p]))
  return areas.every((a, i) => i === largest || partAreas.some((c) => Math.abs(c - a) <= 1e-4 * c + 1e-3))
}
