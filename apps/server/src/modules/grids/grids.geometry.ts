// Grid geometry: each grid is the union of its items' Voronoi cells, clipped to the community.
// The cells partition the plane, so grids tile the community exactly — and exactly in the
// arithmetic too: all of it runs on an integer lattice (1e-9°, see @wangge/geo lattice.ts) where
// shared vertices are identical, cells dissolve by edge cancellation and Clipper's booleans are
// exact, so no slivers, gaps or overlaps are left by floating point. A grid that comes out in
// several pieces (a concave community, or the thin cell of one floor-piece of a tower) keeps its
// largest piece; every other piece goes to a neighbouring grid it shares an edge with, together
// with the whole buildings standing in it.
import simplify from '@turf/simplify'
import {
  areaDeg2,
  areaM2,
  bboxOf,
  cleanCrossings,
  dissolve,
  Lattice,
  latticeOp,
  type MultiPolygonCoords,
  type Position,
  pointInMultiPolygon,
  simpleRings,
} from '@wangge/geo'
import { Delaunay } from 'd3-delaunay'
import { canonicalKey, type Item } from './grids.partition.js'

export interface GridShape {
  items: Item[]
  geometry: MultiPolygonCoords
}

const DEG = Math.PI / 180

export function gridGeometry(community: MultiPolygonCoords, groupsIn: Item[][]): GridShape[] {
  // One grid is the whole community — as Clipper normalises it (a community boundary that crosses
  // itself in the source data would otherwise be an invalid grid).
  if (groupsIn.length === 1) return [{ items: groupsIn[0] as Item[], geometry: communityParts(community) }]
  // The contiguity step may hand buildings to a neighbouring grid. Membership and shapes are
  // then recomputed from the new membership until nothing moves, so that the stored membership
  // is a fixed point: recomputing a grid's shape from its members gives the same shape (manual
  // adjustments rely on that).
  let groups = groupsIn
  for (let round = 0; ; round++) {
    const { shapes, moved } = shapesOnce(community, groups)
    if (!moved || round === 4) return shapes
    groups = shapes.map((s) => s.items)
  }
}

function shapesOnce(community: MultiPolygonCoords, groupsIn: Item[][]): { shapes: GridShape[]; moved: number } {
  // Work in an order given by the groups' contents, not by how the caller listed them, so that
  // the same membership always gives the same shapes (the contiguity and repair steps hand pieces
  // to the first neighbour in this order). Shapes come back in the caller's order.
  const firstKey = (g: Item[]) => g.map(canonicalKey).sort()[0] ?? ''
  const order = groupsIn
    .map((g, i) => ({ key: firstKey(g), i }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.i - b.i))
  const groups = order.map((o) => groupsIn[o.i] as Item[])
  const groupOf = new Map<Item, number>()
  groups.forEach((g, i) => {
    for (const it of g) groupOf.set(it, i)
  })
  const items = siteItems(groups, groupOf)
  // Everything below is in lattice units (integers, 1e-9° from the community's south-west corner).
  const [minX, minY, maxX, maxY] = bboxOf(community)
  const lattice = new Lattice([minX, minY])
  const ground = lattice.toLattice(community)
  const k = Math.cos(((minY + maxY) / 2) * DEG) // metric x in the Voronoi diagram
  const sites = items.map((it) => lattice.point(it.site))
  const delaunay = Delaunay.from(
    sites,
    (p) => p[0] * k,
    (p) => p[1],
  )
  const w = (maxX - minX) * lattice.scale
  const h = (maxY - minY) * lattice.scale
  const margin = Math.max(w, h) * 0.01 + 1000
  const voronoi = delaunay.voronoi([-margin * k, -margin, (w + margin) * k, h + margin])
  const cellsOf: Position[][][] = groups.map(() => [])
  items.forEach(({ item: it }, i) => {
    const cell = voronoi.cellPolygon(i)
    // Coincident points get no cell of their own; their grid still holds them through the group.
    // Rounding is a function of the vertex, so neighbouring cells still share identical vertices.
    if (cell) cellsOf[groupOf.get(it) as number]?.push(cell.map(([x, y]) => [Math.round(x / k), Math.round(y)] as Position))
  })
  const shapes: GridShape[] = groups.map((g, i) => {
    const cells = cellsOf[i] as Position[][]
    // A grid's cells dissolve exactly by edge cancellation (a general union is the fallback for
    // the rare pinched result); the exact intersection with the community then trims the grid
    // and makes it strictly simple.
    const merged = dissolve(cells) ?? cells.reduce<MultiPolygonCoords>((acc, c) => latticeOp('union', acc, [[c]]), [])
    // (A ring of Clipper's output may touch itself where a vertex meets an edge: made simple here.)
    return { items: [...g], geometry: merged.length ? simpleRings(latticeOp('intersection', merged, ground)) : [] }
  })
  let moved = makeContiguous(shapes, lattice)
  // The grids must tile the community; with exact booleans they do, but check (and repair) anyway.
  const total = shapes.reduce((sum, s) => sum + areaDeg2(s.geometry), 0)
  if (Math.abs(total - areaDeg2(ground)) > 1e-9 * areaDeg2(ground)) {
    resolveOverlaps(shapes, ground)
    moved += makeContiguous(shapes, lattice)
  }
  const out = new Array<GridShape>(shapes.length)
  // (Unions in the contiguity step may touch a ring to itself again: simple rings, valid by OGC.)
  for (const [j, s] of shapes.entries())
    out[(order[j] as { i: number }).i] = { ...s, geometry: lattice.toDegrees(cleanCrossings(simpleRings(s.geometry))) }
  return { shapes: out, moved }
}

/**
 * Exact tiling: each grid loses what earlier grids already cover, and any uncovered remainder
 * goes to a grid it touches (lattice units).
 */
function resolveOverlaps(shapes: GridShape[], community: MultiPolygonCoords) {
  let covered: MultiPolygonCoords = []
  for (const s of shapes) {
    if (!s.geometry.length) continue
    if (covered.length) s.geometry = latticeOp('difference', s.geometry, covered)
    covered = latticeOp('union', covered, s.geometry)
  }
  for (const gap of latticeOp('difference', community, covered)) {
    const t = shapes.find((o) => o.geometry.length > 0 && touches(o.geometry, gap)) ?? shapes.find((o) => o.geometry.length > 0)
    if (t) t.geometry = latticeOp('union', t.geometry, [gap])
  }
}

/** Whether a piece shares an edge with a (multi)polygon: their union has fewer parts. */
function touches(a: MultiPolygonCoords, piece: MultiPolygonCoords[number]): boolean {
  return latticeOp('union', a, [piece]).length <= a.length
}

/**
 * The items that get a Voronoi site. A split building's footprint belongs to one grid — the one
 * holding most of its households; its other floor-pieces are members without ground of their own
 * (vertical membership), unless their grid would otherwise have no ground at all. This avoids
 * the thin, numerically fragile cells that several sites metres apart would make.
 */
function siteItems(groups: Item[][], groupOf: Map<Item, number>): { item: Item; site: Position }[] {
  const share = new Map<number, Map<number, { households: number; first: number }>>()
  for (const [it, g] of groupOf)
    if (it.dwellingIds) {
      const m = share.get(it.buildingId) ?? new Map<number, { households: number; first: number }>()
      const prev = m.get(g) ?? { households: 0, first: Number.POSITIVE_INFINITY }
      m.set(g, { households: prev.households + it.households, first: Math.min(prev.first, ...it.dwellingIds) })
      share.set(it.buildingId, m)
    }
  // Most households wins; a tie goes to the grid holding the building's lowest dwelling id.
  const primaryGroup = new Map<number, number>()
  for (const [b, m] of share)
    primaryGroup.set(
      b,
      [...m.entries()].sort((x, y) => y[1].households - x[1].households || x[1].first - y[1].first)[0]?.[0] as number,
    )
  const chosen = new Set<number>()
  const sites: { item: Item; site: Position }[] = []
  const hasSite = new Set<number>()
  for (const [g, items] of groups.entries())
    for (const it of items) {
      if (it.dwellingIds && (primaryGroup.get(it.buildingId) !== g || chosen.has(it.buildingId))) continue
      if (it.dwellingIds) chosen.add(it.buildingId)
      // The footprint's site is the building itself, whichever piece stands for it.
      sites.push({ item: it, site: it.anchor ?? it.point })
      hasSite.add(g)
    }
  for (const [g, items] of groups.entries()) if (!hasSite.has(g)) sites.push(...items.map((it) => ({ item: it, site: it.point })))
  return sites
}

/** Hands every detached piece of a grid to a neighbour it touches; returns how many buildings went with them. */
function makeContiguous(shapes: GridShape[], lattice: Lattice): number {
  let moved = 0
  for (const [i, s] of shapes.entries()) {
    if (s.geometry.length <= 1) continue
    const areas = s.geometry.map((p) => areaDeg2([p]))
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
      t.geometry = latticeOp('union', t.geometry, [piece])
      // Whole buildings follow the ground they stand on; pieces of a split building are floors
      // and stay in their grid (membership by floor, not by the few metres of their cell).
      const moving = s.items.filter((it) => !it.dwellingIds && pointInMultiPolygon(lattice.point(it.point), [piece]))
      s.items = s.items.filter((it) => !moving.includes(it))
      t.items.push(...moving)
      moved += moving.length
    }
  }
  return moved
}

/** The community as separate parts: a polygon whose ring touches itself at a point (a lobe hanging
 *  on by a vertex) is two parts, as Clipper's strictly simple output splits it. */
export function communityParts(community: MultiPolygonCoords): MultiPolygonCoords {
  const [minX, minY] = bboxOf(community)
  const lattice = new Lattice([minX, minY])
  return lattice.toDegrees(simpleRings(latticeOp('union', lattice.toLattice(community), [])))
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
