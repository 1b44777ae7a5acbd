// What the public page shows of the city: street addresses as the resident types them, the
// buildings around a position to place a pin without map tiles, and the open and recently closed
// cases of the residents' classes — no personal data, sensitive places blurred to a cell's centre.
import { RESIDENT_CLASSES, residentClass } from '@wangge/domain'
import { publicAddresses, publicBuildingsOf, someBuiltCommunity } from '../housing/index.js'
import { publicCase, type ResidentsContext } from './residents-context.js'

/** Street addresses starting with what the resident typed (buildings only: no flat, no name). */
export async function addresses({ db }: ResidentsContext, q: string) {
  const prefix = q.trim()
  if (prefix.length < 2) return []
  return (await publicAddresses(db, prefix, 10)).map((b) => ({ address: b.address, lng: b.lng, lat: b.lat }))
}

/**
 * The buildings of the community at a position (or of some community, before the page knows where
 * it is), to place a pin on a map without tiles: points and street addresses only.
 */
export async function surroundings({ db, repo, lookup }: ResidentsContext, lng: number | undefined, lat: number | undefined) {
  const community =
    lng !== undefined && lat !== undefined && lookup ? (await lookup(lng, lat)).community : await someBuiltCommunity(db)
  if (!community) return { community: null, name: null, buildings: [] }
  const [buildings, name] = await Promise.all([publicBuildingsOf(db, community, 800), repo.regionName(community)])
  return {
    community,
    name: name ?? null,
    buildings: buildings.map((b) => ({ address: b.address, lng: b.lng, lat: b.lat })),
  }
}

/** Open and recently closed cases of the residents' classes; no personal data, sensitive places blurred. */
export async function map({ repo, clock }: ResidentsContext, bbox: readonly [number, number, number, number] | undefined) {
  const now = clock()
  const rows = await repo.publicCases({
    codes: RESIDENT_CLASSES.filter((x) => x.blurMeters !== null).map((x) => x.code),
    closedSince: new Date(now.getTime() - 30 * 86_400_000),
    bbox,
    limit: 2000,
    offset: 0,
  })
  const departments = await repo.departmentNames()
  return {
    type: 'FeatureCollection' as const,
    features: rows.map((r) => {
      const cls = residentClass(r.catalog_code)
      const [lng, lat] = blur(r.lng, r.lat, cls?.blurMeters ?? 0)
      const pc = publicCase(r, cls, departments, now)
      return {
        type: 'Feature' as const,
        geometry: { type: 'Point' as const, coordinates: [lng, lat] as [number, number] },
        properties: {
          number: pc.number,
          className: pc.className,
          icon: pc.icon,
          status: pc.status,
          statusText: pc.statusText,
          ageDays: pc.ageDays,
          followers: pc.followers,
          blurred: (cls?.blurMeters ?? 0) > 0,
        },
      }
    }),
  }
}

/** A position snapped to a grid of `meters` (its cell's centre), so it points at no door. */
export function blur(lng: number, lat: number, meters: number): [number, number] {
  if (meters <= 0) return [Math.round(lng * 1e5) / 1e5, Math.round(lat * 1e5) / 1e5]
  const dLat = meters / 111_320
  const dLng = meters / (111_320 * Math.cos((lat * Math.PI) / 180))
  return [(Math.floor(lng / dLng) + 0.5) * dLng, (Math.floor(lat / dLat) + 0.5) * dLat]
}
