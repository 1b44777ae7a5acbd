// The case's place beside its facts: the grid's outline and the reported point, on the same
// tile-less MapLibre canvas as the map page (no basemap: it runs offline).
import { useEffect, useRef } from 'react'
import { get } from '../shared/api'
import { blankMap, boundsOf } from '../shared/maplibre'

export function CaseMiniMap({ lng, lat, grid }: { lng: number; lat: number; grid: string | null }) {
  const box = useRef<HTMLDivElement>(null)
  useEffect(() => {
    const m = blankMap(box.current as HTMLDivElement, { center: [lng, lat], zoom: 16, interactive: false })
    m.on('load', () => {
      m.addSource('point', {
        type: 'geojson',
        data: { type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [lng, lat] } },
      })
      m.addLayer({
        id: 'point',
        type: 'circle',
        source: 'point',
        paint: { 'circle-color': '#f5222d', 'circle-radius': 6, 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 },
      })
      if (grid)
        get<{ geometry: { coordinates: unknown } }>(`/grids/${grid}/geometry?detail=simplified`).then(
          (f) => {
            m.addSource('grid', { type: 'geojson', data: f as never })
            m.addLayer({ id: 'grid', type: 'line', source: 'grid', paint: { 'line-color': '#1458c8', 'line-width': 2 } }, 'point')
            const b = boundsOf([f])
            if (b) m.fitBounds(b, { padding: 16, duration: 0, maxZoom: 17 })
            box.current?.setAttribute('data-grid-drawn', 'true')
          },
          () => undefined,
        )
    })
    return () => m.remove()
  }, [lng, lat, grid])
  return (
    <div ref={box} data-testid="case-minimap" style={{ height: 180, borderRadius: 6, overflow: 'hidden', margin: '8px 0' }} />
  )
}
