// The demo's one-window services (issue 21 §5): 90 days of residents at the windows of the demo
// area's streets and of the night's proactive offers, through the real services on a simulated
// clock — look-ups with consent (audited), applications for items the resident is eligible for,
// the departments' decisions (most within the limit, some late, a few rejected), deliveries by
// the grid workers, and offers answered at the door (applied, declined, not reachable) or still
// open. Seeded once: only where the area has no application yet.
import { beijingDate, DEFAULT_SERVICE_ITEMS, evaluateItem, isWorkday, materialsChecklist } from '@wangge/domain'
import { createRng } from '@wangge/geo'
import { sql } from 'kysely'
import type { Database } from '../db/database.js'
import { breathe } from '../kernel/breathe.js'
import { createCaseServices } from '../modules/cases/index.js'
import { createServicesService, readFacts } from '../modules/services/index.js'
import { demoPrincipal } from './demo-staff.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR

interface Planned {
  at: number
  kind: 'decide' | 'deliver' | 'outcome' | 'apply'
  id: number
  approve?: boolean
  outcome?: 'declined' | 'unreachable'
  person?: number
  item?: string
}

export interface ServicesDemo {
  applications: number
  offers: number
  ms: number
}

export async function seedDemoServices(
  database: Database,
  scope: string,
  opts: {
    days?: number
    perDay?: number
    now?: Date
    onProgress?: (done: number, total: number) => void
    /** The decisions, deliveries and answers that followed, in the order of time. */
    onFollowUps?: (done: number, total: number) => void
  } = {},
): Promise<ServicesDemo> {
  const t0 = Date.now()
  const db = database.db
  const like = `${scope}%`
  const none = { applications: 0, offers: 0, ms: 0 }
  if (await db.selectFrom('service_applications').select('id').where('community_code', 'like', like).limit(1).executeTakeFirst())
    return none
  const end = (opts.now ?? new Date()).getTime()
  const days = opts.days ?? 90
  let now = new Date(end - days * DAY)
  const clock = () => now
  const { cases, settings } = await createCaseServices({ db, clock })
  const services = createServicesService({ db, cases, clock, calendar: async () => (await settings.current()).calendar })
  await services.seed()
  const p = demoPrincipal(scope, 'demo-window', '演示：综合窗口')
  const rng = createRng(`demo-services:${scope}`)
  const households = Number(
    (await sql<{ n: number }>`select count(*)::int as n from households where community_code like ${like}`.execute(db)).rows[0]
      ?.n ?? 0,
  )
  const perDay = opts.perDay ?? Math.max(4, Math.round(households / 25_000))
  // Residents who come to a window: drawn once (older and poorer people come more often).
  const visitors = (
    await sql<{ id: number }>`
      select p.id from persons p join dwellings d on d.id = p.dwelling_id
      where p.community_code like ${like} and p.status = 'active' and d.grid_code is not null
        and (p.birth_date < current_date - interval '55 years' or cardinality(p.care_tags) > 0 or p.population_type = 'migrant'
          or p.employment = 'unemployed' or md5(p.id::text) < '1')
      order by md5(p.id::text) limit ${days * perDay * 4}`.execute(db)
  ).rows.map((r) => Number(r.id))
  if (!visitors.length) return none
  const items = DEFAULT_SERVICE_ITEMS
  const planned: Planned[] = []
  let applications = 0
  let cursor = 0
  const workdays: number[] = []
  for (let d = days; d >= 0; d--) {
    const midnight = Math.floor((end - d * DAY + 8 * HOUR) / DAY) * DAY - 8 * HOUR // Beijing
    if (isWorkday(beijingDate(new Date(midnight + 12 * HOUR)))) workdays.push(midnight)
  }
  /** A decision some working days after `at` (in the limit mostly; one in ten late). */
  const decisionAt = (at: number, limitDays: number) => {
    const late = rng() < 0.1
    const span = late ? limitDays + 1 + Math.floor(rng() * 4) : Math.max(1, Math.floor(rng() * limitDays))
    const i = workdays.findIndex((m) => m > at)
    // (Beyond the last simulated working day: still undecided today.)
    const day = i < 0 ? undefined : workdays[i + span - 1]
    return day === undefined ? Number.POSITIVE_INFINITY : Math.max(at + HOUR, day + (9 + Math.floor(rng() * 8)) * HOUR)
  }
  async function apply(personId: number, at: number, want?: string) {
    await breathe()
    now = new Date(at)
    const day = beijingDate(now)
    const f = (await readFacts(db, [personId], day)).get(personId)
    if (!f) return false
    const open = items.filter((i) => evaluateItem(i, f.facts).eligible)
    const item = want ? open.find((i) => i.code === want) : (open.filter((i) => i.code !== 'S0403')[0] ?? open[0])
    if (!item) return false
    try {
      const v = await services.lookup(p, {
        idNumber: f.person.id_number,
        consent: '本人到场，同意查询共享信息',
        notify: rng() < 0.4,
      })
      const materials = materialsChecklist(item, f.facts, f.evidence, day)
        .filter((m) => !m.spared && m.why !== 'not_applicable')
        .map((m) => ({ code: m.code, seen: true }))
      const a = await services.apply(p, v.visit.number, { item: item.code, materials })
      applications++
      const limit = item.steps.review + item.steps.decide
      const decideAt = decisionAt(at, limit)
      if (decideAt <= end) {
        const approve = rng() < 0.9
        planned.push({ at: decideAt, kind: 'decide', id: a.id, approve })
        const deliverAt = decideAt + (1 + Math.floor(rng() * 3)) * DAY
        if (approve && deliverAt <= end && rng() < 0.85) planned.push({ at: deliverAt, kind: 'deliver', id: a.id })
      }
      return true
    } catch {
      return false
    }
  }

  // The proactive runs, a month apart (each looks back 30 days), then the residents at the windows.
  const runDays = [days - 60, days - 30, 0].filter((d) => d >= 0)
  const total = workdays.length + runDays.length
  let done = 0
  for (const d of runDays) {
    now = new Date(end - d * DAY)
    await services.proactive.run(beijingDate(now))
    // Offers answered at the door within days: a third apply, some decline, a few cannot be reached.
    const made = await db
      .selectFrom('service_offers')
      .select(['id', 'person_id', 'item_code'])
      .where('created_on', '=', beijingDate(now))
      .where('community_code', 'like', like)
      .execute()
    for (const o of made) {
      const at = now.getTime() + (1 + Math.floor(rng() * 10)) * DAY + 10 * HOUR
      if (at > end) continue
      const x = rng()
      if (x < 0.35) planned.push({ at, kind: 'apply', id: Number(o.id), person: Number(o.person_id), item: o.item_code })
      else if (x < 0.6) planned.push({ at, kind: 'outcome', id: Number(o.id), outcome: 'declined' })
      else if (x < 0.7) planned.push({ at, kind: 'outcome', id: Number(o.id), outcome: 'unreachable' })
    }
    opts.onProgress?.(++done, total)
  }
  for (const midnight of workdays) {
    const n = Math.round(perDay * (0.6 + rng() * 0.8))
    for (let k = 0; k < n && cursor < visitors.length; ) {
      const at = midnight + (9 + Math.floor(rng() * 8)) * HOUR + Math.floor(rng() * 50) * 60_000
      if (at > end) break
      if (await apply(visitors[cursor++] as number, at)) k++
    }
    opts.onProgress?.(++done, total)
  }
  // Then what followed, in the order of time.
  planned.sort((a, b) => a.at - b.at)
  for (let i = 0; i < planned.length; i++) {
    const s = planned[i] as Planned
    await breathe()
    now = new Date(s.at)
    try {
      if (s.kind === 'apply') await apply(s.person as number, s.at, s.item)
      else if (s.kind === 'outcome') {
        const o = await db.selectFrom('service_offers').select(['version', 'status']).where('id', '=', s.id).executeTakeFirst()
        if (o?.status === 'open') await services.offerOutcome(p, s.id, { outcome: s.outcome as 'declined', version: o.version })
      } else if (s.kind === 'decide') {
        const a = await services.application(p, s.id)
        await services.decide(p, s.id, {
          approve: !!s.approve,
          reason: s.approve ? '经审核符合条件，予以批准' : '经审核不符合条件（家庭经济状况核对未通过）',
          version: a.caseVersion,
        })
        // A rejection is told to the resident and closed.
      } else {
        const a = await services.application(p, s.id)
        const c = await cases.act(p, a.caseId, { action: 'verify_pass', version: a.caseVersion, result: '已送达申请人' })
        await cases.act(p, c.id, { action: 'callback_satisfied', version: c.version, satisfaction: 'satisfied' })
      }
    } catch {
      // (A step the loop refuses — a case moved meanwhile — is left where it is.)
    }
    if (i % 200 === 0) opts.onFollowUps?.(i, planned.length)
  }
  const offers = Number(
    (await sql<{ n: number }>`select count(*)::int as n from service_offers where community_code like ${like}`.execute(db))
      .rows[0]?.n ?? 0,
  )
  return { applications, offers, ms: Date.now() - t0 }
}
