// 共享校核 on a clean fixture: each rule finds the case planted for it and nothing else; a finding
// is resolved by the side that has the task (a correction written with provenance), cleared when
// the data stop disagreeing, and hidden from departments it is not about.
import { makeIdNumber } from '@wangge/domain'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type App, buildApp } from '../../app.js'
import { loadSynthetic } from '../../synth/loader.js'
import { PRESETS } from '../../synth/profiles.js'
import { caller } from '../../testing/http.js'
import { createTestDatabase, type TestDatabase } from '../../testing/test-db.js'
import { adminHeaders, userWithToken } from '../../testing/users.js'
import { createGridsService } from '../grids/index.js'

let t: TestDatabase
let app: App
let admin: Record<string, string>
const dept: Record<string, Record<string, string>> = {}
const call = caller(() => app)

interface P {
  id: number
  id_number: string
  name: string
  population_type: string
  household_id: number
  relation_to_head: string
}
const rows = async <T>(q: ReturnType<typeof sql<T>>) => (await q.execute(t.db)).rows
let seq = 0
const push = async (who: string, dataset: string, records: Record<string, unknown>[]) => {
  const r = await call(dept[who] as Record<string, string>, 'POST', `/api/v1/sharing/datasets/${dataset}/deliveries`, {
    deliveryKey: `fixture-${seq++}`,
    records,
  })
  if (r.status !== 201 || r.body.status !== 'applied') throw new Error(`${dataset}: ${JSON.stringify(r.body)}`)
  return r.body
}
const policeRow = (x: P, more: Record<string, unknown> = {}) => ({
  id_number: x.id_number,
  name: x.name,
  population_type: x.population_type,
  status: 'active',
  ...more,
})
/** The planted subject of each rule. */
const planted: Record<string, number> = {}

beforeAll(async () => {
  t = await createTestDatabase()
  await loadSynthetic(t, { preset: PRESETS.tiny as never, seed: 'crosschecks', city: '4401' })
  // Grids, so that a grid worker's questions have a walk to be on.
  const grids = createGridsService({ db: t.db })
  for (const { street } of await rows(
    sql<{ street: string }>`select distinct substr(community_code, 1, 9) as street from dwellings order by 1`,
  ))
    await grids.partition(street, { target: 50, minHouseholds: 30 })
  app = await buildApp({ config: { bodyLimit: 8 << 20, logLevel: 'silent', logPretty: false }, database: t })
  admin = await adminHeaders(t.db)
  for (const d of ['police', 'health', 'civil_affairs', 'migrant', 'housing', 'hrss', 'market'])
    dept[d] = (await userWithToken(t.db, `cc-${d}`, [{ role: 'data_provider', scope: '4401' }], undefined, d)).headers

  const persons = await rows(sql<P>`select id, id_number, name, population_type, household_id, relation_to_head from persons
    where status = 'active' and birth_date > current_date - interval '70 years' and not ('unemployed' = any(care_tags))
    order by id`)
  const pick = () => persons.splice(7, 1)[0] as P
  const old = await rows(sql<P>`select id, id_number, name, population_type, household_id, relation_to_head from persons
    where status = 'active' and population_type = 'registered' and birth_date <= current_date - interval '80 years' order by id`)
  if (old.length < 3) throw new Error('the fixture needs three registered residents aged 80 or more')
  const [oldDead, oldForgotten] = [old[0] as P, old[1] as P]
  // Clean: every registered resident of 80 or more has the allowance (but the one forgotten).
  await push(
    'civil_affairs',
    'civil_affairs.elderly_allowance',
    old.filter((x) => x !== oldForgotten).map((x) => ({ id_number: x.id_number, name: x.name, monthly_amount: 200 })),
  )
  planted.over80_without_allowance = oldForgotten.id

  const a = pick()
  await push('health', 'health.deaths', [{ id_number: a.id_number, name: a.name, death_date: '2026-10-02' }])
  planted.deceased_still_active = a.id

  const b = pick()
  await push('civil_affairs', 'civil_affairs.assistance', [{ id_number: b.id_number, name: b.name, care_tags: 'low_income' }])
  await push('police', 'police.population', [policeRow(b, { status: 'deceased' })])
  await push('health', 'health.deaths', [{ id_number: b.id_number, name: b.name, death_date: '2026-09-20' }])
  planted.deceased_receiving_assistance = b.id

  await push('police', 'police.population', [policeRow(oldDead, { status: 'deceased' })])
  await push('health', 'health.deaths', [{ id_number: oldDead.id_number, name: oldDead.name, death_date: '2026-11-01' }])
  planted.deceased_receiving_allowance = oldDead.id

  // Police say moved out; the grid worker's record says living here.
  const d = pick()
  await push('police', 'police.population', [policeRow(d, { status: 'moved_out' })])
  await sql`update persons set status = 'active' where id = ${d.id}`.execute(t.db)
  planted.moved_out_still_resident = d.id

  const e = (
    await rows(
      sql<P>`select id, id_number, name from persons where status = 'active' and population_type = 'migrant' order by id limit 1`,
    )
  )[0] as P
  await push('migrant', 'migrant.permits', [
    { id_number: e.id_number, name: e.name, permit_type: '01', permit_expires_on: '2026-06-30' },
  ])
  planted.permit_expired_still_resident = e.id

  const f = (
    await rows(sql<{ id: number; address: string }>`select id, address from dwellings w
      where not exists (select 1 from persons x where x.dwelling_id = w.id and x.status = 'active') order by id limit 1`)
  )[0] as { id: number; address: string }
  await push('housing', 'housing.rentals', [{ address: f.address, occupancy: 'rental', rent_monthly: 2500, filing_no: 'ZL-1' }])
  planted.rental_without_tenants = f.id

  const g = pick()
  await push('hrss', 'hrss.employment', [
    { id_number: g.id_number, name: g.name, employment: 'employed', employer: '某公司', care_tags: '失业人员' },
  ])
  planted.unemployed_but_employed = g.id

  const head = persons.find((x) => x.relation_to_head === '01') as P
  const members = Number(
    (await rows(sql<{ n: number }>`select members as n from households where id = ${head.household_id}`))[0]?.n,
  )
  await push('police', 'police.population', [policeRow(head, { household_size: members + 1 })])
  planted.household_size_differs = head.id

  const org = (
    await rows(sql<{ id: number; uscc: string; name: string; type: string; legal_representative: string }>`
    select id, uscc, name, type, legal_representative from organizations where status = 'active' order by id limit 1`)
  )[0] as {
    id: number
    uscc: string
    name: string
    type: string
    legal_representative: string
  }
  await push('market', 'market.entities', [
    { uscc: org.uscc, name: org.name, type: org.type, legal_representative: org.legal_representative, status: 'closed' },
  ])
  await sql`update organizations set status = 'active' where id = ${org.id}`.execute(t.db)
  planted.deregistered_still_active = org.id

  const twin = pick()
  const birth = (
    await rows(sql<{ b: string }>`select to_char(birth_date, 'YYYY-MM-DD') as b from persons where id = ${twin.id}`)
  )[0]?.b as string
  const created = await call(admin, 'POST', '/api/v1/persons', {
    idNumber: makeIdNumber('440104', birth, 987),
    name: twin.name,
    sex: '1',
    ethnicity: '01',
    populationType: twin.population_type,
    householdId: twin.household_id,
    relationToHead: '99',
    source: 'grid_worker',
    reason: '重复登记（测试）',
  })
  if (created.status !== 201) throw new Error(JSON.stringify(created.body))
  planted.duplicate_person = created.body.id
}, 120_000)
afterAll(async () => {
  await app.close()
  await t.destroy()
})

type Finding = { id: number; rule: string; entityId: number; version: number; status: string; assignee: string }
const open = async (rule: string) =>
  (await call(admin, 'GET', `/api/v1/sharing/findings?status=open&rule=${rule}&pageSize=500`)).body.items as Finding[]

describe('cross-check rules', () => {
  it('has at least ten rules as data', async () => {
    const rules = (await call(admin, 'GET', '/api/v1/sharing/rules')).body as { code: string }[]
    expect(rules.length).toBeGreaterThanOrEqual(10)
    expect(Object.keys(planted).sort()).toEqual(rules.map((r) => r.code).sort())
  })

  it('each finds its planted case and nothing else', async () => {
    const run = await call(admin, 'POST', '/api/v1/sharing/crosschecks/run')
    expect(run.status).toBe(200)
    const found: Record<string, number[]> = {}
    for (const rule of Object.keys(planted)) found[rule] = (await open(rule)).map((f) => f.entityId)
    expect(found).toEqual(Object.fromEntries(Object.entries(planted).map(([k, v]) => [k, [v]])))
  })

  it('ran on the deliveries already (the records each touched)', async () => {
    const f = (await open('deceased_still_active'))[0] as Finding & { foundByDelivery: number | null }
    expect(f.foundByDelivery).not.toBeNull()
  })

  it('records both values with their sources and who answers for them', async () => {
    const f = (await open('household_size_differs'))[0] as Finding & {
      left: { label: string; value: unknown }
      right: { label: string; value: unknown }
      ownerDepartment: string
    }
    expect(f.left.label).toBe('户内人数（公安）')
    expect(Number(f.left.value)).toBe(Number(f.right.value) + 1)
    expect(f).toMatchObject({ ownerDepartment: 'police', assignee: 'grid_worker' })
  })
})

describe('findings as tasks', () => {
  it('the owning department corrects the base record when it was right; others do not see it', async () => {
    const f = (await open('deceased_still_active'))[0] as Finding
    expect((await call(dept.migrant as Record<string, string>, 'GET', `/api/v1/sharing/findings/${f.id}`)).status).toBe(404)
    const list = (await call(dept.police as Record<string, string>, 'GET', '/api/v1/sharing/findings?pageSize=500')).body
    expect(list.items.every((x: { ownerDepartment: string }) => x.ownerDepartment === 'police')).toBe(true)
    const r = await call(dept.police as Record<string, string>, 'POST', `/api/v1/sharing/findings/${f.id}/resolve`, {
      side: 'department',
      note: '已核实死亡，注销户籍',
      version: f.version,
    })
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ status: 'resolved', resolution: 'department_right', resolvedBy: 'cc-police' })
    const p = (
      await rows(sql<{ status: string; source: string }>`select status, source from persons where id = ${f.entityId}`)
    )[0]
    expect(p).toMatchObject({ status: 'deceased', source: 'police' })
    const again = await call(dept.police as Record<string, string>, 'POST', `/api/v1/sharing/findings/${f.id}/resolve`, {
      side: 'department',
      note: 'again',
      version: f.version,
    })
    expect(again.status).toBe(409)
  })

  it("a grid worker's door-to-door answer: the base was right, nothing changes", async () => {
    const f = (await open('moved_out_still_resident'))[0] as Finding & { gridCode: string }
    const worker = (await userWithToken(t.db, 'cc-worker', [{ role: 'grid_worker', scope: f.gridCode }])).headers
    // The question is on the worker's list today, at the household of the person it is about.
    const home = (await rows(sql<{ h: string }>`select household_id as h from persons where id = ${f.entityId}`))[0]?.h
    const today = (await call(worker, 'GET', '/api/v1/visits/tasks')).body as {
      tasks: { householdId: number; rule: string; questions: { findingId: number; question: string; about: string }[] }[]
      checks: unknown[]
    }
    const task = today.tasks.find((x) => x.householdId === Number(home))
    expect(task?.questions.map((q) => q.findingId)).toContain(f.id)
    expect(task?.questions.find((q) => q.findingId === f.id)?.question).toMatch(/上门/)
    // Nobody else's question is on it.
    const ids = [
      ...today.tasks.flatMap((x) => x.questions.map((q) => q.findingId)),
      ...(today.checks as { findingId: number }[]).map((q) => q.findingId),
    ]
    const mine = (
      await rows(
        sql<{ id: string }>`select id from check_findings where status = 'open' and assignee = 'grid_worker'
          and grid_code = ${f.gridCode}`,
      )
    ).map((r) => Number(r.id))
    expect(ids.sort((a, b) => a - b)).toEqual(mine.sort((a, b) => a - b))
    // The police see the question about their data, but the answer is the grid worker's to give.
    const police = dept.police as Record<string, string>
    const byPolice = await call(police, 'POST', `/api/v1/sharing/findings/${f.id}/resolve`, {
      side: 'base',
      note: '不是我',
      version: f.version,
    })
    expect(byPolice.status).toBe(403)
    const r = await call(worker, 'POST', `/api/v1/sharing/findings/${f.id}/resolve`, {
      side: 'base',
      note: '上门核实：本人仍在此居住',
      version: f.version,
    })
    expect(r.body).toMatchObject({ status: 'resolved', resolution: 'base_right' })
    const after = (await call(worker, 'GET', '/api/v1/visits/tasks')).body as { tasks: { questions: { findingId: number }[] }[] }
    expect(after.tasks.flatMap((x) => x.questions.map((q) => q.findingId))).not.toContain(f.id)
    expect((await rows(sql<{ status: string }>`select status from persons where id = ${f.entityId}`))[0]?.status).toBe('active')
  })

  it('clears a finding when the data stop disagreeing', async () => {
    const [f] = (await open('over80_without_allowance')) as Finding[]
    const x = (await rows(sql<P>`select id_number, name from persons where id = ${f?.entityId}`))[0] as P
    await push('civil_affairs', 'civil_affairs.elderly_allowance', [
      { id_number: x.id_number, name: x.name, monthly_amount: 200 },
    ])
    const after = (await call(admin, 'GET', `/api/v1/sharing/findings/${f?.id}`)).body
    expect(after.status).toBe('cleared')
    expect(await open('over80_without_allowance')).toEqual([])
  })

  it("a delivery's run looks at the records it touched only; the night sees the rest", async () => {
    const [f] = (await open('permit_expired_still_resident')) as Finding[]
    expect(f).toBeDefined()
    // Corrected behind the rules' back: the finding no longer holds, but nothing delivered touches it.
    await sql`update persons set status = 'moved_out' where id = ${f?.entityId}`.execute(t.db)
    const other = (
      await rows(sql<P>`select id_number, name, population_type from persons
        where status = 'active' and id <> ${f?.entityId} and birth_date > current_date - interval '70 years' order by id desc limit 1`)
    )[0] as P
    const d = await push('police', 'police.population', [policeRow(other, { household_number: 'X-1' })])
    expect(d.rows.total).toBe(1)
    expect((await call(admin, 'GET', `/api/v1/sharing/findings/${f?.id}`)).body.status).toBe('open')
    await app.jobs.runDue(new Date(Date.now() + 2 * 86_400_000))
    expect((await call(admin, 'GET', `/api/v1/sharing/findings/${f?.id}`)).body.status).toBe('cleared')
    await sql`update persons set status = 'active' where id = ${f?.entityId}`.execute(t.db)
  })
})

describe('the nightly run', () => {
  it('runs as a scheduled job in its own transaction and schedules the next night', async () => {
    const tomorrow = new Date(Date.now() + 2 * 86_400_000)
    await app.jobs.runDue(tomorrow)
    const jobs = await rows(
      sql<{
        state: string
        n: number
      }>`select state, count(*)::int as n from jobs where kind = 'sharing.crosschecks' group by state`,
    )
    expect(jobs.find((j) => j.state === 'done')?.n).toBeGreaterThanOrEqual(1)
    expect(jobs.find((j) => j.state === 'pending')?.n).toBe(1)
  })
})

describe('rules edited by an administrator', () => {
  const rule = {
    code: 'death_without_deregistration_90',
    name: '死亡人员仍为户籍在册（90岁以上）',
    nameEn: 'Deceased aged 90+ still registered',
    subject: 'person',
    when: [
      { has: 'health.deaths' },
      { base: { field: 'birth_date', op: 'age_gte', value: 90 } },
      { base: { field: 'status', op: 'eq', value: 'active' } },
    ],
    left: { dataset: 'health.deaths', field: 'death_date', label: '死亡日期（卫健）' },
    right: { base: 'status', label: '户籍状态（基础库）' },
    owner: 'police',
    assignee: 'department',
    question: '请核实并办理户籍注销',
  }

  it('adds a rule checked against the catalog, with its first version', async () => {
    const bad = await call(admin, 'POST', '/api/v1/sharing/rules', {
      ...rule,
      when: [{ has: 'health.deaths', where: [{ field: 'cause', op: 'null' }] }, { base: { field: 'password', op: 'null' } }],
      reason: '测试',
    })
    expect(bad.status).toBe(400)
    expect(bad.body.code).toBe('VALIDATION_FAILED')
    expect(bad.body.details.issues.map((i: { message: string }) => i.message)).toEqual([
      'Dataset health.deaths has no field cause',
      'person has no field password a rule may use',
    ])
    // Names only known fields, but compares a name with a date: the database refuses to plan it.
    const unplannable = await call(admin, 'POST', '/api/v1/sharing/rules', {
      ...rule,
      when: [{ has: 'health.deaths' }, { base: { field: 'name', op: 'age_gte', value: 90 } }],
      reason: '测试',
    })
    expect(unplannable.status).toBe(400)
    expect(unplannable.body.message).toMatch(/cannot be planned/)
    const strange = await call(admin, 'POST', '/api/v1/sharing/rules', { ...rule, owner: 'weather', reason: '测试' })
    expect(strange.status).toBe(201) // 气象 supplies a dataset: it may answer for a rule
    const created = await call(admin, 'POST', '/api/v1/sharing/rules', { ...rule, code: `${rule.code}_b`, reason: '新增规则' })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({
      code: `${rule.code}_b`,
      version: 1,
      active: true,
      versions: [{ version: 1, reason: '新增规则' }],
    })
    const again = await call(admin, 'POST', '/api/v1/sharing/rules', { ...rule, reason: '重复' })
    expect(again.status).toBe(409)
    const worker = (await userWithToken(t.db, 'cc-rule-leader', [{ role: 'leader', scope: '440104' }])).headers
    expect((await call(worker, 'POST', '/api/v1/sharing/rules', { ...rule, code: 'x_leader', reason: '越权' })).status).toBe(403)
  })

  it('changes or switches off a rule with a version and a reason; a stale version is refused', async () => {
    const {
      code: _c,
      active: _a,
      version,
      versions: _v,
      ...definition
    } = (await call(admin, 'GET', `/api/v1/sharing/rules/${rule.code}`)).body
    const off = await call(admin, 'PUT', `/api/v1/sharing/rules/${rule.code}`, {
      definition: { ...definition, owner: 'police' },
      active: false,
      version,
      reason: '责任部门应为公安',
    })
    expect(off.status).toBe(200)
    expect(off.body).toMatchObject({ owner: 'police', active: false, version: version + 1 })
    expect(off.body.versions.map((v: { version: number }) => v.version)).toEqual([version + 1, version])
    const stale = await call(admin, 'PUT', `/api/v1/sharing/rules/${rule.code}`, { definition, version, reason: '旧版本' })
    expect(stale.status).toBe(409)
    const audited = await rows(
      sql<{
        action: string
      }>`select action from audit_log where object_type = 'check_rule' and object_id = ${rule.code} order by id`,
    )
    expect(audited.map((a) => a.action)).toEqual(['sharing.rule.create', 'sharing.rule.update'])
    // A switched-off rule does not run.
    const run = (await call(admin, 'POST', '/api/v1/sharing/crosschecks/run')).body
    expect(Object.keys(run)).not.toContain(rule.code)
    expect(Object.keys(run)).toContain(`${rule.code}_b`)
  })

  it('keeps the history of the seeded rules from their first version', async () => {
    const seeded = (await call(admin, 'GET', '/api/v1/sharing/rules/deceased_still_active')).body
    expect(seeded.versions).toMatchObject([{ version: 1, reason: 'seeded', changedBy: 'seed' }])
  })
})
