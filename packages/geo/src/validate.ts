// Validity of Polygon/MultiPolygon geometry in the OGC Simple Features sense (which RFC 7946
// GeoJSON defers to): closed rings of ≥ 4 positions, finite lng/lat in range, no ring crossing
// itself, parts whose interiors do not overlap (touching at points is allowed), holes inside
// their shell. Returns the problems found; an empty list means valid.
import * as clip from './clip.js'
import { areaDeg2, ringSignedArea } from './measure.js'
import type { MultiPolygonCoords, Position, Ring } from './types.js'

export function validateAreaGeometry(g: unknown): string[] {
  const problems: string[] = []
  if (!g || typeof g !== 'object') return ['geometry is not an object']
  const { type, coordinates } = g as { type?: unknown; coordinates?: unknown }
  if (type !== 'Polygon' && type !== 'MultiPolygon') return [`type must be Polygon or MultiPolygon, got ${String(type)}`]
  const mp = (type === 'Polygon' ? [coordinates] : coordinates) as MultiPolygonCoords
  if (!Array.isArray(mp) || mp.length === 0) return ['coordinates are empty']
  for (const [pi, poly] of mp.entries()) {
    if (!Array.isArray(poly) || poly.length === 0) {
      problems.push(`polygon ${pi} has no rings`)
      continue
    }
    for (const [ri, ring] of poly.entries()) {
      const at = `polygon ${pi} ring ${ri}`
      if (!Array.isArray(ring) || ring.length < 4) {
        problems.push(`${at} has fewer than 4 positions`)
        continue
      }
      if (!ring.every(isPosition)) {
        problems.push(`${at} has an invalid position`)
        continue
      }
      const first = ring[0] as Position
      const last = ring[ring.length - 1] as Position
      if (first[0] !== last[0] || first[1] !== last[1]) problems.push(`${at} is not closed`)
      if (ringSignedArea(ring) === 0) problems.push(`${at} has zero area`)
      if (selfIntersects(ring)) problems.push(`${at} crosses itself`)
    }
  }
  if (problems.length) return problems
  // Interiors disjoint and holes inside shells ⇔ the normalised union has the same area.
  const parts = mp.reduce((s, poly) => s + areaDeg2([poly]), 0)
  const union = areaDeg2(clip.union(mp))
  // Tolerance: polyclip-ts snaps near-collinear vertices, moving areas by ~1e-8 relative.
  if (Math.abs(parts - union) > 1e-7 * Math.max(union, 1e-12)) problems.push('parts overlap or a hole lies outside its shell')
  return problems
}

function isPosition(p: unknown): p is Position {
  if (!Array.isArray(p) || p.length < 2) return false
  const [x, y] = p as number[]
  return Number.isFinite(x) && Number.isFinite(y) && Math.abs(x as number) <= 180 && Math.abs(y as number) <= 90
}

/** Proper crossing of two non-adjacent edges (shared endpoints — pinch points — are allowed). */
function selfIntersects(ring: Ring): boolean {
  const n = ring.length - 1
  for (let i = 0; i < n; i++) {
    const a = ring[i] as Position
    const b = ring[i + 1] as Position
    const minX = Math.min(a[0], b[0])
    const maxX = Math.max(a[0], b[0])
    const minY = Math.min(a[1], b[1])
    const maxY = Math.max(a[1], b[1])
    for (let j = i + 2; j < n; j++) {
      if (i === 0 && j === n - 1) continue
      const c = ring[j] as Position
      const d = ring[j + 1] as Position
      if (
        Math.max(c[0], d[0]) < minX ||
        Math.min(c[0], d[0]) > maxX ||
        Math.max(c[1], d[1]) < minY ||
        Math.min(c[1], d[1]) > maxY
      )
        continue
      if (properCross(a, b, c, d)) return true
    }
  }
  return false
}

function orient(p: Position, q: Position, r: Position): number {
  const v = (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])
  return v > 0 ? 1 : v < 0 ? -1 : 0
}

function properCross(a: Position, b: Position, c: Position, d: Position): boolean {
  const o1 = orient(a, b, c)
  const o2 = orient(a, b, d)
  const o3 = orient(c, d, a)
  const o4 = orient(c, d, b)
  if (o1 * o2 < 0 && o3 * o4 < 0) return true
  // Collinear overlap of two edges is also a crossing (a ring running back over itself).
  if (o1 === 0 && o2 === 0 && o3 === 0 && o4 === 0) {
    const k = a[0] !== b[0] ? 0 : 1
    const [s1, e1] = [Math.min(a[k], b[k]), Math.max(a[k], b[k])]
    const [s2, e2] = [Math.min(c[k], d[k]), Math.max(c[k], d[k])]
    return Math.min(e1, e2) > Math.max(s1, s2)
  }
  return false
}
