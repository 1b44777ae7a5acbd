// Loads the committed reference data of one city (data/regions/<city>/) into the database:
// names/codes with ltree paths and pinyin, and the geometry. Idempotent: the files' checksum is
// remembered in reference_datasets and an unchanged dataset is skipped; a changed one is upserted
// in a single transaction (all or nothing).
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { kindOfCode, type RegionLevel, regionPath } from '@wangge/domain'
import { type AreaGeometry, areaM2, bboxOf, centroid, toMulti } from '@wangge/geo'
import type { Kysely } from 'kysely'
import { pinyin } from 'pinyin-pro'
import type { DB } from '../../db/schema.js'
import { DATA_ROOT } from '../../kernel/paths.js'
import { regionsLoad } from './regions.repository.js'

export interface RegionDataset {
  city: string
  checksum: string
  meta: { sources: { package: string; version: string }[]; counts: Record<string, number> }
  rows: { code: string; name: string; level: RegionLevel; parentCode: string | null }[]
  geometry: Map<string, { geometry: AreaGeometry; synthetic: boolean }>
}

export function readRegionDataset(city: string, root = join(DATA_ROOT, 'regions')): RegionDataset {
  const dir = join(root, city)
  if (!existsSync(join(dir, 'regions.csv'))) {
    throw new Error(`no region data for city ${city} in ${dir}; run: npm run regions:extract -- --city ${city}`)
  }
  const files = ['regions.csv', 'geometry.geojson', 'meta.json'].map((f) => readFileSync(join(dir, f), 'utf8'))
  const [csv, geojson, metaText] = files as [string, string, string]
  const hash = createHash('sha256')
  for (const f of files) hash.update(f)
  const rows = csv
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [code, name, level, parent] = line.split(',')
      return { code: code as string, name: name as string, level: level as RegionLevel, parentCode: parent || null }
    })
  const fc = JSON.parse(geojson) as { features: { properties: { code: string; synthetic: boolean }; geometry: AreaGeometry }[] }
  const geometry = new Map(
    fc.features.map((f) => [f.properties.code, { geometry: f.geometry, synthetic: f.properties.synthetic }]),
  )
  return { city, checksum: hash.digest('hex'), meta: JSON.parse(metaText), rows, geometry }
}

export function pinyinOf(name: string): { pinyin: string; initials: string } {
  const full = pinyin(name, { toneType: 'none', type: 'array', nonZh: 'consecutive', v: true }) as string[]
  const first = pinyin(name, { pattern: 'first', toneType: 'none', type: 'array', nonZh: 'consecutive' }) as string[]
  return { pinyin: full.join('').toLowerCase(), initials: first.join('').toLowerCase() }
}

export interface LoadResult {
  loaded: boolean
  regions: number
}

export async function loadRegionDataset(
  db: Kysely<DB>,
  ds: RegionDataset,
  onProgress?: (done: number, total: number) => void,
): Promise<LoadResult> {
  const name = `regions:${ds.city}`
  if ((await regionsLoad.checksum(db, name)) === ds.checksum) return { loaded: false, regions: ds.rows.length }

  const source = ds.meta.sources.map((s) => `${s.package}@${s.version}`).join(', ')
  const order: Record<RegionLevel, number> = { city: 0, district: 1, street: 2, community: 3 }
  const rows = [...ds.rows].sort((a, b) => order[a.level] - order[b.level] || a.code.localeCompare(b.code))
  await db.transaction().execute(async (trx) => {
    const BATCH = 500
    for (let i = 0; i < rows.length; i += BATCH) {
      const batch = rows.slice(i, i + BATCH)
      await regionsLoad.upsertRegions(
        trx,
        batch.map((r) => {
          const g = ds.geometry.get(r.code)
          const c = g ? centroid(toMulti(g.geometry)) : undefined
          return {
            code: r.code,
            name: r.name,
            level: r.level,
            kind: kindOfCode(r.code) ?? notACode(r.code),
            parent_code: r.parentCode,
            path: regionPath(r.code),
            ...pinyinOf(r.name),
            centroid_lng: c?.[0] ?? null,
            centroid_lat: c?.[1] ?? null,
            source,
          }
        }),
      )
      const geoms = batch.flatMap((r) => {
        const g = ds.geometry.get(r.code)
        if (!g) return []
        const mp = toMulti(g.geometry)
        const [minLng, minLat, maxLng, maxLat] = bboxOf(mp)
        return [
          {
            code: r.code,
            geometry: JSON.stringify(g.geometry),
            min_lng: minLng,
            min_lat: minLat,
            max_lng: maxLng,
            max_lat: maxLat,
            area_m2: areaM2(mp),
            synthetic: g.synthetic,
            source: g.synthetic ? 'synthetic: scripts/extract-regions.ts' : source,
          },
        ]
      })
      if (geoms.length) await regionsLoad.upsertGeometries(trx, geoms)
      onProgress?.(Math.min(i + BATCH, rows.length), rows.length)
    }
    await regionsLoad.loaded(trx, { name, checksum: ds.checksum, meta: JSON.stringify(ds.meta) })
  })
  return { loaded: true, regions: rows.length }
}

function notACode(code: string): never {
  throw new Error(`not a region code: ${code}`)
}
