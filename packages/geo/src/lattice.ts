/// <reference path="./clipper-lib.d.ts" />
// Exact polygon booleans on an integer lattice (Angus Johnson's Clipper, `clipper-lib`).
// Grid geometry works in lattice units — 1e-9 degree (≈ 0.1 mm) steps from a local origin — so
// that every vertex two grids share is the same integer pair in both, the booleans are exact,
// and the grids of a community tile it with no sliver, gap or overlap left by floating point.
// Local coordinates stay small (a community spans < 0.05°), which keeps Clipper on its fast
// 53-bit path. Convert back to degrees only at the end.
import ClipperLib from 'clipper-lib'
import { ringSignedArea } from './measure.js'
import { splitPinched } from './pinch.js'
import type { MultiPolygonCoords, Position, Ring } from './types.js'

export class Lattice {
  constructor(
    readonly origin: Position,
    readonly scale = 1e9,
  ) {}

  point(p: Position): Position {
    return [Math.round((p[0] - this.origin[0]) * this.scale), Math.round((p[1] - this.origin[1]) * this.scale)]
  }

  toLattice(mp: MultiPolygonCoords): MultiPolygonCoords {
    return mp.map((poly) => poly.map((ring) => ring.map((p) => this.point(p))))
  }

  toDegrees(mp: MultiPolygonCoords): MultiPolygonCoords {
    const [ox, oy] = this.origin
    const s = this.scale
    return mp.map((poly) => poly.map((ring) => ring.map(([x, y]) => [ox + x / s, oy + y / s] as Position)))
  }
}

type Path = { X: number; Y: number }[]

function toPaths(mp: MultiPolygonCoords): Path[] {
  const paths: Path[] = []
  for (const poly of mp)
    for (const ring of poly) {
      const n = ring.length > 1 && sameXY(ring[0] as Position, ring[ring.length - 1] as Position) ? ring.length - 1 : ring.length
      const path: Path = []
      for (let i = 0; i < n; i++) path.push({ X: (ring[i] as Position)[0], Y: (ring[i] as Position)[1] })
      if (path.length >= 3) paths.push(path)
    }
  return paths
}

const sameXY = (a: Position, b: Position) => a[0] === b[0] && a[1] === b[1]

function closed(path: Path, counterClockwise: boolean): Ring {
  const ring: Ring = path.map((p) => [p.X, p.Y] as Position)
  ring.push([path[0]?.X as number, path[0]?.Y as number])
  return ringSignedArea(ring) > 0 === counterClockwise ? ring : ring.reverse()
}

const OPS = {
  intersection: ClipperLib.ClipType.ctIntersection,
  union: ClipperLib.ClipType.ctUnion,
  difference: ClipperLib.ClipType.ctDifference,
} as const

/** a ∘ b on lattice coordinates (integers). Inputs are (multi)polygons whose rings follow the
 *  even–odd rule; outer rings come out counter-clockwise, holes clockwise. (Clipper's
 *  StrictlySimple mode is off: in clipper-lib 6.4 it can leave two polygons that share an edge
 *  unmerged after a union, which broke grids in two.) */
export function latticeOp(op: keyof typeof OPS, a: MultiPolygonCoords, b: MultiPolygonCoords): MultiPolygonCoords {
  const c = new ClipperLib.Clipper()
  c.StrictlySimple = false
  c.AddPaths(toPaths(a), ClipperLib.PolyType.ptSubject, true)
  c.AddPaths(toPaths(b), ClipperLib.PolyType.ptClip, true)
  const tree = new ClipperLib.PolyTree()
  c.Execute(OPS[op], tree, ClipperLib.PolyFillType.pftEvenOdd, ClipperLib.PolyFillType.pftEvenOdd)
  // Non-strict output may pass a ring twice through a vertex (lobes hanging on a point): split
  // there, so that every result is valid by the OGC rules and a lobe counts as a part of its own.
  return splitPinched(
    ClipperLib.JS.PolyTreeToExPolygons(tree)
      .filter((ex: { outer: Path }) => Math.abs(ringSignedArea(closed(ex.outer, true))) >= SLIVER)
      .map((ex: { outer: Path; holes: Path[] }) => [closed(ex.outer, true), ...ex.holes.map((h) => closed(h, false))]),
  ).filter((poly) => Math.abs(ringSignedArea(poly[0] as Ring)) >= SLIVER)
}

/** Output polygons below this area (lattice units², ≈ 0.01 m² at 1e-9°) are degenerate spikes
 *  of zero width that Clipper's non-strict output can leave; they are dropped. */
const SLIVER = 1e6

/** Whether two non-adjacent edges of a ring cross or overlap (exact on integer lattice coordinates). */
export function crossesItself(ring: Ring): boolean {
  const n = ring.length - 1
  const side = (a: Position, b: Position, c: Position) => Math.sign((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]))
  const within = (a: Position, b: Position, c: Position) =>
    Math.min(a[0], b[0]) <= c[0] && c[0] <= Math.max(a[0], b[0]) && Math.min(a[1], b[1]) <= c[1] && c[1] <= Math.max(a[1], b[1])
  for (let i = 0; i < n; i++)
    for (let j = i + 2; j < n; j++) {
      if (i === 0 && j === n - 1) continue
      const [a, b, c, d] = [ring[i], ring[i + 1], ring[j], ring[j + 1]] as [Position, Position, Position, Position]
      const d1 = side(a, b, c)
      const d2 = side(a, b, d)
      const d3 = side(c, d, a)
      const d4 = side(c, d, b)
      if (d1 * d2 < 0 && d3 * d4 < 0) return true
      if ((d1 === 0 && within(a, b, c)) || (d2 === 0 && within(a, b, d))) return true
    }
  return false
}

/** Rings that cross themselves (Clipper rounds the intersection points it computes to integers,
 *  which can leave a zero-width spike crossing an edge by a fraction of a unit) cleaned of their
 *  near-collinear and near-coincident vertices (Clipper's CleanPolygon, within ≈ 1.4 units). */
export function cleanCrossings(mp: MultiPolygonCoords): MultiPolygonCoords {
  return mp.map((poly) =>
    poly.map((ring) => {
      if (!crossesItself(ring)) return ring
      const [path] = toPaths([[ring]])
      const clean = path ? ClipperLib.Clipper.CleanPolygon(path) : []
      return clean.length >= 3 ? closed(clean, ringSignedArea(ring) > 0) : ring
    }),
  )
}
