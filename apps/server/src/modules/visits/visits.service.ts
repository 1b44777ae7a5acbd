// Household visits (issue: grid workers): visit rules as data (migration 0020), the day's tasks
// generated each night for every grid (`visit_tasks_generate`), a worker's list for the day —
// priority first, then a walking order (nearest neighbour over the buildings) — and the visits
// recorded door to door, in batches from a phone's offline queue, idempotent by client id.
import { beijingDate, codeAt, isGridCode } from '@wangge/domain'
import { type Kysely, sql, type Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import type { Principal } from '../access/index.js'
import { type BatchJobHandler, nightly, schedule } from '../jobs/index.js'
import {
  listConflicts,
  markHouseholdsVisited,
  type PersonCreate,
  type PersonsService,
  resolveConflict,
} from '../persons/index.js'
import { queueNotices } from '../residents/index.js'

/** A household not visited for this many days is shown red. */
export const RED_AFTER_DAYS = 30
/** Tasks of this priority or more urgent come before the walking order of the rest. */
const URGENT = 2

/** A record change made at the door (offline, maybe), based on the version the phone had. */
export type VisitUpdate =
  | { kind: 'person'; personId: number; baseVersion: number; fields: Record<string, unknown> }
  | { kind: 'status'; personId: number; baseVersion: number; status: 'moved_out' | 'deceased' }
  | { kind: 'newResident'; person: Omit<PersonCreate, 'source' | 'householdId'> }

/**
 * A door-to-door question about a place in the worker's grids (共享校核: two sources disagree and
 * the grid worker of the place is to say which is right), given by the sharing module.
 */
export interface DoorQuestion {
  findingId: number
  version: number
  rule: string
  ruleName: string
  question: string
  entity: string
  entityId: number
  grid: string
  householdId: number | null
  about: string
  address: string
  lng: number | null
  lat: number | null
  left: { label: string; value: unknown; codeTable: string | null }
  right: { label: string; value: unknown; codeTable: string | null }
  since: string
}

/**
 * A proactive-service offer (主动服务) to a household in the worker's grids: a resident became
 * eligible for an item and has not applied; the worker tells them and helps (given by the
 * services module).
 */
export interface DoorOffer {
  id: number
  version: number
  item: string
  itemName: string
  householdId: number | null
  grid: string | null
  personId: number
  name: string
  reason: string
  tell: string
  bring: string[]
  spared: string[]
  since: string
}

/** The rule name of a household visited only for its questions. */
export const VERIFICATION_RULE = { code: 'verification', name: '共享校核核实' }
/** The rule name of a household visited only to tell them of a service they may now have. */
export const OFFER_RULE = { code: 'proactive_service', name: '主动服务告知' }

export interface VisitInput {
  clientId: string
  householdId: number
  visitedAt: string
  note?: string | undefined
  updates?: VisitUpdate[] | undefined
}

/** The nightly generation, at 00:30 Beijing (a scheduled job, once per day). */
const generateJob = (now: Date) => nightly('visits.generate', '00:30', now)

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

/**
 * Writes visits (a client id seen before is skipped) and what follows from them: the households'
 * last visit, and the task of that day (or an earlier one still open) done. Returns the new ones.
 */
async function insertVisits(
  trx: Transaction<DB>,
  rows: readonly {
    client_id: string
    household_id: number
    grid_code: string | null
    user_id: number
    visited_at: string
    note: string | null
  }[],
) {
  const inserted = await sql<{ id: number; client_id: string; household_id: number; visited_at: Date }>`
    insert into visits (client_id, household_id, grid_code, user_id, visited_at, note)
    select client_id, household_id, grid_code, user_id, visited_at, note
    from jsonb_populate_recordset(null::visits, ${JSON.stringify(rows)}::jsonb)
    on conflict (client_id) do nothing
    returning id, client_id, household_id, visited_at`.execute(trx)
  const fresh = inserted.rows
  if (fresh.length) {
    const v = JSON.stringify(
      fresh.map((f) => ({
        id: Number(f.id),
        household_id: Number(f.household_id),
        day: beijingDate(new Date(f.visited_at)),
      })),
    )
    await markHouseholdsVisited(trx, v)
    await sql`
      update visit_tasks t set visit_id = x.id, done_on = x.day::date
      from jsonb_to_recordset(${v}::jsonb) as x(id bigint, household_id bigint, day text)
      where t.household_id = x.household_id and t.day <= x.day::date and t.day >= x.day::date - 31 and t.visit_id is null`.execute(
      trx,
    )
  }
  return fresh
}

export function createVisitsService({
  db,
  persons,
  questions = async () => [],
  offers = async () => [],
  clock = () => new Date(),
  unit = 'street',
}: {
  db: Kysely<DB>
  /** The open door-to-door questions in some grids (the sharing module's cross-check findings). */
  questions?: (grids: readonly string[]) => Promise<DoorQuestion[]>
  /** The open proactive-service offers in some grids (the services module's 主动服务). */
  offers?: (grids: readonly string[]) => Promise<DoorOffer[]>
  /** Record changes made at the door go through the persons service (history, provenance, merge). */
  persons?: PersonsService
  clock?: () => Date
  /**
   * What one statement (and transaction) of the night's run covers: a street on the embedded
   * engine, whose one connection every request waits for; the whole city on PostgreSQL, where the
   * run holds one of many connections and one statement is fastest (40 s against 67 s by street
   * for the full city).
   */
  unit?: 'street' | 'city'
}) {
  /**
   * The record changes of one visit, each merged on the version it was based on (see
   * `persons.mergeUpdate`). A new resident already registered (a re-send after a lost answer) is
   * not registered twice.
   */
  async function applyUpdates(p: Principal, v: VisitInput) {
    const out: { kind: string; personId: number; applied: string[]; flagged: string[] }[] = []
    if (!v.updates?.length) return out
    if (!persons) throw new Error('visits: record changes need the persons service')
    const madeAt = new Date(v.visitedAt)
    const common = { madeAt, source: 'grid_worker', reason: '入户走访', clientId: v.clientId }
    for (const u of v.updates) {
      if (u.kind === 'newResident') {
        const existing = await db.selectFrom('persons').select('id').where('id_number', '=', u.person.idNumber).executeTakeFirst()
        if (existing) {
          out.push({ kind: u.kind, personId: Number(existing.id), applied: [], flagged: [] })
          continue
        }
        const created = await persons.create(p, {
          ...u.person,
          householdId: v.householdId,
          source: 'grid_worker',
        } as PersonCreate)
        out.push({ kind: u.kind, personId: Number((created as { id: number }).id), applied: ['*'], flagged: [] })
        continue
      }
      const fields = u.kind === 'status' ? { status: u.status } : u.fields
      const r = await persons.mergeUpdate(p, u.personId, { ...common, baseVersion: u.baseVersion, fields })
      out.push({ kind: u.kind, personId: u.personId, ...r })
    }
    return out
  }

  const generateIn = async (q: Kysely<DB>, day: string, prefix: string) =>
    Number((await sql<{ n: number }>`select visit_tasks_generate(${day}::date, ${prefix}) as n`.execute(q)).rows[0]?.n ?? 0)
  /** The day's tasks under a region code prefix (a grid, a community, a street; '' for all). */
  const generate = (day: string, prefix = '') => generateIn(db, day, prefix)
  /** The night's notice to each grid of its day's list (in-app: the worker's phone and bell). */
  const noticeLists = async (q: Kysely<DB>, day: string, prefix: string) => {
    const lists = await sql<{ grid_code: string; tasks: number; urgent: number }>`
      select grid_code, count(*)::int as tasks, count(*) filter (where priority <= ${URGENT})::int as urgent
      from visit_tasks
      where day = ${day}::date and grid_code like ${`${prefix}%`} and visit_id is null
      group by grid_code`.execute(q)
    await queueNotices(
      q,
      lists.rows.map((l) => ({
        channel: 'inapp' as const,
        recipient: `grid:${l.grid_code}`,
        template: 'grid.visits',
        payload: { day, tasks: l.tasks, urgent: l.urgent },
      })),
    )
  }
  /** The prefixes the night's run generates, one statement each (see `unit`). */
  const units = async (q: Kysely<DB> = db) =>
    unit === 'city'
      ? ['']
      : (
          await sql<{ street: string }>`
            select distinct left(code, 9) as street from grids where status = 'active' order by 1`.execute(q)
        ).rows.map((r) => r.street)

  return {
    generate,
    units,

    /**
     * Schedules the next night's run. Today's lists, when the night's run did not make them (a new
     * installation, grids drawn since), are generated per grid on first asking: a whole-city run
     * at start-up would hold the embedded database's one connection for minutes.
     */
    async startDaily(now: Date) {
      await schedule(db, generateJob(now))
    },

    /**
     * The night's run fans out into one job per unit (idempotent keys): on the embedded engine a
     * street's lists are one statement in their own transaction, so the run never holds the one
     * connection for long, and a restart resumes with the streets not yet done.
     */
    jobHandlers: {
      'visits.generate': async (trx, jobs, now) => {
        const day = beijingDate(now)
        const prefixes = await units(trx)
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
          out.push({ tasks: await generateIn(trx, day, prefix) })
          await noticeLists(trx, day, prefix)
        }
        return out
      },
    } as Record<string, BatchJobHandler>,

    /** One street's lists per transaction (see `jobHandlers`). */
    jobGroupSize: { 'visits.generate.part': 1 } as Record<string, number>,

    /**
     * The day's tasks of the grids the caller works (their `grid_worker` grants — a cover's too,
     * while a leave runs) or of one grid in their scope: priority first, then walking order.
     */
    async tasks(p: Principal, q: { day?: string | undefined; grid?: string | undefined }) {
      const day = q.day ?? beijingDate(clock())
      let grids: string[]
      if (q.grid) {
        p.check('person.read', q.grid, () => new AppError('NOT_FOUND', `No grid ${q.grid}`, { grid: q.grid }))
        grids = [q.grid]
      } else grids = [...new Set(p.grants.filter((g) => g.role === 'grid_worker' && isGridCode(g.scope)).map((g) => g.scope))]
      if (!grids.length) return { day, grids, tasks: [], checks: [] }
      const read = () =>
        db
          .selectFrom('visit_tasks as t')
          .innerJoin('households as h', 'h.id', 't.household_id')
          .innerJoin('dwellings as d', 'd.id', 'h.dwelling_id')
          .innerJoin('buildings as b', 'b.id', 'd.building_id')
          .leftJoin('visit_rules as r', 'r.code', 't.rule_code')
          .select([
            't.grid_code',
            't.household_id',
            't.rule_code',
            'r.name as rule_name',
            't.priority',
            't.due_on',
            't.visit_id',
            'h.last_visited_on',
            'h.members',
            'd.address',
            'b.lng',
            'b.lat',
          ])
          .where('t.day', '=', day)
          .where('t.grid_code', 'in', grids)
          .execute()
      let rows = await read()
      // A grid drawn (or re-drawn) since the night's run has no tasks yet today: generate its own
      // now (a few hundred households; idempotent).
      if (!rows.length && day === beijingDate(clock())) {
        for (const g of grids) await generate(day, g)
        rows = await read()
      }
      const view = rows.map((r) => {
        const last = r.last_visited_on ? String(r.last_visited_on).slice(0, 10) : null
        const since = last ? Math.round((Date.parse(day) - Date.parse(last)) / 86_400_000) : null
        return {
          grid: r.grid_code,
          householdId: Number(r.household_id),
          rule: r.rule_code,
          ruleName: r.rule_name ?? r.rule_code,
          priority: r.priority,
          dueOn: String(r.due_on).slice(0, 10),
          overdue: String(r.due_on).slice(0, 10) < day,
          done: r.visit_id !== null,
          lastVisitedOn: last,
          // Red: not visited for 30 days or more (or never).
          red: since === null || since >= RED_AFTER_DAYS,
          members: r.members,
          address: r.address,
          lng: r.lng,
          lat: r.lat,
        }
      })
      // The day's door-to-door questions: on the household's visit, or a visit of their own
      // (first, urgent); a question about no household (a shop, an empty flat) is a check apart.
      const [asked, offered] = await Promise.all([questions(grids), offers(grids)])
      const byHousehold = new Map<number, DoorQuestion[]>()
      for (const x of asked)
        if (x.householdId !== null) byHousehold.set(x.householdId, [...(byHousehold.get(x.householdId) ?? []), x])
      const offersOf = new Map<number, DoorOffer[]>()
      for (const x of offered)
        if (x.householdId !== null) offersOf.set(x.householdId, [...(offersOf.get(x.householdId) ?? []), x])
      const listed = new Set(view.map((t) => t.householdId))
      const extra = [...new Set([...byHousehold.keys(), ...offersOf.keys()])].filter((id) => !listed.has(id))
      if (extra.length) {
        const homes = await db
          .selectFrom('households as h')
          .innerJoin('dwellings as d', 'd.id', 'h.dwelling_id')
          .innerJoin('buildings as b', 'b.id', 'd.building_id')
          .select(['h.id', 'd.grid_code', 'h.last_visited_on', 'h.members', 'd.address', 'b.lng', 'b.lat'])
          .where('h.id', 'in', extra)
          .execute()
        for (const h of homes) {
          const last = h.last_visited_on ? String(h.last_visited_on).slice(0, 10) : null
          const since = last ? Math.round((Date.parse(day) - Date.parse(last)) / 86_400_000) : null
          const question = (byHousehold.get(Number(h.id)) ?? [])[0]
          const offer = (offersOf.get(Number(h.id)) ?? [])[0]
          const rule = question ? VERIFICATION_RULE : OFFER_RULE
          view.push({
            grid: h.grid_code as string,
            householdId: Number(h.id),
            rule: rule.code,
            ruleName: rule.name,
            priority: question ? 0 : 1,
            dueOn: question?.since.slice(0, 10) ?? offer?.since ?? day,
            overdue: false,
            done: false,
            lastVisitedOn: last,
            red: since === null || since >= RED_AFTER_DAYS,
            members: h.members,
            address: h.address,
            lng: h.lng,
            lat: h.lat,
          })
        }
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
    },

    /**
     * Records visits (one, or a phone's queue). A visit already received under its client id is
     * answered as it was recorded, and changes nothing. Households outside the caller's scope
     * refuse the whole batch (nothing half-written).
     */
    async record(p: Principal, items: VisitInput[]) {
      const ids = [...new Set(items.map((i) => i.householdId))]
      const homes = await db
        .selectFrom('households as h')
        .leftJoin('dwellings as d', 'd.id', 'h.dwelling_id')
        .select(['h.id', 'h.community_code', 'd.grid_code'])
        .where('h.id', 'in', ids.length ? ids : [0])
        .execute()
      const where = new Map(homes.map((h) => [Number(h.id), h]))
      for (const i of items) {
        const h = where.get(i.householdId)
        const missing = () => new AppError('NOT_FOUND', `No household ${i.householdId}`, { householdId: i.householdId })
        if (!h) throw missing()
        p.check('person.write', h.grid_code ?? h.community_code, missing)
        if (Date.parse(i.visitedAt) > clock().getTime() + 5 * 60_000)
          throw new AppError('VALIDATION_FAILED', 'A visit cannot be in the future', {
            issues: [{ path: 'visitedAt', message: `${i.clientId}: after now` }],
          })
      }
      // Record changes first (each in its own transaction), for visits not received before: a
      // visit re-sent after a crash between the two re-applies them harmlessly (same values).
      const seen = new Set(
        (
          await db
            .selectFrom('visits')
            .select('client_id')
            .where(
              'client_id',
              'in',
              items.map((i) => i.clientId),
            )
            .execute()
        ).map((r) => r.client_id),
      )
      const changes = new Map<string, Awaited<ReturnType<typeof applyUpdates>>>()
      for (const i of items) if (!seen.has(i.clientId)) changes.set(i.clientId, await applyUpdates(p, i))
      return db.transaction().execute(async (trx) => {
        const fresh = await insertVisits(
          trx,
          items.map((i) => ({
            client_id: i.clientId,
            household_id: i.householdId,
            grid_code: where.get(i.householdId)?.grid_code ?? null,
            user_id: p.user.id,
            visited_at: i.visitedAt,
            note: i.note ?? null,
          })),
        )
        const fresh_ = new Set(fresh.map((f) => f.client_id))
        const all = await trx
          .selectFrom('visits')
          .select(['id', 'client_id', 'household_id', 'visited_at', 'user_id'])
          .where(
            'client_id',
            'in',
            items.map((i) => i.clientId),
          )
          .execute()
        const byClient = new Map(all.map((v) => [v.client_id, v]))
        return items.map((i) => {
          const v = byClient.get(i.clientId)
          if (!v) throw new Error(`visit ${i.clientId} neither inserted nor found`)
          // A client id already used for another household is a client bug, not a replay.
          if (Number(v.household_id) !== i.householdId)
            throw new AppError('CONFLICT', `Client id ${i.clientId} was used for another household`, { clientId: i.clientId })
          return {
            id: Number(v.id),
            clientId: v.client_id,
            householdId: Number(v.household_id),
            visitedAt: new Date(v.visited_at).toISOString(),
            replayed: !fresh_.has(i.clientId),
            changes: changes.get(i.clientId) ?? [],
          }
        })
      })
    },

    /**
     * Visits made by others and recorded in bulk — a previous system's visit log taken over, a
     * paper register typed in, the demo's simulated months: each visit names the worker who made
     * it (a user holding the household's grid, or covering it). No record changes; idempotent by
     * client id like the phone's sync; the households' last visits and the open tasks follow as
     * for a visit recorded at the door. The importer needs `person.write` over every household.
     */
    async importVisits(
      p: Principal,
      items: readonly { clientId: string; householdId: number; userId: number; visitedAt: string; note?: string | undefined }[],
    ) {
      if (!items.length) return { inserted: 0, replayed: 0 }
      const ids = [...new Set(items.map((i) => i.householdId))]
      const homes = await sql<{ id: number; community_code: string; grid_code: string | null }>`
        select h.id, h.community_code, d.grid_code
        from households h left join dwellings d on d.id = h.dwelling_id
        where h.id = any (${ids}::bigint[])`.execute(db)
      const where = new Map(homes.rows.map((h) => [Number(h.id), h]))
      const now = clock().getTime()
      for (const i of items) {
        const h = where.get(i.householdId)
        const missing = () => new AppError('NOT_FOUND', `No household ${i.householdId}`, { householdId: i.householdId })
        if (!h) throw missing()
        p.check('person.write', h.grid_code ?? h.community_code, missing)
        if (i.clientId.length < 8 || i.clientId.length > 64 || Number.isNaN(Date.parse(i.visitedAt)))
          throw new AppError('VALIDATION_FAILED', 'A visit needs a client id of 8–64 characters and a time', {
            issues: [{ path: 'clientId', message: i.clientId }],
          })
        if (Date.parse(i.visitedAt) > now + 5 * 60_000)
          throw new AppError('VALIDATION_FAILED', 'A visit cannot be in the future', {
            issues: [{ path: 'visitedAt', message: `${i.clientId}: after now` }],
          })
      }
      const fresh = await db.transaction().execute((trx) =>
        insertVisits(
          trx,
          items.map((i) => ({
            client_id: i.clientId,
            household_id: i.householdId,
            grid_code: where.get(i.householdId)?.grid_code ?? null,
            user_id: i.userId,
            visited_at: i.visitedAt,
            note: i.note ?? null,
          })),
        ),
      )
      return { inserted: fresh.length, replayed: items.length - fresh.length }
    },

    /**
     * Visit coverage per grid under a region, for the map: the occupied households visited within
     * the last `days` (Beijing dates) against all of them, and those never visited — only grids the
     * caller may read persons of.
     */
    async coverage(p: Principal, region: string, days: number) {
      p.check('person.read', region, () => new AppError('NOT_FOUND', `No region ${region}`, { region }))
      const since = beijingDate(new Date(clock().getTime() - days * 86_400_000))
      const rows = await sql<{ grid: string; households: number; visited: number; never: number }>`
        select d.grid_code as grid, count(*)::int as households,
          count(*) filter (where h.last_visited_on >= ${since}::date)::int as visited,
          count(*) filter (where h.last_visited_on is null)::int as never
        from households h join dwellings d on d.id = h.dwelling_id
        where d.community_code like ${`${codeAt(region, 'community')}%`} and d.grid_code like ${`${region}%`}
          and h.members > 0
        group by d.grid_code
        order by d.grid_code`.execute(db)
      return {
        region,
        days,
        since,
        grids: rows.rows
          .filter((r) => p.allows('person.read', r.grid))
          .map((r) => ({ ...r, share: r.households ? Math.round((r.visited / r.households) * 1000) / 1000 : 0 })),
      }
    },

    /** Flags of concurrent changes to the same field (the later change kept), for the grid chief. */
    conflicts: (p: Principal, region: string, status: 'open' | 'all') => listConflicts(db, p, region, status),

    /** The grid chief keeps the value that won, or puts the other one back (a change of its own). */
    resolve(p: Principal, id: number, keep: 'kept' | 'other') {
      if (!persons) throw new Error('visits: resolving needs the persons service')
      return resolveConflict(db, persons, p, id, keep, clock())
    },

    async rules() {
      const rows = await db.selectFrom('visit_rules').selectAll().orderBy('priority').orderBy('code').execute()
      return rows.map((r) => ({
        code: r.code,
        name: r.name,
        nameEn: r.name_en,
        kind: r.kind,
        value: r.value,
        everyDays: r.every_days,
        priority: r.priority,
        active: r.active,
        version: r.version,
      }))
    },
  }
}

export type VisitsService = ReturnType<typeof createVisitsService>
