// Polygon boolean operations. polyclip-ts (the maintained TypeScript successor of polygon-clipping,
// also used by Turf 7) is robust on the near-degenerate inputs Voronoi clipping produces, where
// polygon-clipping 0.15 fails with "Unable to complete output ring" or a stack overflow.
import * as polyclip from 'polyclip-ts'
import type { MultiPolygonCoords, PolygonCoords } from './types.js'

type Geom = PolygonCoords | MultiPolygonCoords

export const intersection = (a: Geom, ...b: Geom[]): MultiPolygonCoords =>
  polyclip.intersection(a as never, ...(b as never[])) as MultiPolygonCoords
export const union = (a: Geom, ...b: Geom[]): MultiPolygonCoords =>
  polyclip.union(a as never, ...(b as never[])) as MultiPolygonCoords
export const difference = (a: Geom, ...b: Geom[]): MultiPolygonCoords =>
  polyclip.difference(a as never, ...(b as never[])) as MultiPolygonCoords
export const xor = (a: Geom, ...b: Geom[]): MultiPolygonCoords =>
  polyclip.xor(a as never, ...(b as never[])) as MultiPolygonCoords
