import { describe, expect, it } from 'vitest'
import { Lattice, latticeOp } from './lattice.js'
import { areaDeg2 } from './measure.js'
import type { MultiPolygonCoords } from './types.js'

describe('latticeOp', () => {
  it('merges two polygons sharing an edge into one (a case clipper-lib strict mode left in two)', () => {
    const a: MultiPolygonCoords = [
      [
        [
          [3096634, 4914041],
          [3178053, 5032089],
          [3029904, 5141324],
          [2444875, 4948237],
          [2444875, 4883790],
          [3096634, 4914041],
        ],
      ],
    ]
    const b: MultiPolygonCoords = [
      [
        [
          [3029904, 5141324],
          [2444875, 5572686],
          [2444875, 4948237],
          [3029904, 5141324],
        ],
      ],
    ]
    const u = latticeOp('union', a, b)
    expect(u).toHaveLength(1)
    expect(areaDeg2(u)).toBeCloseTo(areaDeg2(a) + areaDeg2(b), 0)
  })

  it('is exact: a square minus its left half plus that half is the square', () => {
    const u = 1_000_000 // 1e6 lattice units ≈ 111 m
    const sq: MultiPolygonCoords = [
      [
        [
          [0, 0],
          [10 * u, 0],
          [10 * u, 10 * u],
          [0, 10 * u],
          [0, 0],
        ],
      ],
    ]
    const left: MultiPolygonCoords = [
      [
        [
          [0, 0],
          [5 * u, 0],
          [5 * u, 10 * u],
          [0, 10 * u],
          [0, 0],
        ],
      ],
    ]
    const right = latticeOp('difference', sq, left)
    expect(areaDeg2(right)).toBe(50 * u * u)
    expect(latticeOp('union', right, left)).toHaveLength(1)
    expect(latticeOp('intersection', right, left)).toEqual([])
  })

  it('drops zero-width spikes (below ≈ 0.01 m²) but keeps thin real slivers', () => {
    const tri = (w: number, h: number): MultiPolygonCoords => [
      [
        [
          [0, 0],
          [w, 0],
          [w, h],
          [0, 0],
        ],
      ],
    ]
    expect(latticeOp('union', tri(500_000, 1), [])).toEqual([]) // 2.5e5 units²: a spike
    expect(latticeOp('union', tri(5_000_000, 2), [])).toHaveLength(1) // 5e6 units² ≈ 0.06 m²: kept
  })

  it('round-trips degrees through the lattice within half a unit', () => {
    const l = new Lattice([113.25, 23.1])
    const p = l.toDegrees([[[l.point([113.2612345678, 23.1298765432])]]])[0]?.[0]?.[0] as [number, number]
    expect(Math.abs(p[0] - 113.2612345678)).toBeLessThanOrEqual(0.6e-9)
    expect(Math.abs(p[1] - 23.1298765432)).toBeLessThanOrEqual(0.6e-9)
  })
})
