// Cases (案卷) through the five-step loop — this file wires the use cases together and is the
// service other modules and the routes call. Intake (intake.ts) places a report (point → grid, or the component's
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
//
// The use cases: intake.ts (report, duplicates), step-plan.ts (pure: what an action does to a case),
// step-write.ts (a batch of steps in one transaction), chasing.ts (reminders and cards),
// notices.ts, case-queries.ts (case, ledger, points, timeline), case-view.ts, case-access.ts.
import type { CaseStatus } from '@wangge/domain'
import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import type { AppError } from '../../kernel/errors.js'
import type { Principal } from '../access/index.js'
import type { CatalogService } from '../catalog/index.js'
import type { GridsService } from '../grids/index.js'
import type { AttachmentsService } from './attachments.service.js'
import { sees, unseen, visibleSql } from './case-access.js'
import { caseIndicators, type IndicatorQuery } from './case-indicators.js'
import type { ActInput, Row } from './case-model.js'
import { createCaseQueries } from './case-queries.js'
import type { CaseSettingsService } from './case-settings.service.js'
import { type CaseView, caseView } from './case-view.js'
import { chasingJobHandlers } from './chasing.js'
import { createIntake } from './intake.js'
import { listNotices } from './notices.js'
import { type StepWriteDeps, stepMany } from './step-write.js'

export type { ActInput, CaseFilter, ReportInput } from './case-model.js'
export { ESCALATION_LEVELS } from './case-model.js'

export function createCasesService(deps: {
  db: Kysely<DB>
  grids: GridsService
  catalog: CatalogService
  settings: CaseSettingsService
  attachments: () => AttachmentsService
  clock?: () => Date
}) {
  const { db, settings } = deps
  const clock = deps.clock ?? (() => new Date())
  const intake = createIntake({ ...deps, clock })
  const queries = createCaseQueries({ db, settings, intake, clock })
  const writeDeps: StepWriteDeps = { db, settings, catalog: deps.catalog, attachments: deps.attachments, clock }

  /** One step of the loop (see the header for the clock). */
  async function act(p: Principal, id: number, input: ActInput) {
    const [r] = await actMany(p, [{ ...input, id }])
    if (r && 'error' in r) throw r.error
    return r?.case as CaseView
  }

  /** Steps on many cases at once, each answering its new view or its own error (see `stepMany`). */
  async function actMany(
    p: Principal,
    items: (ActInput & { id: number })[],
  ): Promise<({ case: CaseView } | { error: AppError })[]> {
    const { cal, results } = await stepMany(writeDeps, p, items, true)
    const now = clock()
    // (With views the whole row was read, so the rows answered are whole.)
    return results.map((r) => ('error' in r ? r : { case: caseView(p, r.row as Row, now, cal) }))
  }

  /** `actMany` answering only each case's new status and version (a simulation needs no views). */
  async function steps(p: Principal, items: (ActInput & { id: number })[]) {
    return (await stepMany(writeDeps, p, items, false)).results.map((r) =>
      'error' in r ? r : { id: Number(r.row.id), status: r.row.status as CaseStatus, version: r.row.version },
    )
  }

  return {
    sees,
    unseen,
    /** The visibility rule as SQL over a `cases` row aliased `c` (for modules publishing lists over cases). */
    visibleSql,
    /** Evaluation indicators over the cases the caller sees (case-indicators.ts). */
    indicators: (p: Principal, q: IndicatorQuery) => caseIndicators(db, p, visibleSql, q, clock()),
    report: intake.report,
    ...queries,
    act,
    actMany,
    stepMany: steps,
    /** Notices for the caller: outcomes of their reports, reminders for their department. */
    notices: (p: Principal, page: number, pageSize: number) => listNotices(db, p, page, pageSize),
    jobHandlers: chasingJobHandlers(settings),
  }
}

export type CasesService = ReturnType<typeof createCasesService>
