// The one-window services' SQL: the items and their versions, the visits to the window, the
// applications (each joined with its case: status, clock, department), the proactive offers and
// the grid workers' answers to them. The resident's facts are read by facts.ts, the figures by
// figures.ts, the night's offers by proactive.ts. Every statement is rendered to
// services.repository.sql by its test.
import type { ApplicationStatus, ConditionOutcome, MaterialCheck, OfferOutcome, ServiceItemDefinition } from '@wangge/domain'
import { type Expression, type Kysely, type RawBuilder, type SqlBool, sql, type Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'

type Db = Kysely<DB> | Transaction<DB>

export interface ItemRow {
  code: string
  definition: ServiceItemDefinition
  active: boolean
  version: number
  updated_at: Date
  updated_by: string
}

export interface ApplicationRow {
  id: number
  item_code: string
  item_version: number
  person_id: number
  community_code: string
  grid_code: string | null
  required: number
  spared: number
  decision: string | null
  decided_at: Date | null
  decided_by: string | null
  created_by: string
  created_at: Date
  visit_number: string | null
  case_id: number
  number: string
  status: string
  department: string | null
  deadline: Date | null
  handled_on_time: boolean | null
  version: number
  reporter_user_id: number | null
  name: string
  item_name: string
  materials: (MaterialCheck & { attachment: number | null; seen: boolean })[]
  eligibility: ConditionOutcome[]
}

const APPLICATION_SELECT = sql`
  select a.id, a.item_code, a.item_version, a.person_id, a.community_code, a.grid_code, a.required, a.spared,
    a.decision, a.decided_at, a.decided_by, a.created_by, a.created_at, a.materials, a.eligibility,
    w.number as visit_number, c.id as case_id, c.number, c.status, c.department, c.deadline, c.handled_on_time,
    c.version, c.reporter_user_id, p.name, k.name as item_name
  from service_applications a
  join cases c on c.id = a.case_id
  join persons p on p.id = a.person_id
  join case_catalog k on k.code = a.item_code
  left join window_visits w on w.id = a.visit_id`

export interface NewVisit {
  person_id: number
  community_code: string
  grid_code: string | null
  consent_note: string
  notify: boolean
  clerk: string
  created_at: Date
}

export interface NewApplication {
  visit_id: number
  item_code: string
  item_version: number
  person_id: number
  community_code: string
  grid_code: string | null
  eligibility: string
  materials: string
  required: number
  spared: number
  case_id: number
  created_by: string
  created_at: Date
}

/** An application as the leaders' figures count it. */
export interface FigureRow {
  item_code: string
  item_name: string
  area: string
  created_at: Date
  decided_at: Date | null
  handled_on_time: boolean | null
  spared: number
}

export interface ApplicationFilter {
  /** Which cases the caller sees (the cases module's condition over `c`). */
  visible: RawBuilder<unknown>
  region?: string | undefined
  item?: string | undefined
  person?: number | undefined
  status?: ApplicationStatus | undefined
}

/** The SQL condition of an application's status for people (over `a` and its case `c`). */
function statusSql(s: ApplicationStatus): RawBuilder<unknown> {
  switch (s) {
    case 'approved':
      return sql`a.decision = 'approved' and c.status not in ('verified', 'closed', 'cancelled', 'merged')`
    case 'rejected':
      return sql`a.decision = 'rejected' and c.status not in ('cancelled', 'merged')`
    case 'delivered':
      return sql`coalesce(a.decision, '') <> 'rejected' and c.status in ('verified', 'closed')`
    case 'withdrawn':
      return sql`c.status in ('cancelled', 'merged')`
    case 'reviewing':
      return sql`a.decision is null and c.status in ('accepted', 'rework', 'parked', 'handled')`
    default:
      return sql`a.decision is null and c.status in ('reported', 'registered', 'dispatched', 'returned')`
  }
}

export function createServicesRepository(db: Kysely<DB>) {
  return {
    // ---- the items ----
    itemRows: async (q: Db = db) =>
      (await q.selectFrom('service_items').selectAll().orderBy('code').execute()) as unknown as ItemRow[],
    itemRow: async (code: string, q: Db = db) =>
      (await q.selectFrom('service_items').selectAll().where('code', '=', code).executeTakeFirst()) as unknown as
        | ItemRow
        | undefined,
    itemCodes: async () => new Set((await db.selectFrom('service_items').select('code').execute()).map((r) => r.code)),
    /** The default items missing, each as its version 1. */
    async seedItems(trx: Transaction<DB>, items: readonly ServiceItemDefinition[]) {
      await trx
        .insertInto('service_items')
        .values(items.map((i) => ({ code: i.code, definition: JSON.stringify(i), updated_by: 'system' })))
        .onConflict((oc) => oc.column('code').doNothing())
        .execute()
      await trx
        .insertInto('service_item_versions')
        .values(
          items.map((i) => ({
            item_code: i.code,
            version: 1,
            definition: JSON.stringify(i),
            active: true,
            reason: 'seeded',
            changed_by: 'system',
          })),
        )
        .onConflict((oc) => oc.columns(['item_code', 'version']).doNothing())
        .execute()
    },
    itemVersions: (code: string) =>
      db
        .selectFrom('service_item_versions')
        .select(['version', 'reason', 'changed_by', 'changed_at', 'active'])
        .where('item_code', '=', code)
        .orderBy('version', 'desc')
        .execute(),
    /** The item's version, its row locked for a new one. */
    lockItem: (trx: Transaction<DB>, code: string) =>
      trx.selectFrom('service_items').select('version').where('code', '=', code).forUpdate().executeTakeFirst(),
    /** A new version of an item, with its history row. */
    async saveItem(
      trx: Transaction<DB>,
      def: ServiceItemDefinition,
      v: { active: boolean; version: number; at: Date; actor: string; reason: string },
    ) {
      await trx
        .updateTable('service_items')
        .set({ definition: JSON.stringify(def), active: v.active, version: v.version, updated_at: v.at, updated_by: v.actor })
        .where('code', '=', def.code)
        .execute()
      await trx
        .insertInto('service_item_versions')
        .values({
          item_code: def.code,
          version: v.version,
          definition: JSON.stringify(def),
          active: v.active,
          reason: v.reason,
          changed_by: v.actor,
        })
        .execute()
    },
    /** The catalog's kind of a subclass (an item is a service subclass). */
    catalogKind: async (code: string) =>
      (await db.selectFrom('case_catalog').select('kind').where('code', '=', code).executeTakeFirst())?.kind,

    // ---- the window ----
    personByIdNumber: (idNumber: string) =>
      db
        .selectFrom('persons as p')
        .leftJoin('dwellings as d', 'd.id', 'p.dwelling_id')
        .select(['p.id', 'p.community_code', 'd.grid_code'])
        .where('p.id_number', '=', idNumber)
        .executeTakeFirst(),
    /** A visit recorded; its number is made from its id (`numberOf`). */
    async openVisit(trx: Transaction<DB>, v: NewVisit, numberOf: (id: number) => string) {
      const row = await trx
        .insertInto('window_visits')
        .values({ ...v, number: `tmp-${crypto.randomUUID()}` })
        .returning('id')
        .executeTakeFirstOrThrow()
      return trx
        .updateTable('window_visits')
        .set({ number: numberOf(Number(row.id)) })
        .where('id', '=', row.id)
        .returningAll()
        .executeTakeFirstOrThrow()
    },
    visit: (number: string) => db.selectFrom('window_visits').selectAll().where('number', '=', number).executeTakeFirst(),
    householdMembers: (householdId: number) =>
      db
        .selectFrom('persons')
        .select(['id', 'name', 'sex', 'birth_date', 'relation_to_head', 'status'])
        .where('household_id', '=', householdId)
        .orderBy('relation_to_head')
        .orderBy('birth_date')
        .execute(),
    /** A person's latest applications with their case's status. */
    applicationsOfPerson: async (personId: number) =>
      (
        await sql<{
          id: number
          item_code: string
          created_at: Date
          number: string | null
          status: string | null
          decision: string | null
        }>`
          select a.id, a.item_code, a.created_at, c.number, c.status, a.decision
          from service_applications a left join cases c on c.id = a.case_id
          where a.person_id = ${personId} order by a.created_at desc limit 20`.execute(db)
      ).rows,

    // ---- applications ----
    applicationOf: async (visitId: number, item: string) =>
      (
        await db
          .selectFrom('service_applications')
          .select('id')
          .where('visit_id', '=', visitId)
          .where('item_code', '=', item)
          .executeTakeFirst()
      )?.id,
    /** The application (none when the visit has one for the item already). */
    insertApplication: async (a: NewApplication) =>
      (
        await db
          .insertInto('service_applications')
          .values(a)
          .onConflict((oc) => oc.columns(['visit_id', 'item_code']).doNothing())
          .returning('id')
          .executeTakeFirst()
      )?.id,
    /** An open offer of the item to the person is answered: they applied. */
    offersApplied: (personId: number, item: string, at: Date, actor: string, note: string) =>
      db
        .updateTable('service_offers')
        .set((eb) => ({
          status: 'applied',
          outcome_at: at,
          outcome_by: actor,
          outcome_note: note,
          version: eb('version', '+', 1),
        }))
        .where('person_id', '=', personId)
        .where('item_code', '=', item)
        .where('status', '=', 'open')
        .execute(),
    /** A page of applications the caller sees (`visible`: the cases' visibility over `c`), and how many. */
    async applications(f: ApplicationFilter, limit: number, offset: number) {
      const conditions = [f.visible]
      if (f.region) conditions.push(sql`a.community_code like ${`${f.region}%`}`)
      if (f.item) conditions.push(sql`a.item_code = ${f.item}`)
      if (f.person) conditions.push(sql`a.person_id = ${f.person}`)
      if (f.status) conditions.push(statusSql(f.status))
      const where = sql.join(conditions, sql` and `)
      const [rows, total] = await Promise.all([
        sql<ApplicationRow>`${APPLICATION_SELECT} where ${where} order by a.created_at desc, a.id desc
          limit ${limit} offset ${offset}`.execute(db),
        sql<{
          n: number
        }>`select count(*)::int as n from service_applications a join cases c on c.id = a.case_id where ${where}`.execute(db),
      ])
      return { rows: rows.rows, total: Number(total.rows[0]?.n ?? 0) }
    },
    application: async (id: number) => (await sql<ApplicationRow>`${APPLICATION_SELECT} where a.id = ${id}`.execute(db)).rows[0],
    /** The department's decision, once. */
    decide: (id: number, decision: 'approved' | 'rejected', at: Date, actor: string) =>
      db
        .updateTable('service_applications')
        .set({ decision, decided_at: at, decided_by: actor })
        .where('id', '=', id)
        .where('decision', 'is', null)
        .execute(),

    // ---- figures ----
    /** The applications under a community prefix in a Beijing period, with the area `len` long. */
    applicationsForFigures: async (w: { prefix: string; len: number; from: string; to: string }, visible: RawBuilder<SqlBool>) =>
      (
        await sql<FigureRow>`
          select a.item_code, k.name as item_name, left(coalesce(a.grid_code, a.community_code), ${w.len}) as area,
            a.created_at, a.decided_at, c.handled_on_time, a.spared
          from service_applications a join cases c on c.id = a.case_id join case_catalog k on k.code = a.item_code
          where a.community_code like ${`${w.prefix}%`} and ${visible}
            and a.created_at >= ${w.from}::date - interval '8 hours' and a.created_at < ${w.to}::date + interval '16 hours'`.execute(
          db,
        )
      ).rows,
    /** The offers under a community prefix made in a period, counted by item, area and status. */
    offersForFigures: async (w: { prefix: string; len: number; from: string; to: string }, scope: Expression<SqlBool>) =>
      (
        await sql<{ item_code: string; area: string; status: string; n: number }>`
          select o.item_code, left(coalesce(o.grid_code, o.community_code), ${w.len}) as area, o.status, count(*)::int as n
          from service_offers o
          where o.community_code like ${`${w.prefix}%`} and ${scope}
            and o.created_on between ${w.from}::date and ${w.to}::date
          group by 1, 2, 3`.execute(db)
      ).rows,
    regionNames: async (codes: readonly string[]) =>
      new Map(
        (
          await db
            .selectFrom('regions')
            .select(['code', 'name'])
            .where('code', 'in', [...codes, ''])
            .execute()
        ).map((r) => [r.code, r.name]),
      ),

    // ---- proactive offers ----
    /** A page of offers within `scope` with the person's name, and how many. */
    async offers(
      scope: Expression<SqlBool>,
      f: { region?: string | undefined; status?: OfferOutcome | 'open' | undefined; item?: string | undefined },
      limit: number,
      offset: number,
    ) {
      let q = db.selectFrom('service_offers as o').innerJoin('persons as p', 'p.id', 'o.person_id').where(scope)
      if (f.region) q = q.where('o.community_code', 'like', `${f.region}%`)
      if (f.status) q = q.where('o.status', '=', f.status)
      if (f.item) q = q.where('o.item_code', '=', f.item)
      const [rows, total] = await Promise.all([
        q
          .select([
            'o.id',
            'o.item_code',
            'o.person_id',
            'o.household_id',
            'o.grid_code',
            'o.community_code',
            'o.occasion',
            'o.reason',
            'o.created_on',
            'o.status',
            'o.outcome_at',
            'o.outcome_by',
            'o.outcome_note',
            'o.version',
            'o.notified',
            'p.name',
          ])
          .orderBy('o.created_on', 'desc')
          .orderBy('o.id', 'desc')
          .limit(limit)
          .offset(offset)
          .execute(),
        q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ])
      return { rows, total: Number(total.n) }
    },
    offer: (id: number) => db.selectFrom('service_offers').selectAll().where('id', '=', id).executeTakeFirst(),
    /** The grid worker's answer, at the version seen (none when it changed meanwhile). */
    answerOffer: (id: number, version: number, a: { outcome: OfferOutcome; note: string | null; at: Date; actor: string }) =>
      db
        .updateTable('service_offers')
        .set({ status: a.outcome, outcome_at: a.at, outcome_by: a.actor, outcome_note: a.note, version: version + 1 })
        .where('id', '=', id)
        .where('version', '=', version)
        .returning(['id', 'status', 'version'])
        .executeTakeFirst(),
  }
}

export type ServicesRepository = ReturnType<typeof createServicesRepository>
