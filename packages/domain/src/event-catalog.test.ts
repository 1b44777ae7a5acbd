import { describe, expect, it } from 'vitest'
import { CATALOG_CODE, DEPARTMENTS, defaultCatalog } from './event-catalog.js'

describe('the default case catalog', () => {
  const catalog = defaultCatalog()

  it('has unique, well-formed codes and every department exists', () => {
    expect(new Set(catalog.map((e) => e.code)).size).toBe(catalog.length)
    const departments = new Set<string>(DEPARTMENTS.map((d) => d.code))
    for (const e of catalog) {
      expect(e.code).toMatch(CATALOG_CODE)
      expect(departments.has(e.department), `${e.code} → ${e.department}`).toBe(true)
    }
  })

  it('has positive limits, urgent never longer than normal in the same unit', () => {
    for (const e of catalog) {
      expect(e.limits.normal.amount).toBeGreaterThan(0)
      expect(e.limits.urgent.amount).toBeGreaterThan(0)
      if (e.limits.normal.unit === e.limits.urgent.unit)
        expect(e.limits.urgent.amount).toBeLessThanOrEqual(e.limits.normal.amount)
    }
  })

  it('carries the limits the seed and city rules name', () => {
    const by = (code: string) => catalog.find((e) => e.code === code)
    expect(by('E0102')?.limits.normal).toEqual({ amount: 4, unit: 'working_hours' }) // exposed garbage
    expect(by('C0101')?.limits.normal).toEqual({ amount: 6, unit: 'natural_hours' }) // missing manhole cover
    expect(by('E0507')?.department).toBe('city_mgmt') // who deals with the BBQ
    expect(by('C0101')?.department).toBe('water_supply') // who owns the water manhole cover: the water company
  })
})
