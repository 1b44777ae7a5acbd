import { parseIdNumber, parseUscc } from '@wangge/domain'
import { createRng } from '@wangge/geo'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readRegionDataset } from '../modules/regions/index.js'
import { createTestDatabase, type TestDatabase } from '../testing/test-db.js'
import { hashGenerated } from './files.js'
import { generate, plan } from './generator.js'
import { findLoad, loadSynthetic } from './loader.js'
import { knownRoads, makeRoads } from './names.js'
import { PRESETS } from './profiles.js'
import { COLUMNS, type Row, TABLES } from './rows.js'

const tiny = PRESETS.tiny as (typeof PRESETS)[string]
const regions = readRegionDataset('4401')
const all = (table: (typeof TABLES)[number]) => {
  const rows: Row[] = []
  for (const b of generate(tiny, regions, 'test', 1)) rows.push(...b.rows[table])
  return rows
}
const col = (table: (typeof TABLES)[number], name: string) => (COLUMNS[table] as readonly string[]).indexOf(name)

describe('synthetic generator', () => {
  it('should give byte-identical output for the same seed and different output for another', () => {
    const a = hashGenerated(tiny, 'test', '4401')
    expect(hashGenerated(tiny, 'test', '4401')).toBe(a)
    expect(hashGenerated(tiny, 'other', '4401')).not.toBe(a)
    // Changes only when the generator's rules change (update it consciously when they do).
    expect(a).toBe(GOLDEN_TINY_HASH)
  })

  it('should produce valid, unique ID numbers consistent with birth date and sex', () => {
    const persons = all('persons')
    const ids = persons.map((p) => p[col('persons', 'id_number')] as string)
    expect(new Set(ids).size).toBe(ids.length)
    for (const p of persons) {
      const r = parseIdNumber(p[col('persons', 'id_number')] as string, new Date('2026-01-01'))
      expect(r.ok, String(p[1])).toBe(true)
      if (!r.ok) continue
      expect(r.birthDate).toBe(p[col('persons', 'birth_date')])
      expect(String(r.sex)).toBe(p[col('persons', 'sex')])
    }
  })

  it('should produce valid credit codes and well-formed component codes', () => {
    const orgs = all('organizations')
    // GB 32100 with the embedded GB 11714 organization code's check character.
    for (const o of orgs) expect(parseUscc(o[col('organizations', 'uscc')] as string).ok).toBe(true)
    // New organization codes (MA…, MJ…) only for bodies registered since the unified codes began;
    // government bodies and institutions under their own registration authority, never MA.
    const kinds = new Map<string, number>()
    for (const o of orgs) {
      const uscc = o[col('organizations', 'uscc')] as string
      const type = o[col('organizations', 'type')] as string
      const established = o[col('organizations', 'established_on')] as string
      const fresh = /^M[AJ]/.test(uscc.slice(8))
      if (type === 'government') expect(uscc.slice(0, 2)).toBe('11')
      if (type === 'institution') expect(uscc.slice(0, 2)).toBe('12')
      if (type === 'government' || type === 'institution') expect(fresh).toBe(false)
      else
        expect(fresh, `${uscc} ${type} ${established}`).toBe(established >= (type === 'social_org' ? '2016-01-01' : '2015-10-01'))
      kinds.set(fresh ? 'new' : 'legacy', (kinds.get(fresh ? 'new' : 'legacy') ?? 0) + 1)
    }
    expect(kinds.get('new')).toBeGreaterThan(0)
    expect(kinds.get('legacy')).toBeGreaterThan(0)
    for (const c of all('components')) {
      const code = c[col('components', 'code')] as string
      expect(code).toMatch(/^440104\d{10}$/)
      expect(code.slice(6, 8)).toBe(c[col('components', 'major')])
    }
  })

  it('should build plausible households', () => {
    const persons = all('persons')
    const households = all('households')
    expect(households).toHaveLength(tiny.households)
    const mean = persons.length / households.length
    expect(mean).toBeGreaterThan(2.3)
    expect(mean).toBeLessThan(3.3)
    const bySize = new Map<unknown, number>()
    for (const p of persons)
      bySize.set(p[col('persons', 'household_id')], (bySize.get(p[col('persons', 'household_id')]) ?? 0) + 1)
    for (const p of persons) {
      const tags = p[col('persons', 'care_tags')] as string[]
      if (tags.includes('elderly_alone')) expect(bySize.get(p[col('persons', 'household_id')])).toBe(1)
    }
    const migrants = persons.filter((p) => p[col('persons', 'population_type')] === 'migrant').length / persons.length
    expect(migrants).toBeGreaterThan(0.1)
    expect(migrants).toBeLessThan(0.6)
  })
})

describe('a faithful population', () => {
  /** Everyone generated for a preset (generation only: no database). */
  const people = (preset: (typeof PRESETS)[string]) => {
    const rows: Row[] = []
    for (const b of generate(preset, regions, 'census', 1)) rows.push(...b.rows.persons)
    return rows
  }
  const at = (r: Row, name: string) => r[col('persons', name)]
  const ageOf = (birth: string) => 2025 - Number(birth.slice(0, 4)) // the generator's reference year: 2026-01-01

  // 六榕街 (≈ 95,000 people of 越秀), against the shape of 越秀 in the 2020 census.
  const liurong = people(PRESETS.liurong as (typeof PRESETS)[string])

  it('should keep family households near the census size (≈ 2.6) and collective ones apart', () => {
    const sizes = new Map<string, number[]>()
    for (const b of generate(PRESETS.liurong as (typeof PRESETS)[string], regions, 'census', 1))
      for (const h of b.rows.households) {
        const kind = h[col('households', 'kind')] as string
        sizes.set(kind, [...(sizes.get(kind) ?? []), h[col('households', 'members')] as number])
      }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
    const family = sizes.get('family') ?? []
    const collective = sizes.get('collective') ?? []
    expect(mean(family)).toBeGreaterThan(2.45)
    expect(mean(family)).toBeLessThan(2.85)
    expect(collective.length).toBeGreaterThan(0)
    expect(collective.length).toBeLessThan(family.length * 0.05)
    expect(mean(collective)).toBeGreaterThan(4)
  })

  it('should age like 越秀: a fifth past 60, ≈ 3 % past 80, a few centenarians, women outliving men', () => {
    const n = liurong.length
    const ages = liurong.map((p) => ({ age: ageOf(at(p, 'birth_date') as string), sex: at(p, 'sex') as string }))
    const share = (f: (a: number) => boolean) => ages.filter((a) => f(a.age)).length / n
    expect(share((a) => a >= 60)).toBeGreaterThan(0.18)
    expect(share((a) => a >= 60)).toBeLessThan(0.25)
    expect(share((a) => a >= 80)).toBeGreaterThan(0.02)
    expect(share((a) => a >= 80)).toBeLessThan(0.04)
    expect(share((a) => a >= 90)).toBeLessThan(0.008)
    expect(ages.filter((a) => a.age >= 100).length).toBeGreaterThan(0)
    // Each band of five years past 65 holds fewer people than the one before.
    const band = (lo: number) => ages.filter((a) => a.age >= lo && a.age < lo + 5).length
    for (let lo = 70; lo <= 95; lo += 5) expect(band(lo), `${lo}–${lo + 4}`).toBeLessThan(band(lo - 5))
    // Men per 100 women: from the late sixties on, women outnumber men; past 80, clearly.
    const ratio = (lo: number, hi: number) => {
      const g = ages.filter((a) => a.age >= lo && a.age < hi)
      return (100 * g.filter((a) => a.sex === '1').length) / g.filter((a) => a.sex === '2').length
    }
    expect(ratio(68, 80)).toBeLessThan(100)
    expect(ratio(80, 120)).toBeGreaterThan(55)
    expect(ratio(80, 120)).toBeLessThan(85)
  })

  it('should give 六榕街 and 盘福社区 the households of the seed’s 175 and 12 grids', () => {
    const households = (p: ReturnType<typeof plan>, code: string) =>
      p.communities.filter((c) => c.code.startsWith(code)).reduce((a, c) => a + c.households, 0)
    const yuexiu = plan(PRESETS.yuexiu as (typeof PRESETS)[string], regions, 'demo')
    expect(households(yuexiu, '440104')).toBe(385_000)
    expect(households(yuexiu, '440104004') / 200).toBeGreaterThan(175 * 0.99)
    expect(households(yuexiu, '440104004') / 200).toBeLessThan(175 * 1.01)
    expect(Math.round(households(yuexiu, '440104004107') / 200)).toBe(12)
    // A preset of the street alone still places 盘福's share.
    const liurongPlan = plan(PRESETS.liurong as (typeof PRESETS)[string], regions, 'demo')
    expect(Math.round(households(liurongPlan, '440104004107') / 200)).toBe(12)
  })

  it('should carry the old 东山 code only for natives of its streets born before 2005', () => {
    // 六榕 was never in 东山区.
    expect(liurong.filter((p) => (at(p, 'id_number') as string).startsWith('440102'))).toEqual([])
    // 农林街 was: its natives born before 2005 mostly carry 440102, the younger ones 440104.
    const nonglin = people({ name: 'nonglin', scope: '440104012', households: 1500, description: '农林街 (test)' })
    const natives = nonglin.filter((p) => at(p, 'population_type') === 'registered')
    const old = natives.filter((p) => (at(p, 'birth_date') as string) < '2005')
    const young = natives.filter((p) => (at(p, 'birth_date') as string) >= '2005')
    const dongshan = (xs: Row[]) => xs.filter((p) => (at(p, 'id_number') as string).startsWith('440102')).length / xs.length
    expect(dongshan(old)).toBeGreaterThan(0.5)
    expect(dongshan(young)).toBe(0)
  })

  it('should give foreign residents foreign names, a permanent-residence ID with their nationality, and no ethnicity', () => {
    const foreigners = liurong.filter((p) => at(p, 'population_type') === 'foreign')
    expect(foreigners.length).toBeGreaterThan(10)
    for (const p of foreigners) {
      const id = at(p, 'id_number') as string
      expect(id).toMatch(/^944\d{14}[\dX]$/)
      expect(parseIdNumber(id, new Date('2026-01-01')).ok).toBe(true)
      expect(at(p, 'name')).toMatch(/^[A-Z][A-Z' -]+ [A-Z][A-Z' -]+$/)
      expect(at(p, 'ethnicity')).toBeNull()
    }
    // A family shares its nationality.
    const byHousehold = new Map<unknown, Set<string>>()
    for (const p of foreigners) {
      const h = at(p, 'household_id')
      byHousehold.set(h, (byHousehold.get(h) ?? new Set()).add((at(p, 'id_number') as string).slice(3, 6)))
    }
    expect([...byHousehold.values()].every((s) => s.size === 1)).toBe(true)
    // Citizens all have one.
    expect(liurong.filter((p) => at(p, 'population_type') !== 'foreign' && !at(p, 'ethnicity'))).toEqual([])
  })

  it('should put each street’s buildings on that street’s roads, and never another district’s', () => {
    const known = knownRoads('440104004')
    expect(known).toContain('盘福路')
    const buildings = all('buildings').map((b) => b[col('buildings', 'address')] as string)
    expect(buildings.length).toBeGreaterThan(20)
    for (const a of buildings) expect(known.some((r) => a.startsWith(r) && /^\d+号$/.test(a.slice(r.length)))).toBe(true)
    // A road's numbers go on from one community to the next: every address is one building.
    expect(new Set(buildings).size).toBe(buildings.length)
    // A 天河 community without a known road list: synthetic names from 天河's stems or neutral ones —
    // none of 越秀's roads, none of another district's stems.
    const rng = createRng('roads')
    const yuexiu = new Set(['440104001', '440104003', '440104004', '440104010'].flatMap((s) => [...knownRoads(s)]))
    for (let i = 0; i < 50; i++)
      for (const r of makeRoads(rng, 8, '440106001001')) {
        expect(yuexiu.has(r)).toBe(false)
        expect(r).not.toMatch(/^(荔湾|芳村|江南|滨江|白云|黄埔|市桥|花城|荔城|新塘)/)
      }
  })
})

describe('synthetic loader', () => {
  let t: TestDatabase
  beforeAll(async () => {
    t = await createTestDatabase()
  })
  afterAll(() => t.destroy())

  const count = async (table: string) =>
    Number((await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(t.db)).rows[0]?.n)

  it('should leave no rows at all when the load dies midway', async () => {
    await expect(
      loadSynthetic(t, {
        preset: tiny,
        seed: 'crash',
        city: '4401',
        flushRows: 500,
        afterChunk: (n) => {
          if (n === 2) throw new Error('simulated crash')
        },
      }),
    ).rejects.toThrow('simulated crash')
    for (const table of [...TABLES, 'data_loads']) expect(await count(table), table).toBe(0)
  })

  /** Every index and unique constraint of the loaded tables, as the database describes them. */
  const indexes = async () =>
    (
      await sql<{ def: string }>`select indexdef as def from pg_indexes
        where schemaname = current_schema() and tablename = any(${[...TABLES]}) order by indexname`.execute(t.db)
    ).rows.map((r) => r.def)

  it('should load everything once and skip a rerun', async () => {
    const before = await indexes()
    const r = await loadSynthetic(t, { preset: tiny, seed: 'test', city: '4401' })
    // The indexes and unique constraints dropped for the COPY are all back, as they were.
    expect(await indexes()).toEqual(before)
    // A first load is written frozen: persons' pages are all-visible without a VACUUM (all but the
    // pages a later chunk's COPY went on filling; without FREEZE, none).
    const vm = await sql<{ pages: number; visible: number }>`
      select relpages as pages, relallvisible as visible from pg_class where relname = 'persons'`.execute(t.db)
    expect(vm.rows[0]?.pages).toBeGreaterThan(0)
    expect(vm.rows[0]?.visible).toBeGreaterThan((vm.rows[0]?.pages ?? 0) / 2)
    expect(r.loaded).toBe(true)
    expect(r.counts.households).toBe(1200)
    for (const table of TABLES) expect(await count(table), table).toBe(r.counts[table])
    const again = await loadSynthetic(t, { preset: tiny, seed: 'test', city: '4401' })
    expect(again.loaded).toBe(false)
    expect(await count('persons')).toBe(r.counts.persons)
    expect((await findLoad(t, 'tiny', 'test'))?.finished_at).toBeTruthy()
    // References hold and new rows continue after the loaded ids.
    const orphans = await sql<{
      n: number
    }>`select count(*)::int as n from persons p left join households h on h.id = p.household_id where h.id is null`.execute(t.db)
    expect(orphans.rows[0]?.n).toBe(0)
    const next = await sql<{ id: number }>`insert into data_loads (source, kind) values ('x', 'import') returning id`.execute(
      t.db,
    )
    expect(Number(next.rows[0]?.id)).toBeGreaterThan(r.loadId)
  })

  it('should replace earlier generated data in one go, and leave rows it did not generate alone', async () => {
    // A building entered by hand (not the generator's): the tables are not empty after the delete,
    // so nothing is truncated, and the building is still there after the load.
    await sql`insert into buildings (code, community_code, name, address, use, floors, units, lng, lat, source, updated_by)
      select community_code || 'B9999', community_code, '手工楼', '手工路1号', 'residential', 6, 1, lng, lat, 'manual', 'test'
      from buildings order by id limit 1`.execute(t.db)
    const r = await loadSynthetic(t, { preset: tiny, seed: 'test', city: '4401', replace: true })
    expect(r.loaded).toBe(true)
    expect(await count('persons')).toBe(r.counts.persons)
    expect(await count('buildings')).toBe(r.counts.buildings + 1)
    const loads = await sql<{ n: number }>`select count(*)::int as n from data_loads where kind = 'generator'`.execute(t.db)
    expect(loads.rows[0]?.n).toBe(1)
  })
})

const GOLDEN_TINY_HASH = 'b2768ce5f9d7155a10ab5987a711c998e257c4bba2a484811982b86b42219ac4'
