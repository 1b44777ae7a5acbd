// Applications (申请): submitted at the window — eligibility and materials checked, then the case
// of the item's subclass reported, registered and dispatched to the department, so that the loop's
// clock, reminders, cards and residents' page are the application's —; listed and read as their
// case's visibility allows; decided by the department (审批) as the case's handling.
import { APPLICATION_STATUS, type ApplicationStatus, evaluateItem, type MaterialCheck, materialsChecklist } from '@wangge/domain'
import { AppError } from '../../kernel/errors.js'
import { mask, type Principal } from '../access/index.js'
import type { ApplicationRow } from './services.repository.js'
import { iso, itemRow, notFound, type ServicesContext } from './services-context.js'
import { factsFor, visitOf } from './window.js'

export interface MaterialInput {
  code: string
  attachment?: number | undefined
  seen?: boolean | undefined
}

/** An application's status for people, from its case's status and the department's decision. */
export function applicationStatus(caseStatus: string | null, decision: string | null): ApplicationStatus {
  if (caseStatus === null) return 'draft'
  if (caseStatus === 'cancelled' || caseStatus === 'merged') return 'withdrawn'
  if (decision === 'rejected') return 'rejected'
  if (caseStatus === 'verified' || caseStatus === 'closed') return 'delivered'
  if (decision === 'approved') return 'approved'
  if (['accepted', 'rework', 'parked', 'handled'].includes(caseStatus)) return 'reviewing'
  return 'submitted'
}

function applicationOut(r: ApplicationRow, now: Date) {
  const status = applicationStatus(r.status, r.decision)
  return {
    id: Number(r.id),
    item: r.item_code,
    itemName: r.item_name,
    itemVersion: r.item_version,
    personId: Number(r.person_id),
    applicant: mask.name(r.name),
    community: r.community_code,
    grid: r.grid_code,
    visit: r.visit_number,
    caseId: Number(r.case_id),
    number: r.number,
    caseStatus: r.status,
    caseVersion: r.version,
    status,
    statusLabel: APPLICATION_STATUS[status].zh,
    department: r.department,
    deadline: r.deadline ? iso(r.deadline) : null,
    overdue: !!r.deadline && r.decision === null && r.deadline.getTime() < now.getTime(),
    onTime: r.handled_on_time,
    decision: r.decision,
    decidedAt: r.decided_at ? iso(r.decided_at) : null,
    required: r.required,
    spared: r.spared,
    createdAt: iso(r.created_at),
    createdBy: r.created_by,
  }
}

export async function application({ repo, cases, clock }: ServicesContext, p: Principal, id: number) {
  const r = await repo.application(id)
  if (!r) throw notFound(`application ${id}`, { id })
  if (!cases.sees(p, r)) throw cases.unseen(p, r, id)
  return { ...applicationOut(r, clock()), materials: r.materials, eligibility: r.eligibility }
}

/**
 * Submits an application: eligibility and materials checked, then the case of the item's subclass
 * is reported, registered and dispatched to the department (the window's acceptance), and the
 * application recorded. Each step is idempotent (the case's client id is the visit and item), so a
 * retry after a failure continues rather than duplicates.
 */
export async function apply(
  ctx: ServicesContext,
  p: Principal,
  number: string,
  input: { item: string; materials: MaterialInput[]; phone?: string | undefined; note?: string | undefined },
) {
  const { repo, cases, clock, today } = ctx
  const v = await visitOf(ctx, p, number)
  p.check('case.report', v.grid_code ?? v.community_code, () => notFound(`window visit ${number}`, { number }))
  const existing = await repo.applicationOf(v.id, input.item)
  if (existing) return application(ctx, p, Number(existing))
  const r = await itemRow(ctx, input.item)
  if (!r.active) throw new AppError('CATALOG_INACTIVE', `${r.definition.name} is not offered now`, { code: r.code })
  const def = r.definition
  const f = await factsFor(ctx, p, v, `受理${def.name}`)
  const e = evaluateItem(def, f.facts)
  if (!e.eligible)
    throw new AppError('NOT_ELIGIBLE', `The applicant does not meet ${def.name}`, {
      failed: e.conditions.filter((c) => !c.ok).map((c) => c.zh),
    })
  const checklist = materialsChecklist(def, f.facts, f.evidence, today())
  const given = new Map(input.materials.map((m) => [m.code, m]))
  const needed = checklist.filter((m) => !m.spared && m.why !== 'not_applicable')
  const missing = needed.filter((m) => {
    const g = given.get(m.code)
    return !g || (g.attachment === undefined && !g.seen)
  })
  if (missing.length)
    throw new AppError('MATERIALS_MISSING', `Missing: ${missing.map((m) => m.code).join(', ')}`, {
      missing: missing.map((m) => ({ code: m.code, zh: m.zh })),
    })
  if (f.person.lng === null || f.person.lat === null)
    throw new AppError('NO_ADDRESS', 'The resident has no dwelling to place the application', { person: f.person.id })
  const photos = [...given.values()].map((m) => m.attachment).filter((a): a is number => a !== undefined)
  const materials: (MaterialCheck & { attachment: number | null; seen: boolean })[] = checklist.map((m) => ({
    ...m,
    attachment: m.spared ? null : (given.get(m.code)?.attachment ?? null),
    seen: !m.spared && !!given.get(m.code)?.seen,
  }))
  const reported = await cases.report(p, {
    catalog: def.code,
    description: `${def.name}（一窗受理 ${v.number}）申请人 ${mask.name(f.person.name)}${input.note ? `：${input.note}` : ''}`,
    lng: f.person.lng,
    lat: f.person.lat,
    address: f.person.address ?? undefined,
    photos,
    source: 'resident',
    reporterName: f.person.name,
    reporterPhone: input.phone ?? f.person.phone ?? undefined,
    clientId: `window:${v.number}:${def.code}`,
  })
  let c: { id: number; status: string; version: number } = reported
  if (c.status === 'reported') c = await cases.act(p, c.id, { action: 'register', version: c.version })
  if (c.status === 'registered')
    c = await cases.act(p, c.id, { action: 'dispatch', version: c.version, department: def.department })
  const inserted = await repo.insertApplication({
    visit_id: v.id,
    item_code: def.code,
    item_version: r.version,
    person_id: f.person.id,
    community_code: f.person.community_code,
    grid_code: f.person.grid_code,
    eligibility: JSON.stringify(e.conditions),
    materials: JSON.stringify(materials),
    required: checklist.filter((m) => m.why !== 'not_applicable').length,
    spared: checklist.filter((m) => m.spared).length,
    case_id: c.id,
    created_by: p.actor,
    created_at: clock(),
  })
  // An open offer of this item to this resident is now answered: they applied.
  await repo.offersApplied(f.person.id, def.code, clock(), p.actor, `一窗受理 ${v.number}`)
  const id = inserted ?? (await repo.applicationOf(v.id, def.code))
  return application(ctx, p, Number(id))
}

/** Applications the caller sees (their case's visibility: the area, or the department). */
export async function applications(
  { repo, cases, clock }: ServicesContext,
  p: Principal,
  f: {
    region?: string | undefined
    item?: string | undefined
    status?: ApplicationStatus | undefined
    person?: number | undefined
  },
  page: number,
  pageSize: number,
) {
  const { rows, total } = await repo.applications({ ...f, visible: cases.visibleSql(p) }, pageSize, (page - 1) * pageSize)
  return { items: rows.map((r) => applicationOut(r, clock())), total, page, pageSize }
}

/**
 * The department's decision (审批): the case is accepted if it was not yet, then handled with the
 * decision as its written result; the application keeps the decision.
 */
export async function decide(
  ctx: ServicesContext,
  p: Principal,
  id: number,
  input: { approve: boolean; reason: string; version: number },
) {
  const { repo, cases, clock } = ctx
  const app = await application(ctx, p, id)
  if (app.decision) throw new AppError('INVALID_TRANSITION', `Application ${id} was already decided`, { decision: app.decision })
  let c: { id: number; number: string; status: string; version: number } = await cases.get(p, app.caseId)
  if (c.version !== input.version)
    throw new AppError('VERSION_CONFLICT', `Case ${c.number} is at version ${c.version}`, { current: c.version })
  if (c.status === 'dispatched') c = await cases.act(p, c.id, { action: 'accept', version: c.version })
  c = await cases.act(p, c.id, {
    action: 'handle',
    version: c.version,
    result: `${input.approve ? '批准' : '不予批准'}：${input.reason}`,
  })
  await repo.decide(id, input.approve ? 'approved' : 'rejected', clock(), p.actor)
  return application(ctx, p, id)
}
