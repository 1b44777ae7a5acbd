import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from './config.js'

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
})
