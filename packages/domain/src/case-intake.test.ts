import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { caseCell, caseNumber, duplicateCandidates, metresBetween, nearbyCells, parseCaseNumber } from './case-intake.js'

describe('case numbers', () => {
  it('are kind + major + sub + Beijing date + sequence, and parse back', () => {
    // 2026-11-27 20:00 UTC is already 28 November in Beijing.
    expect(caseNumber('E0507', new Date('2026-11-27T20:00:00Z'), 7)).toBe('E0507202611280007')
    expect(parseCaseNumber('C0101202611270123')).toEqual({
      kind: 'component',
      catalogCode: 'C0101',
      date: '2026-11-27',
      sequence: 123,
    })
    expect(parseCaseNumber('X0101202611270123')).toBeUndefined()
    expect(() => caseNumber('E05', new Date(), 1)).toThrow(RangeError)
    expect(() => caseNumber('E0507', new Date(), 0)).toThrow(RangeError)
    expect(caseNumber('E0507', new Date('2026-11-27T02:00:00Z'), 10_000)).toBe('E05072026112710000')
    expect(parseCaseNumber('E05072026112710000')?.sequence).toBe(10_000)
    expect(parseCaseNumber('S0101202611270002')).toMatchObject({ kind: 'service', catalogCode: 'S0101', sequence: 2 })
  })
})

describe('duplicate candidates', () => {
  const at = new Date('2026-11-27T02:00:00Z')
  const base = { catalogCode: 'E0102', lng: 113.2644, lat: 23.1291, reportedAt: at }

  it('finds the same subclass nearby and recently, nearest first', () => {
    const cases = [
      { id: 1, catalogCode: 'E0102', lng: 113.2646, lat: 23.1292, reportedAt: new Date(at.getTime() - 3_600_000) }, // ≈ 23 m
      { id: 2, catalogCode: 'E0102', lng: 113.2644, lat: 23.1291, reportedAt: new Date(at.getTime() - 2 * 86_400_000) }, // too old
      { id: 3, catalogCode: 'E0507', lng: 113.2644, lat: 23.1291, reportedAt: at }, // other subclass
      { id: 4, catalogCode: 'E0102', lng: 113.2654, lat: 23.1291, reportedAt: at }, // ≈ 102 m
      { id: 5, catalogCode: 'E0102', lng: 113.2644, lat: 23.1291, reportedAt: at }, // same place
    ]
    expect(duplicateCandidates(base, cases).map((c) => c.id)).toEqual([5, 1])
    expect(duplicateCandidates(base, cases, { radiusM: 150, hours: 24 }).map((c) => c.id)).toEqual([5, 1, 4])
  })

  it('searches cells that contain every point within the radius (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 2 * Math.PI, noNaN: true }),
        fc.double({ min: 0, max: 50, noNaN: true }),
        (angle, d) => {
          const dLat = (d * Math.sin(angle)) / 111_320
          const dLng = (d * Math.cos(angle)) / (111_320 * Math.cos((base.lat * Math.PI) / 180))
          const p: [number, number] = [base.lng + dLng, base.lat + dLat]
          expect(metresBetween([base.lng, base.lat], p)).toBeLessThan(50.5)
          expect(nearbyCells(base.lng, base.lat, 50)).toContain(caseCell(p[0], p[1]))
        },
      ),
      { numRuns: 500 },
    )
  })
})
