// Step writing: many steps in one transaction (批量 dispatch, or a simulation). Each item is planned
// against its row exactly as a single step is (step-plan.ts), and the successful ones are written
// together — one update per set of changed columns (each case only at the version planned on), one
// insert of steps, of jobs, of notices, one audit append. An item that fails answers its own error;
// the others go through.
import { CLOCK_RUNNING, type WorkCalendar } from '@wangge/domain'
import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import { retryConflicts } from '../../kernel/retry.js'
import { audit, type Principal } from '../access/index.js'
import type { CatalogService } from '../catalog/index.js'
import { cancelPendingJobs, schedule } from '../jobs/index.js'
import type { AttachmentsService } from './attachments.service.js'
import { sees, unseen } from './case-access.js'
import { type ActInput, CLOSING, codeOf, MUTABLE, type PlanRow, type Trx, versionConflict } from './case-model.js'
import type { CaseSettingsService } from './case-settings.service.js'
import * as repo from './cases.repository.js'
import { caseById, catalogEntry, componentDepartment, departmentExists } from './cases.repository.js'
import { notifyMany } from './notices.js'
import { planStep, type Routed, type StepLookups, type StepPlan } from './step-plan.js'

export interface StepWriteDeps {
  db: Kysely<DB>
  settings: CaseSettingsService
  catalog: CatalogService
  attachments: () => AttachmentsService
  clock: () => Date
}

type Planned = { r: PlanRow; input: ActInput; plan: StepPlan }

/** The facts steps look up, each asked once per batch (a batch of one subclass asks once). */
function stepLookups(trx: Trx, catalog: CatalogService): StepLookups {
  const memo = new Map<string, Promise<unknown>>()
  const once = <T>(key: string, f: () => Promise<T>) => {
    let v = memo.get(key) as Promise<T> | undefined
    if (!v) {
      v = f()
      memo.set(key, v)
    }
    return v
  }
  const entry = (code: string) => once(`entry:${code}`, () => catalogEntry(trx, code))
  return {
    entry,
    route: (r) =>
      once(
        `route:${r.catalog_code}:${r.grid_code ?? r.community_code}:${r.component_code ?? ''}`,
        async () =>
          (await catalog.responsible(
            { code: r.catalog_code, department: (await entry(r.catalog_code)).department },
            { grid: r.grid_code, community: r.community_code },
            r.component_code && r.kind === 'component' ? await componentDepartment(trx, r.component_code) : undefined,
            trx,
          )) as Routed,
      ),
    departmentExists: (code) => once(`dept:${code}`, () => departmentExists(trx, code)),
    caseById: (id) => caseById(trx, id),
  }
}

export async function stepMany(
  deps: StepWriteDeps,
  p: Principal,
  items: (ActInput & { id: number })[],
  views: boolean,
): Promise<{ cal: WorkCalendar; results: ({ row: PlanRow } | { error: AppError })[] }> {
  const { db, settings, catalog, attachments, clock } = deps
  const { calendar: cal, settings: s } = await settings.current()
  await attachments().requireOwn(p, [...new Set(items.flatMap((i) => i.photos ?? []))])
  const now = clock()
  const ids = [...new Set(items.map((i) => i.id))]
  if (ids.length !== items.length)
    throw new AppError('VALIDATION_FAILED', 'A case appears twice in one batch', {
      issues: [{ path: 'id', message: 'repeated' }],
    })
  // (A deadlock with the supervision runner, which locks cases in id order while a batch updates
  // them in its own order, makes PostgreSQL abort one side: this side starts over, re-reading.)
  const results = await retryConflicts(() =>
    db.transaction().execute(async (trx) => {
      // Read without row locks: the write below takes each case only at the version planned on
      // (optimistic), so a case changed in between is a version conflict for that item alone.
      // (Without views only the columns the planning needs travel: half the row, none of its text.)
      const read = await repo.casesToPlan(trx, ids, views)
      const byId = new Map(read.map((r) => [Number(r.id), r]))
      const errors = new Map<number, AppError>() // by case id
      const done: Planned[] = []
      const lookup = stepLookups(trx, catalog)
      for (const input of items) {
        const r = byId.get(input.id)
        try {
          if (!r || !sees(p, r)) throw unseen(p, r, input.id)
          done.push({ r, input, plan: await planStep(p, r, input, { now, cal, s, lookup }) })
        } catch (err) {
          if (!(err instanceof AppError)) throw err
          errors.set(input.id, err)
        }
      }
      const answer = (after: Map<number, PlanRow>): ({ row: PlanRow } | { error: AppError })[] =>
        items.map((i) => {
          const error = errors.get(i.id)
          return error ? { error } : { row: after.get(i.id) as PlanRow }
        })
      if (!done.length) return answer(new Map())
      const written = await writeCaseUpdates(trx, done, now)
      for (let i = done.length - 1; i >= 0; i--) {
        const { r } = done[i] as (typeof done)[number]
        if (written.has(Number(r.id))) continue
        errors.set(Number(r.id), versionConflict(r.version + 1, r.version))
        done.splice(i, 1)
      }
      if (!done.length) return answer(new Map())
      // The rows as written: whole for views, else what the caller is answered (id, status, version).
      const after = new Map(
        done.map(({ r, plan }) => [
          Number(r.id),
          (views
            ? { ...r, ...plan.set, status: plan.t.next, version: r.version + 1, updated_at: now }
            : { id: r.id, status: plan.t.next, version: r.version + 1 }) as PlanRow,
        ]),
      )
      await writeStepRecords(trx, p, done, now)
      return answer(after)
    }),
  )
  return { cal, results }
}

/** The cases' new values, one statement per set of changed columns; answers the ids written (a
 *  case changed since it was read is not). */
async function writeCaseUpdates(trx: Trx, done: Planned[], now: Date): Promise<Set<number>> {
  // Only the id and the columns the step changes travel, one statement per set of columns (a
  // batch of one action is usually one). Instants go as ISO text, each distinct one turned
  // once (a batch shares its moment and a few deadlines).
  const isoOf = new Map<number, string>()
  const json = (v: unknown) => {
    if (!(v instanceof Date)) return v
    let t = isoOf.get(v.getTime())
    if (t === undefined) {
      t = v.toISOString()
      isoOf.set(v.getTime(), t)
    }
    return t
  }
  const nowIso = json(now) as string
  const groups = new Map<string, { cols: (typeof MUTABLE)[number][]; rows: Record<string, unknown>[] }>()
  for (const { r, plan } of done) {
    const cols = MUTABLE.filter((col) => col in plan.set || col === 'status' || col === 'version' || col === 'updated_at')
    const key = cols.join()
    const g = groups.get(key) ?? { cols, rows: [] }
    const o: Record<string, unknown> = { id: r.id }
    for (const col of cols)
      o[col] =
        col === 'status' ? plan.t.next : col === 'version' ? r.version + 1 : col === 'updated_at' ? nowIso : json(plan.set[col])
    g.rows.push(o)
    groups.set(key, g)
  }
  const written = new Set<number>()
  for (const g of groups.values()) {
    g.rows.sort((a, b) => Number(a.id) - Number(b.id)) // updated in id order, as the runner locks
    const updated = await repo.updateCases(trx, g.cols, g.rows)
    for (const u of updated) written.add(Number(u.id))
  }
  return written
}

/** Everything a batch of steps leaves besides the cases: steps, the chase, notices, the audit. */
async function writeStepRecords(trx: Trx, p: Principal, done: Planned[], now: Date) {
  const nowIso = now.toISOString()
  await repo.insertSteps(
    trx,
    done.map(({ r, input, plan }) => ({
      case_id: Number(r.id),
      at: nowIso,
      action: plan.t.action,
      from_status: r.status,
      to_status: plan.t.next,
      actor: p.actor,
      note: input.note ?? input.reason ?? input.result ?? null,
      details: {
        ...plan.details,
        ...(input.reason ? { reason: input.reason } : {}),
        ...(input.satisfaction ? { satisfaction: input.satisfaction } : {}),
        ...(input.score ? { score: input.score } : {}),
      },
      attachments: plan.photos,
    })),
  )
  // The chasing of a deadline that moved or stopped is dropped; the new one scheduled.
  const moved = done.filter(
    ({ plan }) => 'deadline_gen' in plan.set || !(CLOCK_RUNNING as readonly string[]).includes(plan.t.next),
  )
  // (Chasing jobs the runner holds at this moment run after this commits and find their
  // generation stale.)
  await cancelPendingJobs(
    trx,
    moved.map(({ r }) => Number(r.id)),
  )
  const jobs = done.flatMap(({ plan }) => plan.jobs)
  if (jobs.length) await schedule(trx, jobs)
  const closing = done.filter(({ r, plan }) => CLOSING.has(plan.t.next) && plan.t.next !== r.status)
  if (closing.length)
    await notifyMany(
      trx,
      closing.map(({ r, input, plan }) => ({ r, next: plan.t.next, input })),
    )
  const merged = done.filter(({ plan }) => plan.t.next === 'merged')
  await repo.insertNotices(trx, [
    ...merged.map(({ r, plan }) => ({
      case_id: Number(r.id),
      recipient: r.reporter,
      recipient_user_id: r.reporter_user_id,
      kind: 'merged',
      message: `您报告的问题（${r.number}）与案卷 ${(plan.details.target as { number: string }).number} 为同一事项，已合并处理，结果将一并告知。`,
    })),
    ...done.flatMap(({ r, plan }) => plan.notices.map((n) => ({ case_id: Number(r.id), recipient_user_id: null, ...n }))),
  ])
  // One audit entry per case for a single step; a batch is one entry per action naming its
  // cases (each case's own steps are in its timeline).
  const entries = done.map(({ r, input, plan }) => ({
    actor: p.actor,
    action: `case.${plan.t.action}`,
    objectType: 'case',
    objectId: Number(r.id),
    scope: codeOf(r),
    reason: input.reason ?? null,
    requestId: p.requestId,
    clientIp: p.clientIp,
    details: { number: r.number, from: r.status, to: plan.t.next, version: r.version + 1 },
  }))
  if (entries.length === 1) await audit(trx, entries)
  else
    await audit(
      trx,
      [...new Set(entries.map((e) => e.action))].map((action) => {
        const of = entries.filter((e) => e.action === action)
        return {
          actor: p.actor,
          action,
          objectType: 'case',
          objectId: null,
          requestId: p.requestId,
          clientIp: p.clientIp,
          details: { batch: of.length, cases: of.map((e) => [e.objectId, e.details.from, e.details.to]) },
        }
      }),
    )
}
