// Household visits: tasks per rule (monthly, daily for the elderly living alone, weekly for special
// groups, fortnightly for rented homes), due and overdue from dates, red after 30 days, the day's
// list in priority and walking order, and idempotent recording of a phone's queue.
import { beijingDate, makeIdNumber } from '@wangge/domain'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type App, buildApp } from '../../app.js'
import { loadSynthetic } from '../../synth/loader.js'
import { PRESETS } from '../../synth/profiles.js'
import { caller } from '../../testing/http.js'
import { createTestDatabase, type TestDatabase } from '../../testing/test-db.js'
import { adminHeaders, userWithToken } from '../../testing/users.js'
import { Principal } from '../access/index.js'
import { createGridsService } from '../grids/index.js'
import { createVisitsService, walkingOrder } from './visits.service.js'

let t: TestDatabase
let app: App
let admin: Record<string, string>
const call = caller(() => app)
const street = '440104004'
const DAY = '2026-05-01' // (days after it stay in the past: visits cannot be in the future)
const plus = (day: string, n: number) => new Date(Date.parse(day) + n * 86_400_000).toISOString().slice(0, 10)
let grid: string
let homes: { id: number; dwelling: number }[]

beforeAll(async () => {
  t = await createTestDatabase()
  await loadSynthetic(t, { preset: PRESETS.tiny as (typeof PRESETS)[string], seed: 'visits', city: '4401' })
  await createGridsService({ db: t.db }).partition(street, { target: 50, minHouseholds: 30 })
  app = await buildApp({ config: { bodyLimit: 1 << 20, logLevel: 'silent', logPretty: false }, database: t })
  admin = await adminHeaders(t.db)
  grid = (
    await sql<{ grid_code: string }>`select d.grid_code from households h join dwellings d on d.id = h.dwelling_id
      where d.grid_code like ${`${street}%`} and h.members > 0 group by 1 order by count(*) desc limit 1`.execute(t.db)
  ).rows[0]?.grid_code as string
  homes = (
    await sql<{
      id: number
      dwelling_id: number
    }>`select h.id, h.dwelling_id from households h join dwellings d on d.id = h.dwelling_id
      where d.grid_code = ${grid} and h.members > 0 order by h.id`.execute(t.db)
  ).rows.map((r) => ({ id: Number(r.id), dwelling: Number(r.dwelling_id) }))
}, 180_000)
afterAll(async () => {
  await app.close()
  await t.destroy()
})

const generate = (day: string) => createVisitsService({ db: t.db }).generate(day, grid)
const taskOf = async (day: string, household: number) =>
  (
    await sql<{
      rule_code: string
      due_on: string
    }>`select rule_code, due_on from visit_tasks where day = ${day} and household_id = ${household}`.execute(t.db)
  ).rows[0]

describe('visit tasks', () => {
  it('follow each rule: monthly, daily for the elderly alone, weekly for special groups, fortnightly for rentals', async () => {
    const [ordinary, elderly, special, rental] = homes as [
      (typeof homes)[0],
      (typeof homes)[0],
      (typeof homes)[0],
      (typeof homes)[0],
    ]
    // Clear every tag and special group of these households, then give each its one trait.
    const four = [ordinary.id, elderly.id, special.id, rental.id]
    await sql`update persons set care_tags = '{}' where household_id = any(${four}::bigint[])`.execute(t.db)
    await sql`update special_group_records s set status = 'closed' from persons p where p.id = s.person_id and p.household_id = any(${four}::bigint[])`.execute(
      t.db,
    )
    await sql`update dwellings set occupancy = 'owner_occupied', rent_monthly = null where id = any(${[ordinary.dwelling, elderly.dwelling, special.dwelling]}::bigint[])`.execute(
      t.db,
    )
    await sql`update dwellings set occupancy = 'rental', rent_monthly = 1800 where id = ${rental.dwelling}`.execute(t.db)
    await sql`update persons set care_tags = array['elderly_alone'] where id = (select min(id) from persons where household_id = ${elderly.id})`.execute(
      t.db,
    )
    await sql`insert into special_group_records (person_id, type, risk_level, registered_on, supervising_department, community_code, source, updated_by)
      select min(id), 'community_correction', 'low', '2026-01-01', 'justice', min(community_code), 'test', 'test' from persons where household_id = ${special.id}
      on conflict do nothing`.execute(t.db)
    // All four were visited on DAY: each is due again after its interval, not before.
    await sql`update households set last_visited_on = ${DAY} where id = any(${four}::bigint[])`.execute(t.db)
    const expected: [typeof ordinary, string, number][] = [
      [ordinary, 'household', 30],
      [elderly, 'elderly_alone', 1],
      [special, 'special_group', 7],
      [rental, 'rental', 14],
    ]
    for (const [h, rule, every] of expected) {
      await generate(plus(DAY, every - 1))
      expect(await taskOf(plus(DAY, every - 1), h.id), `${rule} not yet`).toBeUndefined()
      await generate(plus(DAY, every))
      expect(await taskOf(plus(DAY, every), h.id), rule).toEqual({ rule_code: rule, due_on: plus(DAY, every) })
    }
    // Overdue: not visited, the task comes back every day with the date it fell due.
    await generate(plus(DAY, 33))
    expect(await taskOf(plus(DAY, 33), ordinary.id)).toEqual({ rule_code: 'household', due_on: plus(DAY, 30) })
  })

  it('spread a first round over the cycle, and generate idempotently', async () => {
    await sql`update households h set last_visited_on = null from dwellings d where d.id = h.dwelling_id and d.grid_code like ${`${street}%`}`.execute(
      t.db,
    )
    await sql`update persons set care_tags = '{}' where community_code like ${`${street}%`}`.execute(t.db)
    await sql`update special_group_records set status = 'closed' where community_code like ${`${street}%`}`.execute(t.db)
    await sql`update dwellings set occupancy = 'owner_occupied', rent_monthly = null where community_code like ${`${street}%`}`.execute(
      t.db,
    )
    const visits = createVisitsService({ db: t.db })
    const day = plus(DAY, 40)
    const n = await visits.generate(day, street)
    const all = Number(
      (
        await sql<{ n: number }>`select count(*)::int as n from households h join dwellings d on d.id = h.dwelling_id
          where d.grid_code like ${`${street}%`} and h.members > 0`.execute(t.db)
      ).rows[0]?.n,
    )
    // A thirtieth of the households, give or take.
    expect(n).toBeGreaterThan(all / 30 - 5)
    expect(n).toBeLessThan(all / 30 + 5)
    expect(await visits.generate(day, street)).toBe(0)
    // Thirty consecutive days cover every household once.
    let sum = n
    for (let i = 1; i < 30; i++) sum += await visits.generate(plus(day, i), street)
    expect(sum).toBe(all)
  })
})

describe("a worker's day", () => {
  it('lists the grid’s tasks in priority, then walking order; red after 30 days; records a queue idempotently', async () => {
    const worker = await userWithToken(t.db, 'visits-worker', [{ role: 'grid_worker', scope: grid }])
    const day = plus(DAY, 80)
    await sql`update households set last_visited_on = ${plus(day, -31)} where id = ${homes[0]?.id as number}`.execute(t.db)
    await sql`update households set last_visited_on = ${plus(day, -30)} where id = ${homes[1]?.id as number}`.execute(t.db)
    await sql`update persons set care_tags = array['elderly_alone'] where id = (select min(id) from persons where household_id = ${homes[2]?.id as number})`.execute(
      t.db,
    )
    await generate(day)
    const list = (await call(worker.headers, 'GET', `/api/v1/visits/tasks?day=${day}`)).body
    expect(list.grids).toEqual([grid])
    expect(list.tasks.length).toBeGreaterThan(2)
    expect(list.tasks[0]).toMatchObject({ householdId: homes[2]?.id, rule: 'elderly_alone', priority: 1, seq: 1 })
    const first = list.tasks.find((x: { householdId: number }) => x.householdId === homes[0]?.id)
    expect(first).toMatchObject({ red: true, overdue: true, dueOn: plus(day, -1) })
    expect(list.tasks.find((x: { householdId: number }) => x.householdId === homes[1]?.id)).toMatchObject({
      red: true,
      overdue: false,
    })
    const priorities = list.tasks.map((x: { priority: number }) => x.priority)
    expect(priorities.slice(1).every((p: number) => p > 2)).toBe(true)

    // The phone's queue: two visits; then the same again after a lost answer.
    const at = `${day}T10:00:00+08:00`
    const queue = [
      { clientId: `c-${day}-0001`, householdId: homes[0]?.id, visitedAt: at, note: '家中无异常' },
      { clientId: `c-${day}-0002`, householdId: homes[2]?.id, visitedAt: at },
    ]
    const sent = await call(worker.headers, 'POST', '/api/v1/visits', { items: queue })
    expect(sent.status, JSON.stringify(sent.body)).toBe(200)
    expect(sent.body.items.map((v: { replayed: boolean }) => v.replayed)).toEqual([false, false])
    const again = await call(worker.headers, 'POST', '/api/v1/visits', { items: queue })
    expect(again.body.items.map((v: { replayed: boolean }) => v.replayed)).toEqual([true, true])
    expect(again.body.items.map((v: { id: number }) => v.id)).toEqual(sent.body.items.map((v: { id: number }) => v.id))
    const count = await sql<{ n: number }>`select count(*)::int as n from visits where client_id like ${`c-${day}-%`}`.execute(
      t.db,
    )
    expect(count.rows[0]?.n).toBe(2)
    const after = (await call(worker.headers, 'GET', `/api/v1/visits/tasks?day=${day}`)).body.tasks
    expect(after.find((x: { householdId: number }) => x.householdId === homes[0]?.id)).toMatchObject({
      done: true,
      red: false,
      lastVisitedOn: day,
    })
    // A household outside the worker's grid refuses the whole batch; nothing is written.
    const elsewhere = (
      await sql<{ id: number }>`select h.id from households h join dwellings d on d.id = h.dwelling_id
        where d.grid_code <> ${grid} and d.grid_code like ${`${street}%`} limit 1`.execute(t.db)
    ).rows[0]?.id
    const mixed = await call(worker.headers, 'POST', '/api/v1/visits', {
      items: [
        { clientId: `c-${day}-0003`, householdId: homes[3]?.id, visitedAt: at },
        { clientId: `c-${day}-0004`, householdId: Number(elsewhere), visitedAt: at },
      ],
    })
    expect(mixed.status).toBe(404)
    expect(
      (await sql<{ n: number }>`select count(*)::int as n from visits where client_id = ${`c-${day}-0003`}`.execute(t.db)).rows[0]
        ?.n,
    ).toBe(0)
    // A client id reused for another household is refused; a visit in the future too.
    const reused = await call(worker.headers, 'POST', '/api/v1/visits', {
      items: [{ clientId: `c-${day}-0001`, householdId: homes[3]?.id, visitedAt: at }],
    })
    expect([reused.status, reused.body.code]).toEqual([409, 'CONFLICT'])
    const future = await call(worker.headers, 'POST', '/api/v1/visits', {
      items: [{ clientId: `c-${day}-0005`, householdId: homes[3]?.id, visitedAt: '2099-01-01T00:00:00Z' }],
    })
    expect(future.status).toBe(400)
    expect((await call(admin, 'GET', '/api/v1/visits/rules')).body.map((r: { code: string }) => r.code)).toContain(
      'elderly_alone',
    )
  })

  it("generates a grid's tasks for today on first asking when the night's run did not cover it", async () => {
    const worker = await userWithToken(t.db, 'visits-worker-2', [{ role: 'grid_worker', scope: grid }])
    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10)
    await sql`delete from visit_tasks where day = ${today}`.execute(t.db)
    await sql`update households set last_visited_on = ${plus(today, -30)} where id = ${homes[5]?.id as number}`.execute(t.db)
    const list = (await call(worker.headers, 'GET', '/api/v1/visits/tasks')).body
    expect(list.day).toBe(today)
    expect(list.tasks.map((x: { householdId: number }) => x.householdId)).toContain(homes[5]?.id)
  })

  it('runs the night’s generation as a scheduled job that schedules the next', async () => {
    const jobs = await sql<{
      key: string
      state: string
    }>`select key, state from jobs where kind = 'visits.generate' order by key`.execute(t.db)
    const next = jobs.rows[0]?.key as string
    const day = next.split(':')[1] as string
    await app.jobs.runDue(new Date(`${day}T00:30:00+08:00`))
    const n = await sql<{ n: number }>`select count(*)::int as n from visit_tasks where day = ${day}`.execute(t.db)
    expect(n.rows[0]?.n).toBeGreaterThan(0)
    // One job per street with grids on the embedded engine, each run on its own (its one connection
    // is never held for the whole city); one for the city on PostgreSQL. All done, and their tasks
    // are those of one whole run.
    const parts = await sql<{ key: string; state: string; result: { tasks: number } }>`
      select key, state, result from jobs where kind = 'visits.generate.part' and key like ${`visits.generate:${day}:%`}
      order by key`.execute(t.db)
    const gridStreets = await sql<{
      s: string
    }>`select distinct left(code, 9) as s from grids where status = 'active' order by 1`.execute(t.db)
    expect(parts.rows.map((r) => r.key)).toEqual(
      t.engine === 'postgres' ? [`visits.generate:${day}:all`] : gridStreets.rows.map((r) => `visits.generate:${day}:${r.s}`),
    )
    expect(parts.rows.every((r) => r.state === 'done')).toBe(true)
    expect(parts.rows.reduce((a, r) => a + r.result.tasks, 0)).toBe(n.rows[0]?.n)
    // Each grid's worker is told of the day's list: the notice on their phone (and bell).
    const worker = await userWithToken(t.db, 'visits-night', [{ role: 'grid_worker', scope: grid }])
    const own = await sql<{ n: number }>`
      select count(*)::int as n
      from visit_tasks where day = ${day} and grid_code = ${grid}`.execute(t.db)
    const notices = (await call(worker.headers, 'GET', '/api/v1/notifications/mine')).body as { template: string; text: string }[]
    const lists = notices.filter((x) => x.template === 'grid.visits')
    expect(lists).toHaveLength(1)
    expect(lists[0]?.text).toContain(`今日走访任务${own.rows[0]?.n}户`)
    expect(lists[0]?.text).toContain(day)
    const after = await sql<{ key: string }>`select key from jobs where kind = 'visits.generate' and state = 'pending'`.execute(
      t.db,
    )
    expect(after.rows.map((j) => j.key).some((k) => k > next)).toBe(true)
  })

  it('merges door-to-door changes made offline: other fields merge, the same field goes to the later change and is flagged', async () => {
    const worker = await userWithToken(t.db, 'visits-door', [{ role: 'grid_worker', scope: grid }])
    const chief = await userWithToken(t.db, 'visits-chief', [{ role: 'grid_chief', scope: grid.slice(0, 12) }])
    const home = homes[6] as { id: number }
    const person = (
      await sql<{
        id: number
        version: number
        education: string | null
      }>`select id, version, education from persons where household_id = ${home.id} and status = 'active' order by id limit 1`.execute(
        t.db,
      )
    ).rows[0] as { id: number; version: number; education: string | null }
    const base = person.version
    const education = person.education === '20' ? '30' : '20' // a change, whatever the generator gave
    const read = async () =>
      (
        await sql<{ phone: string | null; employment: string | null; version: number; status: string }>`
          select phone, employment, version, status from persons where id = ${person.id}`.execute(t.db)
      ).rows[0]
    // Meanwhile at the office (after the phone's copy): the employment and the phone change.
    const office = await call(admin, 'PATCH', `/api/v1/persons/${person.id}`, {
      employment: 'retired',
      phone: '13900000001',
      version: base,
      source: 'hrss',
      reason: '数据交换',
    })
    expect(office.status, JSON.stringify(office.body)).toBe(200)
    const now = Date.now()
    const visit = (id: string, at: number, fields: Record<string, unknown>) => ({
      clientId: `door-${id}-${now}`,
      householdId: home.id,
      visitedAt: new Date(at).toISOString(),
      updates: [{ kind: 'person', personId: person.id, baseVersion: base, fields }],
    })
    // Made an hour ago, offline: the education merges; the phone lost to the office's later change.
    const early = await call(worker.headers, 'POST', '/api/v1/visits', {
      items: [visit('early', now - 3_600_000, { education, phone: '13700000002' })],
    })
    expect(early.status, JSON.stringify(early.body)).toBe(200)
    expect(early.body.items[0].changes).toEqual([
      { kind: 'person', personId: person.id, applied: ['education'], flagged: ['phone'] },
    ])
    expect(await read()).toMatchObject({ phone: '13900000001', employment: 'retired' })
    // Re-sent after a lost answer: nothing applied twice, nothing flagged twice.
    const resent = await call(worker.headers, 'POST', '/api/v1/visits', {
      items: [visit('early', now - 3_600_000, { education, phone: '13700000002' })],
    })
    expect(resent.body.items[0]).toMatchObject({ replayed: true, changes: [] })
    // Made just now, on the same old copy: the phone wins this time (later), flagged again.
    const late = await call(worker.headers, 'POST', '/api/v1/visits', { items: [visit('late', now, { phone: '13700000003' })] })
    expect(late.body.items[0].changes[0]).toMatchObject({ applied: ['phone'], flagged: ['phone'] })
    expect((await read())?.phone).toBe('13700000003')
    // The grid chief sees both flags with both values, and puts the office's number back.
    const flags = (await call(chief.headers, 'GET', `/api/v1/visits/conflicts?region=${grid}`)).body as {
      id: number
      field: string
      kept: { value: unknown }
      other: { value: unknown }
    }[]
    const mine = flags.filter((f) => f.field === 'phone').slice(0, 2)
    expect(mine.map((f) => [f.kept.value, f.other.value])).toEqual([
      ['13700000003', '13900000001'],
      ['13900000001', '13700000002'],
    ])
    expect(
      (await call(worker.headers, 'POST', `/api/v1/visits/conflicts/${mine[0]?.id}/resolve`, { keep: 'other' })).status,
    ).toBe(403)
    const resolved = await call(chief.headers, 'POST', `/api/v1/visits/conflicts/${mine[0]?.id}/resolve`, { keep: 'other' })
    expect(resolved.body.status).toBe('replaced')
    expect((await read())?.phone).toBe('13900000001')
    expect(
      (await call(chief.headers, 'POST', `/api/v1/visits/conflicts/${mine[1]?.id}/resolve`, { keep: 'kept' })).body.status,
    ).toBe('kept')

    // A death and a newborn recorded at the door; the newborn not twice when re-sent.
    const current = (await read())?.version as number
    const idNumber = makeIdNumber('440104', '2026-03-03', 901)
    const flows = {
      clientId: `door-flows-${now}`,
      householdId: home.id,
      visitedAt: new Date(now).toISOString(),
      updates: [
        { kind: 'status', personId: person.id, baseVersion: current, status: 'deceased' },
        {
          kind: 'newResident',
          person: { idNumber, name: '新生儿', sex: '2', populationType: 'registered', relationToHead: '30' },
        },
      ],
    }
    const done = await call(worker.headers, 'POST', '/api/v1/visits', { items: [flows] })
    expect(done.status, JSON.stringify(done.body)).toBe(200)
    expect((await read())?.status).toBe('deceased')
    const born = await sql<{
      n: number
    }>`select count(*)::int as n from persons where id_number = ${idNumber} and household_id = ${home.id}`.execute(t.db)
    expect(born.rows[0]?.n).toBe(1)
    await sql`delete from visits where client_id = ${flows.clientId}`.execute(t.db) // (as if the answer and the record were lost)
    expect((await call(worker.headers, 'POST', '/api/v1/visits', { items: [flows] })).status).toBe(200)
    expect(
      (await sql<{ n: number }>`select count(*)::int as n from persons where id_number = ${idNumber}`.execute(t.db)).rows[0]?.n,
    ).toBe(1)
  })

  it('imports visits made by others in bulk: tasks done and last visits as at the door, idempotent, only in scope', async () => {
    const day = plus(DAY, 40)
    await generate(day)
    const open = (
      await sql<{ household_id: number }>`
        select household_id from visit_tasks where day = ${day} and grid_code = ${grid} and visit_id is null order by household_id limit 3`.execute(
        t.db,
      )
    ).rows.map((r) => Number(r.household_id))
    expect(open.length).toBeGreaterThan(0)
    const w = await userWithToken(t.db, 'visits-importee', [{ role: 'grid_worker', scope: grid }])
    const visits = createVisitsService({ db: t.db })
    const other = (
      await sql<{ id: number }>`
      select h.id from households h join dwellings d on d.id = h.dwelling_id
      where d.grid_code is not null and d.grid_code <> ${grid} and d.grid_code like ${`${street}%`} limit 1`.execute(t.db)
    ).rows[0]
    const p = new Principal(
      { id: 0, username: 'importer', displayName: 'importer', department: null },
      [{ role: 'grid_chief', scope: grid, permissions: new Set(['person.write'] as const) }],
      'system',
    )
    const items = open.map((h) => ({
      clientId: `import-${day}-${h}`,
      householdId: h,
      userId: w.userId,
      visitedAt: `${day}T02:00:00Z`,
    }))
    expect(await visits.importVisits(p, items)).toEqual({ inserted: open.length, replayed: 0 })
    expect(await visits.importVisits(p, items)).toEqual({ inserted: 0, replayed: open.length })
    // The task carries the (Beijing) day of its visit: 02:00Z is 10:00 in Beijing, the same day.
    const done = await sql<{ n: number; last: string; done_on: string }>`
      select count(*) filter (where t.visit_id is not null)::int as n, min(h.last_visited_on)::text as last,
        string_agg(distinct t.done_on::text, ',') as done_on
      from visit_tasks t join households h on h.id = t.household_id
      where t.day = ${day} and t.household_id = any (${open}::bigint[])`.execute(t.db)
    expect(done.rows[0]).toEqual({ n: open.length, last: day, done_on: day })
    const by = await sql<{
      user_id: number
    }>`select distinct user_id from visits where client_id like ${`import-${day}-%`}`.execute(t.db)
    expect(by.rows.map((r) => Number(r.user_id))).toEqual([w.userId])
    // Another grid's household: as if it did not exist; a bad client id: refused, nothing written.
    await expect(
      visits.importVisits(p, [
        { clientId: 'import-elsewhere', householdId: Number(other?.id), userId: w.userId, visitedAt: `${day}T02:00:00Z` },
      ]),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(
      visits.importVisits(p, [
        { clientId: 'short', householdId: open[0] as number, userId: w.userId, visitedAt: `${day}T03:00:00Z` },
      ]),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' })
  })

  it('walks to the nearest next door', () => {
    const pts = [
      { id: 'a', lng: 0, lat: 0 },
      { id: 'far', lng: 0.01, lat: 0 },
      { id: 'near', lng: 0.001, lat: 0 },
      { id: 'mid', lng: 0.005, lat: 0 },
    ]
    expect(walkingOrder(pts).map((p) => p.id)).toEqual(['a', 'near', 'mid', 'far'])
  })
})

describe('patrols', () => {
  it('records a track in pieces, and sums up distance, buildings passed and events found on the way', async () => {
    const worker = await userWithToken(t.db, 'patrol-worker', [{ role: 'grid_worker', scope: grid }])
    const buildings = (
      await sql<{ lng: number; lat: number }>`select lng, lat from buildings where grid_code = ${grid} order by id`.execute(t.db)
    ).rows
    const walk = buildings.slice(0, Math.ceil(buildings.length / 2))
    const start = Date.now() - 3_600_000
    const started = await call(worker.headers, 'POST', '/api/v1/patrols', {
      clientId: `patrol-${start}`,
      grid,
      startedAt: new Date(start).toISOString(),
    })
    expect(started.status, JSON.stringify(started.body)).toBe(201)
    const id = started.body.id as number
    // Re-started (a lost answer): the same patrol.
    expect(
      (
        await call(worker.headers, 'POST', '/api/v1/patrols', {
          clientId: `patrol-${start}`,
          grid,
          startedAt: new Date(start).toISOString(),
        })
      ).body.id,
    ).toBe(id)
    const points = walk.map((b, i) => ({
      seq: i,
      at: new Date(start + i * 60_000).toISOString(),
      lng: b.lng,
      lat: b.lat,
      accuracyM: 8,
    }))
    const half = Math.ceil(points.length / 2)
    expect((await call(worker.headers, 'POST', `/api/v1/patrols/${id}/points`, { points: points.slice(0, half) })).body).toEqual({
      added: half,
      ignored: 0,
    })
    // The phone re-sends the whole track: only the new points count.
    expect((await call(worker.headers, 'POST', `/api/v1/patrols/${id}/points`, { points })).body).toEqual({
      added: points.length - half,
      ignored: half,
    })
    expect((await call(admin, 'POST', `/api/v1/patrols/${id}/points`, { points })).status).toBe(403)
    // Something found on the way.
    const b0 = walk[0] as { lng: number; lat: number }
    const found = await call(worker.headers, 'POST', '/api/v1/cases', {
      catalog: 'S0303',
      description: '巡查发现：咨询',
      lng: b0.lng,
      lat: b0.lat,
    })
    expect(found.status, JSON.stringify(found.body)).toBe(201)
    const ended = (
      await call(worker.headers, 'POST', `/api/v1/patrols/${id}/end`, { endedAt: new Date(Date.now() + 1000).toISOString() })
    ).body
    // Buildings within 30 m of the track, counted by brute force.
    const m = (a: { lng: number; lat: number }, b: { lng: number; lat: number }) =>
      Math.hypot((a.lng - b.lng) * Math.cos((a.lat * Math.PI) / 180), a.lat - b.lat) * 111_320
    const passed = buildings.filter((b) => walk.some((w) => m(w, b) <= 30)).length
    let distance = 0
    for (let i = 1; i < walk.length; i++)
      distance += m(walk[i - 1] as { lng: number; lat: number }, walk[i] as { lng: number; lat: number })
    expect(ended).toMatchObject({ points: walk.length, buildings: buildings.length, buildingsPassed: passed })
    expect(Math.abs((ended.distanceM as number) - distance)).toBeLessThan(2)
    expect(ended.coverage).toBeCloseTo(passed / buildings.length, 3)
    expect(passed).toBeGreaterThanOrEqual(walk.length > 0 ? 1 : 0)
    expect(ended.events.map((e: { id: number }) => e.id)).toEqual([found.body.id])
    expect((await call(worker.headers, 'POST', `/api/v1/patrols/${id}/points`, { points })).status).toBe(409)
    expect((await call(admin, 'GET', `/api/v1/patrols?region=${grid}`)).body.map((x: { id: number }) => x.id)).toContain(id)
  })
})

describe('visit coverage (the map layer)', () => {
  it('gives each grid the share of its occupied households visited within the period, only in scope', async () => {
    const today = beijingDate(new Date())
    await sql`update households h set last_visited_on = null from dwellings d where d.id = h.dwelling_id and d.grid_code = ${grid}`.execute(
      t.db,
    )
    const ids = homes.map((h) => h.id)
    await sql`update households set last_visited_on = ${plus(today, -5)} where id = any(${ids.slice(0, 3)}::bigint[])`.execute(
      t.db,
    )
    await sql`update households set last_visited_on = ${plus(today, -60)} where id = ${ids[3] as number}`.execute(t.db)
    const of = async (who: Record<string, string>, q: string) =>
      (await call(who, 'GET', `/api/v1/visits/coverage?${q}`)).body as {
        since: string
        grids: { grid: string; households: number; visited: number; never: number; share: number }[]
      }
    const month = await of(admin, `region=${street}`)
    expect(month.since).toBe(plus(today, -30))
    expect(month.grids.length).toBeGreaterThan(10)
    expect(month.grids.find((g) => g.grid === grid)).toEqual({
      grid,
      households: homes.length,
      visited: 3,
      never: homes.length - 4,
      share: Math.round((3 / homes.length) * 1000) / 1000,
    })
    const quarter = await of(admin, `region=${street}&days=90`)
    expect(quarter.grids.find((g) => g.grid === grid)?.visited).toBe(4)
    // A grid worker sees their own grid only.
    const worker = await userWithToken(t.db, 'coverage-worker', [{ role: 'grid_worker', scope: grid }])
    expect((await of(worker.headers, `region=${grid}`)).grids.map((g) => g.grid)).toEqual([grid])
    expect((await call(admin, 'GET', '/api/v1/visits/coverage?region=44010')).status).toBe(400)
  })
})
