import { type MultiPolygonCoords, pointInMultiPolygon } from '@wangge/geo'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { AreaIndex } from './grids.lookup.js'

// Two squares side by side; the left one has a square hole.
const left: MultiPolygonCoords = [
  [
    [
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 1],
      [0, 0],
    ],
    [
      [0.25, 0.25],
      [0.75, 0.25],
      [0.75, 0.75],
      [0.25, 0.75],
      [0.25, 0.25],
    ],
  ],
]
const right: MultiPolygonCoords = [
  [
    [
      [1, 0],
      [2, 0],
      [2, 1],
      [1, 1],
      [1, 0],
    ],
  ],
]
const index = new AreaIndex([
  { code: 'L', bbox: [0, 0, 1, 1], geometry: left },
  { code: 'R', bbox: [1, 0, 2, 1], geometry: right },
])

describe('AreaIndex', () => {
  it('answers inside, in a hole, outside', () => {
    expect(index.find(0.1, 0.1)).toBe('L')
    expect(index.find(1.5, 0.5)).toBe('R')
    expect(index.find(0.5, 0.5)).toBeUndefined() // the hole
    expect(index.find(2.5, 0.5)).toBeUndefined()
    expect(index.find(-1, -1)).toBeUndefined()
  })

  it('gives points on edges and vertices to exactly one area', () => {
    expect(index.find(1, 0.5)).toBe('L') // shared edge: the first area
    expect(index.find(1, 1)).toBe('L') // shared vertex
    expect(index.find(2, 0.5)).toBe('R') // outer edge
    expect(index.find(1.5, 1)).toBe('R') // horizontal top edge
    expect(index.find(2, 1)).toBe('R') // outer corner
    expect(index.find(0.5, 0.25)).toBe('L') // edge of the hole
  })

  it('agrees with the reference point-in-polygon test off the boundaries', () => {
    fc.assert(
      fc.property(fc.double({ min: -0.5, max: 2.5, noNaN: true }), fc.double({ min: -0.5, max: 1.5, noNaN: true }), (x, y) => {
        const expected = pointInMultiPolygon([x, y], left) ? 'L' : pointInMultiPolygon([x, y], right) ? 'R' : undefined
        const onEdge = [0, 0.25, 0.75, 1, 2].includes(x) || [0, 0.25, 0.75, 1].includes(y)
        if (!onEdge) expect(index.find(x, y)).toBe(expected)
      }),
      { numRuns: 5000 },
    )
  })
})
