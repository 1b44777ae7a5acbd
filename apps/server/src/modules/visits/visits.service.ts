// Household visits (issue: grid workers): visit rules as data (migration 0020), the day's tasks
// generated each night for every grid (`visit_tasks_generate`), a worker's list for the day —
// priority first, then a walking order (nearest neighbour over the buildings) — and the visits
// recorded door to door, in batches from a phone's offline queue, idempotent by client id. This
// file wires the use cases: visit-lists.ts (the night's lists, the worker's day), visit-records.ts
// (visits recorded and imported), visit-model.ts (shapes); every statement in visits.repository.ts.
import { beijingDate, codeAt } from '@wangge/domain'
import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import type { Principal } from '../access/index.js'
import { schedule } from '../jobs/index.js'
import { listConflicts, type PersonsService, resolveConflict } from '../persons/index.js'
import { generateJob, listJobHandlers, tasks, units } from './visit-lists.js'
import type { DoorOffer, DoorQuestion, VisitInput, VisitsContext } from './visit-model.js'
import { importVisits, record } from './visit-records.js'
import { createVisitsRepository } from './visits.repository.js'

export { walkingOrder } from './visit-lists.js'
export * from './visit-model.js'

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
  /** What one statement of the night's run covers (see `units` in visit-lists.ts). */
  unit?: 'street' | 'city'
}) {
  const repo = createVisitsRepository(db)
  const ctx: VisitsContext = { db, repo, persons, questions, offers, clock }
  return {
    /** The day's tasks under a region code prefix (a grid, a community, a street; '' for all). */
    generate: (day: string, prefix = '') => repo.generate(db, day, prefix),
    units: (q: Kysely<DB> = db) => units(ctx, unit, q),

    /**
     * Schedules the next night's run. Today's lists, when the night's run did not make them (a new
     * installation, grids drawn since), are generated per grid on first asking: a whole-city run
     * at start-up would hold the embedded database's one connection for minutes.
     */
    async startDaily(now: Date) {
      await schedule(db, generateJob(now))
    },
    jobHandlers: listJobHandlers(ctx, unit),
    /** One street's lists per transaction (see `listJobHandlers`). */
    jobGroupSize: { 'visits.generate.part': 1 } as Record<string, number>,

    tasks: (p: Principal, q: { day?: string | undefined; grid?: string | undefined }) => tasks(ctx, p, q),
    record: (p: Principal, items: VisitInput[]) => record(ctx, p, items),
    importVisits: (p: Principal, items: Parameters<typeof importVisits>[2]) => importVisits(ctx, p, items),

    /**
     * Visit coverage per grid under a region, for the map: the occupied households visited within
     * the last `days` (Beijing dates) against all of them, and those never visited — only grids the
     * caller may read persons of.
     */
    async coverage(p: Principal, region: string, days: number) {
      p.check('person.read', region, () => new AppError('NOT_FOUND', `No region ${region}`, { region }))
      const since = beijingDate(new Date(clock().getTime() - days * 86_400_000))
      const rows = await repo.coverage(codeAt(region, 'community'), region, since)
      return {
        region,
        days,
        since,
        grids: rows
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
      return (await repo.rules()).map((r) => ({
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
