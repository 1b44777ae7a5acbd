// GeoJSON-compatible coordinate types (lng, lat in WGS84-like degrees; GCJ-02 for Chinese sources).
export type Position = [number, number]
export type Ring = Position[]
export type PolygonCoords = Ring[]
export type MultiPolygonCoords = PolygonCoords[]

export interface PolygonGeometry {
  type: 'Polygon'
  coordinates: PolygonCoords
}
export interface MultiPolygonGeometry {
  type: 'MultiPolygon'
  coordinates: MultiPolygonCoords
}
export type AreaGeometry = PolygonGeometry | MultiPolygonGeometry

export type BBox = [minX: number, minY: number, maxX: number, maxY: number]
