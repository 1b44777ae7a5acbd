import { areaDeg2, clip, type MultiPolygonCoords, ogcInvalidity, type Position } from '@wangge/geo'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { adjacency } from './grids.adjacency.js'
import { assignCodes, signatureOf } from './grids.codes.js'
import { gridGeometry } from './grids.geometry.js'
import { AreaIndex } from './grids.lookup.js'
import { type BuildingIn, bisect, DEFAULT_POLICY, gridCount, toItems } from './grids.partition.js'

const square = (x0: number, y0: number, s: number): MultiPolygonCoords => [
  [
    [
      [x0, y0],
      [x0 + s, y0],
      [x0 + s, y0 + s],
      [x0, y0 + s],
      [x0, y0],
    ],
  ],
]
const COMMUNITY = square(113.26, 23.12, 0.01)

function building(id: number, p: Position, households: number, units = 1): BuildingIn {
  const dwellings = Array.from({ length: households }, (_, i) => ({
    id: id * 10000 + i,
    unit: (i % units) + 1,
    floor: Math.floor(i / (units * 4)) + 1,
    households: 1,
  }))
  return { id, point: p, dwellings }
}

const buildingsArb = fc
  .uniqueArray(
    fc.record({ i: fc.integer({ min: 5, max: 95 }), j: fc.integer({ min: 5, max: 95 }), h: fc.integer({ min: 0, max: 320 }) }),
    {
      minLength: 1,
      maxLength: 60,
      selector: (r) => `${r.i},${r.j}`,
    },
  )
  .map((cells) => cells.map((c) => ({ x: c.i * 0.0001, y: c.j * 0.0001 + (c.h % 7) * 0.000002, h: c.h })))

describe('partitioner', () => {
  it('should never split a dwelling and cut big buildings only at floors', () => {
    const b = building(1, [113.265, 23.125], 600, 3)
    const items = toItems([b])
    expect(items.length).toBe(Math.ceil(600 / 40))
    const all = items.flatMap((i) => i.dwellingIds ?? [])
    expect(new Set(all).size).toBe(600)
    expect(all.length).toBe(600)
    // Each (unit, floor) lies in exactly one piece.
    const floorOf = new Map(b.dwellings.map((d) => [d.id, `${d.unit}-${d.floor}`]))
    const owner = new Map<string, string>()
    for (const it of items)
      for (const d of it.dwellingIds ?? []) {
        const f = floorOf.get(d) as string
        expect(owner.get(f) ?? it.key).toBe(it.key)
        owner.set(f, it.key)
      }
    // Whole floors of 3 units × 4 dwellings: a piece overshoots its share by less than one floor.
    for (const it of items) expect(it.households).toBeLessThanOrEqual(DEFAULT_POLICY.target * DEFAULT_POLICY.pieceFactor + 12)
  })

  it('should make one grid of a community below the minimum', () => {
    expect(gridCount(80, 5)).toBe(1)
    expect(gridCount(1734, 40)).toBe(9)
  })

  it('should balance households between grids', () => {
    const bs = Array.from({ length: 80 }, (_, i) =>
      building(i + 1, [113.2605 + (i % 10) * 0.001, 23.1205 + Math.floor(i / 10) * 0.001], 40 + (i % 7) * 5),
    )
    const items = toItems(bs)
    const total = items.reduce((s, i) => s + i.households, 0)
    const groups = bisect(items, gridCount(total, items.length))
    const sizes = groups.map((g) => g.reduce((s, i) => s + i.households, 0))
    for (const s of sizes) expect(Math.abs(s - total / groups.length)).toBeLessThanOrEqual(60)
  })

  it('should tile the community with contiguous grids holding every item (property)', () => {
    fc.assert(
      fc.property(buildingsArb, (raw) => {
        const bs = raw.map((r, i) => building(i + 1, [113.26 + r.x, 23.12 + r.y], r.h))
        const items = toItems(bs)
        const total = items.reduce((s, i) => s + i.households, 0)
        const shapes = gridGeometry(COMMUNITY, bisect(items, gridCount(total, items.length)))
        const union = clip.union(...(shapes.map((s) => s.geometry) as [MultiPolygonCoords]))
        const sum = shapes.reduce((s, x) => s + areaDeg2(x.geometry), 0)
        expect(Math.abs(sum - areaDeg2(COMMUNITY)) / areaDeg2(COMMUNITY)).toBeLessThan(1e-7)
        expect(areaDeg2(clip.xor(union, COMMUNITY)) / areaDeg2(COMMUNITY)).toBeLessThan(1e-7)
        for (const s of shapes) expect(s.geometry).toHaveLength(1)
        for (const s of shapes) expect(ogcInvalidity(s.geometry)).toBeNull()
        expect(shapes.flatMap((s) => s.items).length).toBe(items.length)
      }),
      { numRuns: 150, seed: 4401 },
    )
  })
})

describe('grid codes', () => {
  it('should number north→south, west→east and keep codes of unchanged grids', () => {
    const shapes = [
      { signature: 'sw', site: [0, 0] as Position },
      { signature: 'ne', site: [1, 1] as Position },
      { signature: 'nw', site: [0, 1] as Position },
      { signature: 'se', site: [1, 0] as Position },
    ]
    const first = assignCodes('440104004107', shapes, [])
    expect(first).toEqual(['440104004107003', '440104004107002', '440104004107001', '440104004107004'])
    const existing = shapes.map((s, i) => ({
      code: first[i] as string,
      seq: Number((first[i] as string).slice(12)),
      signature: s.signature,
      status: 'active',
    }))
    // 'ne' is split in two; the other three keep their codes, the new ones get fresh numbers.
    const second = assignCodes(
      '440104004107',
      [
        shapes[0],
        shapes[2],
        shapes[3],
        { signature: 'ne1', site: [0.9, 1] as Position },
        { signature: 'ne2', site: [1.1, 1] as Position },
      ] as never,
      existing,
    )
    expect(second.slice(0, 3)).toEqual([first[0], first[2], first[3]])
    expect(second.slice(3)).toEqual(['440104004107005', '440104004107006'])
  })

  it('should sign a grid by its membership only', () => {
    const a = signatureOf([
      { key: 'b1', buildingId: 1, point: [0, 0], households: 3 },
      { key: 'b2', buildingId: 2, point: [0, 0], households: 3 },
    ])
    const b = signatureOf([
      { key: 'b2', buildingId: 2, point: [9, 9], households: 1 },
      { key: 'b1', buildingId: 1, point: [5, 5], households: 1 },
    ])
    expect(a).toBe(b)
  })
})

describe('lookup and adjacency', () => {
  const a = { code: 'A', bbox: [0, 0, 1, 1] as [number, number, number, number], geometry: square(0, 0, 1) }
  const b = { code: 'B', bbox: [1, 0, 2, 1] as [number, number, number, number], geometry: square(1, 0, 1) }
  const c = { code: 'C', bbox: [2, 1, 3, 2] as [number, number, number, number], geometry: square(2, 1, 1) }

  it('should find the area of a point, on shared edges too, and nothing outside', () => {
    const ix = new AreaIndex([a, b, c])
    expect(ix.find(0.5, 0.5)).toBe('A')
    expect(ix.find(1.5, 0.5)).toBe('B')
    expect(['A', 'B']).toContain(ix.find(1, 0.5))
    expect(ix.find(1, 0)).toBeDefined()
    expect(ix.find(5, 5)).toBeUndefined()
  })

  it('should pair areas sharing an edge but not a corner', () => {
    const pairs = adjacency([a, b, c], 0)
    expect(pairs.map((p) => `${p.a}${p.b}`)).toEqual(['AB'])
    expect(pairs[0]?.sharedM).toBeGreaterThan(100_000)
  })
})
