import { Delaunay } from 'd3-delaunay'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { dissolve } from './dissolve.js'
import { areaDeg2, ringSignedArea } from './measure.js'
import type { Position, Ring } from './types.js'
import { validateAreaGeometry } from './validate.js'

const cell = (x: number, y: number): Ring => [
  [x, y],
  [x + 1, y],
  [x + 1, y + 1],
  [x, y + 1],
  [x, y],
]

describe('dissolve', () => {
  it('merges a 3×3 block of unit cells into one square with 4 corners', () => {
    const cells = [0, 1, 2].flatMap((x) => [0, 1, 2].map((y) => cell(x, y)))
    const out = dissolve(cells)
    expect(out).toHaveLength(1)
    expect(areaDeg2(out ?? [])).toBeCloseTo(9)
    expect(ringSignedArea(out?.[0]?.[0] ?? [])).toBeGreaterThan(0) // RFC 7946: counter-clockwise
  })

  it('keeps a hole where the middle cell is missing', () => {
    const cells = [0, 1, 2].flatMap((x) => [0, 1, 2].map((y) => cell(x, y))).filter((_, i) => i !== 4)
    const out = dissolve(cells)
    expect(out).toHaveLength(1)
    expect(out?.[0]).toHaveLength(2)
    expect(areaDeg2(out ?? [])).toBeCloseTo(8)
    expect(ringSignedArea(out?.[0]?.[1] ?? [])).toBeLessThan(0)
  })

  it('returns separate polygons for separate cells and gives up on cells touching at a corner', () => {
    expect(dissolve([cell(0, 0), cell(5, 5)])).toHaveLength(2)
    expect(dissolve([cell(0, 0), cell(1, 1)])).toBeUndefined()
  })

  it('gives the exact union of any set of Voronoi cells (property)', () => {
    let dissolved = 0
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 1000 })), {
          minLength: 3,
          maxLength: 60,
          selector: ([x, y]) => `${x},${y}`,
        }),
        fc.array(fc.boolean(), { minLength: 60, maxLength: 60 }),
        (points, pick) => {
          // Sites in general position, as building positions are (not all on one line).
          const sites = [[0.2, 0.3], [0.7, 0.1], [0.5, 0.9], ...points.map(([x, y]) => [x / 1000 + 1e-4, y / 1000 + 2e-4])]
          const voronoi = Delaunay.from(sites as [number, number][]).voronoi([-1, -1, 2, 2])
          const cells = sites.map((_, i) => voronoi.cellPolygon(i)).filter((c, i) => c && pick[i]) as unknown as Ring[]
          const out = dissolve(cells as Position[][])
          if (!out || !cells.length) return // pinched: the caller falls back to a general union
          dissolved++
          const expected = cells.reduce((s, c) => s + Math.abs(ringSignedArea(c)), 0)
          expect(areaDeg2(out)).toBeCloseTo(expected, 9)
          expect(validateAreaGeometry({ type: 'MultiPolygon', coordinates: out })).toEqual([])
        },
      ),
      { numRuns: 300 },
    )
    expect(dissolved).toBeGreaterThan(100) // the property was really exercised
  })
})
