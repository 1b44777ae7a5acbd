// Proactive services (主动服务): each night, the residents who became eligible for an item since
// the last run — an event named by the item (a birthday, a department's new record, a permit about
// to expire, half a year of residence) — are found set-based, their facts read and the item's rule
// evaluated on them; those who have not applied (and were not offered the item within a year)
// become an "inform and assist" offer on their grid worker's visit list, and an SMS where the
// resident agreed to be told at a window. Eligibility is a state and becoming eligible an event:
// evaluating every rule over 16.8 million people every night would only find the same people
// again, so the night looks at the events (and a first run at the last 30 days).
import {
  beijingDate,
  daysBetween,
  evaluateItem,
  type ProactiveTrigger,
  SERVICE_MATERIALS,
  type ServiceItemDefinition,
} from '@wangge/domain'
import { type Kysely, type RawBuilder, sql } from 'kysely'
import type { DB } from '../../db/schema.js'
import { breathe } from '../../kernel/breathe.js'
import { type BatchJobHandler, nightly, schedule } from '../jobs/index.js'
import { queueNotices } from '../residents/index.js'
import type { DoorOffer } from '../visits/index.js'
import { readFacts, rulesFacts } from './facts.js'

const DAY = 86_400_000
/** How far back a first run looks, and the most a late run catches up. */
export const LOOKBACK_DAYS = 30
/** An item offered (or applied for) within this many days is not offered again. */
export const QUIET_DAYS = 365
const BATCH = 1000

type Item = ServiceItemDefinition & { version: number }

export interface ProactiveRun {
  day: string
  since: string
  candidates: number
  eligible: number
  offers: number
  notified: number
  ms: number
  /** Per item: its candidates, its new offers, and the milliseconds spent finding and judging them. */
  byItem: Record<string, { candidates: number; offers: number; findMs: number; ms: number }>
}

const addDays = (d: string, n: number) => new Date(Date.parse(d) + n * DAY).toISOString().slice(0, 10)

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

export function createProactive(deps: { db: Kysely<DB>; clock: () => Date; items: (q?: Kysely<DB>) => Promise<Item[]> }) {
  const { db, clock } = deps

  const nextJob = (now: Date) => nightly('services.proactive', '01:30', now)

  /** The night's run for `day` (default today): idempotent — a second run adds nothing. */
  async function run(day = beijingDate(clock()), q: Kysely<DB> = db): Promise<ProactiveRun> {
    const t0 = Date.now()
    // Inside the scheduler's job the run uses the job's transaction (the embedded engine has one
    // connection); called directly, each batch of offers is a transaction of its own.
    const inTrx = <T>(fn: (trx: Kysely<DB>) => Promise<T>) => (q.isTransaction ? fn(q) : q.transaction().execute(fn))
    const last = await q
      .selectFrom('service_runs')
      .select((eb) => eb.fn.max('day').as('day'))
      .where('finished_at', 'is not', null)
      .where('day', '<', day)
      .executeTakeFirst()
    const lastDay = last?.day ? String(last.day as unknown).slice(0, 10) : null
    const since = lastDay && daysBetween(lastDay, day) <= LOOKBACK_DAYS ? lastDay : addDays(day, -LOOKBACK_DAYS)
    await q
      .insertInto('service_runs')
      .values({ day, started_at: new Date(), since })
      .onConflict((oc) => oc.column('day').doUpdateSet({ started_at: new Date(), since }))
      .execute()
    const out: ProactiveRun = { day, since, candidates: 0, eligible: 0, offers: 0, notified: 0, ms: 0, byItem: {} }
    for (const item of (await deps.items(q)).filter((i) => i.proactive)) {
      const t1 = Date.now()
      const trigger = (item.proactive as NonNullable<Item['proactive']>).trigger
      const found = (await candidatesSql(trigger, since, day).execute(q)).rows
      // Only the facts the rule names are read (no household for a permit's renewal).
      const wanted = rulesFacts([item])
      const occasion = new Map<number, string>()
      for (const r of found) if (r.person_id !== null) occasion.set(Number(r.person_id), String(r.occasion).slice(0, 10))
      const ids = [...occasion.keys()]
      const stat = { candidates: ids.length, offers: 0, findMs: Date.now() - t1, ms: 0 }
      out.byItem[item.code] = stat
      out.candidates += ids.length
      for (let i = 0; i < ids.length; i += BATCH) {
        await breathe()
        const batch = ids.slice(i, i + BATCH)
        const facts = await readFacts(q, batch, day, wanted)
        const eligible = batch.filter((id) => {
          const f = facts.get(id)
          return f && evaluateItem(item, f.facts).eligible
        })
        out.eligible += eligible.length
        if (!eligible.length) continue
        const quietFrom = addDays(day, -QUIET_DAYS)
        const list = sql.join(eligible.map((id) => sql`${id}`))
        const quiet = new Set(
          (
            await sql<{ person_id: number }>`
              select person_id from service_offers where item_code = ${item.code} and person_id in (${list}) and created_on > ${quietFrom}::date
              union
              select person_id from service_applications where item_code = ${item.code} and person_id in (${list}) and created_at > ${quietFrom}::date`.execute(
              q,
            )
          ).rows.map((r) => Number(r.person_id)),
        )
        const fresh = eligible.filter((id) => !quiet.has(id))
        if (!fresh.length) continue
        const reason = (item.proactive as NonNullable<Item['proactive']>).reason
        await inTrx(async (trx) => {
          const made = await trx
            .insertInto('service_offers')
            .values(
              fresh.map((id) => {
                const p = (facts.get(id) as NonNullable<ReturnType<typeof facts.get>>).person
                return {
                  item_code: item.code,
                  person_id: id,
                  household_id: p.household_id,
                  community_code: p.community_code,
                  grid_code: p.grid_code,
                  occasion: occasion.get(id) as string,
                  reason,
                  created_on: day,
                }
              }),
            )
            .onConflict((oc) => oc.columns(['item_code', 'person_id', 'occasion']).doNothing())
            .returning(['id', 'person_id'])
            .execute()
          stat.offers += made.length
          out.offers += made.length
          // An SMS where the resident agreed at a window to be told (their latest visit says so).
          const agreed = made.length
            ? await sql<{ person_id: number }>`
                select distinct on (person_id) person_id, notify from window_visits
                where person_id in (${sql.join(made.map((m) => sql`${m.person_id}`))})
                order by person_id, created_at desc`.execute(trx)
            : { rows: [] }
          const told = new Set(
            (agreed.rows as { person_id: number; notify: boolean }[]).filter((r) => r.notify).map((r) => Number(r.person_id)),
          )
          const notices = made
            .map((m) => ({ m, phone: facts.get(Number(m.person_id))?.person.phone }))
            .filter((x): x is { m: (typeof made)[number]; phone: string } => told.has(Number(x.m.person_id)) && !!x.phone)
          const n = await queueNotices(
            trx,
            notices.map((x) => ({
              channel: 'sms' as const,
              recipient: x.phone,
              template: 'resident.service_offer',
              payload: { item: item.name, itemEn: item.nameEn, reason },
            })),
          )
          if (notices.length)
            await trx
              .updateTable('service_offers')
              .set({ notified: true })
              .where(
                'id',
                'in',
                notices.map((x) => Number(x.m.id)),
              )
              .execute()
          out.notified += n
        })
      }
      stat.ms = Date.now() - t1
    }
    out.ms = Date.now() - t0
    await q
      .updateTable('service_runs')
      .set({ finished_at: new Date(), candidates: out.candidates, offers: out.offers, notified: out.notified, ms: out.ms })
      .where('day', '=', day)
      .execute()
    return out
  }

  return {
    run,
    async startDaily(now: Date) {
      await schedule(db, nextJob(now))
    },
    jobHandlers: {
      'services.proactive': async (trx, jobs, now) => {
        await schedule(trx, [nextJob(now)])
        const r = await run(beijingDate(now), trx)
        return jobs.map(() => ({ offers: r.offers, candidates: r.candidates, ms: r.ms }))
      },
    } as Record<string, BatchJobHandler>,

    /** The open offers in these grids, for the grid workers' visit lists. */
    async doorOffers(grids: readonly string[]): Promise<DoorOffer[]> {
      if (!grids.length) return []
      const rows = await db
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
        .where('o.grid_code', 'in', grids)
        .orderBy('o.created_on')
        .limit(200)
        .execute()
      const items = new Map((await deps.items()).map((i) => [i.code, i]))
      return rows.flatMap((o) => {
        const item = items.get(o.item_code)
        if (!item) return []
        const materials = item.materials.map((m) => SERVICE_MATERIALS[m]).filter((m) => !!m)
        return [
          {
            id: Number(o.id),
            version: o.version,
            item: o.item_code,
            itemName: item.name,
            householdId: o.household_id === null ? null : Number(o.household_id),
            grid: o.grid_code,
            personId: Number(o.person_id),
            name: o.name,
            reason: o.reason,
            tell: item.proactive?.tell ?? '',
            bring: materials.filter((m) => !m.proof).map((m) => m.zh),
            spared: materials.filter((m) => m.proof).map((m) => m.zh),
            since: String(o.created_on as unknown).slice(0, 10),
          },
        ]
      })
    },
  }
}
