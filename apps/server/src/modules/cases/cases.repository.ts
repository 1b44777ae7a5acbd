// Every statement of the loop: the lookups that intake, planning and the views share; intake's
// numbers and duplicate probe; the read side (the ledger with its filters, the map's points, a
// case's timeline, the evaluation indicators); the batch's read and grouped update, the chase's
// locks and marks, the deadlines a calendar change moves; and the bulk inserts of cases, steps and
// notices. The caller's visibility comes in as a condition over `c` (case-access.ts).
import { CLOCK_RUNNING, codeAt, componentOwner, isGridCode, TERMINAL } from '@wangge/domain'
import { type Kysely, type RawBuilder, type SqlBool, sql } from 'kysely'
import type { DB } from '../../db/schema.js'
import { insertJson, type JsonRow } from '../../kernel/bulk.js'
import { AppError } from '../../kernel/errors.js'
import { type CaseFilter, ESCALATION_LEVELS, PLAN_COLUMNS, type PlanRow, type Row, type Trx } from './case-model.js'

type Db = Kysely<DB> | Trx

/** A catalog entry (NOT_FOUND when the code is unknown). */
export async function catalogEntry(db: Db, code: string) {
  const e = await db.selectFrom('case_catalog').selectAll().where('code', '=', code).executeTakeFirst()
  if (!e) throw new AppError('NOT_FOUND', `No catalog entry ${code}`, { code })
  return e
}

/** The department answering for a component: its owner's — unless the territory owns it (属地),
 *  when the territory's routing decides (undefined). */
export async function componentDepartment(db: Db, code: string): Promise<string | undefined> {
  const c = await db
    .selectFrom('components')
    .select(['competent_department', 'major', 'sub'])
    .where('code', '=', code)
    .executeTakeFirst()
  if (!c || componentOwner(c.major, c.sub).kind === 'territory') return undefined
  return c.competent_department
}

/** A component's place, for a report about it. */
export const componentPlace = (db: Db, code: string) =>
  db
    .selectFrom('components')
    .select(['code', 'lng', 'lat', 'grid_code', 'community_code'])
    .where('code', '=', code)
    .executeTakeFirst()

export async function departmentExists(db: Db, code: string): Promise<boolean> {
  return !!(await db.selectFrom('departments').select('code').where('code', '=', code).executeTakeFirst())
}

export const caseById = (db: Db, id: number): Promise<Row | undefined> =>
  db.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirst()

export const caseByClientId = (db: Db, clientId: string): Promise<Row | undefined> =>
  db.selectFrom('cases').selectAll().where('client_id', '=', clientId).executeTakeFirst()

/** The reports merged into a case. */
export const mergedInto = (db: Db, id: number) =>
  db.selectFrom('cases').select(['id', 'number']).where('duplicate_of', '=', id).orderBy('id').execute()

/** The cases of the ledger's filter that `visible` lets through (not yet ordered). */
export function ledgerQuery(db: Db, visible: RawBuilder<SqlBool>, f: CaseFilter & { userId: number }, now: Date) {
  let q = db.selectFrom('cases as c').where(visible)
  if (f.status?.length) q = q.where('c.status', 'in', f.status)
  // Open cases only: said so the open-queue indexes (`closed_at is null`) serve the query.
  if ((f.status?.length && f.status.every((x) => !TERMINAL.has(x))) || f.overdue) q = q.where('c.closed_at', 'is', null)
  if (f.region) q = q.where(sql<SqlBool>`c.community_code like ${`${codeAt(f.region, 'community')}%`}`)
  if (f.region && isGridCode(f.region)) q = q.where('c.grid_code', '=', f.region)
  if (f.department) q = q.where('c.department', '=', f.department)
  if (f.catalog) q = q.where('c.catalog_code', '=', f.catalog)
  if (f.class) q = q.where('c.catalog_code', 'like', `${f.class}%`)
  if (f.supervision) q = q.where('c.supervision', '=', f.supervision as 'none')
  // Escalated at least to this level (a centre's supervision queue).
  if (f.escalation) q = q.where('c.escalation_level', '>=', ESCALATION_LEVELS.findIndex((l) => l.name === f.escalation) + 1)
  if (f.mine) q = q.where('c.reporter_user_id', '=', f.userId)
  if (f.q)
    q = q.where((eb) =>
      eb.or([eb('c.number', '=', f.q as string), eb('c.description', 'like', `%${(f.q as string).replace(/[\\%_]/g, '\\$&')}%`)]),
    )
  if (f.overdue !== undefined)
    q = f.overdue
      ? q.where('c.status', 'in', [...CLOCK_RUNNING]).where('c.deadline', '<', now)
      : q.where((eb) => eb.or([eb('c.status', 'not in', [...CLOCK_RUNNING]), eb('c.deadline', '>=', now)]))
  return q
}
export type LedgerQuery = ReturnType<typeof ledgerQuery>

/** The ledger's rows in its order: the nearest deadline first among the cases whose clock runs (a
 *  closed case's deadline is history), then the others, newest first; or by id. */
export function ledgerRows(q: LedgerQuery, sort: CaseFilter['sort'], limit: number, offset = 0) {
  const rows = q.selectAll('c')
  const sorted =
    sort === 'deadline'
      ? rows
          .orderBy(sql`(c.status = any(${[...CLOCK_RUNNING]}::text[]) and c.deadline is not null)`, 'desc')
          .orderBy(sql`c.deadline asc nulls last`)
          .orderBy('c.id', 'desc')
      : rows.orderBy('c.id', sort === 'oldest' ? 'asc' : 'desc')
  return sorted.limit(limit).offset(offset).execute()
}
export const ledgerCount = async (q: LedgerQuery) =>
  Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)

/** The names of the classes and departments (an export's columns). */
export const catalogNames = (db: Db) => db.selectFrom('case_catalog').select(['code', 'name', 'name_en']).execute()
export const departmentNames = (db: Db) => db.selectFrom('departments').select(['code', 'name', 'name_en']).execute()

/** The open cases under a region that `visible` lets through, as GeoJSON features text built by
 *  the database: at most `limit`, the most urgent first, with the total. */
export async function openPoints(db: Db, visible: RawBuilder<SqlBool>, region: string, limit: number, now: Date) {
  const r = await sql<{ features: string | null; total: number }>`
    with open as (
      select c.id, c.number, c.status, c.catalog_code, c.lng, c.lat,
        (c.status = any(${[...CLOCK_RUNNING]}::text[]) and c.deadline < ${now}) as overdue, c.deadline
      from cases c
      where c.closed_at is null and c.community_code like ${`${codeAt(region, 'community')}%`}
        ${isGridCode(region) ? sql`and c.grid_code = ${region}` : sql``} and ${visible}
    ), shown as (
      select * from open order by overdue desc, deadline nulls last, id limit ${limit}
    )
    select (select count(*)::int from open) as total,
      (select string_agg(json_build_object('type', 'Feature', 'id', id, 'properties',
          json_build_object('id', id, 'number', number, 'status', status, 'catalog', catalog_code, 'overdue', overdue),
          'geometry', json_build_object('type', 'Point', 'coordinates', json_build_array(lng, lat)))::text, ',')
       from shown) as features`.execute(db)
  return r.rows[0]
}

export const caseSteps = (db: Db, id: number) =>
  db.selectFrom('case_steps').selectAll().where('case_id', '=', id).orderBy('id').execute()

/** What the timeline shows of its photos. */
export const attachmentsMeta = (db: Db, ids: readonly number[]) =>
  ids.length
    ? db
        .selectFrom('attachments')
        .select(['id', 'sha256', 'mime', 'size', 'width', 'height'])
        .where('id', 'in', [...ids])
        .execute()
    : Promise.resolve([])

export const regionLevel = (db: Db, code: string) =>
  db.selectFrom('regions').select(['code', 'level']).where('code', '=', code).executeTakeFirst()

/** The evaluation indicators' counts over the cases reported in [from, to) under `region`, grouped
 *  by department, by child region (`childLen`: the child code's length) or not at all. */
export function indicatorCounts(
  db: Db,
  visible: RawBuilder<SqlBool>,
  q: { region: string; from: Date; to: Date; by: 'department' | 'children' | 'none'; childLen: number },
  now: Date,
) {
  const key =
    q.by === 'department'
      ? sql<string>`coalesce(c.department, '')`
      : q.by === 'children'
        ? q.childLen === 15
          ? sql<string>`coalesce(c.grid_code, '')`
          : sql<string>`substr(c.community_code, 1, ${q.childLen})`
        : sql<string>`${q.region}`
  const running = sql.join(CLOCK_RUNNING.map((s) => sql`${s}`))
  return db
    .selectFrom('cases as c')
    .where(visible)
    .where(sql<SqlBool>`c.community_code like ${`${codeAt(q.region, 'community')}%`}`)
    .where('c.reported_at', '>=', q.from)
    .where('c.reported_at', '<', q.to)
    .select([
      key.as('key'),
      sql<number>`count(*) filter (where c.dispatch_count > 0)`.as('due'),
      sql<number>`count(*) filter (where c.dispatch_count > 0 and c.handled_at is not null)`.as('handled'),
      sql<number>`count(*) filter (where c.dispatch_count > 0 and c.handled_on_time)`.as('handled_on_time'),
      sql<number>`count(*) filter (where c.rework_count > 0)`.as('reworked'),
      sql<number>`count(*) filter (where c.dispatch_count > 0 and c.status = 'closed')`.as('closed'),
      sql<number>`count(*) filter (where c.dispatch_count > 0 and c.closed_on_time)`.as('closed_on_time'),
      sql<number>`count(*) filter (where c.status in (${running}) and c.deadline < ${now})`.as('overdue_pending'),
      sql<number>`count(*) filter (where c.extended_days > 0)`.as('extended'),
      sql<number>`count(*) filter (where c.satisfaction is not null)`.as('called_back'),
      sql<number>`count(*) filter (where c.satisfaction in ('satisfied', 'basically_satisfied'))`.as('satisfied'),
      sql<number>`count(*) filter (where c.dispatch_count = 0 and c.status = 'closed')`.as('self_handled'),
      sql<number>`count(*)`.as('reported'),
    ])
    .groupBy(sql`1`)
    .orderBy(sql`1`)
    .execute()
}

/** The reports merged into these cases (their reporters hear the outcome too). */
export const mergedReports = (db: Db, ids: readonly number[]) =>
  db
    .selectFrom('cases')
    .select(['id', 'reporter', 'reporter_user_id', 'duplicate_of'])
    .where('duplicate_of', 'in', [...ids])
    .execute()

/** A page of notices for a user (theirs, their department's, their centres'), and how many. */
export async function noticesFor(
  db: Db,
  who: { userId: number; actor: string; department: string | null; centres: readonly string[] },
  limit: number,
  offset: number,
) {
  const q = db
    .selectFrom('case_notices as n')
    .innerJoin('cases as c', 'c.id', 'n.case_id')
    .where((eb) =>
      eb.or([
        eb('n.recipient_user_id', '=', who.userId),
        eb('n.recipient', '=', who.actor),
        ...(who.department ? [eb('n.recipient', '=', `dept:${who.department}`)] : []),
        ...(who.centres.length ? [eb('n.recipient', 'in', [...who.centres])] : []),
      ]),
    )
  const [items, total] = await Promise.all([
    q
      .select(['n.id', 'n.case_id', 'c.number', 'n.kind', 'n.message', 'n.created_at', 'n.read_at'])
      .orderBy('n.id', 'desc')
      .limit(limit)
      .offset(offset)
      .execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ])
  return [items, Number(total.n)] as const
}

/** These cases, locked in id order (a batch of chase jobs). */
export const lockCases = (trx: Trx, ids: readonly number[]): Promise<Row[]> =>
  trx
    .selectFrom('cases')
    .selectAll()
    .where('id', 'in', [...ids])
    .orderBy('id')
    .forUpdate()
    .execute()

/** A supervision mark: a system change, so the version (the users' edits) stays. */
export const markSupervision = (trx: Trx, ids: readonly number[], level: 'reminded' | 'yellow' | 'red', now: Date) =>
  trx
    .updateTable('cases')
    .set({ supervision: level, updated_at: now })
    .where('id', 'in', [...ids])
    .execute()

/** The running deadlines from `from` (a Beijing date) on, past `now`, counted in working time —
 *  what a calendar change may move — locked in id order. */
export const lockRunningDeadlines = (trx: Trx, now: Date, from: string) =>
  trx
    .selectFrom('cases')
    .select(['id', 'number', 'status', 'deadline', 'deadline_gen', 'limit_amount', 'limit_unit', 'supervision', 'department'])
    .where('status', 'in', [...CLOCK_RUNNING])
    .where('deadline', '>', now)
    .where('deadline', '>=', new Date(`${from}T00:00:00+08:00`))
    .where('limit_unit', '<>', 'natural_hours')
    .orderBy('id')
    .forUpdate()
    .execute()

/** New deadlines (and their generations) for these cases; like the chase's marks, the version stays. */
export const moveDeadlines = (trx: Trx, moves: readonly { id: number; deadline: Date; gen: number }[], now: Date) =>
  sql`
    update cases c set deadline = m.deadline, deadline_gen = m.gen, updated_at = ${now}
    from jsonb_to_recordset(${JSON.stringify(moves.map((m) => ({ id: m.id, deadline: m.deadline.toISOString(), gen: m.gen })))}::jsonb)
      as m (id bigint, deadline timestamptz, gen integer)
    where c.id = m.id`.execute(trx)

/** The cases a batch of steps plans on, read without locks (the write checks the version): whole
 *  rows when the caller wants views, else only the columns the planning needs. */
export const casesToPlan = (trx: Trx, ids: readonly number[], whole: boolean): Promise<PlanRow[]> => {
  const query = trx.selectFrom('cases').where(sql<SqlBool>`id = any(${[...ids]}::bigint[])`)
  return (whole ? query.selectAll() : query.select(PLAN_COLUMNS)).execute()
}

/** One set of changed columns for many cases (rows: id, the columns, the new version), each only
 *  at the version planned on; answers the ids written. */
export const updateCases = async (trx: Trx, cols: readonly string[], rows: readonly Record<string, unknown>[]) =>
  (
    await sql<{ id: string }>`
    update cases c set ${sql.join(
      cols.map((col) => sql`${sql.ref(col)} = v.${sql.ref(col)}`),
      sql`, `,
    )}
    from jsonb_populate_recordset(null::cases, ${JSON.stringify(rows)}::jsonb) v
    where c.id = v.id and c.version = v.version - 1
    returning c.id`.execute(trx)
  ).rows

/** New cases (rows as JSON), answered whole. */
export const insertCases = (trx: Trx, rows: readonly JsonRow<'cases'>[]) =>
  insertJson<'cases', Row>(trx, 'cases', rows, sql`returning *`)
/** Steps on the cases' timelines. */
export const insertSteps = (trx: Trx, rows: readonly JsonRow<'case_steps'>[]) => insertJson(trx, 'case_steps', rows)
/** Notices to reporters, departments and centres. */
export const insertNotices = (trx: Trx, rows: readonly JsonRow<'case_notices'>[]) => insertJson(trx, 'case_notices', rows)

/**
 * The next case numbers of each prefix (subclass + day), `count` at a time: the counters' rows in
 * one statement of their own, in one lock order (`prefixes` sorted), so their locks last
 * microseconds rather than a whole write. Answers each prefix's new last number.
 */
export const reserveNumbers = async (db: Kysely<DB>, counts: ReadonlyMap<string, number>) => {
  const prefixes = [...counts.keys()].sort()
  return (
    await sql<{ prefix: string; last: number }>`
      insert into case_sequences (prefix, last)
      select * from unnest(${prefixes}::text[], ${prefixes.map((x) => counts.get(x))}::int[])
      on conflict (prefix) do update set last = case_sequences.last + excluded.last
      returning prefix, last`.execute(db)
  ).rows
}

/** The open cases of the given (subclass, cell) pairs reported between `from` and `to` (the
 *  duplicate probe, on the subclass-cell index). */
export const openCasesNear = async (db: Db, pairs: readonly (readonly [string, string])[], from: Date, to: Date) =>
  (
    await sql<Pick<Row, 'id' | 'number' | 'catalog_code' | 'cell' | 'lng' | 'lat' | 'reported_at' | 'status'>>`
      select c.id, c.number, c.catalog_code, c.cell, c.lng, c.lat, c.reported_at, c.status
      from unnest(${pairs.map((x) => x[0])}::text[], ${pairs.map((x) => x[1])}::text[]) k(code, cell)
      join cases c on c.catalog_code = k.code and c.cell = k.cell and c.reported_at between ${from} and ${to}
      where c.status not in ('closed', 'cancelled', 'merged')`.execute(db)
  ).rows
