// MapLibre for both map pages: its worker is found next to its own module, which a bundle moves —
// name it once here.
import * as maplibregl from 'maplibre-gl'
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url'

maplibregl.setWorkerUrl(workerUrl)

export { maplibregl }
