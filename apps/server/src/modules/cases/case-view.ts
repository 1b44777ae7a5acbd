// A case as the API answers it: the row in camelCase, the reporter's phone masked unless the
// caller may call back, whether it is overdue and the minutes left, and the actions the caller may
// take now (from the shared transition table).
import { actionsFrom, type CaseStatus, CLOCK_RUNNING, minutesLeft, type TimeLimit, type WorkCalendar } from '@wangge/domain'
import { mask, type Principal } from '../access/index.js'
import { mayAct } from './case-access.js'
import { codeOf, iso, type Row } from './case-model.js'

/** A case as the API answers it to this principal (`now`: for overdue and minutes left). */
export function caseView(p: Principal, r: Row, now: Date, cal?: WorkCalendar) {
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
    // The call-back needs the reporter's name and number; others see them masked.
    reporterName: p.allows('case.callback', code) ? r.reporter_name : mask.name(r.reporter_name),
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
export type CaseView = ReturnType<typeof caseView>
