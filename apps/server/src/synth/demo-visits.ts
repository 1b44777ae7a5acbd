// The demo's door-to-door quarter (issue 22 §2): day by day over the last `days`, the night's run
// makes each street's visit lists (the platform's own `visit_tasks_generate`, as the scheduler
// does), and each grid's worker — or the partner covering a leave — works through them as
// diligently as that worker does (demo-staff.ts): most make nearly every visit the day it falls
// due, some fall behind, a few far behind; what is left waits for the next day and counts as late.
// Visits enter through the visits service (its bulk path: the households' last visits and the
// tasks done follow as at the door). Then the last two weeks' patrols, walked building to building
// with a GPS point every few dozen metres, through the patrols service as the phone sends them.
import { beijingDate } from '@wangge/domain'
import { createRng } from '@wangge/geo'
import { sql } from 'kysely'
import type { Database } from '../db/database.js'
import { breathe } from '../kernel/breathe.js'
import { analyze } from '../modules/jobs/index.js'
import { createPatrolsService } from '../modules/patrols/index.js'
import { createPersonsService } from '../modules/persons/index.js'
import { createVisitsService, walkingOrder } from '../modules/visits/index.js'
import { actorOn, demoPrincipal, diligence, loadStaff, workerPrincipal } from './demo-staff.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR
const NOTES = [
  '',
  '',
  '',
  '',
  '',
  '家中无人，已电话联系',
  '老人身体状况良好',
  '提醒注意用电安全',
  '核实人口信息无变化',
  '告知社区活动安排',
]

export interface VisitsDemo {
  visits: number
  tasks: number
  patrols: number
  /** Record changes made at the door (a new phone number) in the last weeks … */
  changes: number
  /** … of which the office had changed the same field meanwhile: flagged for the grid chief. */
  conflicts: number
  ms: number
}

/** Beijing midnight of the day `d` days before `end`. */
const midnightBefore = (end: number, d: number) => Math.floor((end - d * DAY + 8 * HOUR) / DAY) * DAY - 8 * HOUR

export async function simulateVisits(
  database: Database,
  scope: string,
  opts: { days?: number; patrolDays?: number; now?: Date; onProgress?: (done: number, total: number) => void } = {},
): Promise<VisitsDemo> {
  const t0 = Date.now()
  const db = database.db
  const end = (opts.now ?? new Date()).getTime()
  const days = opts.days ?? 90
  let now = new Date(end - days * DAY)
  const clock = () => now
  const visits = createVisitsService({ db, clock })
  const staff = await loadStaff(database, scope)
  const p = demoPrincipal(scope, 'demo-visits', '演示：走访记录导入')
  const streets = (
    await sql<{ street: string }>`
      select distinct left(code, 9) as street from grids where status = 'active' and code like ${`${scope}%`} order by 1`.execute(
      db,
    )
  ).rows.map((r) => r.street)
  const rng = createRng(`demo-visits:${scope}`)
  let made = 0
  let tasks = 0
  const average = new Map<string, number>()
  const load = new Map<string, number>()
  for (let d = days; d >= 0; d--) {
    const midnight = midnightBefore(end, d)
    const day = beijingDate(new Date(midnight + 12 * HOUR))
    now = new Date(midnight + 2 * HOUR) // the night's run
    for (const street of streets) {
      tasks += await visits.generate(day, street)
      await breathe()
    }
    const open = (
      await sql<{ household_id: number; grid_code: string; due_on: string }>`
        select household_id, grid_code, due_on::text from visit_tasks
        where day = ${day}::date and visit_id is null and grid_code like ${`${scope}%`}
        order by grid_code, priority, due_on, household_id`.execute(db)
    ).rows
    // What falls due in each grid today, its running average, and the highest that average has
    // been: the grid's daily load (a worker behind makes fewer tasks fall due afresh — their
    // households stay overdue — so the average alone would shrink their day's work to nothing).
    const fresh = new Map<string, number>()
    for (const t of open) if (t.due_on === day) fresh.set(t.grid_code, (fresh.get(t.grid_code) ?? 0) + 1)
    for (const grid of new Set([...fresh.keys(), ...average.keys()])) {
      const a = average.has(grid) ? 0.8 * (average.get(grid) as number) + 0.2 * (fresh.get(grid) ?? 0) : (fresh.get(grid) ?? 0)
      average.set(grid, a)
      load.set(grid, Math.max(load.get(grid) ?? 0, a))
    }
    const items: { clientId: string; householdId: number; userId: number; visitedAt: string; note?: string }[] = []
    const last = d === 0 ? end : midnight + 18 * HOUR
    const doneIn = new Map<string, number>()
    let capacity = 0
    for (const t of open) {
      const who = actorOn(staff, t.grid_code, day)
      if (!who) continue
      // A day's visits are what the worker gets through: a little more than the grid's daily load
      // for the diligent (a backlog melts), less for those behind (it grows: their households go
      // unvisited for weeks — amber and red on the coverage map). Most urgent and oldest first.
      // A cover does what they can on top of their own grid.
      if (!doneIn.has(t.grid_code)) {
        const own = staff.worker.get(t.grid_code)
        const pace = diligence(own?.username ?? who.username).visits * (who.covering ? 0.8 : 1)
        capacity = Math.floor((0.45 + 0.65 * pace) * (load.get(t.grid_code) ?? 0) + rng())
        doneIn.set(t.grid_code, 0)
      }
      if ((doneIn.get(t.grid_code) as number) >= capacity) continue
      doneIn.set(t.grid_code, (doneIn.get(t.grid_code) as number) + 1)
      const at = midnight + 8.5 * HOUR + Math.floor(rng() * 9 * HOUR)
      if (at > last) continue
      const note = NOTES[Math.floor(rng() * NOTES.length)] as string
      items.push({
        clientId: `demo-v-${day}-${t.household_id}`,
        householdId: Number(t.household_id),
        userId: who.id,
        visitedAt: new Date(at).toISOString(),
        ...(note ? { note } : {}),
      })
    }
    now = new Date(Math.min(end, midnight + 20 * HOUR))
    for (let k = 0; k < items.length; k += 2000) {
      made += (await visits.importVisits(p, items.slice(k, k + 2000))).inserted
      await breathe()
    }
    opts.onProgress?.(days - d + 1, days + 1)
    // A week's tasks and visits at a time: the embedded engine does not refresh the statistics by
    // itself, and the visits' update of their tasks was planned for the empty tables of day one.
    if ((days - d) % 7 === 6) await analyze(db, ['visit_tasks', 'visits', 'households'])
  }
  const patrols = await simulatePatrols(database, scope, staff, end, opts.patrolDays ?? 14)
  const changes = await simulateDoorChanges(database, scope, staff, end)
  return { visits: made, tasks, patrols, ...changes, ms: Date.now() - t0 }
}

/** Each worker patrols their grid two or three times a week over the last `days`. */
async function simulatePatrols(
  database: Database,
  scope: string,
  staff: Awaited<ReturnType<typeof loadStaff>>,
  end: number,
  days: number,
): Promise<number> {
  const db = database.db
  let now = new Date(end)
  const patrols = createPatrolsService({ db, clock: () => now })
  const buildings = new Map<string, { lng: number; lat: number }[]>()
  for (const b of (
    await sql<{ grid_code: string; lng: number; lat: number }>`
      select grid_code, lng, lat from buildings where grid_code like ${`${scope}%`} order by grid_code, id`.execute(db)
  ).rows) {
    const list = buildings.get(b.grid_code) ?? []
    list.push({ lng: b.lng, lat: b.lat })
    buildings.set(b.grid_code, list)
  }
  const rng = createRng(`demo-patrols:${scope}`)
  let n = 0
  for (let d = days; d >= 1; d--) {
    const midnight = midnightBefore(end, d)
    const day = beijingDate(new Date(midnight + 12 * HOUR))
    for (const [grid, own] of staff.worker) {
      if (rng() > 0.4 * diligence(own.username).visits) continue
      const who = actorOn(staff, grid, day)
      const route = buildings.get(grid)
      if (!who || who.covering || !route?.length) continue
      const p = workerPrincipal(staff, who, [grid])
      const start = midnight + 9 * HOUR + Math.floor(rng() * 6 * HOUR)
      // Building to building in walking order, a point every ≈ 25 m, a few metres of GPS noise;
      // a diligent worker passes most of them, a hurried one cuts the round short.
      const order = walkingOrder(route)
      const visited = order.slice(0, Math.max(1, Math.round(order.length * (0.6 + 0.4 * rng()))))
      const points: { seq: number; at: string; lng: number; lat: number; accuracyM: number }[] = []
      let t = start
      let prev = visited[0] as { lng: number; lat: number }
      for (const b of visited) {
        const metres = Math.hypot((b.lng - prev.lng) * 101_000, (b.lat - prev.lat) * 111_000)
        const steps = Math.max(1, Math.round(metres / 25))
        for (let s = 1; s <= steps; s++) {
          t += 20_000
          const f = s / steps
          points.push({
            seq: points.length + 1,
            at: new Date(t).toISOString(),
            lng: prev.lng + (b.lng - prev.lng) * f + (rng() - 0.5) * 0.00008,
            lat: prev.lat + (b.lat - prev.lat) * f + (rng() - 0.5) * 0.00008,
            accuracyM: 5 + Math.round(rng() * 15),
          })
        }
        prev = b
      }
      now = new Date(start)
      const patrol = await patrols.start(p, { clientId: `demo-p-${day}-${grid}`, grid, startedAt: now.toISOString() })
      if (patrol.endedAt) continue
      for (let k = 0; k < points.length; k += 500) await patrols.addPoints(p, patrol.id, points.slice(k, k + 500))
      now = new Date(t + 60_000)
      await patrols.end(p, patrol.id, now.toISOString())
      n++
      await breathe()
    }
  }
  return n
}

/**
 * Record changes at the door over the last 30 days: in about one grid in four the worker notes a
 * resident's new phone number on a visit (through the visits service, as the phone syncs it); in
 * every eighth of those the public-security feed had changed the same number meanwhile, after the
 * phone's copy was taken — the later change stands and the grid chief finds the conflict to resolve.
 */
async function simulateDoorChanges(
  database: Database,
  scope: string,
  staff: Awaited<ReturnType<typeof loadStaff>>,
  end: number,
): Promise<{ changes: number; conflicts: number }> {
  const db = database.db
  let now = new Date(end)
  const persons = createPersonsService({ db })
  const visits = createVisitsService({ db, persons, clock: () => now })
  const office = demoPrincipal(scope, 'demo-office', '演示：公安数据交换')
  const rng = createRng(`demo-door:${scope}`)
  const grids = [...staff.worker.keys()].filter(() => rng() < 0.25)
  let changes = 0
  let conflicts = 0
  for (const grid of grids) {
    const at = end - (1 + Math.floor(rng() * 29)) * DAY
    const day = beijingDate(new Date(at))
    const who = actorOn(staff, grid, day)
    if (!who) continue
    const person = (
      await sql<{ id: number; household_id: number; version: number }>`
        select p.id, p.household_id, p.version from persons p join dwellings d on d.id = p.dwelling_id
        where d.grid_code = ${grid} and p.status = 'active' and p.household_id is not null
        order by md5(p.id::text) limit 1`.execute(db)
    ).rows[0]
    if (!person) continue
    const phone = () => `13${String(Math.floor(rng() * 1e9)).padStart(9, '0')}`
    const visitedAt = midnightBefore(at, 0) + 10 * HOUR + Math.floor(rng() * 6 * HOUR)
    const clash = changes % 8 === 3
    if (clash) {
      now = new Date(visitedAt + 2 * HOUR)
      await persons.mergeUpdate(office, Number(person.id), {
        baseVersion: person.version,
        fields: { phone: phone() },
        madeAt: now,
        source: 'police',
        reason: '户籍信息交换',
        clientId: `demo-office-${day}-${person.id}`,
      })
    }
    now = new Date(visitedAt + 4 * HOUR) // (the phone syncs later)
    const [r] = await visits.record(workerPrincipal(staff, who, who.covering ? [grid, who.grid] : [grid]), [
      {
        clientId: `demo-door-${day}-${person.household_id}`,
        householdId: Number(person.household_id),
        visitedAt: new Date(visitedAt).toISOString(),
        note: '入户核实，更新联系电话',
        updates: [{ kind: 'person', personId: Number(person.id), baseVersion: person.version, fields: { phone: phone() } }],
      },
    ])
    changes++
    if (r?.changes.some((c) => c.flagged.length)) conflicts++
    await breathe()
  }
  return { changes, conflicts }
}
