// Grid partitioner (网格划分). Model and invariants:
//  - A community is divided on its own: grids never cross a community boundary.
//  - The unit of assignment is a building; a building with more households than the split
//    threshold is cut into pieces of whole floors (per unit, in unit/floor order) — a dwelling is
//    never split, nor is a floor. Pieces are small (≈30% of the target) because the last cut of
//    the bisection can miss its goal by half an item: small items keep grids within ±20%.
//  - k = round(households / target) grids (at least 1); a community below `minHouseholds` is one
//    grid. Recursive coordinate bisection splits the items along the longer axis at the
//    household-weighted point that gives each side households in proportion to the grids it will
//    hold, so grids are balanced and compact.
//  - Geometry (grids.geometry.ts) is the union of the items' Voronoi cells clipped to the
//    community, so grids tile their community exactly; contiguity is then enforced there.
import type { Position } from '@wangge/geo'

export interface PartitionPolicy {
  target: number
  /** A community with fewer households forms one grid. */
  minHouseholds: number
  /** Buildings above target × pieceFactor × 1.5 households are cut into pieces of whole floors
   *  of about target × pieceFactor households each. */
  pieceFactor: number
}

export const DEFAULT_POLICY: PartitionPolicy = { target: 200, minHouseholds: 100, pieceFactor: 0.2 }

export interface Dwelling {
  id: number
  unit: number
  floor: number
  households: number
  /** The grid it is in now (manual adjustments start from the current membership). */
  grid?: string | null
}

export interface BuildingIn {
  id: number
  point: Position
  dwellings: Dwelling[]
  grid?: string | null
}

/** What a grid is made of: whole buildings, or a piece (some dwellings) of one. */
export interface Item {
  key: string
  buildingId: number
  /** Undefined = the whole building. */
  dwellingIds?: number[]
  point: Position
  /** For a piece: the building's own position (where its footprint's Voronoi site goes). */
  anchor?: Position
  households: number
}

const KM_PER_DEG = 111.32

/** Buildings → items; big buildings become several pieces of whole floors, placed metres apart. */
export function toItems(buildings: BuildingIn[], policy: PartitionPolicy = DEFAULT_POLICY): Item[] {
  const items: Item[] = []
  for (const b of buildings) {
    const households = b.dwellings.reduce((s, d) => s + d.households, 0)
    const pieceSize = policy.target * policy.pieceFactor
    if (households <= pieceSize * 1.5) {
      items.push({ key: `b${b.id}`, buildingId: b.id, point: b.point, households })
      continue
    }
    const pieces = Math.ceil(households / pieceSize)
    const ordered = [...b.dwellings].sort((x, y) => x.unit - y.unit || x.floor - y.floor || x.id - y.id)
    // Cut at floor boundaries nearest to each ideal cut.
    const floors: Dwelling[][] = []
    for (const d of ordered) {
      const last = floors[floors.length - 1]
      const head = last?.[0]
      if (last && head && head.unit === d.unit && head.floor === d.floor) last.push(d)
      else floors.push([d])
    }
    let piece: Dwelling[] = []
    let acc = 0
    let made = 0
    const per = households / pieces
    const flush = () => {
      if (!piece.length) return
      const n = piece.reduce((s, d) => s + d.households, 0)
      const point = piecePoint(
        b,
        piece.map((d) => d.id),
      )
      items.push({
        key: `b${b.id}p${made}`,
        buildingId: b.id,
        dwellingIds: piece.map((d) => d.id),
        point,
        anchor: b.point,
        households: n,
      })
      made++
      piece = []
    }
    for (const f of floors) {
      const fh = f.reduce((s, d) => s + d.households, 0)
      const target = per * (made + 1)
      if (piece.length && made < pieces - 1 && Math.abs(acc + fh - target) > Math.abs(acc - target)) flush()
      piece.push(...f)
      acc += fh
    }
    flush()
  }
  return items
}

/** Where a piece of a building (some of its dwellings) is placed: on a circle of 5 m around the
 *  building, at an angle given by the rank of its first dwelling in (unit, floor, id) order. It
 *  depends only on which dwellings the piece holds, so the same piece gets the same point however
 *  it was cut (partition or manual adjustment); and pieces are never all on one line (collinear
 *  sites have no triangulation), so each can get a Voronoi cell of its own where it needs one
 *  (see siteItems in grids.geometry.ts). */
export function piecePoint(b: BuildingIn, dwellingIds: number[]): Position {
  const first = Math.min(...dwellingIds)
  const ordered = [...b.dwellings].sort((x, y) => x.unit - y.unit || x.floor - y.floor || x.id - y.id)
  const rank = Math.max(
    0,
    ordered.findIndex((d) => d.id === first),
  )
  const angle = (2 * Math.PI * rank) / Math.max(1, ordered.length)
  const r = 0.005 / KM_PER_DEG
  return [b.point[0] + (r * Math.cos(angle)) / Math.cos((b.point[1] * Math.PI) / 180), b.point[1] + r * Math.sin(angle)]
}

export function wholeItem(b: BuildingIn): Item {
  return { key: `b${b.id}`, buildingId: b.id, point: b.point, households: b.dwellings.reduce((s, d) => s + d.households, 0) }
}

/** The piece of a building made of these dwellings. */
export function pieceItem(b: BuildingIn, dwellingIds: number[]): Item {
  const set = new Set(dwellingIds)
  const ds = b.dwellings.filter((d) => set.has(d.id))
  const ids = ds.map((d) => d.id)
  return {
    key: `b${b.id}d${Math.min(...ids)}`,
    buildingId: b.id,
    dwellingIds: ids,
    point: piecePoint(b, ids),
    anchor: b.point,
    households: ds.reduce((s, d) => s + d.households, 0),
  }
}

/** One item per building per group: a group's pieces of one building become one piece, or the
 *  whole building when they are all of it. Partition runs and manual adjustments describe the
 *  same membership the same way, so the same membership always gives the same shapes. */
export function normalizeGroups(groups: Item[][], buildings: Map<number, BuildingIn>): Item[][] {
  return groups.map((items) => {
    const out: Item[] = []
    const pieces = new Map<number, number[]>()
    for (const it of items)
      if (it.dwellingIds) pieces.set(it.buildingId, [...(pieces.get(it.buildingId) ?? []), ...it.dwellingIds])
      else out.push(it)
    for (const [id, ids] of pieces) {
      const b = buildings.get(id) as BuildingIn
      out.push(ids.length === b.dwellings.length ? wholeItem(b) : pieceItem(b, ids))
    }
    return out
  })
}

/** A key for an item that does not depend on how pieces were named: building id, then the
 *  piece's first dwelling. */
export function canonicalKey(it: Item): string {
  const b = String(it.buildingId).padStart(12, '0')
  return it.dwellingIds ? `${b}.${String(Math.min(...it.dwellingIds)).padStart(12, '0')}` : b
}

/** Number of grids for a community. */
export function gridCount(households: number, items: number, policy: PartitionPolicy = DEFAULT_POLICY): number {
  if (households < policy.minHouseholds) return 1
  return Math.max(1, Math.min(items, Math.round(households / policy.target)))
}

/** Recursive coordinate bisection into k groups of balanced household counts. */
export function bisect(items: Item[], k: number): Item[][] {
  if (k <= 1 || items.length <= 1) return [items]
  const kLeft = Math.floor(k / 2)
  const lat = items.reduce((s, i) => s + i.point[1], 0) / items.length
  const cos = Math.cos((lat * Math.PI) / 180)
  let minX = Number.POSITIVE_INFINITY
  let maxX = Number.NEGATIVE_INFINITY
  let minY = Number.POSITIVE_INFINITY
  let maxY = Number.NEGATIVE_INFINITY
  for (const i of items) {
    minX = Math.min(minX, i.point[0])
    maxX = Math.max(maxX, i.point[0])
    minY = Math.min(minY, i.point[1])
    maxY = Math.max(maxY, i.point[1])
  }
  const byX = (maxX - minX) * cos >= maxY - minY
  const sorted = [...items].sort((a, b) =>
    byX ? a.point[0] - b.point[0] || a.point[1] - b.point[1] : a.point[1] - b.point[1] || a.point[0] - b.point[0],
  )
  const total = sorted.reduce((s, i) => s + i.households, 0)
  const goal = (total * kLeft) / k
  // Cut where the left side's households are closest to its share; both sides keep ≥ their k items.
  let acc = 0
  let cut = kLeft
  let best = Number.POSITIVE_INFINITY
  for (let i = 0; i < sorted.length; i++) {
    acc += (sorted[i] as Item).households
    const left = i + 1
    if (left < kLeft || sorted.length - left < k - kLeft) continue
    const d = Math.abs(acc - goal)
    if (d < best) {
      best = d
      cut = left
    }
  }
  return [...bisect(sorted.slice(0, cut), kLeft), ...bisect(sorted.slice(cut), k - kLeft)]
}

export interface QualityInput {
  households: number[]
  polsbyPopper: number[]
  contiguous: boolean[]
  target: number
}

export function quality({ households, polsbyPopper, contiguous, target }: QualityInput) {
  const sorted = [...households].sort((a, b) => a - b)
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * (sorted.length - 1)))] ?? 0
  const pp = [...polsbyPopper].sort((a, b) => a - b)
  return {
    grids: households.length,
    households: { min: sorted[0] ?? 0, p5: q(0.05), median: q(0.5), p95: q(0.95), max: sorted[sorted.length - 1] ?? 0 },
    withinTwentyPercent: households.length
      ? households.filter((h) => Math.abs(h - target) <= 0.2 * target).length / households.length
      : 0,
    polsbyPopper: { p5: pp[Math.floor(0.05 * (pp.length - 1))] ?? 0, median: pp[Math.floor(0.5 * (pp.length - 1))] ?? 0 },
    contiguous: contiguous.length ? contiguous.filter(Boolean).length / contiguous.length : 1,
  }
}
