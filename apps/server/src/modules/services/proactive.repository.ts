// The statements of the night's proactive run (proactive.ts): the persons an item's event touched
// (one set-based query per kind of trigger), who was offered or applied lately, the offers and
// their notices, the runs' bookkeeping, and the open offers on the grid workers' visit lists.
// Rendered to proactive.repository.sql by its test.
import type { ProactiveTrigger } from '@wangge/domain'
import { type Insertable, type Kysely, type RawBuilder, sql, type Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'

type Db = Kysely<DB> | Transaction<DB>
const DAY = 86_400_000
const list = (xs: readonly number[]) => sql.join(xs.map((x) => sql`${x}`))

export const addDays = (d: string, n: number) => new Date(Date.parse(d) + n * DAY).toISOString().slice(0, 10)

/** The month-day keys (month × 100 + day) of the dates in [from, to], with 29 February when the
 *  range touches its neighbours (a leap-day birthday is kept in common years on 28 Feb/1 Mar). */
function monthDays(from: string, to: string): number[] {
  const out = new Set<number>()
  for (let d = from; d <= to; d = addDays(d, 1)) {
    const md = Number(d.slice(5, 7)) * 100 + Number(d.slice(8, 10))
    out.add(md)
    if (md === 228 || md === 301) out.add(229)
  }
  return [...out]
}

const BIRTHDAY_KEY = sql`(extract(month from birth_date)::int * 100 + extract(day from birth_date)::int)`

/** `d` moved back `years` years (29 February to 1 March in a common year), as an ISO date. */
function yearsBefore(d: string, years: number): string {
  const t = new Date(Date.UTC(Number(d.slice(0, 4)) - years, Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10))))
  return t.toISOString().slice(0, 10)
}

/** The persons an item's event touched in (since, today] (with a day's margin), and its date. */
function candidatesSql(t: ProactiveTrigger, since: string, today: string): RawBuilder<{ person_id: number; occasion: string }> {
  const from = addDays(since, -1)
  switch (t.kind) {
    case 'birthday': {
      // The month-days pick the index's first column, the birth dates (with two days' margin for
      // 29 February) its second; the exact anniversary test is the last filter.
      const mds = monthDays(from, today)
      const years = sql.lit(t.years)
      return sql`
        select id as person_id, (birth_date + make_interval(years => ${years}))::date::text as occasion
        from persons
        where status = 'active' and ${BIRTHDAY_KEY} in (${sql.join(mds.map((m) => sql.lit(m)))})
          and birth_date > ${addDays(yearsBefore(from, t.years), -2)}::date
          and birth_date <= ${addDays(yearsBefore(today, t.years), 2)}::date
          and birth_date + make_interval(years => ${years}) > ${from}::date
          and birth_date + make_interval(years => ${years}) <= ${today}::date`
    }
    case 'residence':
      return sql`
        select id as person_id, (arrival_date + ${sql.lit(t.days)})::text as occasion
        from persons
        where status = 'active' and population_type = 'migrant'
          and arrival_date > ${from}::date - ${sql.lit(t.days)} and arrival_date <= ${today}::date - ${sql.lit(t.days)}`
    case 'expiry':
      // ISO dates compare as text: the expiry index answers the range.
      return sql`
        select r.entity_id as person_id, r.record ->> 'permit_expires_on' as occasion
        from shared_records r
        where r.dataset_code = 'migrant.permits' and not r.removed and r.entity_id is not null
          and r.record ->> 'permit_expires_on' > ${addDays(from, t.withinDays)}
          and r.record ->> 'permit_expires_on' <= ${addDays(today, t.withinDays)}
          and r.record ->> 'permit_expires_on' ~ '^\\d{4}-\\d{2}-\\d{2}$'`
    case 'record':
      if (t.who === 'parent')
        return sql`
          select p.id as person_id, coalesce(r.record ->> 'birth_date', r.updated_at::date::text) as occasion
          from shared_records r
          join persons p on p.id_number in (r.record ->> 'mother_id_number', r.record ->> 'father_id_number')
          where r.dataset_code = ${t.dataset} and not r.removed and r.updated_at > ${from}::date and p.status = 'active'`
      if (t.who === 'household')
        // One member speaks for the household: the eldest living member other than the deceased.
        return sql`
          select distinct on (d.household_id) m.id as person_id, coalesce(r.record ->> 'death_date', r.updated_at::date::text) as occasion
          from shared_records r
          join persons d on d.id = r.entity_id
          join persons m on m.household_id = d.household_id and m.id <> d.id and m.status = 'active'
          where r.dataset_code = ${t.dataset} and not r.removed and r.updated_at > ${from}::date and d.household_id is not null
          order by d.household_id, m.birth_date, m.id`
      // A registry (the disabled, the unemployed, veterans): a record new or changed since — but not
      // the register's first delivery, which is everyone already on it, not news (a department
      // joining the platform would otherwise look like 17,000 new registrations in one night).
      return sql`
        select r.entity_id as person_id, r.updated_at::date::text as occasion
        from shared_records r
        where r.dataset_code = ${t.dataset} and not r.removed and r.entity_id is not null and r.updated_at > ${from}::date
          and r.delivery_id <> (select min(d.id) from deliveries d where d.dataset_code = ${t.dataset} and d.status <> 'rejected')`
  }
}

export const proactiveRepository = {
  /** The last finished run before `day` (a Beijing date), if any. */
  lastRunDay: async (db: Db, day: string) => {
    const last = await db
      .selectFrom('service_runs')
      .select((eb) => eb.fn.max('day').as('day'))
      .where('finished_at', 'is not', null)
      .where('day', '<', day)
      .executeTakeFirst()
    return last?.day ? String(last.day as unknown).slice(0, 10) : null
  },
  startRun: (db: Db, day: string, since: string) =>
    db
      .insertInto('service_runs')
      .values({ day, started_at: new Date(), since })
      .onConflict((oc) => oc.column('day').doUpdateSet({ started_at: new Date(), since }))
      .execute(),
  finishRun: (db: Db, day: string, r: { candidates: number; offers: number; notified: number; ms: number }) =>
    db
      .updateTable('service_runs')
      .set({ finished_at: new Date(), candidates: r.candidates, offers: r.offers, notified: r.notified, ms: r.ms })
      .where('day', '=', day)
      .execute(),

  /** The persons an item's trigger touched in (since, today], with the occasion's date. */
  candidates: async (db: Db, t: ProactiveTrigger, since: string, today: string) =>
    (await candidatesSql(t, since, today).execute(db)).rows,

  /** Of `ids`, those offered the item or who applied for it since `from`. */
  quietPersons: async (db: Db, item: string, ids: readonly number[], from: string) =>
    (
      await sql<{ person_id: number }>`
        select person_id from service_offers where item_code = ${item} and person_id in (${list(ids)}) and created_on > ${from}::date
        union
        select person_id from service_applications where item_code = ${item} and person_id in (${list(ids)}) and created_at > ${from}::date`.execute(
        db,
      )
    ).rows.map((r) => Number(r.person_id)),

  /** New offers (an offer of an item for an occasion exists once); answers those made. */
  insertOffers: (trx: Db, offers: Insertable<DB['service_offers']>[]) =>
    trx
      .insertInto('service_offers')
      .values(offers)
      .onConflict((oc) => oc.columns(['item_code', 'person_id', 'occasion']).doNothing())
      .returning(['id', 'person_id'])
      .execute(),

  /** Of `persons`, those whose latest window visit says they agreed to be told. */
  agreedToBeTold: async (db: Db, persons: readonly number[]) =>
    persons.length
      ? (
          await sql<{ person_id: number; notify: boolean }>`
            select distinct on (person_id) person_id, notify from window_visits
            where person_id in (${list(persons)})
            order by person_id, created_at desc`.execute(db)
        ).rows
          .filter((r) => r.notify)
          .map((r) => Number(r.person_id))
      : [],

  markNotified: (db: Db, offers: readonly number[]) =>
    db
      .updateTable('service_offers')
      .set({ notified: true })
      .where('id', 'in', [...offers])
      .execute(),

  /** The open offers in these grids, oldest first (at most 200). */
  openOffers: (db: Db, grids: readonly string[]) =>
    db
      .selectFrom('service_offers as o')
      .innerJoin('persons as p', 'p.id', 'o.person_id')
      .select([
        'o.id',
        'o.version',
        'o.item_code',
        'o.household_id',
        'o.grid_code',
        'o.person_id',
        'o.reason',
        'o.created_on',
        'p.name',
      ])
      .where('o.status', '=', 'open')
      .where('o.grid_code', 'in', [...grids])
      .orderBy('o.created_on')
      .limit(200)
      .execute(),
}
