// Rings that pass twice through the same vertex are not valid in the OGC Simple Features sense
// (a shell may not touch itself), though Clipper's non-strict output makes them: two lobes of a
// grid hanging on one vertex come back as one ring through that vertex twice. Here such rings are
// split into simple loops at the repeated vertices. A loop of a shell that turns the shell's way
// is a polygon of its own (two parts of a MultiPolygon may touch at a point); a loop that turns
// the other way is a hole touching its shell at a point (valid). Loops of zero area (a spike out
// and back) are dropped.
import { GeometryFactory } from 'jsts/org/locationtech/jts/geom.js'
import { GeoJSONReader } from 'jsts/org/locationtech/jts/io.js'
import { IsValidOp } from 'jsts/org/locationtech/jts/operation/valid.js'
import { pointInMultiPolygon, ringSignedArea } from './measure.js'
import type { MultiPolygonCoords, PolygonCoords, Position, Ring } from './types.js'

/** The simple loops of a closed ring, split at every repeated vertex (each loop closed). */
export function ringLoops(ring: Ring): Ring[] {
  const n = ring.length - 1 // the last position repeats the first
  const loops: Ring[] = []
  const stack: Position[] = []
  const at = new Map<string, number>()
  for (let i = 0; i < n; i++) {
    const p = ring[i] as Position
    const key = `${p[0]},${p[1]}`
    const j = at.get(key)
    if (j === undefined) {
      at.set(key, stack.length)
      stack.push(p)
      continue
    }
    // Back at a vertex already on the path: what lies between is a loop of its own.
    const loop = stack.splice(j + 1)
    for (const q of loop) at.delete(`${q[0]},${q[1]}`)
    loops.push([stack[j] as Position, ...loop, stack[j] as Position])
  }
  if (stack.length) loops.push([...stack, stack[0] as Position])
  return loops.filter((l) => l.length >= 4 && ringSignedArea(l) !== 0)
}

/** The same area with every ring simple: pinched shells split into polygons, pinched holes into holes. */
export function splitPinched(mp: MultiPolygonCoords): MultiPolygonCoords {
  const out: MultiPolygonCoords = []
  for (const poly of mp) {
    const [shell, ...holes] = poly
    if (!shell) continue
    const shellLoops = ringLoops(shell)
    const holeLoops = holes.map(ringLoops)
    const unchanged = (loops: Ring[], ring: Ring) => loops.length === 1 && loops[0]?.length === ring.length
    if (unchanged(shellLoops, shell) && holeLoops.every((h, i) => unchanged(h, holes[i] as Ring))) {
      out.push(poly)
      continue
    }
    const turn = Math.sign(ringSignedArea(shell))
    const parts: PolygonCoords[] = shellLoops.filter((l) => Math.sign(ringSignedArea(l)) === turn).map((l) => [l])
    const inner = [...shellLoops.filter((l) => Math.sign(ringSignedArea(l)) !== turn), ...holeLoops.flat()]
    for (const h of inner) {
      // A hole's edges' midpoints lie inside its shell (it may touch the shell only at points).
      const a = h[0] as Position
      const b = h[1] as Position
      const mid: Position = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2]
      const home = parts.find((p) => pointInMultiPolygon(mid, [[p[0] as Ring]])) ?? parts[0]
      home?.push(h)
    }
    out.push(...parts)
  }
  return out
}

const factory = new GeometryFactory()

/** Why a (multi)polygon is not valid by the OGC Simple Features rules, as JTS's `IsValidOp`
 *  (through JSTS) judges it; null when it is valid. */
export function ogcInvalidity(mp: MultiPolygonCoords): string | null {
  const g = new GeoJSONReader(factory).read({ type: 'MultiPolygon', coordinates: mp })
  const op = new IsValidOp(g)
  return op.isValid() ? null : String(op.getValidationError())
}

/** A ring with every vertex that lies exactly on one of its other edges inserted into that edge
 *  (integer lattice coordinates: the test is exact). Clipper's non-strict output can leave a ring
 *  touching itself where a vertex meets an edge; as a repeated vertex, `splitPinched` then splits it.
 *  Quadratic in the ring's length: for grids' rings (tens to hundreds of vertices). */
export function insertTouches(ring: Ring): Ring {
  const n = ring.length - 1
  if (n < 4) return ring
  const extra = new Map<number, Position[]>()
  for (let i = 0; i < n; i++) {
    const p = ring[i] as Position
    for (let j = 0; j < n; j++) {
      const a = ring[j] as Position
      const b = ring[j + 1] as Position
      if (j === i || (j + 1) % n === i) continue
      if (p[0] < Math.min(a[0], b[0]) || p[0] > Math.max(a[0], b[0])) continue
      if (p[1] < Math.min(a[1], b[1]) || p[1] > Math.max(a[1], b[1])) continue
      if ((p[0] === a[0] && p[1] === a[1]) || (p[0] === b[0] && p[1] === b[1])) continue
      if ((b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]) !== 0) continue
      extra.set(j, [...(extra.get(j) ?? []), p])
    }
  }
  if (!extra.size) return ring
  const out: Ring = []
  for (let j = 0; j < n; j++) {
    const a = ring[j] as Position
    out.push(a)
    const on = extra.get(j)
    if (on) out.push(...on.sort((u, v) => Math.hypot(u[0] - a[0], u[1] - a[1]) - Math.hypot(v[0] - a[0], v[1] - a[1])))
  }
  out.push(out[0] as Position)
  return out
}

/** Every ring simple (touches made vertices, then split there): valid by the OGC rules. */
export const simpleRings = (mp: MultiPolygonCoords): MultiPolygonCoords => splitPinched(mp.map((poly) => poly.map(insertTouches)))
