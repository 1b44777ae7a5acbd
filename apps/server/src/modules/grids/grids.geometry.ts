// Grid geometry: each grid is the union of its items' Voronoi cells, clipped to the community.
// The cells partition the plane, so grids tile the community exactly. A grid that comes out in
// several pieces (a concave community, or the thin cell of one floor-piece of a tower) keeps its
// largest piece; every other piece goes to a neighbouring grid it shares an edge with, together
// with the whole buildings standing in it.
import simplify from '@turf/simplify'
import { areaM2, bboxOf, clip, type MultiPolygonCoords, type Position, pointInMultiPolygon } from '@wangge/geo'
import { Delaunay } from 'd3-delaunay'
import type { Item } from './grids.partition.js'

export interface GridShape {
  items: Item[]
  geometry: MultiPolygonCoords
}

const DEG = Math.PI / 180

export function gridGeometry(community: MultiPolygonCoords, groups: Item[][]): GridShape[] {
  if (groups.length === 1) return [{ items: groups[0] as Item[], geometry: community }]
  const groupOf = new Map<Item, number>()
  groups.forEach((g, i) => {
    for (const it of g) groupOf.set(it, i)
  })
  const items = siteItems(groups, groupOf)
  const [minX, minY, maxX, maxY] = bboxOf(community)
  const k = Math.cos(((minY + maxY) / 2) * DEG)
  const pad = Math.max(maxX - minX, maxY - minY)
  const delaunay = Delaunay.from(
    items,
    (i) => i.point[0] * k,
    (i) => i.point[1],
  )
  const voronoi = delaunay.voronoi([(minX - pad) * k, minY - pad, (maxX + pad) * k, maxY + pad])
  const cellsOf: Position[][][] = groups.map(() => [])
  items.forEach((it, i) => {
    const cell = voronoi.cellPolygon(i)
    // Coincident points get no cell of their own; their grid still holds them through the group.
    if (cell) cellsOf[groupOf.get(it) as number]?.push(cell.map(([x, y]) => [x / k, y] as Position))
  })
  const shapes: GridShape[] = groups.map((g, i) => {
    const cells = cellsOf[i] as Position[][]
    const merged = cells.length ? clip.union(...(cells.map((c) => [c]) as unknown as [MultiPolygonCoords])) : []
    return { items: [...g], geometry: merged.length ? clip.intersection(merged, community) : [] }
  })
  makeContiguous(shapes)
  resolveOverlaps(shapes, community)
  makeContiguous(shapes)
  return shapes
}

/**
 * Exact tiling whatever the floating point did: each grid loses what earlier grids already cover,
 * and any uncovered remainder goes to a grid it touches. Near-degenerate cells (floor-pieces a few
 * metres apart) can otherwise leave clipping results overlapping by a few square metres.
 */
function resolveOverlaps(shapes: GridShape[], community: MultiPolygonCoords) {
  let covered: MultiPolygonCoords = []
  for (const s of shapes) {
    if (!s.geometry.length) continue
    if (covered.length) s.geometry = safe(() => clip.difference(s.geometry, covered), s.geometry)
    covered = covered.length ? safe(() => clip.union(covered, s.geometry), covered) : s.geometry
  }
  for (const gap of safe(() => clip.difference(community, covered), [])) {
    const t = shapes.find((o) => o.geometry.length > 0 && touches(o.geometry, gap)) ?? shapes.find((o) => o.geometry.length > 0)
    if (t) t.geometry = safe(() => clip.union(t.geometry, [gap]), t.geometry)
  }
}

/** polyclip-ts, robust as it is, can still fail to close a ring on near-degenerate input; such an
 *  operation is then skipped (the sliver stays where it was) rather than failing the partition. */
function safe<T>(fn: () => T, fallback: T): T {
  try {
    return fn()
  } catch {
    return fallback
  }
}

function touches(a: MultiPolygonCoords, piece: MultiPolygonCoords[number]): boolean {
  return safe(() => clip.union(a, [piece]).length <= a.length, false)
}

/**
 * The items that get a Voronoi site. A split building's footprint belongs to one grid — the one
 * holding most of its households; its other floor-pieces are members without ground of their own
 * (vertical membership), unless their grid would otherwise have no ground at all. This avoids
 * the thin, numerically fragile cells that several sites metres apart would make.
 */
function siteItems(groups: Item[][], groupOf: Map<Item, number>): Item[] {
  const share = new Map<number, Map<number, number>>()
  for (const [it, g] of groupOf)
    if (it.dwellingIds) {
      const m = share.get(it.buildingId) ?? new Map<number, number>()
      m.set(g, (m.get(g) ?? 0) + it.households)
      share.set(it.buildingId, m)
    }
  const primaryGroup = new Map<number, number>()
  for (const [b, m] of share) primaryGroup.set(b, [...m.entries()].sort((x, y) => y[1] - x[1] || x[0] - y[0])[0]?.[0] as number)
  const chosen = new Set<number>()
  const sites: Item[] = []
  const hasSite = new Set<number>()
  for (const [g, items] of groups.entries())
    for (const it of items) {
      if (it.dwellingIds && (primaryGroup.get(it.buildingId) !== g || chosen.has(it.buildingId))) continue
      if (it.dwellingIds) chosen.add(it.buildingId)
      sites.push(it)
      hasSite.add(g)
    }
  for (const [g, items] of groups.entries()) if (!hasSite.has(g)) sites.push(...items)
  return sites
}

function makeContiguous(shapes: GridShape[]) {
  for (const [i, s] of shapes.entries()) {
    if (s.geometry.length <= 1) continue
    const areas = s.geometry.map((p) => areaM2([p]))
    const keep = areas.indexOf(Math.max(...areas))
    const pieces = s.geometry.filter((_, j) => j !== keep)
    s.geometry = [s.geometry[keep] as MultiPolygonCoords[number]]
    for (const piece of pieces) {
      const target = shapes.findIndex((o, j) => j !== i && o.geometry.length > 0 && touches(o.geometry, piece))
      if (target < 0) {
        s.geometry.push(piece) // isolated (e.g. an island of the community): stays, reported as not contiguous
        continue
      }
      const t = shapes[target] as GridShape
      t.geometry = safe(() => clip.union(t.geometry, [piece]), [...t.geometry, piece])
      // Whole buildings follow the ground they stand on; pieces of a split building are floors
      // and stay in their grid (membership by floor, not by the few metres of their cell).
      const moving = s.items.filter((it) => !it.dwellingIds && pointInMultiPolygon(it.point, [piece]))
      s.items = s.items.filter((it) => !moving.includes(it))
      t.items.push(...moving)
    }
  }
}

/** Polsby–Popper compactness 4πA/P² (1 = circle), in metres. */
export function polsbyPopper(mp: MultiPolygonCoords): number {
  const area = areaM2(mp)
  const [, minY, , maxY] = bboxOf(mp)
  const k = Math.cos(((minY + maxY) / 2) * DEG)
  let perimeter = 0
  for (const poly of mp)
    for (const ring of poly)
      for (let i = 1; i < ring.length; i++) {
        const a = ring[i - 1] as Position
        const b = ring[i] as Position
        perimeter += Math.hypot((b[0] - a[0]) * k, b[1] - a[1]) * 111_320
      }
  return perimeter ? (4 * Math.PI * area) / perimeter ** 2 : 0
}

/** A lighter outline for maps (≈1 m tolerance); not for tiling checks. */
export function simplified(mp: MultiPolygonCoords): MultiPolygonCoords {
  return mp.map((poly) => {
    try {
      const g = simplify({ type: 'Polygon', coordinates: poly } as never, {
        tolerance: 0.00001,
        highQuality: false,
      }) as unknown as { coordinates: MultiPolygonCoords[number] }
      return g.coordinates
    } catch {
      return poly // slivers too small to simplify stay as they are
    }
  })
}
