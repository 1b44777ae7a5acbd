import { describe, expect, it } from 'vitest'
import { cleanCrossings, crossesItself, latticeOp } from './lattice.js'
import { areaDeg2 } from './measure.js'
import { insertTouches, ogcInvalidity, ringLoops, simpleRings, splitPinched } from './pinch.js'
import type { MultiPolygonCoords } from './types.js'

// Two triangles hanging on the vertex (1, 1): one ring through it twice.
const bowtie: MultiPolygonCoords = [
  [
    [
      [0, 0],
      [2, 0],
      [1, 1],
      [2, 2],
      [0, 2],
      [1, 1],
      [0, 0],
    ],
  ],
]

describe('pinched rings', () => {
  it('are invalid by the OGC rules as JTS judges them, and valid once split into parts', () => {
    expect(ogcInvalidity(bowtie)).toMatch(/Self-intersection/)
    const split = splitPinched(bowtie)
    expect(split).toHaveLength(2)
    expect(ogcInvalidity(split)).toBeNull()
    expect(areaDeg2(split)).toBeCloseTo(areaDeg2(bowtie), 12)
  })

  it('turn a loop of a shell that turns the other way into a hole touching the shell', () => {
    // A square whose ring runs in to a triangle notch and around it (clockwise) back to the same vertex.
    const notch: MultiPolygonCoords = [
      [
        [
          [0, 0],
          [10, 0],
          [10, 10],
          [5, 10],
          [6, 5],
          [4, 5],
          [5, 10],
          [0, 10],
          [0, 0],
        ],
      ],
    ]
    const loops = ringLoops(notch[0]?.[0] ?? [])
    expect(loops).toHaveLength(2)
    const split = splitPinched(notch)
    expect(split).toHaveLength(1)
    expect(split[0]).toHaveLength(2) // the shell and the hole
    expect(ogcInvalidity(split)).toBeNull()
  })

  it('drop a spike out and back (zero area)', () => {
    const spike: MultiPolygonCoords = [
      [
        [
          [0, 0],
          [4, 0],
          [4, 4],
          [6, 6],
          [4, 4],
          [0, 4],
          [0, 0],
        ],
      ],
    ]
    expect(splitPinched(spike)).toEqual([
      [
        [
          [0, 0],
          [4, 0],
          [4, 4],
          [0, 4],
          [0, 0],
        ],
      ],
    ])
  })

  it('leave a lattice union of two squares touching at a corner in two parts', () => {
    const u = 1_000_000
    const sq = (x: number, y: number): MultiPolygonCoords => [
      [
        [
          [x, y],
          [x + u, y],
          [x + u, y + u],
          [x, y + u],
          [x, y],
        ],
      ],
    ]
    const r = latticeOp('union', sq(0, 0), sq(u, u))
    expect(r).toHaveLength(2)
    expect(ogcInvalidity(r)).toBeNull()
  })

  it('make a vertex that touches one of its ring’s edges a vertex of that edge, then split there', () => {
    // The ring runs around a square and comes back to touch its own bottom edge at (5, 0) from above.
    const touch: MultiPolygonCoords = [
      [
        [
          [0, 0],
          [10, 0],
          [10, 10],
          [6, 10],
          [5, 0],
          [4, 10],
          [0, 10],
          [0, 0],
        ],
      ],
    ]
    expect(ogcInvalidity(touch)).toMatch(/Self-intersection/)
    expect(insertTouches(touch[0]?.[0] ?? [])).toHaveLength(9)
    const fixed = simpleRings(touch)
    expect(fixed).toHaveLength(2)
    expect(ogcInvalidity(fixed)).toBeNull()
    expect(areaDeg2(fixed)).toBeCloseTo(areaDeg2(touch), 12)
  })

  it('clean a zero-width spike that crosses an edge by a fraction of a unit (Clipper’s rounding)', () => {
    // Out along a line to (6000000, -1200000) and back along it, 1 unit off: the way back crosses the way out.
    const spike: MultiPolygonCoords = [
      [
        [
          [0, 0],
          [3000000, -600000],
          [6000000, -1200000],
          [1500000, -300001],
          [1000000, 2000000],
          [-1000000, 1000000],
          [0, 0],
        ],
      ],
    ]
    expect(crossesItself(spike[0]?.[0] ?? [])).toBe(true)
    expect(ogcInvalidity(spike)).not.toBeNull()
    const clean = cleanCrossings(spike)
    expect(crossesItself(clean[0]?.[0] ?? [])).toBe(false)
    expect(ogcInvalidity(clean)).toBeNull()
    expect(Math.abs(areaDeg2(clean) - areaDeg2(spike)) / areaDeg2(spike)).toBeLessThan(1e-3)
  })
})
