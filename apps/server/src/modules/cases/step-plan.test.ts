// Step planning without a database: a case row, an input and a context in, a plan (or an error) out.
import { createWorkCalendar } from '@wangge/domain'
import { describe, expect, it } from 'vitest'
import { AppError } from '../../kernel/errors.js'
import { ALL_PERMISSIONS, type Permission, Principal } from '../access/index.js'
import type { PlanRow, Row } from './case-model.js'
import { DEFAULT_CASE_SETTINGS } from './case-settings.service.js'
import { planStep, type StepContext, type StepLookups } from './step-plan.js'

const COMMUNITY = '440104004107'
const principal = (permissions: readonly string[], department: string | null = null) =>
  new Principal(
    { id: 7, username: 'u', displayName: 'U', department },
    [{ role: 'r', scope: COMMUNITY, permissions: new Set(permissions as Permission[]) }],
    'session',
  )
const admin = principal(ALL_PERMISSIONS)

function row(over: Partial<PlanRow> = {}): PlanRow {
  return {
    id: 1,
    number: 'E0507202612010001',
    kind: 'event',
    catalog_code: 'E0507',
    status: 'registered',
    version: 2,
    grid_code: `${COMMUNITY}001`,
    community_code: COMMUNITY,
    component_code: null,
    department: null,
    reporter: 'worker',
    reporter_user_id: 3,
    limit_amount: 4,
    limit_unit: 'working_hours',
    deadline: null,
    deadline_gen: 0,
    return_by: null,
    registered_at: new Date('2026-12-01T01:00:00Z'),
    extension_request: null,
    extended_days: 0,
    paused_minutes: null,
    escalation_level: 0,
    rework_count: 0,
    dispatch_count: 0,
    closed_at: null,
    ...over,
  }
}

const lookups = (over: Partial<StepLookups> = {}): StepLookups => ({
  entry: async () => ({ code: 'E0507', self_handle: true, name: '露天烧烤', department: 'city_mgmt' }) as never,
  route: async () => ({ department: 'city_mgmt', basis: 'catalog' }),
  departmentExists: async (code) => ['city_mgmt', 'police'].includes(code),
  caseById: async () => undefined,
  ...over,
})

// Tuesday 2026-12-01 10:00 Beijing, in office hours.
const ctx = (over: Partial<StepContext> = {}): StepContext => ({
  now: new Date('2026-12-01T02:00:00Z'),
  cal: createWorkCalendar({ schedule: DEFAULT_CASE_SETTINGS.schedule }),
  s: DEFAULT_CASE_SETTINGS,
  lookup: lookups(),
  ...over,
})

const failure = async (f: Promise<unknown>) => {
  try {
    await f
  } catch (err) {
    if (err instanceof AppError) return { code: err.code, details: err.details }
    throw err
  }
  throw new Error('expected an AppError')
}

describe('step planning (pure)', () => {
  it('should refuse a stale version before the state, and a missing permission before both', async () => {
    const e = await failure(planStep(admin, row(), { action: 'dispatch', version: 1 }, ctx()))
    expect(e).toEqual({ code: 'VERSION_CONFLICT', details: { current: 2, given: 1 } })
    // A read-only caller learns nothing of the version or the state.
    const reader = principal(['case.read'])
    expect((await failure(planStep(reader, row(), { action: 'dispatch', version: 1 }, ctx()))).code).toBe('FORBIDDEN')
    expect((await failure(planStep(reader, row(), { action: 'handle', version: 2 }, ctx()))).code).toBe('FORBIDDEN')
  })

  it('should refuse an action the transition table does not allow, naming the allowed ones', async () => {
    const e = await failure(planStep(admin, row(), { action: 'handle', version: 2 }, ctx()))
    expect(e.code).toBe('INVALID_TRANSITION')
    expect((e.details as { allowed: string[] }).allowed).toContain('dispatch')
  })

  it('should refuse a step the principal may not take at the case', async () => {
    const e = await failure(planStep(principal(['case.read']), row(), { action: 'dispatch', version: 2 }, ctx()))
    expect(e.code).toBe('FORBIDDEN')
  })

  it('should dispatch to the department routing answers, with a working-time deadline and its reminder', async () => {
    const plan = await planStep(admin, row(), { action: 'dispatch', version: 2 }, ctx())
    expect(plan.t.next).toBe('dispatched')
    expect(plan.set.department).toBe('city_mgmt')
    expect(plan.set.routing_basis).toBe('catalog')
    // 4 working hours from 10:00 on a working Tuesday: 16:00 Beijing (lunch 12:00–14:00 not counted).
    expect((plan.set.deadline as Date).toISOString()).toBe('2026-12-01T08:00:00.000Z')
    expect(plan.set.deadline_gen).toBe(1)
    expect(plan.jobs).toEqual([expect.objectContaining({ kind: 'case.remind', key: 'case.remind:1:1', subject: 1 })])
  })

  it('should want a reason to dispatch elsewhere than routing answers, and a known department', async () => {
    expect((await failure(planStep(admin, row(), { action: 'dispatch', version: 2, department: 'police' }, ctx()))).code).toBe(
      'VALIDATION_FAILED',
    )
    const plan = await planStep(admin, row(), { action: 'dispatch', version: 2, department: 'police', reason: '治安' }, ctx())
    expect([plan.set.department, plan.set.routing_basis]).toEqual(['police', 'override'])
    const unknown = await failure(planStep(admin, row(), { action: 'dispatch', version: 2, department: 'x', reason: 'r' }, ctx()))
    expect(unknown.code).toBe('VALIDATION_FAILED')
  })

  it('should refuse a return after the return window and an extension after the deadline', async () => {
    const dispatched = row({
      status: 'dispatched',
      department: 'city_mgmt',
      deadline: new Date('2026-12-01T01:00:00Z'),
      deadline_gen: 1,
      return_by: new Date('2026-11-30T00:00:00Z'),
    })
    const handler = principal(ALL_PERMISSIONS, 'city_mgmt')
    expect(
      (await failure(planStep(handler, dispatched, { action: 'return', version: 2, reason: '不属本单位' }, ctx()))).code,
    ).toBe('RETURN_WINDOW_CLOSED')
    const accepted = { ...dispatched, status: 'accepted' as const }
    const late = await failure(
      planStep(handler, accepted, { action: 'request_extension', version: 2, days: 2, reason: '材料未到' }, ctx()),
    )
    expect(late.code).toBe('EXTENSION_TOO_LATE')
  })

  it('should keep the minutes left when parked and restart from them when unparked', async () => {
    const dispatched = row({ status: 'dispatched', deadline: new Date('2026-12-01T08:00:00Z'), deadline_gen: 1 })
    const parked = await planStep(admin, dispatched, { action: 'park', version: 2, reason: '等待审批' }, ctx())
    expect([parked.set.paused_minutes, parked.set.deadline, parked.set.deadline_gen]).toEqual([240, null, 2])
    const back = await planStep(
      admin,
      row({ status: 'parked', paused_minutes: 240, deadline_gen: 2 }),
      { action: 'unpark', version: 2, reason: '已批复' },
      ctx({ now: new Date('2026-12-02T01:00:00Z') }), // Wednesday 09:00
    )
    expect((back.set.deadline as Date).toISOString()).toBe('2026-12-02T07:00:00.000Z') // 09:00 + 4 working hours (lunch skipped)
  })

  it('should merge only into another open case the caller sees', async () => {
    const reported = row({ status: 'reported' })
    const target = { ...row({ id: 9, status: 'dispatched' }), number: 'E0507202612010009' } as Row
    const none = await failure(planStep(admin, reported, { action: 'merge', version: 2, target: 5 }, ctx()))
    expect(none.code).toBe('INVALID_MERGE')
    const plan = await planStep(
      admin,
      reported,
      { action: 'merge', version: 2, target: 9 },
      ctx({ lookup: lookups({ caseById: async () => target }) }),
    )
    expect([plan.t.next, plan.set.duplicate_of, plan.details.target]).toEqual([
      'merged',
      9,
      { id: 9, number: 'E0507202612010009' },
    ])
  })
})
