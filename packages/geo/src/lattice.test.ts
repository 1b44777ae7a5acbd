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
    const sq: MultiPolygonCoords = [
      [
        [
          [0, 0],
          [10, 0],
          [10, 10],
          [0, 10],
          [0, 0],
        ],
      ],
    ]
    const left: MultiPolygonCoords = [
      [
        [
          [0, 0],
          [5, 0],
          [5, 10],
          [0, 10],
          [0, 0],
        ],
      ],
    ]
    const right = latticeOp('difference', sq, left)
    expect(areaDeg2(right)).toBe(50)
    expect(latticeOp('union', right, left)).toHaveLength(1)
    expect(latticeOp('intersection', right, left)).toEqual([])
  })

  it('round-trips degrees through the lattice within half a unit', () => {
    const l = new Lattice([113.25, 23.1])
    const p = l.toDegrees([[[l.point([113.2612345678, 23.1298765432])]]])[0]?.[0]?.[0] as [number, number]
    expect(Math.abs(p[0] - 113.2612345678)).toBeLessThanOrEqual(0.6e-9)
    expect(Math.abs(p[1] - 23.1298765432)).toBeLessThanOrEqual(0.6e-9)
  })
})
