// Adjacency: two grids are neighbours when their boundaries share a stretch of edge (not just a
// point). Candidates come from bounding-box overlap; shared length is the total collinear overlap
// of their boundary segments. Works across community borders, where vertices differ on each side.
import type { MultiPolygonCoords, Position } from '@wangge/geo'
import Flatbush from 'flatbush'

export interface Shape {
  code: string
  bbox: [number, number, number, number]
  geometry: MultiPolygonCoords
}

const M_PER_DEG = 111_320
const EPS = 1e-9

export function adjacency(shapes: Shape[], minSharedM = 1): { a: string; b: string; sharedM: number }[] {
  if (shapes.length < 2) return []
  const index = new Flatbush(shapes.length)
  for (const s of shapes) index.add(s.bbox[0] - EPS, s.bbox[1] - EPS, s.bbox[2] + EPS, s.bbox[3] + EPS)
  index.finish()
  const segs = shapes.map(segmentsOf)
  const out: { a: string; b: string; sharedM: number }[] = []
  shapes.forEach((s, i) => {
    for (const j of index.search(s.bbox[0], s.bbox[1], s.bbox[2], s.bbox[3])) {
      if (j <= i) continue
      const t = shapes[j] as Shape
      const shared = sharedLength(segs[i] as Seg[], segs[j] as Seg[], (s.bbox[1] + s.bbox[3]) / 2)
      if (shared > 0 && shared >= minSharedM) {
        const [a, b] = s.code < t.code ? [s.code, t.code] : [t.code, s.code]
        out.push({ a, b, sharedM: Math.round(shared * 10) / 10 })
      }
    }
  })
  return out
}

type Seg = [number, number, number, number]

function segmentsOf(s: Shape): Seg[] {
  const out: Seg[] = []
  for (const poly of s.geometry)
    for (const ring of poly)
      for (let i = 1; i < ring.length; i++) {
        const a = ring[i - 1] as Position
        const b = ring[i] as Position
        out.push([a[0], a[1], b[0], b[1]])
      }
  return out
}

function sharedLength(as: Seg[], bs: Seg[], lat: number): number {
  const k = Math.cos((lat * Math.PI) / 180)
  let total = 0
  for (const [ax, ay, bx, by] of as) {
    const dx = bx - ax
    const dy = by - ay
    const len2 = dx * dx + dy * dy
    if (len2 === 0) continue
    const len = Math.sqrt(len2)
    for (const [cx, cy, ex, ey] of bs) {
      if (Math.max(cx, ex) < Math.min(ax, bx) - EPS || Math.min(cx, ex) > Math.max(ax, bx) + EPS) continue
      if (Math.max(cy, ey) < Math.min(ay, by) - EPS || Math.min(cy, ey) > Math.max(ay, by) + EPS) continue
      // Both endpoints of the other segment on this segment's line?
      const d1 = Math.abs(dx * (cy - ay) - dy * (cx - ax)) / len
      const d2 = Math.abs(dx * (ey - ay) - dy * (ex - ax)) / len
      if (d1 > 1e-8 || d2 > 1e-8) continue
      const t1 = ((cx - ax) * dx + (cy - ay) * dy) / len2
      const t2 = ((ex - ax) * dx + (ey - ay) * dy) / len2
      const lo = Math.max(0, Math.min(t1, t2))
      const hi = Math.min(1, Math.max(t1, t2))
      if (hi > lo) total += (hi - lo) * Math.hypot(dx * k, dy) * M_PER_DEG
    }
  }
  return total
}
