// MapLibre for both map pages: its worker is found next to its own module, which a bundle moves —
// name it once here.
import * as maplibregl from 'maplibre-gl'
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url'
import { get, type Res } from './api'

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

type Basemap = Res<'/map/basemap'>
let basemap: Promise<Basemap> | null = null
/** The basemap the platform is configured with (asked once per page; none when it cannot say). */
export const configuredBasemap = () => {
  basemap ??= get<Basemap>('/map/basemap').catch(() => null)
  return basemap
}

/** A map over the configured basemap (an XYZ raster template or a MapLibre style), or a blank one
 *  when there is none: the platform's layers are added on 'load' either way. */
export function baseMap(
  container: HTMLElement,
  base: Basemap,
  options: Omit<maplibregl.MapOptions, 'container' | 'style'> = {},
): maplibregl.Map {
  if (!base) return blankMap(container, options)
  const style: maplibregl.StyleSpecification | string =
    base.kind === 'style'
      ? base.url
      : {
          version: 8,
          sources: {
            basemap: {
              type: 'raster',
              // 天地图-style subdomains t{0-7}: one template per subdomain.
              tiles: subdomains(base.url),
              tileSize: 256,
              attribution: base.attribution,
            },
          },
          layers: [{ id: 'basemap', type: 'raster', source: 'basemap' }],
        }
  return new maplibregl.Map({ container, style, attributionControl: { compact: true }, ...options })
}

/** `t{0-7}.host` → t0.host … t7.host; a template without a range as it is. */
function subdomains(url: string): string[] {
  const m = /\{(\d+)-(\d+)\}/.exec(url)
  if (!m) return [url]
  const out: string[] = []
  for (let i = Number(m[1]); i <= Number(m[2]); i++) out.push(url.replace(m[0], String(i)))
  return out
}

/** Names written on the map as HTML labels (no glyph server: the browser's own CJK fonts). */
export function mapLabels(m: maplibregl.Map) {
  let marks: maplibregl.Marker[] = []
  return {
    set(labels: readonly { at: [number, number]; text: string }[]) {
      for (const mk of marks) mk.remove()
      marks = labels.map((l) => {
        const el = document.createElement('div')
        el.className = 'map-label'
        el.textContent = l.text
        return new maplibregl.Marker({ element: el }).setLngLat(l.at).addTo(m)
      })
    },
  }
}

/** The number of points in each cluster of a clustered source, written on the cluster. */
export function clusterCounts(m: maplibregl.Map, source: string) {
  const marks = new Map<number, maplibregl.Marker>()
  const sync = () => {
    if (!m.getSource(source) || !m.isSourceLoaded(source)) return
    const seen = new Set<number>()
    for (const f of m.querySourceFeatures(source)) {
      const p = f.properties
      if (!p?.cluster) continue
      const id = Number(p.cluster_id)
      if (seen.has(id)) continue
      seen.add(id)
      if (marks.has(id)) continue
      const el = document.createElement('div')
      el.className = 'map-cluster-count'
      el.textContent = String(p.point_count_abbreviated ?? p.point_count)
      const at = (f.geometry as { coordinates: [number, number] }).coordinates
      marks.set(id, new maplibregl.Marker({ element: el }).setLngLat(at).addTo(m))
    }
    for (const [id, mk] of marks)
      if (!seen.has(id)) {
        mk.remove()
        marks.delete(id)
      }
  }
  // (After the map settles — a zoom regroups the clusters — not on every frame.)
  m.on('idle', sync)
  return {
    /** Forget the counts written (the source's data changed: cluster ids mean other clusters). */
    reset() {
      for (const mk of marks.values()) mk.remove()
      marks.clear()
    },
  }
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
