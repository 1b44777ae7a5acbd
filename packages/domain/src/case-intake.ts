// Case numbers and duplicate candidates for intake (DOMAIN.md §3, issue: event loop).
// A case number is C (component) / E (event) / S (grid service item) + major (2) + sub (2) + yyyymmdd (Beijing date of the
// report) + a 4-digit sequence of that subclass and day, e.g. E050720261127-0007 → "E0507202611270007".
// Duplicates: a report of the same subclass within `radiusM` metres and `hours` hours of an open
// case is suggested to the acceptor as the same matter. Candidates are found through H3 cells
// (h3-js): the report's cell at a resolution whose edge is about the radius, and its ring, so a
// database query needs only an `= any(cells)` on an indexed column; the exact distance decides.
import { gridDisk, latLngToCell } from 'h3-js'
import { CATALOG_CODE, CATALOG_PREFIX, type CatalogKind } from './event-catalog.js'
import { beijingDate } from './working-time.js'

export function caseNumber(catalogCode: string, reportedAt: Date, sequence: number): string {
  if (!CATALOG_CODE.test(catalogCode)) throw new RangeError(`not a catalog code: ${catalogCode}`)
  // Four digits, widening beyond 9,999 reports of one subclass on one day rather than failing.
  if (!Number.isInteger(sequence) || sequence < 1 || sequence > 999_999) throw new RangeError('sequence must be 1–999999')
  return `${catalogCode}${beijingDate(reportedAt).replaceAll('-', '')}${String(sequence).padStart(4, '0')}`
}

export function parseCaseNumber(n: string) {
  const m = /^([ECS])(\d{2})(\d{2})(\d{4})(\d{2})(\d{2})(\d{4,6})$/.exec(n)
  if (!m) return undefined
  return {
    kind: (Object.entries(CATALOG_PREFIX).find(([, x]) => x === m[1]) as [CatalogKind, string])[0],
    catalogCode: `${m[1]}${m[2]}${m[3]}`,
    date: `${m[4]}-${m[5]}-${m[6]}`,
    sequence: Number(m[7]),
  }
}

/** H3 resolution for duplicate search: 10 (edge ≈ 76 m) suits the default 50 m radius. */
export const DUPLICATE_RESOLUTION = 10

/** The cell a case is indexed under. */
export const caseCell = (lng: number, lat: number, resolution = DUPLICATE_RESOLUTION) => latLngToCell(lat, lng, resolution)

/** Cells to search for cases within about `radiusM` of a point (the point's cell and enough rings). */
export function nearbyCells(lng: number, lat: number, radiusM: number, resolution = DUPLICATE_RESOLUTION): string[] {
  const edge = 75.9 // metres, average hexagon edge at resolution 10
  const rings = Math.max(1, Math.ceil(radiusM / (edge * 1.5)))
  return gridDisk(caseCell(lng, lat, resolution), rings)
}

export interface OpenCase {
  id: number
  catalogCode: string
  lng: number
  lat: number
  reportedAt: Date
}

/** Haversine distance in metres. */
export function metresBetween(a: [number, number], b: [number, number]): number {
  const R = 6_371_008.8
  const toRad = Math.PI / 180
  const dLat = (b[1] - a[1]) * toRad
  const dLng = (b[0] - a[0]) * toRad
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * toRad) * Math.cos(b[1] * toRad) * Math.sin(dLng / 2) ** 2
  return 2 * R * Math.asin(Math.sqrt(h))
}

/** Open cases that are probably the same matter as a new report, nearest first. */
export function duplicateCandidates<C extends OpenCase>(
  report: { catalogCode: string; lng: number; lat: number; reportedAt: Date },
  cases: C[],
  opts: { radiusM: number; hours: number } = { radiusM: 50, hours: 24 },
): (C & { distanceM: number })[] {
  return cases
    .filter((c) => c.catalogCode === report.catalogCode)
    .filter((c) => Math.abs(report.reportedAt.getTime() - c.reportedAt.getTime()) <= opts.hours * 3_600_000)
    .map((c) => ({ ...c, distanceM: metresBetween([report.lng, report.lat], [c.lng, c.lat]) }))
    .filter((c) => c.distanceM <= opts.radiusM)
    .sort((a, b) => a.distanceM - b.distanceM)
}
