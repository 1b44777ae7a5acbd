import { describe, expect, it } from 'vitest'
import { basemapOrigin, ConfigError, loadConfig } from './config.js'

describe('loadConfig', () => {
  it('should default to the embedded database on port 3000', () => {
    const c = loadConfig({})
    expect(c).toMatchObject({ port: 3000, databaseUrl: undefined, logLevel: 'info', city: '4401' })
    expect(c.dataDir).toMatch(/var$/)
  })

  it('should accept a PostgreSQL URL and treat an empty one as unset', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/wangge' }).databaseUrl).toBe('postgres://u:p@db:5432/wangge')
    expect(loadConfig({ DATABASE_URL: '' }).databaseUrl).toBeUndefined()
  })

  it('should take several primary hosts and comma-separated replicas, which need a primary; a bad one is named without echoing it', () => {
    const c = loadConfig({
      DATABASE_URL: 'postgres://u:p@db1:5432,db2:5432/wangge',
      DATABASE_READ_URL: 'postgres://u:p@r1:5432/wangge, postgresql://u:p@r2/wangge',
      READ_MAX_LAG_MS: '2000',
    })
    expect([c.databaseUrl, c.databaseReadUrls, c.readMaxLagMs]).toEqual([
      'postgres://u:p@db1:5432,db2:5432/wangge',
      ['postgres://u:p@r1:5432/wangge', 'postgresql://u:p@r2/wangge'],
      2000,
    ])
    expect(loadConfig({}).databaseReadUrls).toEqual([])
    expect(() => loadConfig({ DATABASE_READ_URL: 'postgres://u@r1/wangge' })).toThrow(
      /DATABASE_READ_URL: replicas need DATABASE_URL/,
    )
    try {
      loadConfig({ DATABASE_URL: 'postgres://u@db/w', DATABASE_READ_URL: 'mysql://u:secret@r1/w' })
      expect.unreachable()
    } catch (err) {
      expect((err as Error).message).toContain('DATABASE_READ_URL')
      expect((err as Error).message).not.toContain('secret')
    }
  })

  it('should name every bad key at once', () => {
    let err: unknown
    try {
      loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x', WANGGE_CITY: 'gz' })
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(ConfigError)
    const keys = (err as ConfigError).issues.map((i) => i.key).sort()
    expect(keys).toEqual(['DATABASE_URL', 'LOG_LEVEL', 'PORT', 'WANGGE_CITY'])
    expect((err as ConfigError).message).toMatch(/PORT: .*\n.*LOG_LEVEL|LOG_LEVEL: .*\n/)
  })

  it('should take a basemap: a tile template is raster, anything else a style; none by default; https only', () => {
    expect(loadConfig({}).basemap).toBeUndefined()
    const tdt =
      'https://t{0-7}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=k'
    expect(loadConfig({ WANGGE_BASEMAP: tdt, WANGGE_BASEMAP_ATTRIBUTION: '天地图' }).basemap).toEqual({
      url: tdt,
      kind: 'raster',
      attribution: '天地图',
    })
    expect(loadConfig({ WANGGE_BASEMAP: 'https://tiles.example.cn/styles/gz.json' }).basemap?.kind).toBe('style')
    expect(() => loadConfig({ WANGGE_BASEMAP: 'http://tiles.example.cn/{z}/{x}/{y}.png' })).toThrow(/WANGGE_BASEMAP/)
    expect(basemapOrigin(tdt)).toBe('https://*.tianditu.gov.cn')
    expect(basemapOrigin('https://tiles.example.cn:8443/styles/gz.json')).toBe('https://tiles.example.cn:8443')
  })
})
