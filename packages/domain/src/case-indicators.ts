// Evaluation indicators of the event loop (DOMAIN.md §5): the counters, and the rates derived from
// them. Shared by the live indicators (cases) and the statistics (stats).

/** Statuses in which a case's clock runs (the deadline can be missed). */
export const CLOCK_RUNNING = ['dispatched', 'accepted', 'rework'] as const

const ratio = (a: number, b: number) => (b ? Math.round((a / b) * 10_000) / 10_000 : null)

/** The counters of DOMAIN.md §5 for one group, as SQL answers them (snake case, maybe strings). */
export type IndicatorRow = Record<(typeof INDICATOR_COUNTERS)[number], number | string> & { key: unknown }
export const INDICATOR_COUNTERS = [
  'reported',
  'due',
  'handled',
  'handled_on_time',
  'reworked',
  'closed',
  'closed_on_time',
  'overdue_pending',
  'extended',
  'called_back',
  'satisfied',
  'self_handled',
] as const

/** One group's counts and the rates derived from them. */
export function indicatorGroup(r: IndicatorRow) {
  const c = (k: (typeof INDICATOR_COUNTERS)[number]) => Number(r[k])
  const n = {
    reported: c('reported'),
    due: c('due'),
    handledOnTime: c('handled_on_time'),
    handled: c('handled'),
    reworked: c('reworked'),
    closed: c('closed'),
    closedOnTime: c('closed_on_time'),
    overduePending: c('overdue_pending'),
    extended: c('extended'),
    calledBack: c('called_back'),
    satisfied: c('satisfied'),
    selfHandled: c('self_handled'),
  }
  return {
    key: String(r.key),
    counts: n,
    rates: {
      handling: ratio(n.handled, n.due),
      onTimeHandling: ratio(n.handledOnTime, n.due),
      rework: ratio(n.reworked, n.due),
      close: ratio(n.closed, n.due),
      onTimeClose: ratio(n.closedOnTime, n.due),
      overduePending: ratio(n.overduePending, n.due),
      extension: ratio(n.extended, n.due),
      satisfaction: ratio(n.satisfied, n.calledBack),
    },
  }
}
