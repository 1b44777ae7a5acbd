// One-window services over HTTP on a real database: the window (consent, audited reads, every
// item's eligibility with reasons, materials the shared data spares — not when stale), the
// application as a case sent to the department, its decision, the resident following it on the
// residents' page, item edits with versions, and the night's proactive offers (once, not every
// night) on the grid worker's visit list.
import { beijingDate, DEFAULT_SERVICE_ITEMS, evaluateItem } from '@wangge/domain'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type App, buildApp } from '../../app.js'
import { loadSynthetic } from '../../synth/loader.js'
import { PRESETS } from '../../synth/profiles.js'
import { caller } from '../../testing/http.js'
import { createTestDatabase, type TestDatabase } from '../../testing/test-db.js'
import { adminHeaders, userWithToken } from '../../testing/users.js'
import { createGridsService } from '../grids/index.js'
import { readFacts, rulesFacts } from './facts.js'

let t: TestDatabase
let app: App
const call = caller(() => app)
type H = Record<string, string>
const who: Record<'clerk' | 'far' | 'civil' | 'police' | 'worker' | 'admin', H> = {} as never
let grid: string
const today = beijingDate(new Date())
const yearsAgo = (n: number, days = 0) => {
  const d = new Date(`${today}T00:00:00Z`)
  d.setUTCFullYear(d.getUTCFullYear() - n)
  d.setUTCDate(d.getUTCDate() + days)
  return d.toISOString().slice(0, 10)
}
const rows = async <T>(q: ReturnType<typeof sql<T>>) => (await q.execute(t.db)).rows

interface Person {
  id: number
  id_number: string
  household_id: number
  phone: string | null
}
/** Residents of the grid, each made into someone the test needs (distinct households). */
const people: Person[] = []
let next = 0
async function resident(set: Record<string, unknown>): Promise<Person> {
  const p = people[next++] as Person
  const parts = Object.entries(set).map(([k, v]) => sql`${sql.ref(k)} = ${v}`)
  await sql`update persons set ${sql.join(parts)} where id = ${p.id}`.execute(t.db)
  return p
}

const lookup = (h: H, idNumber: string, extra: Record<string, unknown> = {}) =>
  call(h, 'POST', '/api/v1/services/window/lookup', { idNumber, consent: '本人到场，同意查询共享信息', ...extra })

beforeAll(async () => {
  t = await createTestDatabase()
  await loadSynthetic(t, { preset: PRESETS.tiny as never, seed: 'services', city: '4401' })
  await createGridsService({ db: t.db }).partition('440104004', { target: 50, minHouseholds: 30 })
  grid = (await rows(sql<{ code: string }>`select code from grids where status = 'active' order by households desc limit 1`))[0]
    ?.code as string
  people.push(
    ...(await rows(sql<Person>`
      select distinct on (p.household_id) p.id, p.id_number, p.household_id, p.phone
      from persons p join dwellings d on d.id = p.dwelling_id
      where d.grid_code = ${grid} and p.status = 'active' and p.phone is not null
      order by p.household_id, p.id limit 12`)),
  )
  app = await buildApp({ config: { bodyLimit: 8 << 20, logLevel: 'silent', logPretty: false }, database: t })
  who.clerk = (await userWithToken(t.db, 's-clerk', [{ role: 'window_clerk', scope: '440104004' }])).headers
  who.far = (await userWithToken(t.db, 's-clerk-far', [{ role: 'window_clerk', scope: '440106' }])).headers
  who.civil = (
    await userWithToken(t.db, 's-civil', [{ role: 'dept_handler', scope: '4401' }], undefined, 'civil_affairs')
  ).headers
  who.police = (await userWithToken(t.db, 's-police', [{ role: 'dept_handler', scope: '4401' }], undefined, 'police')).headers
  who.worker = (await userWithToken(t.db, 's-worker', [{ role: 'grid_worker', scope: grid }])).headers
  who.admin = await adminHeaders(t.db, 's-admin')
}, 120_000)
afterAll(async () => {
  await app.close()
  await t.destroy()
})

describe('the window', () => {
  let elder: Person
  let visit: string

  it('needs the resident’s consent, and an ID number in the clerk’s area', async () => {
    elder = await resident({ birth_date: yearsAgo(80), population_type: 'registered', status: 'active' })
    const noConsent = await call(who.clerk, 'POST', '/api/v1/services/window/lookup', { idNumber: elder.id_number })
    expect(noConsent.status).toBe(400)
    expect((await lookup(who.far, elder.id_number)).status).toBe(404)
    const badId = await lookup(who.clerk, '440104199001011234')
    expect([badId.status, badId.body.code]).toEqual([400, 'VALIDATION_FAILED'])
    expect((await lookup(who.worker, elder.id_number)).status).toBe(403)
  })

  it('shows the facts with their source, and which items the resident may have — with the reasons', async () => {
    const r = await lookup(who.clerk, elder.id_number, { notify: true })
    expect(r.status, JSON.stringify(r.body)).toBe(201)
    visit = r.body.visit.number
    expect(visit).toMatch(/^YC\d{14}$/)
    const age = r.body.facts.find((f: { name: string }) => f.name === 'age')
    expect(age).toMatchObject({ value: 80, source: 'police' })
    const items = new Map(
      (r.body.items as { code: string; eligible: boolean; conditions: { zh: string; ok: boolean }[] }[]).map((i) => [i.code, i]),
    )
    expect(items.get('S0102')?.eligible).toBe(true)
    expect(items.get('S0101')?.eligible).toBe(true)
    expect(items.get('S0601')?.eligible).toBe(false)
    expect(
      items
        .get('S0601')
        ?.conditions.filter((c) => !c.ok)
        .map((c) => c.zh),
    ).toContain('来穗人员')
    expect(r.body.household.some((m: { self: boolean }) => m.self)).toBe(true)
  })

  it('writes every read of the facts to the audit log, under the visit', async () => {
    await call(who.clerk, 'GET', `/api/v1/services/window/${visit}/items/S0102`)
    const audited = await rows(sql<{ actor: string; reason: string }>`
      select actor, reason from audit_log where action = 'service.window.read' and object_id = ${String(elder.id)} order by id`)
    expect(audited.length).toBe(2)
    expect(audited.every((a) => a.actor === 's-clerk' && a.reason.includes(visit))).toBe(true)
    expect((await call(who.far, 'GET', `/api/v1/services/window/${visit}`)).status).toBe(404)
  })

  it('spares the papers the shared data proves (免提交) — not when the data is stale', async () => {
    const r = await call(who.clerk, 'GET', `/api/v1/services/window/${visit}/items/S0102`)
    expect(r.status).toBe(200)
    const by = new Map(
      (r.body.materials as { code: string; spared: boolean; source: string | null; why: string | null }[]).map((m) => [
        m.code,
        m,
      ]),
    )
    expect(by.get('id_card')).toMatchObject({ spared: true, source: 'police' })
    expect(by.get('hukou_book')).toMatchObject({ spared: true, source: 'police' })
    expect(by.get('bank_card')).toMatchObject({ spared: false, why: 'not_provable' })
    await sql`insert into person_field_sources (person_id, field_group, source, updated_at, updated_by)
      values (${elder.id}, 'residence', 'police', now() - interval '200 days', 'feed')`.execute(t.db)
    const stale = await call(who.clerk, 'GET', `/api/v1/services/window/${visit}/items/S0102`)
    expect(stale.body.materials.find((m: { code: string }) => m.code === 'hukou_book')).toMatchObject({
      spared: false,
      why: 'stale',
    })
    await sql`delete from person_field_sources where person_id = ${elder.id}`.execute(t.db)
  })

  let applicationId: number
  let number: string
  it('refuses an item the resident is not eligible for, or papers missing', async () => {
    const no = await call(who.clerk, 'POST', `/api/v1/services/window/${visit}/applications`, { item: 'S0601' })
    expect([no.status, no.body.code]).toEqual([422, 'NOT_ELIGIBLE'])
    const missing = await call(who.clerk, 'POST', `/api/v1/services/window/${visit}/applications`, { item: 'S0102' })
    expect([missing.status, missing.body.code]).toEqual([422, 'MATERIALS_MISSING'])
    expect(missing.body.details.missing.map((m: { code: string }) => m.code)).toEqual(['bank_card'])
    expect(Number((await rows(sql<{ n: number }>`select count(*)::int as n from service_applications`))[0]?.n)).toBe(0)
  })

  it('submits an application as a case sent at once to the department, once', async () => {
    const body = { item: 'S0102', materials: [{ code: 'bank_card', seen: true }] }
    const r = await call(who.clerk, 'POST', `/api/v1/services/window/${visit}/applications`, body)
    expect(r.status, JSON.stringify(r.body)).toBe(201)
    expect(r.body).toMatchObject({
      item: 'S0102',
      status: 'submitted',
      caseStatus: 'dispatched',
      department: 'civil_affairs',
      spared: 2,
      required: 3,
    })
    applicationId = r.body.id
    number = r.body.number
    expect(number).toMatch(/^S0102/)
    const again = await call(who.clerk, 'POST', `/api/v1/services/window/${visit}/applications`, body)
    expect(again.body.id).toBe(applicationId)
    expect(
      Number((await rows(sql<{ n: number }>`select count(*)::int as n from cases where catalog_code = 'S0102'`))[0]?.n),
    ).toBe(1)
  })

  it('is decided by the department on time; another department cannot', async () => {
    const a = (await call(who.civil, 'GET', `/api/v1/services/applications/${applicationId}`)).body
    expect(a.status).toBe('submitted')
    const list = await call(who.civil, 'GET', '/api/v1/services/applications?status=submitted')
    expect(list.body.items.map((x: { id: number }) => x.id)).toContain(applicationId)
    // (Inside its scope, another department is refused as for any case: 403.)
    expect((await call(who.police, 'GET', `/api/v1/services/applications/${applicationId}`)).status).toBe(403)
    expect((await call(who.police, 'GET', '/api/v1/services/applications')).body.total).toBe(0)
    const stale = await call(who.civil, 'POST', `/api/v1/services/applications/${applicationId}/decide`, {
      approve: true,
      reason: '符合条件',
      version: a.caseVersion - 1,
    })
    expect(stale.status).toBe(409)
    const r = await call(who.civil, 'POST', `/api/v1/services/applications/${applicationId}/decide`, {
      approve: true,
      reason: '符合条件，次月起发放',
      version: a.caseVersion,
    })
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    expect(r.body).toMatchObject({ status: 'approved', decision: 'approved', onTime: true, caseStatus: 'handled' })
    const twice = await call(who.civil, 'POST', `/api/v1/services/applications/${applicationId}/decide`, {
      approve: false,
      reason: '重复',
      version: r.body.caseVersion,
    })
    expect(twice.status).toBe(409)
  })

  it('is followed by the resident on the residents’ page by its number', async () => {
    const phone4 = (elder.phone as string).slice(-4)
    const r = await call({}, 'GET', `/api/v1/public/reports/${number}?phone4=${phone4}`)
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    expect(r.body.timeline.map((s: { step: string }) => s.step)).toEqual(
      expect.arrayContaining(['register', 'dispatch', 'handle']),
    )
    expect(r.body.timeline.find((s: { step: string }) => s.step === 'handle').note).toContain('批准')
    expect((await call({}, 'GET', `/api/v1/public/reports/${number}?phone4=0000`)).status).toBe(404)
  })
})

describe('service items as data', () => {
  it('are edited with the version read and a reason, and refused when the rule names an unknown fact', async () => {
    const cur = (await call(who.admin, 'GET', '/api/v1/services/items/S0101')).body
    const { code: _c, active, version, updatedAt: _u, updatedBy: _b, departmentDays: _d, versions: _v, ...definition } = cur
    const bad = await call(who.admin, 'PUT', '/api/v1/services/items/S0101', {
      definition: { ...definition, conditions: [{ zh: '收入', en: 'income', rule: { '<': [{ var: 'income' }, 1000] } }] },
      active,
      reason: '试验',
      version,
    })
    expect([bad.status, bad.body.code]).toEqual([422, 'INVALID_SERVICE_ITEM'])
    const stale = await call(who.admin, 'PUT', '/api/v1/services/items/S0101', {
      definition,
      active,
      reason: '调整',
      version: version + 1,
    })
    expect(stale.status).toBe(409)
    expect(
      (await call(who.clerk, 'PUT', '/api/v1/services/items/S0101', { definition, active, reason: '调整', version })).status,
    ).toBe(403)
    const ok = await call(who.admin, 'PUT', '/api/v1/services/items/S0101', {
      definition: { ...definition, fee: '免费（工本费由财政承担）' },
      active,
      reason: '明确收费',
      version,
    })
    expect(ok.status, JSON.stringify(ok.body)).toBe(200)
    expect(ok.body).toMatchObject({ version: version + 1, fee: '免费（工本费由财政承担）' })
    expect(ok.body.versions.map((v: { reason: string }) => v.reason)).toEqual(['明确收费', 'seeded'])
  })
})

describe('facts on the day', () => {
  it('turn 80 on the birthday, not the day before; a deceased person is eligible for nothing', async () => {
    const p = await resident({ birth_date: yearsAgo(80, 1), population_type: 'registered', status: 'active' })
    const item = DEFAULT_SERVICE_ITEMS.find((i) => i.code === 'S0102') as (typeof DEFAULT_SERVICE_ITEMS)[number]
    const birthday = yearsAgo(0, 1)
    const before = yearsAgo(0, 0)
    const on = (await readFacts(t.db, [p.id], birthday)).get(p.id)
    const eve = (await readFacts(t.db, [p.id], before)).get(p.id)
    expect([eve?.facts.age, on?.facts.age]).toEqual([79, 80])
    expect(evaluateItem(item, eve?.facts ?? {}).eligible).toBe(false)
    expect(evaluateItem(item, on?.facts ?? {}).eligible).toBe(true)
    await sql`update persons set status = 'deceased' where id = ${p.id}`.execute(t.db)
    const dead = (await readFacts(t.db, [p.id], birthday)).get(p.id)
    expect(DEFAULT_SERVICE_ITEMS.filter((i) => evaluateItem(i, dead?.facts ?? {}).eligible)).toEqual([])
  })
})

describe('proactive services', () => {
  it('offer a resident who just turned 80 the allowance once, not every night, on the grid worker’s list', async () => {
    const p = await resident({ birth_date: yearsAgo(80, -3), population_type: 'registered', status: 'active' })
    await lookup(who.clerk, p.id_number, { notify: true })
    const first = await call(who.admin, 'POST', '/api/v1/services/proactive/run')
    expect(first.status, JSON.stringify(first.body)).toBe(200)
    const mine = await rows(sql<{ id: number; item_code: string; notified: boolean }>`
      select id, item_code, notified from service_offers where person_id = ${p.id}`)
    expect(mine.map((o) => o.item_code).sort()).toEqual(['S0102'])
    expect(mine[0]?.notified).toBe(true)
    const sms = await rows(sql<{ n: number }>`
      select count(*)::int as n from notifications where recipient = ${p.phone} and template = 'resident.service_offer'`)
    expect(Number(sms[0]?.n)).toBe(1)
    const second = await call(who.admin, 'POST', '/api/v1/services/proactive/run')
    expect(second.body.offers).toBe(0)
    await sql`delete from service_runs`.execute(t.db)
    expect((await call(who.admin, 'POST', '/api/v1/services/proactive/run')).body.offers).toBe(0)

    const tasks = (await call(who.worker, 'GET', '/api/v1/visits/tasks')).body
    const task = tasks.tasks.find((x: { householdId: number }) => x.householdId === Number(p.household_id))
    expect(task?.offers.map((o: { item: string }) => o.item)).toEqual(['S0102'])
    expect(task.offers[0].bring).toEqual(['本人银行卡'])
    const offer = task.offers[0]
    const done = await call(who.worker, 'POST', `/api/v1/services/offers/${offer.id}/outcome`, {
      outcome: 'declined',
      note: '子女代办',
      version: offer.version,
    })
    expect(done.status, JSON.stringify(done.body)).toBe(200)
    const again = await call(who.worker, 'POST', `/api/v1/services/offers/${offer.id}/outcome`, {
      outcome: 'applied',
      version: offer.version,
    })
    expect(again.status).toBe(409)
    const later = (await call(who.worker, 'GET', '/api/v1/visits/tasks')).body
    expect(
      later.tasks.flatMap((x: { offers: { id: number }[] }) => x.offers).some((o: { id: number }) => o.id === offer.id),
    ).toBe(false)
  })

  it('take a register’s first delivery as the baseline, and a later registration as news', async () => {
    const [first, later] = [await resident({ status: 'active' }), await resident({ status: 'active' })]
    await sql`update persons set care_tags = '{disabled}', population_type = 'registered' where id in (${first.id}, ${later.id})`.execute(
      t.db,
    )
    const deliver = async (key: string, person: Person) => {
      const r = await call(who.admin, 'POST', '/api/v1/sharing/datasets/cdpf.disability/deliveries', {
        deliveryKey: key,
        records: [{ id_number: person.id_number, name: '测试', care_tags: 'disabled', grade: 1 }],
      })
      expect(r.status, JSON.stringify(r.body)).toBe(201)
    }
    await deliver('cdpf-first', first)
    await deliver('cdpf-later', later)
    await sql`delete from service_runs`.execute(t.db)
    await call(who.admin, 'POST', '/api/v1/services/proactive/run')
    const offered = await rows(sql<{ person_id: number }>`select person_id from service_offers where item_code = 'S0502'`)
    expect(offered.map((o) => Number(o.person_id))).toEqual([later.id])
  })

  it('find a newborn’s parent and a deceased’s household, reading only the facts each rule names', async () => {
    const mother = await resident({ population_type: 'registered', status: 'active', sex: '2' })
    const daysAgo = (n: number) => new Date(Date.parse(today) - n * 86_400_000).toISOString().slice(0, 10)
    const born = await call(who.admin, 'POST', '/api/v1/sharing/datasets/health.births/deliveries', {
      deliveryKey: 'births-night',
      records: [{ certificate_no: 'Q4401990001', mother_id_number: mother.id_number, birth_date: daysAgo(3), sex: '1' }],
    })
    expect(born.status, JSON.stringify(born.body)).toBe(201)
    // A household of two or more in the grid: one dies, the eldest of the others is told.
    const [pair] = await rows(sql<{ deceased: number; id_number: string; heir: number }>`
      select d.id as deceased, d.id_number, (select m.id from persons m where m.household_id = d.household_id
        and m.id <> d.id and m.status = 'active' order by m.birth_date, m.id limit 1) as heir
      from persons d join dwellings w on w.id = d.dwelling_id
      where w.grid_code = ${grid} and d.status = 'active'
        and d.household_id not in (${sql.join(people.map((x) => x.household_id))})
        and (select count(*) from persons m where m.household_id = d.household_id and m.status = 'active') >= 2
      order by d.id limit 1`)
    if (!pair) throw new Error('no household of two in the grid')
    await sql`update persons set population_type = 'registered' where id = ${pair.heir}`.execute(t.db)
    const died = await call(who.admin, 'POST', '/api/v1/sharing/datasets/health.deaths/deliveries', {
      deliveryKey: 'deaths-night',
      records: [{ id_number: pair.id_number, name: '测试', death_date: daysAgo(2) }],
    })
    expect(died.status, JSON.stringify(died.body)).toBe(201)
    await sql`delete from service_runs`.execute(t.db)
    await call(who.admin, 'POST', '/api/v1/services/proactive/run')
    const offered = async (item: string) =>
      (await rows(sql<{ person_id: number }>`select person_id from service_offers where item_code = ${item}`)).map((o) =>
        Number(o.person_id),
      )
    expect(await offered('S0204')).toContain(mother.id)
    expect(await offered('S0405')).toContain(Number(pair.heir))
    // The night's trimmed reading judges every item as the window's full reading does.
    const ids = [mother.id, Number(pair.heir), ...people.map((x) => x.id)]
    const full = await readFacts(t.db, ids, today)
    for (const item of DEFAULT_SERVICE_ITEMS) {
      const trimmed = await readFacts(t.db, ids, today, rulesFacts([item]))
      for (const id of ids)
        expect(evaluateItem(item, trimmed.get(id)?.facts ?? {}).eligible, `${item.code} for ${id}`).toBe(
          evaluateItem(item, full.get(id)?.facts ?? {}).eligible,
        )
    }
  })

  it('do not offer someone who has applied', async () => {
    const p = await resident({ birth_date: yearsAgo(80, -2), population_type: 'registered', status: 'active' })
    const v = (await lookup(who.clerk, p.id_number)).body.visit.number
    const r = await call(who.clerk, 'POST', `/api/v1/services/window/${v}/applications`, {
      item: 'S0102',
      materials: [{ code: 'bank_card', seen: true }],
    })
    expect(r.status, JSON.stringify(r.body)).toBe(201)
    await sql`delete from service_runs`.execute(t.db)
    await call(who.admin, 'POST', '/api/v1/services/proactive/run')
    expect(await rows(sql`select id from service_offers where person_id = ${p.id} and item_code = 'S0102'`)).toEqual([])
  })
})

describe('figures for leaders', () => {
  it('count applications per item and area, decided on time, papers spared and proactive uptake', async () => {
    const r = await call(who.admin, 'GET', '/api/v1/services/stats?region=440104004')
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    const apps = await rows(sql<{ n: number; spared: number }>`
      select count(*)::int as n, sum(spared)::int as spared from service_applications`)
    expect(r.body.total.applications).toBe(apps[0]?.n)
    expect(r.body.total.spared).toBe(apps[0]?.spared)
    const allowance = r.body.items.find((i: { code: string }) => i.code === 'S0102')
    expect(allowance).toMatchObject({ decided: 1, onTimeRate: 1 })
    expect(allowance.avgWorkingDays).toBeGreaterThanOrEqual(0)
    const offers = await rows(sql<{ n: number; applied: number }>`
      select count(*)::int as n, count(*) filter (where status = 'applied')::int as applied from service_offers`)
    expect([r.body.total.offers, r.body.total.offersApplied]).toEqual([offers[0]?.n, offers[0]?.applied])
    expect(r.body.areas.every((a: { code: string }) => a.code.length === 12)).toBe(true)
    // A department sees only its own applications' figures.
    const police = await call(who.police, 'GET', '/api/v1/services/stats?region=4401')
    expect(police.body.total.applications).toBe(0)
    const bad = await call(who.admin, 'GET', '/api/v1/services/stats?region=4401&from=2026-12-01&to=2026-11-01')
    expect([bad.status, bad.body.code]).toEqual([400, 'VALIDATION_FAILED'])
  })
})
