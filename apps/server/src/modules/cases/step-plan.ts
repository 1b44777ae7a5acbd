// Step planning (pure): what one action does to one case as read — the checks (permission,
// version, transition table, what the step requires) and the new values, deadline,
// chasing job, notices and step details. Nothing is written here (step-write.ts does that, for a
// batch at once); the few facts a step needs from elsewhere come through `lookup`, so the planning
// is unit-tested without a database (step-plan.test.ts).
import {
  actionsFrom,
  addWorkingMinutes,
  CASE_TRANSITIONS,
  type CaseStatus,
  deadline as computeDeadline,
  InvalidTransition,
  limitMinutes,
  minutesLeft,
  minutesPerDay,
  TERMINAL,
  type TimeLimit,
  type Transition,
  transition,
  type WorkCalendar,
} from '@wangge/domain'
import type { Selectable } from 'kysely'
import type { CaseCatalogTable } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import { forbidden, type Principal } from '../access/index.js'
import type { NewJob } from '../jobs/index.js'
import { mayAct, sees } from './case-access.js'
import {
  type ActInput,
  ESCALATION_LEVELS,
  iso,
  missingRequirement,
  type PlanRow,
  type Row,
  versionConflict,
} from './case-model.js'
import type { CaseSettings } from './case-settings.service.js'
import { reminderJob } from './chasing.js'

/** A closed case may be reopened ("not fixed" after all) within this many days of its closure. */
export const REOPEN_DAYS = 7

/** Who routing answers for a case, and on what basis (catalog's `responsible`). */
export interface Routed {
  department: string
  basis: string
  [more: string]: unknown
}

/** The facts a step may need from outside the case row. */
export interface StepLookups {
  entry(code: string): Promise<Selectable<CaseCatalogTable>>
  route(r: PlanRow): Promise<Routed>
  departmentExists(code: string): Promise<boolean>
  caseById(id: number): Promise<Row | undefined>
}

export interface StepContext {
  now: Date
  cal: WorkCalendar
  s: CaseSettings
  lookup: StepLookups
}

export interface StepPlan {
  t: Transition & { next: CaseStatus }
  set: Partial<Record<keyof Row, unknown>>
  details: Record<string, unknown>
  jobs: NewJob[]
  photos: number[]
  notices: { recipient: string; kind: string; message: string }[]
}

/** Plans one action on one case; throws the AppError the caller answers. */
export async function planStep(p: Principal, r: PlanRow, input: ActInput, ctx: StepContext): Promise<StepPlan> {
  const t = checkStep(p, r, input)
  const plan: StepPlan = { t, set: {}, details: {}, jobs: [], photos: input.photos ?? [], notices: [] }
  const b = builder(r, plan, ctx)
  if (!(await planClockAction(p, r, input, ctx, b))) await planOtherAction(p, r, input, ctx, b)
  return plan
}

/** Permission, version, transition, requirements — in that order: a caller who may not take the
 *  step learns nothing about the case's version or state. (Each action needs one permission,
 *  whatever the state it starts from.) */
export function checkStep(p: Principal, r: PlanRow, input: ActInput): Transition & { next: CaseStatus } {
  const photos = input.photos ?? []
  const permission = CASE_TRANSITIONS.find((x) => x.action === input.action)?.permission
  if (permission && !mayAct(p, permission, r)) throw forbidden(permission)
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
    if (need === 'satisfaction' && !input.satisfaction) throw missingRequirement('satisfaction', 'How satisfied is the reporter?')
    if (need === 'days' && !(input.days && input.days > 0)) throw missingRequirement('days', 'How many working days?')
    if (need === 'approval' && input.approve === undefined) throw missingRequirement('approve', 'Approve or refuse')
    if (need === 'score' && !input.score) throw missingRequirement('score', 'A score from 1 to 5')
    if (need === 'target' && !input.target) throw missingRequirement('target', 'The case this one repeats')
  }
  if (input.action === 'callback_satisfied' && input.satisfaction === 'dissatisfied')
    throw missingRequirement('satisfaction', 'A dissatisfied reporter is callback_dissatisfied')
  if (input.action === 'callback_dissatisfied' && input.satisfaction !== 'dissatisfied')
    throw missingRequirement('satisfaction', 'callback_dissatisfied records a dissatisfied reporter')
  return t
}

type Builder = ReturnType<typeof builder>

/** The plan's parts and the two things steps do to the clock: start a deadline, stop it. */
function builder(r: PlanRow, plan: StepPlan, ctx: StepContext) {
  const limit: TimeLimit = { amount: r.limit_amount, unit: r.limit_unit }
  return {
    set: plan.set,
    details: plan.details,
    notices: plan.notices,
    limit,
    dl: r.deadline ? new Date(r.deadline) : null,
    newDeadline(from: Date, due: Date) {
      const gen = r.deadline_gen + 1
      plan.set.deadline = due
      plan.set.deadline_gen = gen
      plan.set.supervision = 'none'
      plan.jobs.push(reminderJob({ id: Number(r.id), gen }, limit, from, due, ctx.s, ctx.cal))
      plan.details.deadline = due.toISOString()
    },
    stopClock() {
      plan.set.deadline = null
      plan.set.deadline_gen = r.deadline_gen + 1
    },
  }
}

/** The actions that start, move or stop the clock; false for any other. */
async function planClockAction(p: Principal, r: PlanRow, input: ActInput, ctx: StepContext, b: Builder): Promise<boolean> {
  const { now, cal, s } = ctx
  const { set, details, limit, dl, newDeadline, stopClock } = b
  /** Back to the department: another round of handling on a fresh limit. */
  const planRework = () => {
    set.rework_count = r.rework_count + 1
    set.verified_at = null
    set.handled_on_time = null
    if (input.satisfaction) set.satisfaction = input.satisfaction
    newDeadline(now, computeDeadline(now, limit, cal))
    return true
  }
  switch (input.action) {
    case 'dispatch': {
      const routed = await ctx.lookup.route(r)
      const department = input.department ?? routed.department
      if (department !== routed.department && !input.reason?.trim())
        throw missingRequirement('reason', `Routing answers ${routed.department}; dispatching to ${department} needs a reason`)
      if (!(await ctx.lookup.departmentExists(department)))
        throw missingRequirement('department', `Unknown department ${department}`)
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
      return true
    }
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
      return true
    case 'reopen':
      if (!r.department || !r.closed_at || now.getTime() - new Date(r.closed_at).getTime() > REOPEN_DAYS * 86_400_000)
        throw new AppError(
          'INVALID_TRANSITION',
          `A case handled by a department reopens within ${REOPEN_DAYS} days of its closure`,
          {
            status: r.status,
            action: input.action,
            closedAt: iso(r.closed_at),
          },
        )
      set.closed_at = null
      set.closed_on_time = null
      return planRework()
    case 'verify_fail':
    case 'callback_dissatisfied':
      return planRework()
    case 'request_extension':
      if (r.extension_request)
        throw new AppError('EXTENSION_PENDING', 'An extension request is already waiting for a decision', {})
      if (!dl || now >= dl)
        throw new AppError('EXTENSION_TOO_LATE', 'An extension must be requested before the deadline', {
          deadline: iso(r.deadline),
        })
      set.extension_request = { days: input.days, reason: input.reason, by: p.actor, at: now.toISOString() } // jsonb, written as it is
      details.days = input.days
      return true
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
      return true
    }
    case 'park':
      // (Kept to the hundredth: the column is `real`, and the row answered is the one computed here.)
      set.paused_minutes = dl ? Math.round(minutesLeft(now, dl, limit.unit, cal) * 100) / 100 : null
      set.extension_request = null
      stopClock()
      return true
    case 'unpark': {
      const left = Math.max(0, r.paused_minutes ?? limitMinutes(limit, cal))
      const due = limit.unit === 'natural_hours' ? new Date(now.getTime() + left * 60_000) : addWorkingMinutes(now, left, cal)
      set.paused_minutes = null
      newDeadline(now, due)
      return true
    }
  }
  return false
}

/** The actions that leave the clock alone. */
async function planOtherAction(p: Principal, r: PlanRow, input: ActInput, ctx: StepContext, b: Builder): Promise<void> {
  const { now } = ctx
  const { set, details, notices, dl } = b
  switch (input.action) {
    case 'register':
      set.registered_at = now
      break
    case 'cancel':
      set.closed_at = now
      break
    case 'merge': {
      const target = await ctx.lookup.caseById(input.target as number)
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
      const entry = await ctx.lookup.entry(r.catalog_code)
      if (!entry.self_handle)
        throw new AppError('SELF_HANDLE_NOT_ALLOWED', `${entry.name} is not for a grid worker to fix alone`, {
          catalog: entry.code,
        })
      Object.assign(set, { handled_at: now, closed_at: now, handled_on_time: true, closed_on_time: true })
      break
    }
    case 'answer':
      Object.assign(set, { handled_at: now, closed_at: now, handled_on_time: true, closed_on_time: true })
      details.result = input.result
      break
    case 'accept':
      set.accepted_at = now
      break
    case 'handle':
      set.handled_at = now
      set.handled_on_time = dl !== null && now <= dl
      details.result = input.result
      break
    case 'verify_pass':
      set.verified_at = now
      break
    case 'callback_satisfied':
    case 'close':
      if (input.satisfaction) set.satisfaction = input.satisfaction
      set.closed_at = now
      set.closed_on_time = r.rework_count === 0 && dl !== null && now <= dl
      break
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
}
