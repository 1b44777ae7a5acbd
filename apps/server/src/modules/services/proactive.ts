// Proactive services (主动服务): each night, the residents who became eligible for an item since
// the last run — an event named by the item (a birthday, a department's new record, a permit about
// to expire, half a year of residence) — are found set-based, their facts read and the item's rule
// evaluated on them; those who have not applied (and were not offered the item within a year)
// become an "inform and assist" offer on their grid worker's visit list, and an SMS where the
// resident agreed to be told at a window. Eligibility is a state and becoming eligible an event:
// evaluating every rule over 16.8 million people every night would only find the same people
// again, so the night looks at the events (and a first run at the last 30 days).
import { beijingDate, daysBetween, evaluateItem, SERVICE_MATERIALS, type ServiceItemDefinition } from '@wangge/domain'
import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import { breathe } from '../../kernel/breathe.js'
import { type BatchJobHandler, nightly, schedule } from '../jobs/index.js'
import { queueNotices } from '../residents/index.js'
import type { DoorOffer } from '../visits/index.js'
import { readFacts, rulesFacts } from './facts.js'
import { addDays, proactiveRepository as repo } from './proactive.repository.js'

const _DAY = 86_400_000
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

export function createProactive(deps: { db: Kysely<DB>; clock: () => Date; items: (q?: Kysely<DB>) => Promise<Item[]> }) {
  const { db, clock } = deps

  const nextJob = (now: Date) => nightly('services.proactive', '01:30', now)

  /** The night's run for `day` (default today): idempotent — a second run adds nothing. */
  async function run(day = beijingDate(clock()), q: Kysely<DB> = db): Promise<ProactiveRun> {
    const t0 = Date.now()
    // Inside the scheduler's job the run uses the job's transaction (the embedded engine has one
    // connection); called directly, each batch of offers is a transaction of its own.
    const inTrx = <T>(fn: (trx: Kysely<DB>) => Promise<T>) => (q.isTransaction ? fn(q) : q.transaction().execute(fn))
    const lastDay = await repo.lastRunDay(q, day)
    const since = lastDay && daysBetween(lastDay, day) <= LOOKBACK_DAYS ? lastDay : addDays(day, -LOOKBACK_DAYS)
    await repo.startRun(q, day, since)
    const out: ProactiveRun = { day, since, candidates: 0, eligible: 0, offers: 0, notified: 0, ms: 0, byItem: {} }
    for (const item of (await deps.items(q)).filter((i) => i.proactive)) {
      const t1 = Date.now()
      const trigger = (item.proactive as NonNullable<Item['proactive']>).trigger
      const found = await repo.candidates(q, trigger, since, day)
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
        const quiet = new Set(await repo.quietPersons(q, item.code, eligible, quietFrom))
        const fresh = eligible.filter((id) => !quiet.has(id))
        if (!fresh.length) continue
        const reason = (item.proactive as NonNullable<Item['proactive']>).reason
        await inTrx(async (trx) => {
          const made = await repo.insertOffers(
            trx,
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
          stat.offers += made.length
          out.offers += made.length
          // An SMS where the resident agreed at a window to be told (their latest visit says so).
          const told = new Set(
            await repo.agreedToBeTold(
              trx,
              made.map((m) => Number(m.person_id)),
            ),
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
            await repo.markNotified(
              trx,
              notices.map((x) => Number(x.m.id)),
            )
          out.notified += n
        })
      }
      stat.ms = Date.now() - t1
    }
    out.ms = Date.now() - t0
    await repo.finishRun(q, day, out)
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
      const rows = await repo.openOffers(db, grids)
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
