// Planar measures on lng/lat coordinates. Areas use an equirectangular projection around the
// geometry's own latitude: at city scale (< 100 km) the error is far below what synthetic
// boundaries need, and it keeps the package free of a projection library.
import type { AreaGeometry, BBox, MultiPolygonCoords, Position, Ring } from './types.js'

const EARTH_RADIUS_M = 6_371_008.8
const DEG = Math.PI / 180

export function toMulti(g: AreaGeometry): MultiPolygonCoords {
  return g.type === 'Polygon' ? [g.coordinates] : g.coordinates
}

export function fromMulti(mp: MultiPolygonCoords): AreaGeometry {
  return mp.length === 1 && mp[0] ? { type: 'Polygon', coordinates: mp[0] } : { type: 'MultiPolygon', coordinates: mp }
}

export function bboxOf(mp: MultiPolygonCoords): BBox {
  let minX = Number.POSITIVE_INFINITY
  let minY = Number.POSITIVE_INFINITY
  let maxX = Number.NEGATIVE_INFINITY
  let maxY = Number.NEGATIVE_INFINITY
  for (const poly of mp)
    for (const [x, y] of poly[0] ?? []) {
      if (x < minX) minX = x
      if (y < minY) minY = y
      if (x > maxX) maxX = x
      if (y > maxY) maxY = y
    }
  return [minX, minY, maxX, maxY]
}

/** Signed shoelace area of a ring in degree² (positive = counter-clockwise). */
export function ringSignedArea(ring: Ring): number {
  let s = 0
  for (let i = 0, n = ring.length; i < n; i++) {
    const a = ring[i] as Position
    const b = ring[(i + 1) % n] as Position
    s += a[0] * b[1] - b[0] * a[1]
  }
  return s / 2
}

/** Area in square degrees (holes subtracted), for ratios between geometries. */
export function areaDeg2(mp: MultiPolygonCoords): number {
  let s = 0
  for (const poly of mp)
    poly.forEach((ring, i) => {
      const a = Math.abs(ringSignedArea(ring))
      s += i === 0 ? a : -a
    })
  return s
}

/** Approximate area in square metres. */
export function areaM2(mp: MultiPolygonCoords): number {
  const [, minY, , maxY] = bboxOf(mp)
  const k = Math.cos(((minY + maxY) / 2) * DEG)
  return areaDeg2(mp) * (EARTH_RADIUS_M * DEG) ** 2 * k
}

/** Distance in metres between two lng/lat points (equirectangular; fine below ~100 km). */
export function distanceM(a: Position, b: Position): number {
  const k = Math.cos(((a[1] + b[1]) / 2) * DEG)
  const dx = (a[0] - b[0]) * k
  const dy = a[1] - b[1]
  return Math.sqrt(dx * dx + dy * dy) * EARTH_RADIUS_M * DEG
}

function pointInRing(x: number, y: number, ring: Ring): boolean {
  let inside = false
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i] as Position
    const [xj, yj] = ring[j] as Position
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside
  }
  return inside
}

/** Even-odd point-in-polygon over every ring (outer rings and holes). */
export function pointInMultiPolygon(p: Position, mp: MultiPolygonCoords): boolean {
  for (const poly of mp) {
    if (!poly[0] || !pointInRing(p[0], p[1], poly[0])) continue
    let inHole = false
    for (let h = 1; h < poly.length; h++) if (pointInRing(p[0], p[1], poly[h] as Ring)) inHole = true
    if (!inHole) return true
  }
  return false
}

/** Area-weighted centroid of the outer rings (holes ignored; used for labels and ordering). */
export function centroid(mp: MultiPolygonCoords): Position {
  let cx = 0
  let cy = 0
  let total = 0
  for (const poly of mp) {
    const ring = poly[0]
    if (!ring) continue
    for (let i = 0, n = ring.length; i < n; i++) {
      const a = ring[i] as Position
      const b = ring[(i + 1) % n] as Position
      const f = a[0] * b[1] - b[0] * a[1]
      cx += (a[0] + b[0]) * f
      cy += (a[1] + b[1]) * f
      total += f
    }
  }
  if (total === 0) {
    const first = mp[0]?.[0]?.[0]
    return first ? [first[0], first[1]] : [0, 0]
  }
  return [cx / (3 * total), cy / (3 * total)]
}

/** Round every coordinate to `digits` decimals and drop consecutive duplicates. */
export function roundMulti(mp: MultiPolygonCoords, digits: number): MultiPolygonCoords {
  const f = 10 ** digits
  return mp.map((poly) =>
    poly.map((ring) => {
      const out: Ring = []
      for (const [x, y] of ring) {
        const p: Position = [Math.round(x * f) / f, Math.round(y * f) / f]
        const last = out[out.length - 1]
        if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push(p)
      }
      const first = out[0]
      const last = out[out.length - 1]
      if (first && last && (first[0] !== last[0] || first[1] !== last[1])) out.push([first[0], first[1]])
      return out
    }),
  )
}
