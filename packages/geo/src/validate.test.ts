import { describe, expect, it } from 'vitest'
import { validateAreaGeometry } from './validate.js'

const square = [
  [0, 0],
  [1, 0],
  [1, 1],
  [0, 1],
  [0, 0],
]

describe('validateAreaGeometry', () => {
  it('should accept a polygon and parts touching at a point', () => {
    expect(validateAreaGeometry({ type: 'Polygon', coordinates: [square] })).toEqual([])
    const other = square.map(([x, y]) => [(x as number) + 1, (y as number) + 1])
    expect(validateAreaGeometry({ type: 'MultiPolygon', coordinates: [[square], [other]] })).toEqual([])
  })

  it('should reject bow-ties, open rings, overlapping parts and junk', () => {
    const bowtie = [
      [0, 0],
      [1, 1],
      [1, 0],
      [0, 1],
      [0, 0],
    ]
    expect(validateAreaGeometry({ type: 'Polygon', coordinates: [bowtie] })).toContain('polygon 0 ring 0 crosses itself')
    expect(validateAreaGeometry({ type: 'Polygon', coordinates: [square.slice(0, 4).concat([[0, 0.5]])] })).toContain(
      'polygon 0 ring 0 is not closed',
    )
    const shifted = square.map(([x, y]) => [(x as number) + 0.5, y])
    expect(validateAreaGeometry({ type: 'MultiPolygon', coordinates: [[square], [shifted]] })).toContain(
      'parts overlap or a hole lies outside its shell',
    )
    expect(validateAreaGeometry({ type: 'Point', coordinates: [0, 0] })).toHaveLength(1)
    expect(
      validateAreaGeometry({
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [999, 0],
            [0, 1],
            [0, 0],
          ],
        ],
      }),
    ).toHaveLength(1)
    expect(validateAreaGeometry(null)).toHaveLength(1)
  })
})
