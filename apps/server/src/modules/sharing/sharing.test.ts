// Department data sharing on a loaded synthetic community: the catalog and its owners, pushed and
// uploaded deliveries (CSV UTF-8/GBK, xlsx, JSON Lines), every validation kind, all-or-nothing vs
// valid rows, re-sent deliveries, field ownership, matching, provenance and history, access.
import { makeIdNumber } from '@wangge/domain'
import ExcelJS from 'exceljs'
import iconv from 'iconv-lite'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type App, buildApp } from '../../app.js'
import { loadSynthetic } from '../../synth/loader.js'
import { PRESETS } from '../../synth/profiles.js'
import { caller } from '../../testing/http.js'
import { createTestDatabase, type TestDatabase } from '../../testing/test-db.js'
import { adminHeaders, userWithToken } from '../../testing/users.js'
import { createSharingRepository } from './sharing.repository.js'

let t: TestDatabase
let app: App
let admin: Record<string, string>
let police: Record<string, string>
let migrant: Record<string, string>
let civil: Record<string, string>
let housing: Record<string, string>
let leader: Record<string, string>
const call = caller(() => app)

interface PersonFacts {
  id: number
  id_number: string
  name: string
  care_tags: string[]
  population_type: string
}
const people: PersonFacts[] = []
const person = async (id: number) =>
  (
    await sql<
      PersonFacts & { status: string; version: number; employer: string | null }
    >`select * from persons where id = ${id}`.execute(t.db)
  ).rows[0] as PersonFacts & { status: string; version: number; employer: string | null }
const changeCount = async () => Number((await sql<{ n: string }>`select count(*) as n from change_log`.execute(t.db)).rows[0]?.n)

beforeAll(async () => {
  t = await createTestDatabase()
  await loadSynthetic(t, { preset: PRESETS.tiny as never, seed: 'sharing', city: '4401' })
  app = await buildApp({ config: { bodyLimit: 1 << 20, logLevel: 'silent', logPretty: false }, database: t })
  admin = await adminHeaders(t.db)
  const provider = async (name: string, department: string) =>
    (await userWithToken(t.db, name, [{ role: 'data_provider', scope: '4401' }], undefined, department)).headers
  police = await provider('feed-police', 'police')
  migrant = await provider('feed-migrant', 'migrant')
  civil = await provider('feed-civil', 'civil_affairs')
  housing = await provider('feed-housing', 'housing')
  leader = (await userWithToken(t.db, 'leader-sharing', [{ role: 'leader', scope: '440104' }])).headers
  people.push(
    ...(
      await sql<PersonFacts>`select id, id_number, name, care_tags, population_type from persons
        where status = 'active' and not ('disabled' = any(care_tags)) order by id limit 12`.execute(t.db)
    ).rows,
  )
})
afterAll(async () => {
  await app.close()
  await t.destroy()
})

const p = (i: number) => people[i] as PersonFacts
const policeRow = (x: PersonFacts, more: Record<string, unknown> = {}) => ({
  id_number: x.id_number,
  name: x.name,
  population_type: x.population_type,
  status: 'active',
  ...more,
})

describe('the dataset catalog', () => {
  it('is seeded with a dataset per department and one owner per field group', async () => {
    const all = await call(admin, 'GET', '/api/v1/sharing/datasets')
    expect(all.status).toBe(200)
    expect(all.body.length).toBeGreaterThanOrEqual(12)
    const owners = (await call(admin, 'GET', '/api/v1/sharing/ownership')).body as { group: string; department: string }[]
    expect(owners.find((o) => o.group === 'person.identity')?.department).toBe('police')
    expect(owners.find((o) => o.group === 'person.permit')?.department).toBe('migrant')
    expect(owners.find((o) => o.group === 'dwelling.tenure')?.department).toBe('housing')
  })

  it('shows a department user its own datasets only', async () => {
    const own = (await call(migrant, 'GET', '/api/v1/sharing/datasets')).body as { department: string }[]
    expect(own.length).toBeGreaterThan(0)
    expect(own.every((d) => d.department === 'migrant')).toBe(true)
    expect((await call(migrant, 'GET', '/api/v1/sharing/datasets/police.population')).status).toBe(404)
    expect((await call(leader, 'GET', '/api/v1/sharing/datasets/police.population')).status).toBe(200)
  })

  it('keeps versions with reasons and refuses a group another dataset owns', async () => {
    const d = (await call(admin, 'GET', '/api/v1/sharing/datasets/migrant.permits')).body
    const { code: _c, active: _a, version, updatedAt: _u, updatedBy: _b, versions: _v, ...definition } = d
    const taken = await call(admin, 'PUT', '/api/v1/sharing/datasets/migrant.permits', {
      definition: { ...definition, fieldGroups: ['person.permit', 'person.identity'] },
      version,
      reason: 'try to take identity',
    })
    expect(taken.status).toBe(409)
    expect(taken.body.code).toBe('FIELD_GROUP_OWNED')
    const ok = await call(admin, 'PUT', '/api/v1/sharing/datasets/migrant.permits', {
      definition: { ...definition, freshnessDays: 4 },
      version,
      reason: '来穗局 delivers every weekday',
    })
    expect(ok.status).toBe(200)
    expect(ok.body.version).toBe(version + 1)
    expect(ok.body.versions[0]).toMatchObject({ version: version + 1, reason: '来穗局 delivers every weekday' })
    const stale = await call(admin, 'PUT', '/api/v1/sharing/datasets/migrant.permits', { definition, version, reason: 'stale' })
    expect(stale.status).toBe(409)
    expect(stale.body.code).toBe('VERSION_CONFLICT')
    const bad = await call(admin, 'PUT', '/api/v1/sharing/datasets/migrant.permits', {
      definition: { ...definition, fields: [...definition.fields, { name: 'x', label: 'x', type: 'text', target: 'employer' }] },
      version: version + 1,
      reason: 'write employer',
    })
    expect(bad.status).toBe(400)
    expect(
      (await call(police, 'PUT', '/api/v1/sharing/datasets/migrant.permits', { definition, version: 2, reason: 'no right' }))
        .status,
    ).toBe(403)
  })
})

describe('a pushed delivery', () => {
  it('writes the owned fields with provenance and history; a re-send applies nothing', async () => {
    const renamed = `${p(0).name}某`
    const before = await changeCount()
    const r = await call(police, 'POST', '/api/v1/sharing/datasets/police.population/deliveries', {
      deliveryKey: 'police-2026-12-01',
      records: [policeRow(p(0), { name: renamed }), policeRow(p(1), { status: 'deceased' }), policeRow(p(2))],
    })
    expect(r.status).toBe(201)
    expect(r.body).toMatchObject({
      status: 'applied',
      replayed: false,
      rows: { total: 3, changed: 2, unchanged: 1, rejected: 0 },
    })
    expect((await person(p(0).id)).name).toBe(renamed)
    expect((await person(p(1).id)).status).toBe('deceased')
    const full = (await call(admin, 'GET', `/api/v1/persons/${p(0).id}`)).body
    expect(full.provenance.identity.source).toBe('police')
    const source = (
      await sql<{ dataset_code: string; delivery_id: string }>`select dataset_code, delivery_id from person_field_sources
        where person_id = ${p(0).id} and field_group = 'identity'`.execute(t.db)
    ).rows[0]
    expect(source?.dataset_code).toBe('police.population')
    expect(Number(source?.delivery_id)).toBe(r.body.id)
    const history = (await call(admin, 'GET', `/api/v1/persons/${p(1).id}/history`)).body.items[0]
    expect(history).toMatchObject({ action: 'decease', source: 'police' })
    const after = await changeCount()
    expect(after - before).toBe(2)

    const again = await call(police, 'POST', '/api/v1/sharing/datasets/police.population/deliveries', {
      deliveryKey: 'police-2026-12-01',
      records: [policeRow(p(0), { name: renamed }), policeRow(p(1), { status: 'deceased' }), policeRow(p(2))],
    })
    expect(again.status).toBe(200)
    expect(again.body).toMatchObject({ id: r.body.id, replayed: true })
    expect(await changeCount()).toBe(after)
    const reused = await call(police, 'POST', '/api/v1/sharing/datasets/police.population/deliveries', {
      deliveryKey: 'police-2026-12-01',
      records: [policeRow(p(2))],
    })
    expect(reused.status).toBe(409)
    expect(reused.body.code).toBe('DELIVERY_KEY_REUSED')
  })

  it('refuses fields another department answers for, with their names', async () => {
    const r = await call(migrant, 'POST', '/api/v1/sharing/datasets/migrant.permits/deliveries', {
      deliveryKey: 'migrant-own',
      records: [{ id_number: p(3).id_number, name: p(3).name, permit_type: '01', employer: '某公司', phone: '13800138000' }],
    })
    expect(r.status).toBe(403)
    expect(r.body).toMatchObject({ code: 'FIELD_NOT_OWNED', details: { fields: ['employer', 'phone'] } })
    expect((await person(p(3).id)).employer).not.toBe('某公司')
    // …and another department's dataset is not there at all for it.
    const other = await call(migrant, 'POST', '/api/v1/sharing/datasets/police.population/deliveries', {
      deliveryKey: 'x',
      records: [policeRow(p(3))],
    })
    expect(other.status).toBe(404)
  })

  it('rejects the whole delivery all-or-nothing, or applies the valid rows, never half', async () => {
    const good = policeRow(p(4), { name: `${p(4).name}甲` })
    const wrongCheck = `${p(5).id_number.slice(0, 17)}${p(5).id_number[17] === '1' ? '2' : '1'}`
    const bad = [
      { ...policeRow(p(5)), id_number: wrongCheck },
      policeRow(p(6), { population_type: 'tourist' }),
      policeRow(p(7), { status: '' }),
      policeRow(p(4), { name: 'dup' }),
      policeRow(p(8), { native_place: '990000' }),
    ]
    const all = await call(police, 'POST', '/api/v1/sharing/datasets/police.population/deliveries', {
      deliveryKey: 'police-bad-1',
      records: [good, ...bad],
    })
    expect(all.status).toBe(201)
    expect(all.body).toMatchObject({ status: 'rejected', rows: { total: 6, rejected: 5, changed: 0 } })
    expect((await person(p(4).id)).name).toBe(p(4).name)
    const rejects = (await call(police, 'GET', `/api/v1/sharing/deliveries/${all.body.id}/rejects`)).body
    expect(
      rejects.items.map((x: { rowNo: number; field: string; problem: string }) => `${x.rowNo}:${x.field}:${x.problem}`),
    ).toEqual([
      '2:id_number:check_digit',
      '3:population_type:unknown_code',
      '4:status:required',
      '5:id_number:duplicate_key',
      '6:native_place:unknown_division',
    ])
    // Masked for anyone but the department itself.
    const seen = (await call(leader, 'GET', `/api/v1/sharing/deliveries/${all.body.id}/rejects`)).body.items[1]
    expect(seen.recordKey).toBe(`${p(6).id_number.slice(0, 6)}********${p(6).id_number.slice(-4)}`)

    const valid = await call(police, 'POST', '/api/v1/sharing/datasets/police.population/deliveries', {
      deliveryKey: 'police-bad-2',
      policy: 'valid_rows',
      records: [good, ...bad],
    })
    expect(valid.body).toMatchObject({ status: 'partially_applied', rows: { total: 6, rejected: 5, changed: 1 } })
    expect((await person(p(4).id)).name).toBe(good.name)
  })

  it('lists rows that match no base record as findings', async () => {
    const stranger = makeIdNumber('440104', '1990-05-06', 917)
    const r = await call(police, 'POST', '/api/v1/sharing/datasets/police.population/deliveries', {
      deliveryKey: 'police-stranger',
      records: [{ id_number: stranger, name: '陌生人', population_type: 'registered', status: 'active' }],
    })
    expect(r.body.rows).toMatchObject({ total: 1, unmatched: 1 })
    const u = (await call(police, 'GET', `/api/v1/sharing/deliveries/${r.body.id}/unmatched`)).body
    expect(u.items[0]).toMatchObject({ rowNo: 1, recordKey: stranger })
  })

  it('merges care tags within the groups the department answers for; a change set removes', async () => {
    const x = p(9)
    await sql`update persons set care_tags = ${['elderly_alone', 'veteran']}::text[] where id = ${x.id}`.execute(t.db)
    const add = await call(civil, 'POST', '/api/v1/sharing/datasets/civil_affairs.assistance/deliveries', {
      deliveryKey: 'ca-1',
      records: [{ id_number: x.id_number, name: x.name, care_tags: '低保对象' }],
    })
    expect(add.body.status).toBe('applied')
    expect((await person(x.id)).care_tags).toEqual(['elderly_alone', 'low_income', 'veteran'])
    const foreign = await call(civil, 'POST', '/api/v1/sharing/datasets/civil_affairs.assistance/deliveries', {
      deliveryKey: 'ca-2',
      records: [{ id_number: x.id_number, name: x.name, care_tags: 'veteran' }],
    })
    expect(foreign.body.status).toBe('rejected')
    // Valid rows only, but none was valid: nothing applied, and said so.
    const none = await call(civil, 'POST', '/api/v1/sharing/datasets/civil_affairs.assistance/deliveries', {
      deliveryKey: 'ca-2b',
      policy: 'valid_rows',
      records: [{ id_number: x.id_number, name: x.name, care_tags: 'veteran' }],
    })
    expect(none.body).toMatchObject({ status: 'rejected', rows: { total: 1, rejected: 1 } })
    // A machine client's token holds the deliver permission only: its change set may remove.
    const client = (
      await userWithToken(
        t.db,
        'feed-civil-client',
        [{ role: 'data_provider', scope: '4401' }],
        ['sharing.deliver'],
        'civil_affairs',
      )
    ).headers
    const removal = await call(client, 'POST', '/api/v1/sharing/datasets/civil_affairs.assistance/deliveries', {
      deliveryKey: 'ca-3',
      removals: [x.id_number],
      records: [],
    })
    expect(removal.body).toMatchObject({ status: 'applied', rows: { removed: 1, changed: 1 } })
    expect((await person(x.id)).care_tags).toEqual(['elderly_alone', 'veteran'])
  })

  it('keeps a rented dwelling with its rent, as the table requires', async () => {
    const d = (await sql<{ address: string }>`select address from dwellings order by id limit 1`.execute(t.db)).rows[0] as {
      address: string
    }
    const r = await call(housing, 'POST', '/api/v1/sharing/datasets/housing.rentals/deliveries', {
      deliveryKey: 'h-1',
      policy: 'valid_rows',
      records: [{ address: ` ${d.address} `, occupancy: 'rental', rent_monthly: null, landlord_name: '陈先生' }],
    })
    expect(r.body).toMatchObject({ status: 'rejected', rows: { rejected: 1 } })
    const ok = await call(housing, 'POST', '/api/v1/sharing/datasets/housing.rentals/deliveries', {
      deliveryKey: 'h-2',
      records: [{ address: d.address, occupancy: 'rental', rent_monthly: 3200, landlord_name: '陈先生' }],
    })
    expect(ok.body).toMatchObject({ status: 'applied', rows: { unmatched: 0 } })
    const row = (
      await sql<{
        occupancy: string
        rent_monthly: number
      }>`select occupancy, rent_monthly from dwellings where address = ${d.address}`.execute(t.db)
    ).rows[0]
    expect(row).toMatchObject({ occupancy: 'rental', rent_monthly: 3200 })
  })
})

describe('a delivered file', () => {
  const upload = (
    who: Record<string, string>,
    dataset: string,
    key: string,
    body: Buffer | string,
    query: string,
    type: string,
  ) =>
    app.inject({
      method: 'PUT',
      url: `/api/v1/sharing/datasets/${dataset}/deliveries/${key}/file?${query}`,
      headers: { ...who, 'content-type': type },
      payload: body,
    })

  it('reads GBK CSV with Chinese column titles', async () => {
    const csv = `公民身份号码,姓名,证件类型,来穗日期\r\n${p(10).id_number},${p(10).name},居住证,2024年3月5日\r\n`
    const r = await upload(
      migrant,
      'migrant.permits',
      'm-gbk',
      iconv.encode(csv, 'gbk'),
      'mode=incremental&fileName=permits.csv',
      'text/csv',
    )
    expect(r.statusCode).toBe(201)
    expect(r.json()).toMatchObject({ status: 'applied', fileName: 'permits.csv', channel: 'upload', rows: { total: 1 } })
    const x = (
      await sql<{
        permit_type: string
        arrival_date: Date
      }>`select permit_type, arrival_date from persons where id = ${p(10).id}`.execute(t.db)
    ).rows[0]
    expect(x?.permit_type).toBe('01')
  })

  it('reads a long UTF-8 CSV through the API without renaming anyone', async () => {
    const many = (
      await sql<{ id_number: string; name: string; population_type: string; status: string }>`
        select id_number, name, population_type, status from persons where status = 'active' order by id desc limit 1600`.execute(
        t.db,
      )
    ).rows
    const body = `id_number,name,population_type,status\n${many
      .map((x) => `${x.id_number},${x.name},${x.population_type},${x.status}`)
      .join('\n')}\n`
    expect(Buffer.byteLength(body)).toBeGreaterThan(65536)
    const r = await upload(police, 'police.population', 'p-long', body, 'mode=incremental&fileName=long.csv', 'text/csv')
    expect(r.statusCode).toBe(201)
    // The names read back as they were: nothing changed (a GBK reading would have renamed everyone).
    expect(r.json().rows).toMatchObject({ total: 1600, rejected: 0 })
    expect(r.json().rows.changed).toBe(0)
  })

  it('reads xlsx; the rejected rows download as xlsx', async () => {
    const wb = new ExcelJS.Workbook()
    const ws = wb.addWorksheet('data')
    ws.addRow(['id_number', 'name', 'permit_type', 'arrival_date'])
    ws.addRow([p(11).id_number, p(11).name, '02', new Date('2023-07-01T00:00:00Z')])
    ws.addRow(['440104199001011234', '坏行', '07', '2023-02-30'])
    const file = Buffer.from(await wb.xlsx.writeBuffer())
    const r = await upload(
      migrant,
      'migrant.permits',
      'm-xlsx',
      file,
      'mode=incremental&policy=valid_rows&fileName=permits.xlsx',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    )
    expect(r.statusCode).toBe(201)
    expect(r.json()).toMatchObject({ status: 'partially_applied', rows: { total: 2, rejected: 1, changed: 1 } })
    const dl = await app.inject({
      method: 'GET',
      url: `/api/v1/sharing/deliveries/${r.json().id}/rejects/file`,
      headers: migrant,
    })
    expect(dl.statusCode).toBe(200)
    const back = new ExcelJS.Workbook()
    await back.xlsx.load(dl.rawPayload as never)
    const sheet = back.worksheets[0] as ExcelJS.Worksheet
    expect(sheet.getRow(1).values).toEqual([undefined, '行号', '主键', '字段', '字段中文名', '问题', '原值', '说明（detail）'])
    expect(sheet.getRow(2).getCell(5).value).toBe('日期无效')
    expect(sheet.rowCount).toBe(4) // header + three problems of row 2
  })

  it('reads JSON Lines with an op column, and refuses an unreadable file', async () => {
    const lines = [
      JSON.stringify({ id_number: p(11).id_number, name: p(11).name, permit_type: '01', op: 'change' }),
      JSON.stringify({ id_number: p(10).id_number, op: 'explode' }),
    ].join('\n')
    const r = await upload(
      migrant,
      'migrant.permits',
      'm-jsonl',
      lines,
      'mode=incremental&policy=valid_rows&format=jsonl',
      'application/x-ndjson',
    )
    expect(r.json()).toMatchObject({ rows: { total: 2, rejected: 1, changed: 1 } })
    const bad = await upload(migrant, 'migrant.permits', 'm-bad', Buffer.from([0, 1, 2, 3]), 'fileName=x.csv', 'text/csv')
    expect(bad.statusCode).toBe(415)
    expect(bad.json().code).toBe('UNSUPPORTED_FILE')
    const cols = await upload(migrant, 'migrant.permits', 'm-cols', 'id_number,remark\n1,2\n', 'fileName=x.csv', 'text/csv')
    expect(cols.statusCode).toBe(400)
  })

  it('lists deliveries for the department and everyone with sharing.read', async () => {
    const own = (await call(migrant, 'GET', '/api/v1/sharing/deliveries')).body
    expect(own.total).toBeGreaterThanOrEqual(3)
    expect(own.items.every((d: { department: string }) => d.department === 'migrant')).toBe(true)
    const all = (await call(leader, 'GET', '/api/v1/sharing/deliveries?pageSize=100')).body
    expect(new Set(all.items.map((d: { department: string }) => d.department)).size).toBeGreaterThan(2)
    const policeDelivery = all.items.find((d: { department: string }) => d.department === 'police')
    expect((await call(migrant, 'GET', `/api/v1/sharing/deliveries/${policeDelivery.id}`)).status).toBe(404)
  })

  it('audits every delivery', async () => {
    const n = (await sql<{ n: string }>`select count(*) as n from audit_log where action = 'sharing.delivery'`.execute(t.db))
      .rows[0]
    const deliveries = (await sql<{ n: string }>`select count(*) as n from deliveries`.execute(t.db)).rows[0]
    expect(Number(n?.n)).toBe(Number(deliveries?.n))
  })
})

describe('a dataset of facts only', () => {
  it('counts a record as changed when it differs from the one held, and unchanged otherwise', async () => {
    const w = { warning_id: 'GZ-2026-001', kind: '暴雨', level: '黄色', area: '440104', issued_on: '2026-11-30' }
    const first = await call(admin, 'POST', '/api/v1/sharing/datasets/weather.warnings/deliveries', {
      deliveryKey: 'w-1',
      records: [w],
    })
    expect(first.body.rows).toMatchObject({ changed: 1, unchanged: 0 })
    const same = await call(admin, 'POST', '/api/v1/sharing/datasets/weather.warnings/deliveries', {
      deliveryKey: 'w-2',
      records: [w],
    })
    expect(same.body.rows).toMatchObject({ changed: 0, unchanged: 1 })
    const lifted = await call(admin, 'POST', '/api/v1/sharing/datasets/weather.warnings/deliveries', {
      deliveryKey: 'w-3',
      records: [{ ...w, lifted_on: '2026-12-01' }],
    })
    expect(lifted.body.rows).toMatchObject({ changed: 1, unchanged: 0 })
  })

  it('compares by fingerprint; a record held without one is read whole, then given one', async () => {
    const w = { warning_id: 'GZ-2026-009', kind: '大风', level: '蓝色', area: '440104', issued_on: '2026-11-29' }
    await call(admin, 'POST', '/api/v1/sharing/datasets/weather.warnings/deliveries', { deliveryKey: 'fp-1', records: [w] })
    const held = () =>
      sql<{ record_hash: string | null; delivery_id: number }>`select record_hash, delivery_id::int from shared_records
        where dataset_code = 'weather.warnings' and record_key = ${w.warning_id}`
        .execute(t.db)
        .then((r) => r.rows[0])
    expect((await held())?.record_hash).toMatch(/^[A-Za-z0-9+/]{27}=$/)
    // As a record written before fingerprints: the same record again is unchanged, and rewritten with one.
    await sql`update shared_records set record_hash = null where dataset_code = 'weather.warnings' and record_key = ${w.warning_id}`.execute(
      t.db,
    )
    const again = await call(admin, 'POST', '/api/v1/sharing/datasets/weather.warnings/deliveries', {
      deliveryKey: 'fp-2',
      records: [w],
    })
    expect(again.body.rows).toMatchObject({ changed: 0, unchanged: 1 })
    expect(await held()).toMatchObject({ delivery_id: again.body.id })
    expect((await held())?.record_hash).toMatch(/^[A-Za-z0-9+/]{27}=$/)
    const third = await call(admin, 'POST', '/api/v1/sharing/datasets/weather.warnings/deliveries', {
      deliveryKey: 'fp-3',
      records: [w],
    })
    expect(third.body.rows).toMatchObject({ changed: 0, unchanged: 1 })
    expect(await held()).toMatchObject({ delivery_id: again.body.id }) // not rewritten
  })

  it("holds a record only under its own delivery's dataset", async () => {
    const d = await sql<{ id: string }>`select id from deliveries where dataset_code = 'weather.warnings' limit 1`.execute(t.db)
    await expect(
      sql`insert into shared_records (dataset_code, record_key, record, delivery_id, updated_at)
        values ('police.population', 'x', '{}', ${d.rows[0]?.id}, now())`.execute(t.db),
    ).rejects.toThrow(/shared_records_delivery_fkey/)
  })
})

describe('a snapshot', () => {
  it('takes away what the department no longer lists, within what it answers for', async () => {
    const cdpf = (await userWithToken(t.db, 'feed-cdpf', [{ role: 'data_provider', scope: '4401' }], undefined, 'cdpf')).headers
    const [a, b] = [p(4), p(5)]
    const row = (x: PersonFacts) => ({ id_number: x.id_number, name: x.name, care_tags: '残疾人', grade: 2 })
    const first = await call(cdpf, 'POST', '/api/v1/sharing/datasets/cdpf.disability/deliveries', {
      deliveryKey: 'cdpf-2026-10',
      mode: 'snapshot',
      records: [row(a), row(b)],
    })
    expect(first.body).toMatchObject({ status: 'applied', rows: { changed: 2, removed: 0 } })
    expect((await person(b.id)).care_tags).toContain('disabled')
    const second = await call(cdpf, 'POST', '/api/v1/sharing/datasets/cdpf.disability/deliveries', {
      deliveryKey: 'cdpf-2026-11',
      mode: 'snapshot',
      records: [row(a)],
    })
    expect(second.body).toMatchObject({ status: 'applied', rows: { unchanged: 1, removed: 1 } })
    expect((await person(a.id)).care_tags).toContain('disabled')
    expect((await person(b.id)).care_tags).not.toContain('disabled')
    const held = await sql<{ record_key: string; removed: boolean }>`select record_key, removed from shared_records
      where dataset_code = 'cdpf.disability' order by record_key`.execute(t.db)
    expect(held.rows.find((r) => r.record_key === b.id_number)?.removed).toBe(true)
  })

  it('finds what it left out by paging through the held keys in key order', async () => {
    const live = (
      await sql<{ record_key: string }>`select record_key from shared_records
        where dataset_code = 'police.population' and not removed order by record_key`.execute(t.db)
    ).rows.map((r) => r.record_key)
    expect(live.length).toBeGreaterThan(2)
    const pages: string[][] = []
    for await (const page of createSharingRepository(t.db).heldKeys(t.db, 'police.population', 2)) pages.push(page)
    expect(pages.flat()).toEqual(live)
    expect(pages.every((page) => page.length <= 2)).toBe(true)
  })
})

describe('a file over a real connection', () => {
  it('is streamed from the socket (not only through inject)', async () => {
    const base = await app.listen({ port: 0, host: '127.0.0.1' })
    const csv = `id_number,name,permit_type\n${p(3).id_number},${p(3).name},02\n`
    const r = await fetch(
      `${base}/api/v1/sharing/datasets/migrant.permits/deliveries/socket-1/file?mode=incremental&fileName=s.csv`,
      {
        method: 'PUT',
        headers: { ...migrant, 'content-type': 'text/csv' },
        body: csv,
      },
    )
    expect(r.status).toBe(201)
    expect(await r.json()).toMatchObject({ status: 'applied', rows: { total: 1 } })
  })
})

describe('the sharing board', () => {
  const lastMonth = () => {
    const d = new Date()
    d.setUTCDate(1)
    d.setUTCMonth(d.getUTCMonth() - 1)
    return d.toISOString().slice(0, 7)
  }

  it('flags every department silent in a month nobody delivered, but not the exempt one', async () => {
    const r = await call(leader, 'GET', `/api/v1/sharing/board?month=${lastMonth()}`)
    expect(r.status).toBe(200)
    expect(r.body.region).toBe('440104')
    const by = (d: string) => r.body.departments.find((x: { department: string }) => x.department === d)
    expect(by('justice')).toMatchObject({ exempt: true, atRisk: false, score: null })
    expect(by('police')).toMatchObject({ exempt: false, atRisk: true, delivered: 0 })
    expect(by('police').reasons).toContain('silent:police.population')
  })

  it("this month shows the deliveries and the findings under the leader's region", async () => {
    const r = (await call(leader, 'GET', '/api/v1/sharing/board')).body
    const police = r.departments.find((x: { department: string }) => x.department === 'police')
    expect(police.datasets[0].deliveries).toBeGreaterThan(0)
    expect(police.datasets[0].newestAsOf).not.toBeNull()
    expect((await call(leader, 'GET', '/api/v1/sharing/board?region=440103')).status).toBe(404)
  })

  it('shows a department its own row only, and exports xlsx and PDF', async () => {
    const own = (await call(migrant, 'GET', '/api/v1/sharing/board')).body
    expect(own.departments.map((d: { department: string }) => d.department)).toEqual(['migrant'])
    const xlsx = await app.inject({ method: 'GET', url: `/api/v1/sharing/board/file?month=${lastMonth()}`, headers: leader })
    expect(xlsx.statusCode).toBe(200)
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(xlsx.rawPayload as never)
    const sheet = wb.worksheets[0] as ExcelJS.Worksheet
    expect(sheet.getRow(1).getCell(1).value).toBe('部门')
    expect(sheet.getColumn(1).values).toContain('公安局')
    const pdf = await app.inject({ method: 'GET', url: '/api/v1/sharing/board/file?format=pdf', headers: leader })
    expect(pdf.headers['content-type']).toBe('application/pdf')
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-')
  })
})
