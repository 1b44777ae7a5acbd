// Population rollups: equal to a recount after every kind of change (insert, move between grids
// and communities, type and tag changes, death, deletion, a birthday), visible at once through the
// API, and filtered by scope.
import { makeIdNumber } from '@wangge/domain'
import ExcelJS from 'exceljs'
import fc from 'fast-check'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type App, buildApp } from '../../app.js'
import { loadSynthetic } from '../../synth/loader.js'
import { PRESETS } from '../../synth/profiles.js'
import { createTestDatabase, type TestDatabase } from '../../testing/test-db.js'
import { adminHeaders, userWithToken } from '../../testing/users.js'
import { createGridsService } from '../grids/index.js'
import { deferGridCounts, recountGrids } from './grid-counts.js'
import { createStatsService, type StatsService } from './stats.service.js'

let t: TestDatabase
let app: App
let stats: StatsService
let admin: Record<string, string>
let grids: string[]

const get = async (who: Record<string, string>, url: string) => {
  const r = await app.inject({ method: 'GET', url, headers: who })
  return { status: r.statusCode, body: r.json() }
}
/** The API's answer against a direct count over persons. */
async function recount(region: string, column: 'population_type' | 'sex') {
  const r = await sql<{ key: string; n: string }>`
    select ${sql.ref(`p.${column}`)} as key, count(*) as n from persons p left join dwellings d on d.id = p.dwelling_id
    where p.status = 'active'
      and (population_grid(p.dwelling_id, d.grid_code, p.grid_code) = ${region} or p.community_code like ${`${region}%`})
    group by 1 order by 1`.execute(t.db)
  return r.rows.map((x) => ({ key: x.key, n: Number(x.n) }))
}

let seq = 0
async function addPerson(grid: string, birth: string, extra: Record<string, unknown> = {}) {
  seq++
  const r = await t.db
    .insertInto('persons')
    .values({
      id_number: makeIdNumber('440104', birth, 700 + seq),
      name: '统计',
      name_initials: 'TJ',
      sex: seq % 2 ? '1' : '2',
      birth_date: birth,
      ethnicity: '01',
      population_type: 'migrant',
      community_code: grid.slice(0, 12),
      grid_code: grid,
      source: 'test',
      updated_by: 'test',
      ...extra,
    } as never)
    .returning('id')
    .executeTakeFirstOrThrow()
  return Number(r.id)
}

beforeAll(async () => {
  t = await createTestDatabase()
  await loadSynthetic(t, { preset: PRESETS.tiny as (typeof PRESETS)[string], seed: 'stats', city: '4401' })
  await createGridsService({ db: t.db }).partition('440104004', { target: 50, minHouseholds: 30 })
  app = await buildApp({ config: { bodyLimit: 1 << 20, logLevel: 'silent', logPretty: false }, database: t })
  stats = createStatsService({ db: t.db })
  admin = await adminHeaders(t.db)
  grids = (await t.db.selectFrom('grids').select('code').where('status', '=', 'active').orderBy('code').limit(2).execute()).map(
    (g) => g.code,
  )
}, 180_000)
afterAll(async () => {
  await app.close()
  await t.destroy()
})

describe('population rollups', () => {
  it('equal a recount after a load and a partition, at every level', async () => {
    expect(await stats.drift()).toEqual([])
    const city = (await get(admin, '/api/v1/stats/population?region=4401&by=children')).body
    const persons = Number(
      (await sql<{ n: string }>`select count(*) as n from persons where status = 'active'`.execute(t.db)).rows[0]?.n,
    )
    expect(city.total).toBe(persons)
    expect(city.groups.reduce((s: number, g: { n: number }) => s + g.n, 0)).toBe(persons)
    const street = (await get(admin, '/api/v1/stats/population?region=440104004&by=type')).body
    expect(street.groups).toEqual(await recount('440104004', 'population_type'))
    const grid = (await get(admin, `/api/v1/stats/population?region=${grids[0]}&by=sex`)).body
    expect(grid.groups).toEqual(await recount(grids[0] as string, 'sex'))
    // A cross-table: each street of the district by type, equal to asking each street.
    const cross = (await get(admin, '/api/v1/stats/population?region=440104&by=children&of=type')).body
    expect(cross.groups.length).toBeGreaterThan(0)
    for (const g of cross.groups) {
      const one = (await get(admin, `/api/v1/stats/population?region=${g.key}&by=type`)).body
      expect(g.breakdown).toEqual(one.groups)
      expect(g.n).toBe(one.total)
    }
    const ages = (await get(admin, '/api/v1/stats/population?region=440104004&by=children&of=ageBand&bands=0,60')).body
    expect(ages.groups[0].breakdown.map((b: { key: string }) => b.key)).toEqual(['0-59', '60+'])
    expect((await get(admin, '/api/v1/stats/population?region=440104&by=type&of=sex')).status).toBe(400)
    const bands = (await get(admin, '/api/v1/stats/population?region=440104&by=ageBand&bands=0,18,60')).body
    expect(bands.groups.map((g: { key: string }) => g.key)).toEqual(['0-17', '18-59', '60+'])
    expect(bands.groups.reduce((s: number, g: { n: number }) => s + g.n, 0)).toBe(bands.total)
  })

  it('follow every kind of change at once, and still equal a recount', async () => {
    const [a, b] = grids as [string, string]
    const before = (await get(admin, `/api/v1/stats/population?region=${a}`)).body.total
    const id = await addPerson(a, '1990-05-05')
    expect((await get(admin, `/api/v1/stats/population?region=${a}`)).body.total).toBe(before + 1)
    // A move to the neighbouring grid, a type change and a care tag in one statement.
    await t.db
      .updateTable('persons')
      .set({
        grid_code: b,
        community_code: b.slice(0, 12),
        population_type: 'registered',
        care_tags: sql`array['elderly_alone']`,
      } as never)
      .where('id', '=', id)
      .execute()
    expect((await get(admin, `/api/v1/stats/population?region=${a}`)).body.total).toBe(before)
    expect(await stats.drift()).toEqual([])
    // Many at once, then a death and a deletion.
    const many = await Promise.all(Array.from({ length: 20 }, (_, i) => addPerson(a, `19${50 + i}-03-0${1 + (i % 9)}`)))
    await t.db
      .updateTable('persons')
      .set({ status: 'deceased' } as never)
      .where('id', 'in', many.slice(0, 5))
      .execute()
    await t.db.deleteFrom('persons').where('id', 'in', many.slice(5, 8)).execute()
    await t.db
      .updateTable('persons')
      .set({ sex: '2' } as never)
      .where('id', 'in', many.slice(8))
      .execute()
    expect(await stats.drift()).toEqual([])
    const tagged = (await get(admin, `/api/v1/stats/population?region=${b}&by=tag`)).body
    expect(tagged.groups).toContainEqual(expect.objectContaining({ key: 'elderly_alone' }))
  })

  it('leave a bulk partition’s dwelling moves to one recount of its grids, which makes them exact', async () => {
    const [a, b] = grids as [string, string]
    const dwelling = await sql<{ id: string; n: number }>`
      select w.id, count(*)::int as n from dwellings w join persons p on p.dwelling_id = w.id
      where w.grid_code = ${a} and p.status = 'active' group by w.id order by w.id limit 1`.execute(t.db)
    const { id, n } = dwelling.rows[0] as { id: string; n: number }
    expect(n).toBeGreaterThan(0)
    const total = async (grid: string) => (await get(admin, `/api/v1/stats/population?region=${grid}`)).body.total as number
    const [beforeA, beforeB] = [await total(a), await total(b)]
    await t.db.transaction().execute(async (trx) => {
      await deferGridCounts(trx)
      await trx.updateTable('dwellings').set({ grid_code: b }).where('id', '=', Number(id)).execute()
    })
    // Deferred: the grids still count the residents where they were, and the drift says so.
    expect([await total(a), await total(b)]).toEqual([beforeA, beforeB])
    expect((await stats.drift()).map((d) => d.region)).toContain(a)
    await recountGrids(t.db, a.slice(0, 9))
    expect([await total(a), await total(b)]).toEqual([beforeA - n, beforeB + n])
    expect(await stats.drift()).toEqual([])
    // Without the deferral, the trigger moves them back at once.
    await t.db.updateTable('dwellings').set({ grid_code: a }).where('id', '=', Number(id)).execute()
    expect([await total(a), await total(b)]).toEqual([beforeA, beforeB])
    expect(await stats.drift()).toEqual([])
    await expect(recountGrids(t.db, "4401' or true")).rejects.toThrow('not a region code')
  })

  it('move people to their new age band on their birthday', async () => {
    const asOf = String((await t.db.selectFrom('population_counts_state').select('as_of').executeTakeFirstOrThrow()).as_of).slice(
      0,
      10,
    )
    const next = new Date(Date.parse(`${asOf}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)
    // Eighteen tomorrow: 17 today.
    const birth = `${Number(next.slice(0, 4)) - 18}${next.slice(4)}`
    const g = grids[0] as string
    const band = async () =>
      (await get(admin, `/api/v1/stats/population?region=${g}&by=ageBand&bands=0,18`)).body.groups as { key: string; n: number }[]
    const before = await band()
    await addPerson(g, birth)
    const added = await band()
    expect(added[0]?.n).toBe((before[0]?.n ?? 0) + 1)
    expect(await stats.rollAge(next)).toBeGreaterThan(0)
    const after = await band()
    expect([after[0]?.n, after[1]?.n]).toEqual([(added[0]?.n ?? 0) - 1, (added[1]?.n ?? 0) + 1])
    expect(await stats.drift()).toEqual([])
  })

  it('roll ages over at every Beijing midnight through a scheduled job that keeps the next one scheduled', async () => {
    const pending = async () =>
      await t.db
        .selectFrom('jobs')
        .select(['key', 'run_at'])
        .where('kind', '=', 'stats.roll_age')
        .where('state', '=', 'pending')
        .execute()
    const key = (await pending())[0]?.key ?? ''
    expect(key).toMatch(/^stats\.roll_age:\d{4}-\d{2}-\d{2}$/)
    const day = key.split(':')[1] as string
    await app.jobs.runDue(new Date(`${day}T00:00:00+08:00`))
    const asOf = String((await t.db.selectFrom('population_counts_state').select('as_of').executeTakeFirstOrThrow()).as_of)
    expect(asOf.slice(0, 10) >= day).toBe(true)
    const following = (await pending())[0]?.key ?? ''
    expect(following > key).toBe(true)
    expect(await stats.drift()).toEqual([])
  })

  it('give the map one value per grid for a measure, equal to each grid’s own count', async () => {
    const layer = (await get(admin, '/api/v1/stats/population/grids?region=440104004&measure=type:migrant')).body
    // (A person's grid is its dwelling's, or its own without one.)
    const direct = await sql<{ grid_code: string; n: string }>`
      select population_grid(p.dwelling_id, d.grid_code, p.grid_code) as grid_code, count(*) as n
      from persons p left join dwellings d on d.id = p.dwelling_id
      where p.status = 'active' and p.population_type = 'migrant'
        and population_grid(p.dwelling_id, d.grid_code, p.grid_code) like '440104004%'
      group by 1 order by 1`.execute(t.db)
    expect(layer.grids).toEqual(direct.rows.map((r) => ({ code: r.grid_code, n: Number(r.n) })))
    const all = (await get(admin, '/api/v1/stats/population/grids?region=440104004')).body
    expect(all.measure).toBe('all')
    expect(all.grids.length).toBe(
      Number(
        (
          await sql<{
            n: string
          }>`select count(distinct population_grid(p.dwelling_id, d.grid_code, p.grid_code)) as n
             from persons p left join dwellings d on d.id = p.dwelling_id
             where p.status = 'active' and population_grid(p.dwelling_id, d.grid_code, p.grid_code) like '440104004%'`.execute(
            t.db,
          )
        ).rows[0]?.n,
      ),
    )
    expect(all.grids.length).toBeGreaterThan(1)
    expect((await get(admin, '/api/v1/stats/population/grids?region=440104004&measure=age:5')).status).toBe(400)
  })

  it('answer only inside the caller’s scope, and care tags only with person.special', async () => {
    const g = grids[0] as string
    const worker = (await userWithToken(t.db, 'stats-worker', [{ role: 'grid_worker', scope: g }])).headers
    expect((await get(worker, `/api/v1/stats/population?region=${g}&by=sex`)).status).toBe(200)
    expect((await get(worker, '/api/v1/stats/population?region=440104&by=sex')).status).toBe(404)
    const leader = (await userWithToken(t.db, 'stats-leader', [{ role: 'leader', scope: '440104' }])).headers
    expect((await get(leader, '/api/v1/stats/population?region=440104&by=children')).status).toBe(200)
    expect((await get(leader, '/api/v1/stats/population?region=440104&by=tag')).status).toBe(403)
    const bad = await get(admin, '/api/v1/stats/population?region=440104&by=ageBand&bands=5,3')
    expect([bad.status, bad.body.code]).toEqual([400, 'VALIDATION_FAILED'])
    expect((await get(admin, `/api/v1/stats/population?region=${g}&by=children`)).status).toBe(400)
  })
})

describe('tenure, household size and special groups', () => {
  const street = '440104004'
  it('break a region down exactly as a recount does, with what each group counts', async () => {
    const tenure = (await get(admin, `/api/v1/stats/population?region=${street}&by=tenure`)).body
    const tenureDirect = await sql<{ key: string; n: string }>`
      select coalesce(w.occupancy, 'none') as key, count(*) as n
      from persons p left join dwellings w on w.id = p.dwelling_id
      where p.status = 'active' and p.community_code like ${`${street}%`} group by 1 order by 1`.execute(t.db)
    expect(tenure.unit).toBe('persons')
    expect(tenure.groups).toEqual(tenureDirect.rows.map((r) => ({ key: r.key, n: Number(r.n) })))
    expect(tenure.groups.map((g: { key: string }) => g.key)).toEqual(expect.arrayContaining(['owner_occupied', 'rental']))

    const sizes = (await get(admin, `/api/v1/stats/population?region=${street}&by=householdSize`)).body
    const sizesDirect = await sql<{ key: string; n: string }>`
      select case when m >= 10 then '10+' else m::text end as key, count(*) as n from (
        select h.id, count(p.id) filter (where p.status = 'active') as m
        from households h left join persons p on p.household_id = h.id
        where h.community_code like ${`${street}%`} group by h.id) x
      where m > 0 group by 1 order by min(m)`.execute(t.db)
    expect(sizes.unit).toBe('households')
    expect(sizes.groups).toEqual(sizesDirect.rows.map((r) => ({ key: r.key, n: Number(r.n) })))
    expect(sizes.total).toBe(sizesDirect.rows.reduce((s, r) => s + Number(r.n), 0))

    const special = (await get(admin, `/api/v1/stats/population?region=440104&by=specialGroup`)).body
    const specialDirect = await sql<{ key: string; n: string }>`
      select type as key, count(*) as n from special_group_records
      where status = 'active' and community_code like '440104%' group by 1 order by 1`.execute(t.db)
    expect(special.unit).toBe('records')
    expect(special.groups).toEqual(specialDirect.rows.map((r) => ({ key: r.key, n: Number(r.n) })))
    expect(special.groups.length).toBeGreaterThan(0)

    const layer = (await get(admin, `/api/v1/stats/population/grids?region=${street}&measure=tenure:rental`)).body
    const layerDirect = await sql<{ code: string; n: string }>`
      select w.grid_code as code, count(*) as n from persons p join dwellings w on w.id = p.dwelling_id
      where p.status = 'active' and w.occupancy = 'rental' and w.grid_code like ${`${street}%`} group by 1 order by 1`.execute(
      t.db,
    )
    expect(layer.grids).toEqual(layerDirect.rows.map((r) => ({ code: r.code, n: Number(r.n) })))
    expect(layer.grids.length).toBeGreaterThan(5)
  })

  it('hide special groups from whoever may not see special information', async () => {
    const leader = (await userWithToken(t.db, 'stats-leader-2', [{ role: 'leader', scope: '440104' }])).headers
    expect((await get(leader, '/api/v1/stats/population?region=440104&by=specialGroup')).status).toBe(403)
    expect((await get(leader, '/api/v1/stats/population?region=440104&by=children&of=tag')).status).toBe(403)
    expect((await get(leader, '/api/v1/stats/population?region=440104&by=householdSize')).status).toBe(200)
  })

  // Property: whatever sequence of changes the base tables go through — people born, moving
  // between grids and households, dying, deleted; dwellings let or taken back; households moving;
  // special-group records opened and closed — the rollups equal a recount afterwards.
  it('equal a recount after any random sequence of changes (property-based)', async () => {
    const pool = async (table: 'persons' | 'households' | 'dwellings', n: number) =>
      (
        await sql<{ id: string }>`select id from ${sql.table(table)} where community_code like ${`${street}%`}
          order by id limit ${n}`.execute(t.db)
      ).rows.map((r) => Number(r.id))
    const persons = await pool('persons', 40)
    const households = await pool('households', 12)
    const dwellings = await pool('dwellings', 12)
    const made: number[] = []
    const pick = <T>(xs: readonly T[], i: number) => xs[i % xs.length] as T
    const OCCUPANCY = ['owner_occupied', 'rental', 'vacant', 'lent'] as const
    const STATUS = ['active', 'moved_out', 'deceased'] as const
    const TYPES = ['special', 'released_prisoner', 'community_correction', 'key_youth'] as const

    const op = fc.oneof(
      fc.record({ k: fc.constant('born' as const), g: fc.nat(), h: fc.nat(), d: fc.nat(), noHome: fc.boolean() }),
      fc.record({ k: fc.constant('move' as const), p: fc.nat(), g: fc.nat(), h: fc.nat(), d: fc.nat() }),
      fc.record({ k: fc.constant('status' as const), p: fc.nat(), s: fc.nat() }),
      fc.record({ k: fc.constant('retag' as const), p: fc.nat(), tag: fc.boolean() }),
      fc.record({ k: fc.constant('delete' as const), p: fc.nat() }),
      fc.record({ k: fc.constant('join' as const), ps: fc.array(fc.nat(), { minLength: 2, maxLength: 6 }), h: fc.nat() }),
      fc.record({ k: fc.constant('let' as const), d: fc.nat(), o: fc.nat() }),
      fc.record({ k: fc.constant('household' as const), h: fc.nat(), g: fc.nat() }),
      fc.record({ k: fc.constant('regrid' as const), d: fc.nat(), g: fc.nat(), none: fc.boolean() }),
      fc.record({ k: fc.constant('special' as const), p: fc.nat(), ty: fc.nat(), close: fc.boolean() }),
    )
    type Op = typeof op extends fc.Arbitrary<infer T> ? T : never
    const grid = (i: number) => pick(grids, i)

    async function apply(o: Op) {
      switch (o.k) {
        case 'born': {
          const g = grid(o.g)
          made.push(
            await addPerson(g, '2000-01-01', {
              household_id: pick(households, o.h),
              dwelling_id: o.noHome ? null : pick(dwellings, o.d),
            }),
          )
          break
        }
        case 'move': {
          const g = grid(o.g)
          await t.db
            .updateTable('persons')
            .set({
              grid_code: g,
              community_code: g.slice(0, 12),
              household_id: pick(households, o.h),
              dwelling_id: pick(dwellings, o.d),
            } as never)
            .where('id', '=', pick([...persons, ...made], o.p))
            .execute()
          break
        }
        case 'status':
          await t.db
            .updateTable('persons')
            .set({ status: pick(STATUS, o.s) } as never)
            .where('id', '=', pick([...persons, ...made], o.p))
            .execute()
          break
        case 'retag':
          await t.db
            .updateTable('persons')
            .set({ care_tags: o.tag ? sql`array['elderly_alone', 'disabled']` : sql`'{}'::text[]` } as never)
            .where('id', '=', pick([...persons, ...made], o.p))
            .execute()
          break
        case 'delete': {
          // Only persons this test made (the loaded ones are heads and special-group subjects).
          if (!made.length) break
          const [id] = made.splice(o.p % made.length, 1)
          await t.db
            .deleteFrom('persons')
            .where('id', '=', id as number)
            .execute()
          break
        }
        case 'join':
          await t.db
            .updateTable('persons')
            .set({ household_id: pick(households, o.h) } as never)
            .where(
              'id',
              'in',
              o.ps.map((i) => pick([...persons, ...made], i)),
            )
            .execute()
          break
        case 'let': {
          const occupancy = pick(OCCUPANCY, o.o)
          await t.db
            .updateTable('dwellings')
            .set({ occupancy, rent_monthly: occupancy === 'rental' ? 2500 : null } as never)
            .where('id', '=', pick(dwellings, o.d))
            .execute()
          break
        }
        case 'household': {
          const g = grid(o.g)
          await t.db
            .updateTable('households')
            .set({ grid_code: g } as never)
            .where('id', '=', pick(households, o.h))
            .execute()
          break
        }
        case 'regrid':
          // A partition moves a dwelling to another grid (or a fresh one has none yet).
          await t.db
            .updateTable('dwellings')
            .set({ grid_code: o.none ? null : grid(o.g) } as never)
            .where('id', '=', pick(dwellings, o.d))
            .execute()
          break
        case 'special': {
          const person = pick(persons, o.p)
          const type = pick(TYPES, o.ty) === 'special' ? 'drug_user' : pick(TYPES, o.ty)
          if (o.close)
            await sql`update special_group_records set status = 'closed' where person_id = ${person} and type = ${type}`.execute(
              t.db,
            )
          else
            await sql`insert into special_group_records (person_id, type, risk_level, registered_on, supervising_department, community_code, source, updated_by)
              select ${person}, ${type}, 'low', '2026-01-01', 'police', community_code, 'test', 'test' from persons where id = ${person}
              on conflict do nothing`.execute(t.db)
          break
        }
      }
    }

    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
        for (const o of ops) await apply(o)
        expect(await stats.drift()).toEqual([])
      }),
      { numRuns: 25, seed: 20261127 },
    )
  }, 120_000)
})

describe('exports', () => {
  it('give any population table as xlsx and csv with the numbers of the API', async () => {
    const api = (await get(admin, '/api/v1/stats/population?region=440104&by=children')).body
    const x = await app.inject({
      method: 'GET',
      url: '/api/v1/stats/population/export?region=440104&by=children',
      headers: admin,
    })
    expect(x.statusCode).toBe(200)
    expect(x.headers['content-type']).toContain('spreadsheetml')
    expect(x.headers['content-disposition']).toContain('population-440104-children.xlsx')
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(x.rawPayload as never)
    const ws = wb.worksheets[0] as ExcelJS.Worksheet
    expect(ws.getRow(1).values).toEqual([undefined, '分组', '名称', '数量', '占比'])
    const rows: { key: string; n: number }[] = []
    ws.eachRow((r, i) => {
      if (i > 1) rows.push({ key: String(r.getCell(1).value), n: Number(r.getCell(3).value) })
    })
    expect(rows).toEqual(api.groups)
    expect(String(ws.getRow(2).getCell(2).value)).toMatch(/街道|镇/)
    expect(ws.getRow(2).getCell(4).numFmt).toBe('0.0%')

    const c = await app.inject({
      method: 'GET',
      url: '/api/v1/stats/population/export?region=440104&by=type&format=csv&lang=en',
      headers: admin,
    })
    expect(c.headers['content-type']).toContain('text/csv')
    const lines = c.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n')
    expect(lines[0]).toBe('Group,Name,Count,Share')
    const typed = (await get(admin, '/api/v1/stats/population?region=440104&by=type')).body
    expect(lines.slice(1).map((l) => [l.split(',')[0], l.split(',')[2]])).toEqual(
      typed.groups.map((g: { key: string; n: number }) => [g.key, String(g.n)]),
    )
    expect(lines.find((l) => l.startsWith('migrant,'))?.split(',')[1]).toBe('migrant')
    // The same permissions as the API: care tags need person.special.
    const leader = (await userWithToken(t.db, 'stats-leader-3', [{ role: 'leader', scope: '440104' }])).headers
    const denied = await app.inject({
      method: 'GET',
      url: '/api/v1/stats/population/export?region=440104&by=tag',
      headers: leader,
    })
    expect(denied.statusCode).toBe(403)
    const bad = await app.inject({
      method: 'GET',
      url: '/api/v1/stats/population/export?region=440104&format=pdf',
      headers: admin,
    })
    expect([bad.statusCode, bad.json().code]).toEqual([400, 'VALIDATION_FAILED'])
  })
})
