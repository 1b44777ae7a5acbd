// Kysely table types, kept by hand beside the SQL migrations (the migrations are the truth).
import type { ColumnType, Generated } from 'kysely'

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>

export interface SchemaMigrationsTable {
  version: number
  name: string
  checksum: string
  applied_at: Generated<Timestamp>
}

export interface ReferenceDatasetsTable {
  name: string
  checksum: string
  meta: unknown
  loaded_at: Generated<Timestamp>
}

export interface RegionsTable {
  code: string
  name: string
  level: 'city' | 'district' | 'street' | 'community'
  kind: string
  parent_code: string | null
  path: string
  pinyin: string
  initials: string
  centroid_lng: number | null
  centroid_lat: number | null
  source: string
  version: Generated<number>
  created_at: Generated<Timestamp>
  updated_at: Generated<Timestamp>
}

export interface RegionGeometriesTable {
  code: string
  geometry: ColumnType<unknown, string, string>
  min_lng: number
  min_lat: number
  max_lng: number
  max_lat: number
  area_m2: number
  synthetic: boolean
  source: string
}

export interface DB {
  schema_migrations: SchemaMigrationsTable
  reference_datasets: ReferenceDatasetsTable
  regions: RegionsTable
  region_geometries: RegionGeometriesTable
}
