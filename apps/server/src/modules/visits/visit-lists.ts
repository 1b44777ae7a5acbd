// The day's visit lists: generated each night for every grid (`visit_tasks_generate`, one job per
// unit), a notice to each grid of its list, and a worker's list for the day — priority first, then
// a walking order (nearest neighbour over the buildings) — with the door-to-door questions and
// service offers other modules put on it.
import { beijingDate, isGridCode } from '@wangge/domain'
import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import type { Principal } from '../access/index.js'
import { type BatchJobHandler, nightly, schedule } from '../jobs/index.js'
import { queueNotices } from '../residents/index.js'
import {
  type DoorOffer,
  type DoorQuestion,
  OFFER_RULE,
  RED_AFTER_DAYS,
  URGENT,
  VERIFICATION_RULE,
  type VisitsContext,
} from './visit-model.js'

/** The nightly generation, at 00:30 Beijing (a scheduled job, once per day). */
export const generateJob = (now: Date) => nightly('visits.generate', '00:30', now)

/** Nearest-neighbour tour from the first point (the building coordinates of the tasks). */
export function walkingOrder<T extends { lng: number; lat: number }>(items: readonly T[]): T[] {
  if (items.length < 3) return [...items]
  const left = [...items]
  const out = [left.shift() as T]
  const k = Math.cos(((out[0] as T).lat * Math.PI) / 180)
  while (left.length) {
    const at = out[out.length - 1] as T
    let best = 0
    let bestD = Number.POSITIVE_INFINITY
    left.forEach((x, i) => {
      const d = ((x.lng - at.lng) * k) ** 2 + (x.lat - at.lat) ** 2
      if (d < bestD) [best, bestD] = [i, d]
    })
    out.push(left.splice(best, 1)[0] as T)
  }
  return out
}

/** The night's notice to each grid of its day's list (in-app: the worker's phone and bell). */
async function noticeLists(ctx: VisitsContext, q: Kysely<DB>, day: string, prefix: string) {
  const lists = await ctx.repo.listSizes(q, day, prefix)
  await queueNotices(
    q,
    lists.map((l) => ({
      channel: 'inapp' as const,
      recipient: `grid:${l.grid_code}`,
      template: 'grid.visits',
      payload: { day, tasks: l.tasks, urgent: l.urgent },
    })),
  )
}

/**
 * What one statement (and transaction) of the night's run covers: a street on the embedded
 * engine, whose one connection every request waits for; the whole city on PostgreSQL, where the
 * run holds one of many connections and one statement is fastest (40 s against 67 s by street for
 * the full city). Answers the prefixes, one statement each.
 */
export const units = async (ctx: VisitsContext, unit: 'street' | 'city', q: Kysely<DB> = ctx.db) =>
  unit === 'city' ? [''] : ctx.repo.streets(q)

/**
 * The night's run fans out into one job per unit (idempotent keys): on the embedded engine a
 * street's lists are one statement in their own transaction, so the run never holds the one
 * connection for long, and a restart resumes with the streets not yet done.
 */
export function listJobHandlers(ctx: VisitsContext, unit: 'street' | 'city'): Record<string, BatchJobHandler> {
  return {
    'visits.generate': async (trx, jobs, now) => {
      const day = beijingDate(now)
      const prefixes = await units(ctx, unit, trx)
      await schedule(trx, [
        ...prefixes.map((prefix) => ({
          kind: 'visits.generate.part',
          key: `visits.generate:${day}:${prefix || 'all'}`,
          runAt: now,
          payload: { day, prefix },
        })),
        generateJob(now),
      ])
      return jobs.map(() => ({ units: prefixes.length }))
    },
    'visits.generate.part': async (trx, jobs) => {
      const out: unknown[] = []
      for (const j of jobs) {
        const { day, prefix } = j.payload as { day: string; prefix: string }
        out.push({ tasks: await ctx.repo.generate(trx, day, prefix) })
        await noticeLists(ctx, trx, day, prefix)
      }
      return out
    },
  }
}

type Home = {
  last_visited_on: Date | string | null
  members: number
  address: string
  lng: number
  lat: number
}

/** A household on the list as the phone shows it: red when not visited for RED_AFTER_DAYS or more (or never). */
function listed(day: string, h: Home, task: { grid: string; householdId: number; rule: string; ruleName: string }) {
  const last = h.last_visited_on ? String(h.last_visited_on).slice(0, 10) : null
  const since = last ? Math.round((Date.parse(day) - Date.parse(last)) / 86_400_000) : null
  return {
    ...task,
    lastVisitedOn: last,
    red: since === null || since >= RED_AFTER_DAYS,
    members: h.members,
    address: h.address,
    lng: h.lng,
    lat: h.lat,
  }
}

/** The day's tasks of some grids; a grid drawn (or re-drawn) since the night's run has none yet
 *  today and generates its own now (a few hundred households; idempotent). */
async function dayTasks(ctx: VisitsContext, day: string, grids: string[]) {
  let rows = await ctx.repo.dayTasks(day, grids)
  if (!rows.length && day === beijingDate(ctx.clock())) {
    for (const g of grids) await ctx.repo.generate(ctx.db, day, g)
    rows = await ctx.repo.dayTasks(day, grids)
  }
  return rows.map((r) => {
    const dueOn = String(r.due_on).slice(0, 10)
    const task = {
      grid: r.grid_code,
      householdId: Number(r.household_id),
      rule: r.rule_code,
      ruleName: r.rule_name ?? r.rule_code,
    }
    return { ...listed(day, r, task), priority: r.priority, dueOn, overdue: dueOn < day, done: r.visit_id !== null }
  })
}

const byHouseholdOf = <T extends { householdId: number | null }>(xs: readonly T[]) => {
  const m = new Map<number, T[]>()
  for (const x of xs) if (x.householdId !== null) m.set(x.householdId, [...(m.get(x.householdId) ?? []), x])
  return m
}

/**
 * The day's tasks of the grids the caller works (their `grid_worker` grants — a cover's too,
 * while a leave runs) or of one grid in their scope: priority first, then walking order. The day's
 * door-to-door questions go on the household's visit, or a visit of their own (first, urgent); a
 * question about no household (a shop, an empty flat) is a check apart; a service offer rides on
 * the household's visit or is a visit of its own.
 */
export async function tasks(ctx: VisitsContext, p: Principal, q: { day?: string | undefined; grid?: string | undefined }) {
  const day = q.day ?? beijingDate(ctx.clock())
  let grids: string[]
  if (q.grid) {
    p.check('person.read', q.grid, () => new AppError('NOT_FOUND', `No grid ${q.grid}`, { grid: q.grid }))
    grids = [q.grid]
  } else grids = [...new Set(p.grants.filter((g) => g.role === 'grid_worker' && isGridCode(g.scope)).map((g) => g.scope))]
  if (!grids.length) return { day, grids, tasks: [], checks: [] }
  const view = await dayTasks(ctx, day, grids)
  const [asked, offered] = await Promise.all([ctx.questions(grids), ctx.offers(grids)])
  const byHousehold = byHouseholdOf<DoorQuestion>(asked)
  const offersOf = byHouseholdOf<DoorOffer>(offered)
  const onList = new Set(view.map((t) => t.householdId))
  const extra = [...new Set([...byHousehold.keys(), ...offersOf.keys()])].filter((id) => !onList.has(id))
  if (extra.length)
    for (const h of await ctx.repo.homes(extra)) {
      const question = (byHousehold.get(Number(h.id)) ?? [])[0]
      const offer = (offersOf.get(Number(h.id)) ?? [])[0]
      const rule = question ? VERIFICATION_RULE : OFFER_RULE
      const task = { grid: h.grid_code as string, householdId: Number(h.id), rule: rule.code, ruleName: rule.name }
      view.push({
        ...listed(day, h, task),
        priority: question ? 0 : 1,
        dueOn: question?.since.slice(0, 10) ?? offer?.since ?? day,
        overdue: false,
        done: false,
      })
    }
  const urgent = view.filter((t) => t.priority <= URGENT).sort((a, b) => a.priority - b.priority)
  const rest = view.filter((t) => t.priority > URGENT)
  const ordered = [...walkingOrder(urgent), ...walkingOrder(rest)]
  return {
    day,
    grids,
    tasks: ordered.map((t, i) => ({
      ...t,
      seq: i + 1,
      questions: byHousehold.get(t.householdId) ?? [],
      offers: offersOf.get(t.householdId) ?? [],
    })),
    checks: asked.filter((x) => x.householdId === null),
  }
}
