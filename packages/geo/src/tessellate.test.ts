import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as clip from './clip.js'
import { areaDeg2, pointInMultiPolygon } from './measure.js'
import { orderNorthWest, tessellate } from './tessellate.js'
import type { MultiPolygonCoords, Position } from './types.js'

// A concave "C" shape around Guangzhou's latitude: Voronoi cells of a C get cut in two by clipping.
const C: MultiPolygonCoords = [
  [
    [
      [113.0, 23.0],
      [113.3, 23.0],
      [113.3, 23.05],
      [113.05, 23.05],
      [113.05, 23.25],
      [113.3, 23.25],
      [113.3, 23.3],
      [113.0, 23.3],
      [113.0, 23.0],
    ],
  ],
]

function expectTiles(parent: MultiPolygonCoords, cells: MultiPolygonCoords[]) {
  const parentArea = areaDeg2(parent)
  const sum = cells.reduce((s, c) => s + areaDeg2(c), 0)
  const union = clip.union(...(cells as [MultiPolygonCoords]))
  const diff = areaDeg2(clip.xor(union, parent) as MultiPolygonCoords)
  expect(Math.abs(sum - parentArea) / parentArea).toBeLessThan(1e-7) // no overlaps (sum = union = parent)
  expect(diff / parentArea).toBeLessThan(1e-7) // no gaps, nothing outside
}

describe('tessellate', () => {
  it('should tile a concave parent exactly with contiguous cells', () => {
    const cells = tessellate(C, 25, { seed: 'c' })
    expect(cells).toHaveLength(25)
    expectTiles(
      C,
      cells.map((c) => c.geometry),
    )
    for (const c of cells) {
      expect(c.geometry).toHaveLength(1) // one connected piece each
      expect(pointInMultiPolygon(c.site, c.geometry)).toBe(true)
    }
  })

  it('should be deterministic for a seed and differ between seeds', () => {
    const a = JSON.stringify(tessellate(C, 12, { seed: 's1' }))
    expect(JSON.stringify(tessellate(C, 12, { seed: 's1' }))).toBe(a)
    expect(JSON.stringify(tessellate(C, 12, { seed: 's2' }))).not.toBe(a)
  })

  it('should make cells smaller where the density is higher', () => {
    const square: MultiPolygonCoords = [
      [
        [
          [0, 0],
          [1, 0],
          [1, 1],
          [0, 1],
          [0, 0],
        ],
      ],
    ]
    const cells = tessellate(square, 40, { seed: 'd', density: (x) => (x < 0.5 ? 9 : 1) })
    const west = cells.filter((c) => c.site[0] < 0.5).length
    expect(west).toBeGreaterThan(28) // ~90% of the mass is in the west half
  })

  it('should return the parent itself for one cell', () => {
    expect(tessellate(C, 1, { seed: 1 })[0]?.geometry).toBe(C)
  })

  it('should tile random star-shaped polygons (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.3, max: 1, noNaN: true }), { minLength: 5, maxLength: 14 }),
        fc.integer({ min: 2, max: 15 }),
        fc.string(),
        (radii, n, seed) => {
          const ring: Position[] = radii.map((r, i) => {
            const a = (2 * Math.PI * i) / radii.length
            return [113 + 0.05 * r * Math.cos(a), 23 + 0.05 * r * Math.sin(a)]
          })
          ring.push(ring[0] as Position)
          const parent: MultiPolygonCoords = [[ring]]
          const cells = tessellate(parent, n, { seed, samplesPerCell: 20 })
          expectTiles(
            parent,
            cells.map((c) => c.geometry),
          )
          for (const c of cells) expect(c.geometry).toHaveLength(1)
        },
      ),
      { numRuns: 300, seed: 20261127 },
    )
  })
})

describe('orderNorthWest', () => {
  it('should number north before south and west before east', () => {
    const cells = [
      { site: [1, 0] as Position },
      { site: [0, 0] as Position },
      { site: [1, 1] as Position },
      { site: [0, 1] as Position },
    ]
    expect(orderNorthWest(cells, 2).map((c) => c.site)).toEqual([
      [0, 1],
      [1, 1],
      [0, 0],
      [1, 0],
    ])
  })
})
