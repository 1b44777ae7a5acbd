// The extraction script: byte-identical output for the committed city, and any other city.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { validateAreaGeometry } from '@wangge/geo'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const run = (args: string[]) =>
  execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/extract-regions.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  })

describe('extract-regions', () => {
  it('should reproduce the committed Guangzhou data byte for byte', () => {
    const out = mkdtempSync(join(tmpdir(), 'wangge-regions-'))
    run(['--city', '4401', '--out', out])
    for (const f of ['regions.csv', 'geometry.geojson', 'meta.json'])
      expect(readFileSync(join(out, '4401', f), 'utf8') === readFileSync(join(ROOT, 'data/regions/4401', f), 'utf8'), f).toBe(
        true,
      )
  })

  it('should set up another city, carving a district newer than the boundary data', () => {
    const out = mkdtempSync(join(tmpdir(), 'wangge-regions-'))
    expect(() => run(['--city', '4403', '--out', out])).toThrow(/440311 光明区.*--carve/s)
    const log = run(['--city', '4403', '--carve', '440311:440306', '--out', out])
    expect(log).toMatch(/4403 深圳市: 9 districts, \d+ streets, \d+ communities/)
    const meta = JSON.parse(readFileSync(join(out, '4403/meta.json'), 'utf8'))
    expect(meta.generator.carved).toEqual([{ code: '440311', from: '440306' }])
    const fc = JSON.parse(readFileSync(join(out, '4403/geometry.geojson'), 'utf8'))
    const byCode = new Map(fc.features.map((f: { properties: { code: string } }) => [f.properties.code, f]))
    expect(byCode.get('440311')).toMatchObject({ properties: { level: 'district', synthetic: true } })
    expect(byCode.get('440303')).toMatchObject({ properties: { level: 'district', synthetic: false } })
    for (const f of fc.features) expect(validateAreaGeometry(f.geometry), f.properties.code).toEqual([])
    const csvLines = readFileSync(join(out, '4403/regions.csv'), 'utf8').trim().split('\n')
    expect(csvLines.length - 1).toBe(fc.features.length)
  })

  it('should refuse a malformed city code', () => {
    expect(() => run(['--city', '44', '--out', tmpdir()])).toThrow(/4-digit/)
  })
})
