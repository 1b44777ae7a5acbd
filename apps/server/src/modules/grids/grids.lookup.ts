// Point → grid lookup: a Flatbush R-tree over grid bounding boxes, then point-in-polygon on the few
// candidates. Communities without grids answer at community level (grid: null) from a second
// index over community polygons. Rebuilt in-process whenever grids change.
import { type MultiPolygonCoords, type Position, pointInMultiPolygon } from '@wangge/geo'
import Flatbush from 'flatbush'

export interface Area {
  code: string
  bbox: [number, number, number, number]
  geometry: MultiPolygonCoords
}

export class AreaIndex {
  private readonly index: Flatbush | undefined
  private readonly hits: number[] = []

  constructor(private readonly areas: Area[]) {
    if (!areas.length) return
    this.index = new Flatbush(areas.length)
    for (const a of areas) this.index.add(a.bbox[0], a.bbox[1], a.bbox[2], a.bbox[3])
    this.index.finish()
  }

  get size() {
    return this.areas.length
  }

  /** The code of the area containing the point, or undefined. */
  find(lng: number, lat: number): string | undefined {
    if (!this.index) return undefined
    const p: Position = [lng, lat]
    const ids = this.index.search(lng, lat, lng, lat, undefined)
    for (const id of ids) {
      const a = this.areas[id] as Area
      if (pointInMultiPolygon(p, a.geometry)) return a.code
    }
    // A point exactly on a boundary may fall outside every half-open ring test: give it to the
    // first area whose boundary it lies on.
    for (const id of ids) {
      const a = this.areas[id] as Area
      if (onBoundary(p, a.geometry)) return a.code
    }
    return undefined
  }
}

function onBoundary(p: Position, mp: MultiPolygonCoords): boolean {
  for (const poly of mp)
    for (const ring of poly)
      for (let i = 1; i < ring.length; i++) {
        const a = ring[i - 1] as Position
        const b = ring[i] as Position
        const cross = (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0])
        const len = Math.hypot(b[0] - a[0], b[1] - a[1])
        if (Math.abs(cross) > 1e-12 * Math.max(len, 1e-12)) continue
        if (
          p[0] >= Math.min(a[0], b[0]) - 1e-12 &&
          p[0] <= Math.max(a[0], b[0]) + 1e-12 &&
          p[1] >= Math.min(a[1], b[1]) - 1e-12 &&
          p[1] <= Math.max(a[1], b[1]) + 1e-12
        )
          return true
      }
  return false
}
