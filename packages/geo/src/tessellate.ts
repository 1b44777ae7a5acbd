// Synthetic subdivision of an area into n contiguous cells that tile it exactly.
//
// Model: cells are a density-weighted centroidal Voronoi tessellation. Sample points are drawn
// inside the parent with probability proportional to `density` (rejection sampling), k-means
// groups them into n clusters of roughly equal "mass", and the Voronoi cells of the cluster
// centres are clipped to the parent. Dense places therefore get small cells, sparse ones large.
// Invariants of the result:
//  - the cells are pairwise disjoint and their union is the parent (clipping a partition of the
//    plane by the parent; parent vertices are kept verbatim so neighbouring parents stay aligned);
//  - every cell is one connected piece: a piece of a clipped cell cut off from its centre is
//    merged into a touching neighbour;
//  - the same inputs and seed give the same output, bit for bit.
import { Delaunay } from 'd3-delaunay'
import * as clip from './clip.js'
import { areaDeg2, bboxOf, pointInMultiPolygon } from './measure.js'
import { createRng } from './prng.js'
import type { MultiPolygonCoords, Position } from './types.js'

export type Density = (lng: number, lat: number) => number

export interface TessellateOptions {
  seed: string | number
  /** Relative settlement density at a point; higher means smaller cells there. Default uniform. */
  density?: Density
  /** Sample points per cell for k-means (more = smoother, slower). */
  samplesPerCell?: number
  iterations?: number
}

export interface Cell {
  /** A point inside the cell (its generating centre). */
  site: Position
  geometry: MultiPolygonCoords
}

const DEG = Math.PI / 180

export function tessellate(parent: MultiPolygonCoords, n: number, opts: TessellateOptions): Cell[] {
  if (n < 1) throw new Error('tessellate: n must be at least 1')
  const rng = createRng(opts.seed)
  const density = opts.density ?? (() => 1)
  const [minX, minY, maxX, maxY] = bboxOf(parent)
  // Work in an isotropic plane (x scaled by cos(lat)) so cells are not stretched east-west.
  const k = Math.cos(((minY + maxY) / 2) * DEG)

  const samples = sampleInside(parent, Math.max(n * (opts.samplesPerCell ?? 40), 64), density, rng)
  if (n === 1) return [{ site: samples[0] ?? [minX, minY], geometry: parent }]
  const sites = kMeansSites(samples, n, k, opts.iterations ?? 20)

  const pad = Math.max(maxX - minX, maxY - minY)
  const delaunay = Delaunay.from(
    sites,
    (p) => p[0] * k,
    (p) => p[1],
  )
  const voronoi = delaunay.voronoi([(minX - pad) * k, minY - pad, (maxX + pad) * k, maxY + pad])

  const cells: MultiPolygonCoords[] = []
  const orphans: { from: number; piece: MultiPolygonCoords[number] }[] = []
  for (let i = 0; i < sites.length; i++) {
    const raw = voronoi.cellPolygon(i)
    if (!raw) throw new Error('tessellate: degenerate Voronoi cell')
    const cell: Position[] = raw.map(([x, y]) => [x / k, y] as Position)
    const clipped = clip.intersection([cell], parent)
    const site = sites[i] as Position
    const home = clipped.findIndex((poly) => pointInMultiPolygon(site, [poly]))
    const keep = home >= 0 ? home : largestIndex(clipped)
    cells.push(clipped.length ? [clipped[keep] as MultiPolygonCoords[number]] : [])
    clipped.forEach((piece, j) => {
      if (j !== keep) orphans.push({ from: i, piece })
    })
  }
  // Give every cut-off piece to a Voronoi neighbour it touches (union is then one polygon).
  for (const { from, piece } of orphans) {
    const neighbours = [...delaunay.neighbors(from)].sort(
      (a, b) => dist2(sites[a] as Position, piece) - dist2(sites[b] as Position, piece),
    )
    let placed = false
    for (const j of [...neighbours, ...sites.keys()]) {
      if (j === from) continue
      const merged = clip.union(cells[j] as MultiPolygonCoords, [piece])
      if (merged.length === (cells[j] as MultiPolygonCoords).length) {
        cells[j] = merged
        placed = true
        break
      }
    }
    if (!placed) cells[from] = clip.union(cells[from] as MultiPolygonCoords, [piece])
  }
  return sites.map((site, i) => ({ site, geometry: cells[i] as MultiPolygonCoords }))
}

/** Order cells north→south in bands, west→east within a band (the grid-code rule of DOMAIN §3). */
export function orderNorthWest<T extends { site: Position }>(cells: T[], bandCount = Math.round(Math.sqrt(cells.length))): T[] {
  if (cells.length < 2) return [...cells]
  const ys = cells.map((c) => c.site[1])
  const top = Math.max(...ys)
  const h = (top - Math.min(...ys)) / Math.max(bandCount, 1) || 1
  const band = (c: T) => Math.min(Math.floor((top - c.site[1]) / h), bandCount - 1)
  return [...cells].sort((a, b) => band(a) - band(b) || a.site[0] - b.site[0] || b.site[1] - a.site[1])
}

function sampleInside(parent: MultiPolygonCoords, count: number, density: Density, rng: () => number): Position[] {
  const [minX, minY, maxX, maxY] = bboxOf(parent)
  // Estimate the density maximum over a coarse lattice so rejection sampling stays unbiased.
  let dMax = 0
  for (let i = 0; i <= 16; i++)
    for (let j = 0; j <= 16; j++) dMax = Math.max(dMax, density(minX + ((maxX - minX) * i) / 16, minY + ((maxY - minY) * j) / 16))
  dMax = dMax * 1.5 || 1
  const out: Position[] = []
  let tries = 0
  const maxTries = count * 10_000
  while (out.length < count && tries++ < maxTries) {
    const p: Position = [minX + rng() * (maxX - minX), minY + rng() * (maxY - minY)]
    if (!pointInMultiPolygon(p, parent)) continue
    if (rng() * dMax > density(p[0], p[1])) continue
    out.push(p)
  }
  if (out.length < count) throw new Error('tessellate: could not sample inside the parent geometry')
  return out
}

/** k-means over the samples; each final site is snapped to its cluster's sample nearest the mean,
 *  so every site lies inside the parent even when the parent is not convex. */
function kMeansSites(samples: Position[], n: number, k: number, iterations: number): Position[] {
  // Deterministic spread-out start: every (len/n)-th sample of a sweep-sorted copy.
  const sorted = [...samples].sort((a, b) => a[0] + a[1] - (b[0] + b[1]))
  let centres: Position[] = Array.from({ length: n }, (_, i) => sorted[Math.floor(((i + 0.5) * sorted.length) / n)] as Position)
  const assign = new Int32Array(samples.length)
  for (let it = 0; it < iterations; it++) {
    for (let s = 0; s < samples.length; s++) assign[s] = nearest(samples[s] as Position, centres, k)
    const sx = new Float64Array(n)
    const sy = new Float64Array(n)
    const cnt = new Int32Array(n)
    for (let s = 0; s < samples.length; s++) {
      const c = assign[s] as number
      const p = samples[s] as Position
      sx[c] = (sx[c] as number) + p[0]
      sy[c] = (sy[c] as number) + p[1]
      cnt[c] = (cnt[c] as number) + 1
    }
    centres = centres.map((c, i) =>
      cnt[i] ? [(sx[i] as number) / (cnt[i] as number), (sy[i] as number) / (cnt[i] as number)] : c,
    )
  }
  for (let s = 0; s < samples.length; s++) assign[s] = nearest(samples[s] as Position, centres, k)
  const best = new Array<Position | undefined>(n)
  const bestD = new Float64Array(n).fill(Number.POSITIVE_INFINITY)
  for (let s = 0; s < samples.length; s++) {
    const c = assign[s] as number
    const d = sqDist(samples[s] as Position, centres[c] as Position, k)
    if (d < (bestD[c] as number)) {
      bestD[c] = d
      best[c] = samples[s]
    }
  }
  // A cluster that lost every sample keeps a distinct unused sample as its site.
  const used = new Set(best.filter(Boolean))
  let spare = 0
  return best.map((p) => {
    if (p) return p
    while (used.has(samples[spare] as Position)) spare++
    const q = samples[spare++] as Position
    used.add(q)
    return q
  })
}

function nearest(p: Position, centres: Position[], k: number): number {
  let bi = 0
  let bd = Number.POSITIVE_INFINITY
  for (let i = 0; i < centres.length; i++) {
    const d = sqDist(p, centres[i] as Position, k)
    if (d < bd) {
      bd = d
      bi = i
    }
  }
  return bi
}

function sqDist(a: Position, b: Position, k: number): number {
  const dx = (a[0] - b[0]) * k
  const dy = a[1] - b[1]
  return dx * dx + dy * dy
}

function dist2(site: Position, piece: MultiPolygonCoords[number]): number {
  const p = piece[0]?.[0] ?? site
  return (site[0] - p[0]) ** 2 + (site[1] - p[1]) ** 2
}

function largestIndex(mp: MultiPolygonCoords): number {
  let bi = 0
  let ba = -1
  mp.forEach((poly, i) => {
    const a = areaDeg2([poly])
    if (a > ba) {
      ba = a
      bi = i
    }
  })
  return bi
}
