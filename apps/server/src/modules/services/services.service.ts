// One-window services (一窗通办): the items and their rules as data (service-items.ts); the window,
// where a clerk looks a resident up with their consent, every read audited under the visit's
// number, and sees which items they are eligible for and which papers the shared data spares
// (window.ts); the application, which runs through the loop as a case of the item's subclass, and
// the department's decision (applications.ts); the proactive offers the night finds (proactive.ts)
// and the grid workers' answers (offers.ts); the figures (figures.ts). This file wires them.
import { APPLICATION_STATUS, createWorkCalendar, evaluateItem, type WorkCalendar } from '@wangge/domain'
import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import { useCase } from '../../kernel/use-case.js'
import type { Principal } from '../access/index.js'
import type { CasesService } from '../cases/index.js'
import { areaExists } from '../stats/index.js'
import * as applications from './applications.js'
import { readFacts, rulesFacts } from './facts.js'
import { serviceFigures } from './figures.js'
import * as offers from './offers.js'
import { createProactive } from './proactive.js'
import * as serviceItems from './service-items.js'
import { createServicesRepository } from './services.repository.js'
import { servicesContext } from './services-context.js'
import * as window from './window.js'

export { applicationStatus, type MaterialInput } from './applications.js'

export interface ServicesDeps {
  db: Kysely<DB>
  cases: CasesService
  /** The work calendar (the case settings'), for working days in the figures. */
  calendar?: () => Promise<WorkCalendar>
  clock?: () => Date
}

export function createServicesService(deps: ServicesDeps) {
  const ctx = servicesContext(deps, createServicesRepository(deps.db))
  const { db, cases, today, activeItems } = ctx
  const proactive = createProactive({ db, clock: ctx.clock, items: (q) => activeItems(q) })

  return {
    proactive,
    applicationStatus: applications.applicationStatus,
    seed: useCase(ctx, serviceItems.seed),
    items: useCase(ctx, serviceItems.items),
    item: useCase(ctx, serviceItems.item),
    updateItem: useCase(ctx, serviceItems.updateItem),
    lookup: useCase(ctx, window.lookup),
    visit: useCase(ctx, window.visit),
    checklist: useCase(ctx, window.checklist),
    apply: useCase(ctx, applications.apply),
    applications: useCase(ctx, applications.applications),
    application: useCase(ctx, applications.application),
    decide: useCase(ctx, applications.decide),
    offers: useCase(ctx, offers.offers),
    offerOutcome: useCase(ctx, offers.offerOutcome),

    /** One person's eligibility for every item now (the incremental re-evaluation). */
    async eligibilityOf(personId: number) {
      // (Eligibility only: the facts the rules name, no evidence for the materials.)
      const items = await activeItems()
      const f = (await readFacts(db, [personId], today(), rulesFacts(items))).get(personId)
      if (!f) return []
      return items.map((i) => ({ code: i.code, eligible: evaluateItem(i, f.facts).eligible }))
    },

    /** Figures for leaders over the applications the caller sees (figures.ts). */
    async figures(p: Principal, q: { region: string; from?: string | undefined; to?: string | undefined }) {
      const to = q.to ?? today()
      const from = q.from ?? new Date(Date.parse(to) - 89 * 86_400_000).toISOString().slice(0, 10)
      if (from > to)
        throw new AppError('VALIDATION_FAILED', 'The period ends before it starts', {
          issues: [{ path: 'from', message: 'after to' }],
        })
      // A region outside the caller's scopes answers as one that does not exist (as case statistics
      // do); inside them the figures count only the applications the caller sees.
      const notFound = () => new AppError('NOT_FOUND', `No figures for region ${q.region}`, { region: q.region })
      if (!p.sees(q.region)) throw notFound()
      if (!(await areaExists(db, q.region))) throw notFound() // (regions only: the query takes no grid)
      const calendar = deps.calendar ? await deps.calendar() : createWorkCalendar()
      return serviceFigures(db, p, cases.visibleSql(p), { region: q.region, from, to }, calendar)
    },

    statusLabels: APPLICATION_STATUS,
  }
}

export type ServicesService = ReturnType<typeof createServicesService>
