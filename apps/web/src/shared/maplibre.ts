// MapLibre for both map pages: its worker is found next to its own module, which a bundle moves —
// name it once here.
import * as maplibregl from 'maplibre-gl'
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url'

maplibregl.setWorkerUrl(workerUrl)

export { maplibregl }

/** A map without tiles — the platform draws its own polygons, on a plain background (it runs
 *  offline; no basemap, no attribution). */
export function blankMap(
  container: HTMLElement,
  options: Omit<maplibregl.MapOptions, 'container' | 'style'> & { background?: string } = {},
): maplibregl.Map {
  const { background = '#eef2f6', ...rest } = options
  return new maplibregl.Map({
    container,
    style: { version: 8, sources: {}, layers: [{ id: 'bg', type: 'background', paint: { 'background-color': background } }] },
    attributionControl: false,
    ...rest,
  })
}

/** The bounding box [west, south, east, north] of GeoJSON features' coordinates; null for none. */
export function boundsOf(features: readonly { geometry: { coordinates: unknown } }[]): [number, number, number, number] | null {
  let b: [number, number, number, number] | null = null
  const walk = (c: unknown) => {
    if (Array.isArray(c) && typeof c[0] === 'number') {
      const [x, y] = c as [number, number]
      b = b ? [Math.min(b[0], x), Math.min(b[1], y), Math.max(b[2], x), Math.max(b[3], y)] : [x, y, x, y]
    } else if (Array.isArray(c)) for (const x of c) walk(x)
  }
  for (const f of features) walk(f.geometry.coordinates)
  return b
}
