import { describe, expect, it } from 'vitest'
import { ancestorsOf, areaFilter, areaLevelOf, codeAt, kindOfCode, levelOfCode, parentCodeOf, regionPath } from './regions.js'

describe('region codes', () => {
  it('should derive the level from the code length', () => {
    expect(levelOfCode('4401')).toBe('city')
    expect(levelOfCode('440104')).toBe('district')
    expect(levelOfCode('440104004')).toBe('street')
    expect(levelOfCode('440104004107')).toBe('community')
  })

  it('should reject malformed codes', () => {
    for (const bad of ['', '44', '44010', '4401040041', 'abcdef', '440104004107x', ' 440104'])
      expect(levelOfCode(bad)).toBeUndefined()
  })

  it('should build the ltree path from the ancestors', () => {
    expect(regionPath('440104004107')).toBe('4401.440104.440104004.440104004107')
    expect(regionPath('4401')).toBe('4401')
    expect(parentCodeOf('4401')).toBeUndefined()
    expect(parentCodeOf('440104004')).toBe('440104')
  })

  it('should classify streets, towns, residents committees and village committees', () => {
    expect(kindOfCode('440104004')).toBe('subdistrict')
    expect(kindOfCode('440113104')).toBe('town')
    expect(kindOfCode('440113204')).toBe('township')
    expect(kindOfCode('440104004107')).toBe('residents_committee')
    expect(kindOfCode('440113104201')).toBe('village_committee')
  })

  it('should tell grids from regions and filter an area by its community prefix and grid', () => {
    expect(areaLevelOf('440104004107001')).toBe('grid')
    expect(areaLevelOf('440104004107')).toBe('community')
    expect(areaLevelOf('4401040041070')).toBeUndefined()
    expect(areaFilter('440104004107001')).toEqual({ communityPrefix: '440104004107', grid: '440104004107001' })
    expect(areaFilter('440104')).toEqual({ communityPrefix: '440104' })
    expect(codeAt('440104004107001', 'street')).toBe('440104004')
    expect(codeAt('440104', 'community')).toBe('440104')
    expect(ancestorsOf('440104004107')).toEqual({
      city: '4401',
      district: '440104',
      street: '440104004',
      community: '440104004107',
    })
  })
})
