// Cases (案卷) through the five-step loop. Intake places a report (point → grid, or the component's
// place), numbers it and suggests duplicates; every later step goes through the shared transition
// table (@wangge/domain case-workflow) inside one transaction that locks the case row, checks the
// caller's version (two people acting at once: one wins, the other gets 409) and records the step.
//
// The clock (docs/ARCHITECTURE.md, "Case clock"):
//  - dispatch starts it: deadline = dispatch + the subclass's time limit for the case's urgency, as
//    the catalog said when the case was reported; a department may return the case within
//    `returnWindowDays` working days of dispatch;
//  - returned: the department's clock is void; the next dispatch starts a fresh limit;
//  - an extension request does not stop the clock (it must be made before the deadline); an
//    approval moves the deadline by the days granted, counted from the old deadline;
//  - parked: the clock stops, the minutes left are kept and resume on unparking;
//  - rework (failed verification, dissatisfied call-back): a fresh limit from that moment; a
//    reworked case is never "closed on time".
// Chasing (催办/督办) is done by scheduled jobs keyed by the deadline's generation: a reminder
// when `remindShare` of the limit is left, a yellow card at the deadline, a red card
// `redAfterWorkingDays` working days later. A job whose generation is stale does nothing.
import {
  actionsFrom,
  addWorkingMinutes,
  type CaseStatus,
  CLOCK_RUNNING,
  caseCell,
  caseNumber,
  codeAt,
  deadline as computeDeadline,
  duplicateCandidates,
  InvalidTransition,
  isGridCode,
  limitMinutes,
  minutesLeft,
  minutesPerDay,
  nearbyCells,
  type OpenCase,
  TERMINAL,
  type TimeLimit,
  type Transition,
  transition,
  type WorkCalendar,
  workingMinutesBetween,
} from '@wangge/domain'
import { type Insertable, type Kysely, type Selectable, type SqlBool, sql, type Transaction } from 'kysely'
import type { CaseCatalogTable, CasesTable, DB } from '../../db/schema.js'
import { createBatcher } from '../../kernel/batcher.js'
import { insertJson } from '../../kernel/bulk.js'
import { AppError } from '../../kernel/errors.js'
import { retryConflicts } from '../../kernel/retry.js'
import { audit, forbidden, mask, type Permission, type Principal, scopeSql } from '../access/index.js'
import type { CatalogService } from '../catalog/index.js'
import type { GridsService } from '../grids/index.js'
import { type BatchJobHandler, cancelPendingJobs, type Job, type NewJob, schedule } from '../jobs/index.js'
import type { AttachmentsService } from './attachments.service.js'
import { caseIndicators, type IndicatorQuery } from './case-indicators.js'
import type { CaseSettings, CaseSettingsService } from './case-settings.service.js'

type Row = Selectable<CasesTable>
type Trx = Transaction<DB>
type Source = CasesTable['source']

/** The columns a step may change (written back in bulk). */
const MUTABLE = [
  'status',
  'registered_at',
  'dispatched_at',
  'deadline',
  'return_by',
  'accepted_at',
  'handled_at',
  'verified_at',
  'closed_at',
  'paused_minutes',
  'extension_request',
  'extended_days',
  'escalation_level',
  'supervision',
  'deadline_gen',
  'handled_on_time',
  'closed_on_time',
  'rework_count',
  'dispatch_count',
  'satisfaction',
  'score',
  'duplicate_of',
  'department',
  'routing_basis',
  'version',
  'updated_at',
] as const

/** The columns a step is planned and written on (a bulk step without views reads only these). */
const PLAN_COLUMNS = [
  'id',
  'number',
  'kind',
  'catalog_code',
  'status',
  'version',
  'grid_code',
  'community_code',
  'component_code',
  'department',
  'reporter',
  'reporter_user_id',
  'limit_amount',
  'limit_unit',
  'deadline',
  'deadline_gen',
  'return_by',
  'registered_at',
  'extension_request',
  'extended_days',
  'paused_minutes',
  'escalation_level',
  'rework_count',
  'dispatch_count',
] as const satisfies readonly (keyof Row)[]
type PlanRow = Pick<Row, (typeof PLAN_COLUMNS)[number]>

/** Escalation (升级督办): the command centres above a case, by the digits of their region code. */
export const ESCALATION_LEVELS = [
  { name: 'street', zh: '街道', digits: 9 },
  { name: 'district', zh: '区', digits: 6 },
  { name: 'city', zh: '市', digits: 4 },
] as const

const CLOSING = new Set<CaseStatus>(['closed', 'cancelled'])

export interface ReportInput {
  catalog: string
  urgency?: 'normal' | 'urgent' | undefined
  description: string
  lng?: number | undefined
  lat?: number | undefined
  address?: string | undefined
  component?: string | undefined
  photos?: number[] | undefined
  source?: Source | undefined
  reporterName?: string | undefined
  reporterPhone?: string | undefined
  clientId?: string | undefined
}

export interface ActInput {
  action: string
  version: number
  note?: string | undefined
  reason?: string | undefined
  department?: string | undefined
  result?: string | undefined
  photos?: number[] | undefined
  satisfaction?: 'satisfied' | 'basically_satisfied' | 'dissatisfied' | undefined
  days?: number | undefined
  approve?: boolean | undefined
  score?: number | undefined
  target?: number | undefined
}

export interface CaseFilter {
  status?: CaseStatus[] | undefined
  region?: string | undefined
  department?: string | undefined
  catalog?: string | undefined
  /** A class of the catalog: kind letter + class number (`E01`), every subclass in it. */
  class?: string | undefined
  overdue?: boolean | undefined
  supervision?: string | undefined
  escalation?: (typeof ESCALATION_LEVELS)[number]['name'] | undefined
  mine?: boolean | undefined
  q?: string | undefined
}

const versionConflict = (current: number, given: number) =>
  new AppError('VERSION_CONFLICT', 'The case was changed by someone else; reload it', { current, given })
const caseNotFound = (id: number | string) => () => new AppError('NOT_FOUND', `No case ${id}`, { id })
const codeOf = (r: Pick<Row, 'grid_code' | 'community_code'>) => r.grid_code ?? r.community_code
const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString())

export function createCasesService(deps: {
  db: Kysely<DB>
  grids: GridsService
  catalog: CatalogService
  settings: CaseSettingsService
  attachments: () => AttachmentsService
  clock?: () => Date
}) {
  const { db, grids, catalog, settings } = deps
  const clock = deps.clock ?? (() => new Date())

  /** Cases the principal sees: in a case.read scope; dispatched to their department (in a case.handle scope); their own reports. */
  function visibleSql(p: Principal) {
    const cols = { community: 'c.community_code', grid: 'c.grid_code' }
    const parts = [scopeSql(p, 'case.read', cols), sql<SqlBool>`c.reporter_user_id = ${p.user.id}`]
    if (p.user.department && p.has('case.handle'))
      parts.push(sql<SqlBool>`(c.department = ${p.user.department} and ${scopeSql(p, 'case.handle', cols)})`)
    return sql<SqlBool>`(${sql.join(parts, sql` or `)})`
  }

  function sees(p: Principal, r: Pick<Row, 'grid_code' | 'community_code' | 'reporter_user_id' | 'department'>): boolean {
    const code = codeOf(r)
    if (p.allows('case.read', code) || (r.reporter_user_id !== null && r.reporter_user_id === p.user.id)) return true
    return !!p.user.department && r.department === p.user.department && p.allows('case.handle', code)
  }

  /** Not visible: 403 inside the caller's scope (like every other object), else 404. */
  const unseen = (p: Principal, r: Pick<Row, 'grid_code' | 'community_code'> | undefined, id: number | string) =>
    r && p.sees(codeOf(r)) ? forbidden('case.read') : caseNotFound(id)()

  /** Whether the principal may take a step needing `perm` on this case. */
  function mayAct(p: Principal, perm: string, r: Pick<Row, 'grid_code' | 'community_code' | 'department'>): boolean {
    const code = codeOf(r)
    if (!p.allows(perm as Permission, code)) return false
    // Handling is for the department the case is dispatched to (or a supervisor without one).
    if (perm === 'case.handle') return p.user.department ? r.department === p.user.department : p.allows('case.dispatch', code)
    return true
  }

  function view(p: Principal, r: Row, cal?: WorkCalendar) {
    const now = clock()
    const running = (CLOCK_RUNNING as readonly string[]).includes(r.status) && r.deadline !== null
    const dl = r.deadline ? new Date(r.deadline) : null
    const code = codeOf(r)
    return {
      id: Number(r.id),
      number: r.number,
      kind: r.kind,
      catalogCode: r.catalog_code,
      catalogVersion: r.catalog_version,
      urgency: r.urgency,
      limit: { amount: r.limit_amount, unit: r.limit_unit } as TimeLimit,
      status: r.status as CaseStatus,
      source: r.source,
      description: r.description,
      address: r.address,
      lng: r.lng,
      lat: r.lat,
      communityCode: r.community_code,
      gridCode: r.grid_code,
      componentCode: r.component_code,
      reporter: r.reporter,
      reporterName: r.reporter_name,
      // The call-back needs the number; others see it masked.
      reporterPhone: p.allows('case.callback', code) ? r.reporter_phone : mask.phone(r.reporter_phone),
      department: r.department,
      routingBasis: r.routing_basis,
      reportedAt: iso(r.reported_at) as string,
      registeredAt: iso(r.registered_at),
      dispatchedAt: iso(r.dispatched_at),
      deadline: iso(r.deadline),
      returnBy: iso(r.return_by),
      acceptedAt: iso(r.accepted_at),
      handledAt: iso(r.handled_at),
      verifiedAt: iso(r.verified_at),
      closedAt: iso(r.closed_at),
      overdue: running && dl !== null && dl < now,
      minutesLeft: running && dl && cal ? Math.round(minutesLeft(now, dl, r.limit_unit, cal)) : null,
      pausedMinutes: r.paused_minutes,
      extensionRequest: (r.extension_request ?? null) as { days: number; reason: string; by: string; at: string } | null,
      extendedDays: r.extended_days,
      escalationLevel: r.escalation_level,
      supervision: r.supervision,
      handledOnTime: r.handled_on_time,
      closedOnTime: r.closed_on_time,
      reworkCount: r.rework_count,
      dispatchCount: r.dispatch_count,
      satisfaction: r.satisfaction,
      score: r.score,
      duplicateOf: r.duplicate_of === null ? null : Number(r.duplicate_of),
      version: r.version,
      updatedAt: iso(r.updated_at) as string,
      actions: actionsFrom(r.status as CaseStatus)
        .filter((t) => mayAct(p, t.permission, r))
        .map((t) => t.action),
    }
  }
  type CaseView = ReturnType<typeof view>

  async function catalogEntry(db0: Kysely<DB> | Trx, code: string) {
    const e = await db0.selectFrom('case_catalog').selectAll().where('code', '=', code).executeTakeFirst()
    if (!e) throw new AppError('NOT_FOUND', `No catalog entry ${code}`, { code })
    return e
  }

  /**
   * Chasing a deadline is a chain of one pending job at a time: the reminder (when a share of the
   * limit is left), which schedules the yellow card at the deadline, which schedules the red card
   * N working days later. A step that moves or stops the deadline drops the one pending link.
   */
  const chase = (stage: 'remind' | 'yellow' | 'red', r: { id: number; gen: number }, runAt: Date): NewJob => ({
    kind: `case.${stage}`,
    key: `case.${stage}:${r.id}:${r.gen}`,
    runAt,
    payload: { caseId: r.id, gen: r.gen },
    subject: r.id,
  })

  /** The first link of the chase of a new deadline: the reminder. */
  function reminderJob(
    r: { id: number; gen: number },
    limit: TimeLimit,
    from: Date,
    due: Date,
    s: CaseSettings,
    cal: WorkCalendar,
  ) {
    const share = s.supervision.remindShare * limitMinutes(limit, cal)
    const remindAt =
      limit.unit === 'natural_hours'
        ? new Date(Math.max(from.getTime(), due.getTime() - share * 60_000))
        : addWorkingMinutes(from, Math.max(0, workingMinutesBetween(from, due, cal) - share), cal)
    return chase('remind', r, remindAt)
  }

  /** When the red card follows a deadline missed. */
  function redCardAt(due: Date, unit: TimeLimit['unit'], s: CaseSettings, cal: WorkCalendar) {
    return unit === 'natural_hours'
      ? new Date(due.getTime() + s.supervision.redAfterWorkingDays * 86_400_000)
      : addWorkingMinutes(due, s.supervision.redAfterWorkingDays * minutesPerDay(cal.schedule), cal)
  }

  /** Tells the reporters of closing cases — and of every report merged into them — the outcome. */
  async function notifyMany(trx: Trx, list: { r: PlanRow; next: CaseStatus; input: ActInput }[]) {
    const merged = await trx
      .selectFrom('cases')
      .select(['id', 'reporter', 'reporter_user_id', 'duplicate_of'])
      .where(
        'duplicate_of',
        'in',
        list.map(({ r }) => Number(r.id)),
      )
      .execute()
    const rows = list.flatMap(({ r, next, input }) => {
      const kind = next === 'closed' ? 'closed' : 'cancelled'
      const message =
        next === 'closed'
          ? `您报告的问题（${r.number}）已处理结案。${input.result ?? ''}`.trim()
          : `您报告的问题（${r.number}）未予立案：${input.reason ?? ''}`
      return [r, ...merged.filter((m) => Number(m.duplicate_of) === Number(r.id))].map((x) => ({
        case_id: Number(x.id),
        recipient: x.reporter,
        recipient_user_id: x.reporter_user_id,
        kind,
        message: Number(x.id) === Number(r.id) ? message : `${message}（您的报告已并入案卷 ${r.number}）`,
      }))
    })
    await insertJson(trx, 'case_notices', rows)
  }

  function sourceFor(p: Principal, given: Source | undefined): Source {
    if (p.has('case.register')) return given ?? 'hotline'
    if (p.has('case.verify')) return given === 'resident' ? 'resident' : 'grid_worker'
    if (p.user.department && p.has('case.handle')) return 'department'
    return 'resident'
  }

  const missingRequirement = (path: string, message: string) =>
    new AppError('VALIDATION_FAILED', message, { issues: [{ path, message }] })

  // Catalog entries for intake, cached briefly (an edit in this process invalidates at once). The
  // promise is kept, so that a burst of reports of one subclass asks the database once, not once
  // per report arriving before the first answer; a failed read is not kept.
  const entries = new Map<string, { row: Promise<Selectable<CaseCatalogTable>>; at: number; stamp: number }>()
  function cachedEntry(code: string) {
    const hit = entries.get(code)
    if (hit && hit.stamp === catalog.changes() && Date.now() - hit.at < 5_000) return hit.row
    const row = catalogEntry(db, code)
    const entry = { row, at: Date.now(), stamp: catalog.changes() }
    entries.set(code, entry)
    row.catch(() => {
      if (entries.get(code) === entry) entries.delete(code)
    })
    return row
  }

  /**
   * Intake writes are grouped: reports arriving while a write is in flight go together in the next
   * transaction (numbers for every subclass-day in one upsert, multi-row inserts, one audit append,
   * one duplicate query), so the database sees a few statements per batch instead of per report.
   * A failing batch is retried report by report, so one bad report fails alone.
   */
  interface Pending {
    values: Insertable<CasesTable>
    photos: number[]
    audit: { actor: string; scope: string; requestId: string | undefined; clientIp: string | undefined }
    settings: CaseSettings
  }
  type Duplicate = Awaited<ReturnType<typeof duplicatesOfMany>>[number]
  type Written = { row: Row | undefined; duplicates: Promise<Duplicate> }
  async function writeReports(items: Pending[]): Promise<Written[]> {
    // Numbers first, in a statement of their own: the counters' row locks last microseconds rather
    // than the whole write (a failed write leaves a gap in the numbers, never a duplicate).
    const counts = new Map<string, number>()
    const prefixOf = (v: Insertable<CasesTable>) => caseNumber(v.catalog_code, new Date(v.reported_at as Date), 1).slice(0, 13)
    for (const prefix of items.map((it) => prefixOf(it.values))) counts.set(prefix, (counts.get(prefix) ?? 0) + 1)
    const prefixes = [...counts.keys()].sort() // one lock order for every writer
    const seqs = await sql<{ prefix: string; last: number }>`
      insert into case_sequences (prefix, last)
      select * from unnest(${prefixes}::text[], ${prefixes.map((x) => counts.get(x))}::int[])
      on conflict (prefix) do update set last = case_sequences.last + excluded.last
      returning prefix, last`.execute(db)
    const next = new Map(seqs.rows.map((r) => [r.prefix, r.last - (counts.get(r.prefix) ?? 0)]))
    const rows = await db.transaction().execute(async (trx) => {
      const values = items.map((it) => {
        const prefix = prefixOf(it.values)
        const n = (next.get(prefix) ?? 0) + 1
        next.set(prefix, n)
        return { ...it.values, number: caseNumber(it.values.catalog_code, new Date(it.values.reported_at as Date), n) }
      })
      const inserted = await insertJson<'cases', Row>(trx, 'cases', values, sql`returning *`)
      const byNumber = new Map(inserted.map((r) => [r.number, r]))
      const ordered = values.map((v) => byNumber.get(v.number) as Row)
      await insertJson(
        trx,
        'case_steps',
        ordered.map((r, i) => ({
          case_id: Number(r.id),
          at: r.reported_at,
          action: 'report',
          from_status: null,
          to_status: 'reported',
          actor: r.reporter,
          note: r.description,
          details: { source: r.source },
          attachments: items[i]?.photos ?? [],
        })),
      )
      await audit(
        trx,
        ordered.map((r, i) => ({
          actor: items[i]?.audit.actor as string,
          action: 'case.report',
          objectType: 'case',
          objectId: Number(r.id),
          scope: items[i]?.audit.scope,
          requestId: items[i]?.audit.requestId,
          clientIp: items[i]?.audit.clientIp,
          details: { number: r.number, catalog: r.catalog_code, source: r.source },
        })),
      )
      return ordered
    })
    // The duplicate query runs after the write has given its slot to the next batch.
    const dups = duplicatesOfMany(rows, items[0]?.settings as CaseSettings)
    dups.catch(() => undefined)
    return rows.map((row, i) => ({ row, duplicates: dups.then((d) => d[i] ?? []) }))
  }
  const intake = createBatcher<Pending, Written>(
    writeReports,
    async (item) => {
      try {
        return (await writeReports([item]))[0] as Written
      } catch (err) {
        // The same client id committed meanwhile: the caller replays the stored case.
        if ((err as { code?: string }).code === '23505' && item.values.client_id)
          return { row: undefined, duplicates: Promise.resolve([]) }
        throw err
      }
    },
    // Two writers: with the bulk writes as one JSON parameter each, two overlapping batches keep
    // both cores busy (measured on PostgreSQL over HTTP: 1,543 reports/s, p99 56 ms, against 942/s
    // with one writer; before the JSON writes, one writer was best — bench/RESULTS.md).
    { writers: 2 },
  )

  /**
   * Duplicate candidates for several new cases with one query: each report's (subclass, nearby
   * cell) pairs are probed on the index — not every subclass of the batch against every cell.
   */
  async function duplicatesOfMany(rows: Row[], s: CaseSettings) {
    if (!rows.length) return []
    const windowMs = s.duplicates.hours * 3_600_000
    const times = rows.map((r) => new Date(r.reported_at).getTime())
    const cellsOf = rows.map((r) => nearbyCells(r.lng, r.lat, s.duplicates.radiusM))
    const pairs = new Map<string, [string, string]>()
    rows.forEach((r, i) => {
      for (const cell of cellsOf[i] as string[]) pairs.set(`${r.catalog_code}|${cell}`, [r.catalog_code, cell])
    })
    const near = await sql<Pick<Row, 'id' | 'number' | 'catalog_code' | 'cell' | 'lng' | 'lat' | 'reported_at' | 'status'>>`
      select c.id, c.number, c.catalog_code, c.cell, c.lng, c.lat, c.reported_at, c.status
      from unnest(${[...pairs.values()].map((x) => x[0])}::text[], ${[...pairs.values()].map((x) => x[1])}::text[]) k(code, cell)
      join cases c on c.catalog_code = k.code and c.cell = k.cell
        and c.reported_at between ${new Date(Math.min(...times) - windowMs)} and ${new Date(Math.max(...times) + windowMs)}
      where c.status not in ('closed', 'cancelled', 'merged')`.execute(db)
    const byKey = new Map<string, (OpenCase & { number: string; status: CaseStatus })[]>()
    for (const x of near.rows) {
      const key = `${x.catalog_code}|${x.cell}`
      const list = byKey.get(key) ?? []
      list.push({
        id: Number(x.id),
        number: x.number,
        status: x.status as CaseStatus,
        catalogCode: x.catalog_code,
        lng: x.lng,
        lat: x.lat,
        reportedAt: new Date(x.reported_at),
      })
      byKey.set(key, list)
    }
    return rows.map((r, i) => {
      const open = (cellsOf[i] as string[]).flatMap((cell) => byKey.get(`${r.catalog_code}|${cell}`) ?? [])
      return duplicateCandidates(
        { catalogCode: r.catalog_code, lng: r.lng, lat: r.lat, reportedAt: new Date(r.reported_at) },
        open.filter((c) => c.id !== Number(r.id)),
        s.duplicates,
      ).map((c) => ({
        id: c.id,
        number: c.number,
        status: c.status,
        distanceM: Math.round(c.distanceM * 10) / 10,
        reportedAt: c.reportedAt.toISOString(),
      }))
    })
  }

  /** What one action does to one case as read (validation, new values, jobs, notices) — nothing written yet. */
  async function planAction(
    trx: Trx,
    p: Principal,
    r: PlanRow,
    input: ActInput,
    ctx: { now: Date; cal: WorkCalendar; s: CaseSettings; memo: Map<string, Promise<unknown>> },
  ) {
    const { now, cal, s } = ctx
    const photos = input.photos ?? []
    const once = <T>(key: string, f: () => Promise<T>) => {
      let v = ctx.memo.get(key) as Promise<T> | undefined
      if (!v) {
        v = f()
        ctx.memo.set(key, v)
      }
      return v
    }
    const catalogEntry0 = (code: string) => once(`entry:${code}`, () => catalogEntry(trx, code))
    if (r.version !== input.version) throw versionConflict(r.version, input.version)
    let t: Transition & { next: CaseStatus }
    try {
      t = transition(r.status as CaseStatus, input.action)
    } catch (err) {
      if (err instanceof InvalidTransition)
        throw new AppError('INVALID_TRANSITION', err.message, {
          status: r.status,
          action: input.action,
          allowed: actionsFrom(r.status as CaseStatus).map((x) => x.action),
        })
      throw err
    }
    if (!mayAct(p, t.permission, r)) throw forbidden(t.permission)
    const photosAsked = r.kind !== 'service' // (see Requirement: a service item's evidence is its result)
    for (const need of t.requires) {
      if (need === 'reason' && !input.reason?.trim()) throw missingRequirement('reason', `${t.action} needs a reason`)
      if (need === 'result' && !input.result?.trim()) throw missingRequirement('result', `${t.action} needs the result`)
      if (need === 'evidence' && photosAsked && photos.length < 1)
        throw new AppError('EVIDENCE_REQUIRED', `${t.action} needs at least one photo`, { required: 1, given: photos.length })
      if (need === 'beforeAfterPhotos' && photosAsked && photos.length < 2)
        throw new AppError('EVIDENCE_REQUIRED', `${t.action} needs photos before and after`, {
          required: 2,
          given: photos.length,
        })
      if (need === 'satisfaction' && !input.satisfaction)
        throw missingRequirement('satisfaction', 'How satisfied is the reporter?')
      if (need === 'days' && !(input.days && input.days > 0)) throw missingRequirement('days', 'How many working days?')
      if (need === 'approval' && input.approve === undefined) throw missingRequirement('approve', 'Approve or refuse')
      if (need === 'score' && !input.score) throw missingRequirement('score', 'A score from 1 to 5')
      if (need === 'target' && !input.target) throw missingRequirement('target', 'The case this one repeats')
    }
    if (input.action === 'callback_satisfied' && input.satisfaction === 'dissatisfied')
      throw missingRequirement('satisfaction', 'A dissatisfied reporter is callback_dissatisfied')
    if (input.action === 'callback_dissatisfied' && input.satisfaction !== 'dissatisfied')
      throw missingRequirement('satisfaction', 'callback_dissatisfied records a dissatisfied reporter')

    const set: Partial<Record<keyof Row, unknown>> = {}
    const details: Record<string, unknown> = {}
    const jobs: NewJob[] = []
    const notices: { recipient: string; kind: string; message: string }[] = []
    const limit: TimeLimit = { amount: r.limit_amount, unit: r.limit_unit }
    const newDeadline = (from: Date, due: Date) => {
      const gen = r.deadline_gen + 1
      set.deadline = due
      set.deadline_gen = gen
      set.supervision = 'none'
      jobs.push(reminderJob({ id: Number(r.id), gen }, limit, from, due, s, cal))
      details.deadline = due.toISOString()
    }
    const stopClock = () => {
      set.deadline = null
      set.deadline_gen = r.deadline_gen + 1
    }
    const dl = r.deadline ? new Date(r.deadline) : null

    switch (input.action) {
      case 'register':
        set.registered_at = now
        break
      case 'cancel':
        set.closed_at = now
        break
      case 'merge': {
        const target = await trx
          .selectFrom('cases')
          .selectAll()
          .where('id', '=', input.target as number)
          .executeTakeFirst()
        if (!target || !sees(p, target))
          throw new AppError('INVALID_MERGE', `No case ${input.target} to merge into`, { target: input.target })
        if (Number(target.id) === Number(r.id) || TERMINAL.has(target.status as CaseStatus))
          throw new AppError('INVALID_MERGE', 'A report merges into another open case', {
            target: input.target,
            status: target.status,
          })
        set.duplicate_of = target.id
        set.closed_at = now
        details.target = { id: Number(target.id), number: target.number }
        break
      }
      case 'self_handle': {
        const entry = await catalogEntry0(r.catalog_code)
        if (!entry.self_handle)
          throw new AppError('SELF_HANDLE_NOT_ALLOWED', `${entry.name} is not for a grid worker to fix alone`, {
            catalog: entry.code,
          })
        Object.assign(set, { handled_at: now, closed_at: now, handled_on_time: true, closed_on_time: true })
        break
      }
      case 'dispatch': {
        const routed = await once(
          `route:${r.catalog_code}:${r.grid_code ?? r.community_code}:${r.component_code ?? ''}`,
          async () =>
            catalog.responsible(
              { code: r.catalog_code, department: (await catalogEntry0(r.catalog_code)).department },
              { grid: r.grid_code, community: r.community_code },
              r.component_code && r.kind === 'component'
                ? (
                    await trx
                      .selectFrom('components')
                      .select('competent_department')
                      .where('code', '=', r.component_code)
                      .executeTakeFirst()
                  )?.competent_department
                : undefined,
              trx,
            ),
        )
        const department = input.department ?? routed.department
        if (department !== routed.department && !input.reason?.trim())
          throw missingRequirement('reason', `Routing answers ${routed.department}; dispatching to ${department} needs a reason`)
        const known = await once(`dept:${department}`, () =>
          trx.selectFrom('departments').select('code').where('code', '=', department).executeTakeFirst(),
        )
        if (!known) throw missingRequirement('department', `Unknown department ${department}`)
        Object.assign(set, {
          department,
          routing_basis: department === routed.department ? routed.basis : 'override',
          dispatched_at: now,
          accepted_at: null,
          dispatch_count: r.dispatch_count + 1,
          return_by: addWorkingMinutes(now, s.returnWindowDays * minutesPerDay(cal.schedule), cal),
          extension_request: null,
        })
        if (!r.registered_at) set.registered_at = now
        details.department = department
        details.routed = routed
        newDeadline(now, computeDeadline(now, limit, cal))
        break
      }
      case 'accept':
        set.accepted_at = now
        break
      case 'return':
        if (r.return_by && now > new Date(r.return_by))
          throw new AppError(
            'RETURN_WINDOW_CLOSED',
            `A case may be returned within ${s.returnWindowDays} working days of dispatch`,
            {
              returnBy: iso(r.return_by),
            },
          )
        stopClock()
        set.extension_request = null
        break
      case 'handle':
        set.handled_at = now
        set.handled_on_time = dl !== null && now <= dl
        details.result = input.result
        break
      case 'verify_pass':
        set.verified_at = now
        break
      case 'verify_fail':
      case 'callback_dissatisfied':
        set.rework_count = r.rework_count + 1
        set.verified_at = null
        set.handled_on_time = null
        if (input.satisfaction) set.satisfaction = input.satisfaction
        newDeadline(now, computeDeadline(now, limit, cal))
        break
      case 'callback_satisfied':
      case 'close':
        if (input.satisfaction) set.satisfaction = input.satisfaction
        set.closed_at = now
        set.closed_on_time = r.rework_count === 0 && dl !== null && now <= dl
        break
      case 'request_extension':
        if (r.extension_request)
          throw new AppError('EXTENSION_PENDING', 'An extension request is already waiting for a decision', {})
        if (!dl || now >= dl)
          throw new AppError('EXTENSION_TOO_LATE', 'An extension must be requested before the deadline', {
            deadline: iso(r.deadline),
          })
        set.extension_request = { days: input.days, reason: input.reason, by: p.actor, at: now.toISOString() } // jsonb, written as it is
        details.days = input.days
        break
      case 'decide_extension': {
        const req = r.extension_request as { days: number } | null
        if (!req)
          throw new AppError('INVALID_TRANSITION', 'No extension request is waiting for a decision', {
            status: r.status,
            action: input.action,
            allowed: actionsFrom(r.status as CaseStatus)
              .filter((x) => x.action !== 'decide_extension')
              .map((x) => x.action),
          })
        set.extension_request = null
        details.approved = input.approve
        details.days = req.days
        if (input.approve && dl) {
          const due =
            limit.unit === 'natural_hours'
              ? new Date(dl.getTime() + req.days * 86_400_000)
              : addWorkingMinutes(dl, req.days * minutesPerDay(cal.schedule), cal)
          set.extended_days = r.extended_days + req.days
          newDeadline(now, due)
        }
        break
      }
      case 'park':
        // (Kept to the hundredth: the column is `real`, and the row answered is the one computed here.)
        set.paused_minutes = dl ? Math.round(minutesLeft(now, dl, limit.unit, cal) * 100) / 100 : null
        set.extension_request = null
        stopClock()
        break
      case 'unpark': {
        const left = Math.max(0, r.paused_minutes ?? limitMinutes(limit, cal))
        const due = limit.unit === 'natural_hours' ? new Date(now.getTime() + left * 60_000) : addWorkingMinutes(now, left, cal)
        set.paused_minutes = null
        newDeadline(now, due)
        break
      }
      case 'escalate': {
        if (r.escalation_level >= ESCALATION_LEVELS.length)
          throw new AppError('INVALID_TRANSITION', 'Already supervised at city level', {
            status: r.status,
            action: input.action,
            allowed: [],
          })
        // The command centre of the level above takes over supervision (and is told so): street,
        // then district, then city (the case's own community code cut to that level).
        const level = ESCALATION_LEVELS[r.escalation_level] as (typeof ESCALATION_LEVELS)[number]
        const centre = r.community_code.slice(0, level.digits)
        set.escalation_level = r.escalation_level + 1
        details.level = level.name
        details.centre = centre
        notices.push({
          recipient: `centre:${centre}`,
          kind: 'escalated',
          message: `升级督办：案卷 ${r.number} 提请${level.zh}指挥中心督办。${input.reason ?? ''}`.trim(),
        })
        break
      }
      case 'evaluate':
        set.score = input.score
        break
    }
    return { t, set, details, jobs, photos, notices }
  }

  /**
   * Steps on many cases in one transaction (批量 dispatch, or a simulation): each item is planned
   * against its row exactly as a single step is, and the successful ones are written together —
   * one update per set of changed columns (each case only at the version planned on), one insert of
   * steps, of jobs, of notices, one audit append. An item that fails answers its own error; the
   * others go through.
   */
  async function stepMany(p: Principal, items: (ActInput & { id: number })[], views: boolean) {
    const { calendar: cal, settings: s } = await settings.current()
    await deps.attachments().requireOwn(p, [...new Set(items.flatMap((i) => i.photos ?? []))])
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
        const query = trx.selectFrom('cases').where(sql<SqlBool>`id = any(${ids}::bigint[])`)
        const read: PlanRow[] = await (views ? query.selectAll() : query.select(PLAN_COLUMNS)).execute()
        const byId = new Map(read.map((r) => [Number(r.id), r]))
        const memo = new Map<string, Promise<unknown>>()
        const errors = new Map<number, AppError>() // by case id
        const done: { r: PlanRow; input: ActInput; plan: Awaited<ReturnType<typeof planAction>> }[] = []
        for (const input of items) {
          const r = byId.get(input.id)
          try {
            if (!r || !sees(p, r)) throw unseen(p, r, input.id)
            done.push({ r, input, plan: await planAction(trx, p, r, input, { now, cal, s, memo }) })
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
              col === 'status'
                ? plan.t.next
                : col === 'version'
                  ? r.version + 1
                  : col === 'updated_at'
                    ? nowIso
                    : json(plan.set[col])
          g.rows.push(o)
          groups.set(key, g)
        }
        const written = new Set<number>()
        for (const g of groups.values()) {
          g.rows.sort((a, b) => Number(a.id) - Number(b.id)) // updated in id order, as the runner locks
          const updated = await sql<{ id: string }>`
          update cases c set ${sql.join(
            g.cols.map((col) => sql`${sql.ref(col)} = v.${sql.ref(col)}`),
            sql`, `,
          )}
          from jsonb_populate_recordset(null::cases, ${JSON.stringify(g.rows)}::jsonb) v
          where c.id = v.id and c.version = v.version - 1
          returning c.id`.execute(trx)
          for (const u of updated.rows) written.add(Number(u.id))
        }
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
        await insertJson(
          trx,
          'case_steps',
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
        await insertJson(trx, 'case_notices', [
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
        return answer(after)
      }),
    )
    return { cal, results }
  }

  return {
    sees,

    /** Evaluation indicators over the cases the caller sees (case-indicators.ts). */
    indicators: (p: Principal, q: IndicatorQuery) => caseIndicators(db, p, visibleSql, q, clock()),

    unseen,

    async report(p: Principal, input: ReportInput): Promise<CaseView & { duplicates: Duplicate; replayed: boolean }> {
      // (The permission is checked at the place: outside every scope 404, inside without it 403.)
      const cur = await settings.current()
      if (input.clientId) {
        const existing = await db.selectFrom('cases').selectAll().where('client_id', '=', input.clientId).executeTakeFirst()
        if (existing) {
          if (existing.reporter !== p.actor)
            throw new AppError('DUPLICATE', 'This client id was used by another reporter', { clientId: input.clientId })
          return { ...view(p, existing, cur.calendar), duplicates: [], replayed: true }
        }
      }
      const entry = await cachedEntry(input.catalog)
      if (!entry.active)
        throw new AppError('CATALOG_INACTIVE', `${entry.code} ${entry.name} is no longer in use`, { code: entry.code })
      let place: { lng: number; lat: number; grid: string | null; community: string; component: string | null }
      if (input.component) {
        const c = await db
          .selectFrom('components')
          .select(['code', 'lng', 'lat', 'grid_code', 'community_code'])
          .where('code', '=', input.component)
          .executeTakeFirst()
        if (!c) throw new AppError('REFERENCE_NOT_FOUND', `No component ${input.component}`, { component: input.component })
        place = {
          lng: input.lng ?? c.lng,
          lat: input.lat ?? c.lat,
          grid: c.grid_code,
          community: c.community_code,
          component: c.code,
        }
      } else {
        if (input.lng === undefined || input.lat === undefined)
          throw missingRequirement('lng', 'Give the location (lng, lat) or a component')
        const l = await grids.lookup(input.lng, input.lat)
        place = { lng: input.lng, lat: input.lat, grid: l.grid, community: l.community, component: null }
      }
      const code = place.grid ?? place.community
      p.check(
        'case.report',
        code,
        () => new AppError('NOT_FOUND', 'This place is outside your area', { grid: place.grid, community: place.community }),
      )
      const source = sourceFor(p, input.source)
      const photos = input.photos ?? []
      await deps.attachments().requireOwn(p, photos)
      if (source === 'grid_worker' && photos.length < entry.photos)
        throw new AppError('EVIDENCE_REQUIRED', `${entry.name}: a report needs ${entry.photos} photo(s)`, {
          required: entry.photos,
          given: photos.length,
        })
      const urgency = input.urgency ?? 'normal'
      const now = clock()
      const { row, duplicates: pendingDuplicates } = await intake.submit({
        values: {
          number: '',
          kind: entry.kind,
          catalog_code: entry.code,
          catalog_version: entry.version,
          urgency,
          limit_amount: urgency === 'urgent' ? entry.urgent_amount : entry.normal_amount,
          limit_unit: (urgency === 'urgent' ? entry.urgent_unit : entry.normal_unit) as Row['limit_unit'],
          status: 'reported',
          source,
          description: input.description,
          address: input.address ?? null,
          lng: place.lng,
          lat: place.lat,
          cell: caseCell(place.lng, place.lat),
          community_code: place.community,
          grid_code: place.grid,
          component_code: place.component,
          reporter: p.actor,
          reporter_user_id: p.user.id > 0 ? p.user.id : null,
          reporter_name: input.reporterName ?? null,
          reporter_phone: input.reporterPhone ?? null,
          client_id: input.clientId ?? null,
          reported_at: now,
          updated_at: now,
        },
        photos,
        audit: { actor: p.actor, scope: code, requestId: p.requestId, clientIp: p.clientIp },
        settings: cur.settings,
      })
      if (!row) return this.report(p, input) // a concurrent submission with the same client id won: replay it
      const duplicates = await pendingDuplicates
      return { ...view(p, row, cur.calendar), duplicates, replayed: false }
    },

    async get(p: Principal, id: number) {
      const r = await db.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirst()
      if (!r || !sees(p, r)) throw unseen(p, r, id)
      const cur = await settings.current()
      const duplicates = r.status === 'reported' ? ((await duplicatesOfMany([r], cur.settings))[0] ?? []) : []
      const merged = await db.selectFrom('cases').select(['id', 'number']).where('duplicate_of', '=', id).orderBy('id').execute()
      return {
        ...view(p, r, cur.calendar),
        duplicates,
        merged: merged.map((m) => ({ id: Number(m.id), number: m.number })),
      }
    },

    async list(p: Principal, f: CaseFilter, page: number, pageSize: number) {
      const now = clock()
      let q = db.selectFrom('cases as c').where(visibleSql(p))
      if (f.status?.length) q = q.where('c.status', 'in', f.status)
      // Open cases only: said so the open-queue indexes (`closed_at is null`) serve the query.
      if ((f.status?.length && f.status.every((x) => !TERMINAL.has(x))) || f.overdue) q = q.where('c.closed_at', 'is', null)
      if (f.region) q = q.where(sql<SqlBool>`c.community_code like ${`${codeAt(f.region, 'community')}%`}`)
      if (f.region && isGridCode(f.region)) q = q.where('c.grid_code', '=', f.region)
      if (f.department) q = q.where('c.department', '=', f.department)
      if (f.catalog) q = q.where('c.catalog_code', '=', f.catalog)
      if (f.class) q = q.where('c.catalog_code', 'like', `${f.class}%`)
      if (f.supervision) q = q.where('c.supervision', '=', f.supervision as 'none')
      // Escalated at least to this level (a centre's supervision queue).
      if (f.escalation) q = q.where('c.escalation_level', '>=', ESCALATION_LEVELS.findIndex((l) => l.name === f.escalation) + 1)
      if (f.mine) q = q.where('c.reporter_user_id', '=', p.user.id)
      if (f.q)
        q = q.where((eb) =>
          eb.or([
            eb('c.number', '=', f.q as string),
            eb('c.description', 'like', `%${(f.q as string).replace(/[\\%_]/g, '\\$&')}%`),
          ]),
        )
      if (f.overdue !== undefined)
        q = f.overdue
          ? q.where('c.status', 'in', [...CLOCK_RUNNING]).where('c.deadline', '<', now)
          : q.where((eb) => eb.or([eb('c.status', 'not in', [...CLOCK_RUNNING]), eb('c.deadline', '>=', now)]))
      const [items, total] = await Promise.all([
        q
          .selectAll('c')
          .orderBy('c.id', 'desc')
          .limit(pageSize)
          .offset((page - 1) * pageSize)
          .execute(),
        q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ])
      const cur = await settings.current()
      return { items: items.map((r) => view(p, r, cur.calendar)), total: Number(total.n), page, pageSize }
    },

    /**
     * The open cases under a region the caller may see, as one GeoJSON FeatureCollection text built
     * by the database (the map clusters them): id, number, status, subclass, overdue — at most
     * `limit`, the most urgent first (overdue, then the nearest deadline), with the total said.
     */
    async points(p: Principal, region: string, limit: number) {
      const now = clock()
      const r = await sql<{ features: string | null; total: number }>`
        with open as (
          select c.id, c.number, c.status, c.catalog_code, c.lng, c.lat,
            (c.status = any(${[...CLOCK_RUNNING]}::text[]) and c.deadline < ${now}) as overdue, c.deadline
          from cases c
          where c.closed_at is null and c.community_code like ${`${codeAt(region, 'community')}%`}
            ${isGridCode(region) ? sql`and c.grid_code = ${region}` : sql``} and ${visibleSql(p)}
        ), shown as (
          select * from open order by overdue desc, deadline nulls last, id limit ${limit}
        )
        select (select count(*)::int from open) as total,
          (select string_agg(json_build_object('type', 'Feature', 'id', id, 'properties',
              json_build_object('id', id, 'number', number, 'status', status, 'catalog', catalog_code, 'overdue', overdue),
              'geometry', json_build_object('type', 'Point', 'coordinates', json_build_array(lng, lat)))::text, ',')
           from shown) as features`.execute(db)
      const row = r.rows[0]
      return `{"type":"FeatureCollection","total":${row?.total ?? 0},"features":[${row?.features ?? ''}]}`
    },

    async timeline(p: Principal, id: number) {
      const r = await db.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirst()
      if (!r || !sees(p, r)) throw unseen(p, r, id)
      const steps = await db.selectFrom('case_steps').selectAll().where('case_id', '=', id).orderBy('id').execute()
      const ids = [...new Set(steps.flatMap((s) => s.attachments.map(Number)))]
      const files = ids.length
        ? await db
            .selectFrom('attachments')
            .select(['id', 'sha256', 'mime', 'size', 'width', 'height'])
            .where('id', 'in', ids)
            .execute()
        : []
      const byId = new Map(files.map((f) => [Number(f.id), f]))
      return steps.map((s) => ({
        id: Number(s.id),
        at: iso(s.at) as string,
        action: s.action,
        fromStatus: s.from_status,
        toStatus: s.to_status,
        actor: s.actor,
        note: s.note,
        details: s.details as Record<string, unknown>,
        attachments: s.attachments.map(Number).map((a) => {
          const f = byId.get(a)
          return {
            id: a,
            sha256: f?.sha256 ?? '',
            mime: f?.mime ?? '',
            size: f?.size ?? 0,
            url: `/api/v1/attachments/${a}`,
            thumbnailUrl: `/api/v1/attachments/${a}/thumbnail`,
          }
        }),
      }))
    },

    /** One step of the loop (see the header for the clock). */
    async act(p: Principal, id: number, input: ActInput) {
      const [r] = await this.actMany(p, [{ ...input, id }])
      if (r && 'error' in r) throw r.error
      return r?.case as CaseView
    },

    /** Steps on many cases at once, each answering its new view or its own error (see `stepMany`). */
    async actMany(p: Principal, items: (ActInput & { id: number })[]): Promise<({ case: CaseView } | { error: AppError })[]> {
      const { cal, results } = await stepMany(p, items, true)
      // (With views the whole row was read, so the rows answered are whole.)
      return results.map((r) => ('error' in r ? r : { case: view(p, r.row as Row, cal) }))
    },

    /** `actMany` answering only each case's new status and version (a simulation needs no views). */
    async stepMany(p: Principal, items: (ActInput & { id: number })[]) {
      return (await stepMany(p, items, false)).results.map((r) =>
        'error' in r ? r : { id: Number(r.row.id), status: r.row.status as CaseStatus, version: r.row.version },
      )
    },

    /** Notices for the caller: outcomes of their reports, reminders for their department. */
    async notices(p: Principal, page: number, pageSize: number) {
      const q = db
        .selectFrom('case_notices as n')
        .innerJoin('cases as c', 'c.id', 'n.case_id')
        .where((eb) =>
          eb.or([
            eb('n.recipient_user_id', '=', p.user.id),
            eb('n.recipient', '=', p.actor),
            ...(p.user.department ? [eb('n.recipient', '=', `dept:${p.user.department}`)] : []),
            // A command centre's supervisors: escalations to the centre of their scope.
            ...(p.scopes('case.supervise').length
              ? [
                  eb(
                    'n.recipient',
                    'in',
                    p.scopes('case.supervise').map((code) => `centre:${code}`),
                  ),
                ]
              : []),
          ]),
        )
      const [items, total] = await Promise.all([
        q
          .select(['n.id', 'n.case_id', 'c.number', 'n.kind', 'n.message', 'n.created_at', 'n.read_at'])
          .orderBy('n.id', 'desc')
          .limit(pageSize)
          .offset((page - 1) * pageSize)
          .execute(),
        q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ])
      return {
        items: items.map((n) => ({
          id: Number(n.id),
          caseId: Number(n.case_id),
          caseNumber: n.number,
          kind: n.kind,
          message: n.message,
          createdAt: iso(n.created_at) as string,
          readAt: iso(n.read_at),
        })),
        total: Number(total.n),
        page,
        pageSize,
      }
    },

    /** Scheduled chasing: reminder, yellow card, red card — each does nothing when the deadline moved on. */
    jobHandlers: Object.fromEntries(
      (
        [
          ['case.remind', 'reminded', 'remind', '催办：案卷将于 {d} 到期，请抓紧处置'],
          ['case.yellow', 'yellow', 'yellow_card', '黄牌督办：案卷已超期（期限 {d}）'],
          ['case.red', 'red', 'red_card', '红牌督办：案卷超期未办结（期限 {d}）'],
        ] as const
      ).map(([kind, level, action, text]) => [
        kind,
        // Many due jobs of one kind at once: lock their cases, mark the live ones, one insert each of
        // steps and notices. A job whose case moved on (stale generation, clock stopped) is skipped.
        async (trx: Trx, jobs: Job[], now: Date) => {
          const wanted = jobs.map((j) => j.payload as { caseId: number; gen: number })
          const rows = await trx
            .selectFrom('cases')
            .selectAll()
            .where(
              'id',
              'in',
              wanted.map((w) => w.caseId),
            )
            .orderBy('id')
            .forUpdate()
            .execute()
          const byId = new Map(rows.map((r) => [Number(r.id), r]))
          const live = wanted.map(({ caseId, gen }) => {
            const r = byId.get(caseId)
            return r && r.deadline_gen === gen && (CLOCK_RUNNING as readonly string[]).includes(r.status) ? r : undefined
          })
          const marked = [...new Map(live.filter((r): r is Row => !!r).map((r) => [Number(r.id), r])).values()]
          if (marked.length) {
            await trx
              .updateTable('cases')
              .set({ supervision: level, updated_at: now }) // a system mark: the version (the users' edits) stays
              .where(
                'id',
                'in',
                marked.map((r) => Number(r.id)),
              )
              .execute()
            const message = (r: Row) => `${r.number} ${text.replace('{d}', new Date(r.deadline as Date).toISOString())}`
            await insertJson(
              trx,
              'case_steps',
              marked.map((r) => ({
                case_id: Number(r.id),
                at: now,
                action,
                from_status: r.status,
                to_status: r.status,
                actor: 'system',
                note: message(r),
                details: { gen: r.deadline_gen },
              })),
            )
            const notices = marked
              .filter((r) => r.department)
              .map((r) => ({
                case_id: Number(r.id),
                recipient: `dept:${r.department}`,
                recipient_user_id: null,
                kind: action,
                message: message(r),
              }))
            if (notices.length) await insertJson(trx, 'case_notices', notices)
            // The next link of the chase.
            if (kind !== 'case.red') {
              const { calendar: cal, settings: s } = await settings.current(trx)
              await schedule(
                trx,
                marked.map((r) => {
                  const due = new Date(r.deadline as Date)
                  const link = { id: Number(r.id), gen: r.deadline_gen }
                  return kind === 'case.remind'
                    ? chase('yellow', link, due)
                    : chase('red', link, redCardAt(due, r.limit_unit, s, cal))
                }),
              )
            }
          }
          return live.map((r) => (r ? { supervision: level } : { skipped: true }))
        },
      ]),
    ) as Record<string, BatchJobHandler>,
  }
}

export type CasesService = ReturnType<typeof createCasesService>
