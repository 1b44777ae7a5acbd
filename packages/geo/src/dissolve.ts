// Dissolve: the union of cells of a planar subdivision (e.g. Voronoi cells) whose shared edges
// have bit-identical endpoints. Interior edges appear once in each direction and cancel; what is
// left is the boundary, chained into rings. This is exact and linear in the number of edges,
// where a general polygon union (sweep line) is O(n log n) with floating-point intersections —
// tens of times slower on the ~100 cells of a grid and fragile on near-degenerate cells.
// Returns undefined when the edges do not close into rings (cells that are not a clean
// subdivision), so the caller can fall back to a general union.
import { ringSignedArea } from './measure.js'
import type { MultiPolygonCoords, Position, Ring } from './types.js'

const key = (p: Position) => `${p[0]},${p[1]}`

export function dissolve(cells: Ring[]): MultiPolygonCoords | undefined {
  // Directed boundary edges by start vertex; an edge meeting its reverse cancels.
  const edges = new Map<string, { from: Position; to: Position }>()
  let orientation = 0
  for (const cell of cells) {
    const n = cell.length - (key(cell[0] as Position) === key(cell[cell.length - 1] as Position) ? 1 : 0)
    if (n < 3) continue
    orientation += ringSignedArea(cell)
    for (let i = 0; i < n; i++) {
      const a = cell[i] as Position
      const b = cell[(i + 1) % n] as Position
      const ka = key(a)
      const kb = key(b)
      if (ka === kb) continue
      const reverse = `${kb}|${ka}`
      if (edges.has(reverse)) edges.delete(reverse)
      else edges.set(`${ka}|${kb}`, { from: a, to: b })
    }
  }
  if (!edges.size) return []
  const out = new Map<string, { from: Position; to: Position; k: string }[]>()
  for (const [k, e] of edges) {
    const ka = key(e.from)
    const list = out.get(ka)
    if (list) list.push({ ...e, k })
    else out.set(ka, [{ ...e, k }])
  }
  const rings: Ring[] = []
  let pinched = false
  for (const [k, first] of edges) {
    if (!edges.has(k)) continue
    const ring: Ring = [first.from]
    let e = first
    edges.delete(k)
    for (;;) {
      ring.push(e.to)
      const kt = key(e.to)
      if (kt === key(first.from)) break
      const next = out.get(kt)?.find((x) => edges.has(x.k))
      if (!next) return undefined // an open chain: not a clean subdivision
      if ((out.get(kt)?.length ?? 0) > 1) pinched = true
      edges.delete(next.k)
      e = next
    }
    rings.push(ring)
  }
  if (pinched) return undefined // rings touching at a vertex: leave it to a general union
  // Outer rings turn the way the cells do; holes turn the other way and go in the smallest outer
  // ring holding their first vertex.
  const sign = Math.sign(orientation)
  const outers = rings.filter((r) => Math.sign(ringSignedArea(r)) === sign)
  const holes = rings.filter((r) => Math.sign(ringSignedArea(r)) !== sign)
  const polys = outers
    .map((r) => ({ outer: r, area: Math.abs(ringSignedArea(r)), holes: [] as Ring[] }))
    .sort((a, b) => a.area - b.area)
  for (const h of holes) {
    const p = polys.find((o) => inRing(h[0] as Position, o.outer))
    if (!p) return undefined
    p.holes.push(h)
  }
  // GeoJSON (RFC 7946): outer rings counter-clockwise, holes clockwise.
  const ccw = (r: Ring, want: number) => (Math.sign(ringSignedArea(r)) === want ? r : [...r].reverse())
  return polys.map((p) => [ccw(p.outer, 1), ...p.holes.map((h) => ccw(h, -1))])
}

function inRing(p: Position, ring: Ring): boolean {
  let inside = false
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i] as Position
    const [xj, yj] = ring[j] as Position
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside
  }
  return inside
}
