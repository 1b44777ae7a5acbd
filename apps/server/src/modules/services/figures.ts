// Figures for leaders (issue 21 §4): applications per item and per area under a region, the share
// decided on time (the case's own `handled_on_time`: decided before the department's deadline),
// the average working days from acceptance to decision on the work calendar, the papers residents
// did not have to bring because the shared data proved them, and the proactive offers' uptake.
// Over the applications the caller sees (the cases' visibility) accepted in the period.
import { codeAt, minutesPerDay, type WorkCalendar, workingMinutesBetween } from '@wangge/domain'
import type { Kysely, RawBuilder, SqlBool } from 'kysely'
import type { DB } from '../../db/schema.js'
import { type Principal, scopeSql } from '../access/index.js'
import { createServicesRepository, type FigureRow } from './services.repository.js'

type Row = FigureRow

interface Tally {
  applications: number
  decided: number
  onTime: number
  minutes: number
  spared: number
  offers: number
  offersApplied: number
}
const empty = (): Tally => ({ applications: 0, decided: 0, onTime: 0, minutes: 0, spared: 0, offers: 0, offersApplied: 0 })
const round = (v: number, d: number) => Math.round(v * 10 ** d) / 10 ** d

/** The next level below a region code: district → streets → communities → grids. */
export const childLength = (region: string) => ({ 4: 6, 6: 9, 9: 12, 12: 15 })[region.length] ?? region.length

export async function serviceFigures(
  db: Kysely<DB>,
  p: Principal,
  visible: RawBuilder<SqlBool>,
  q: { region: string; from: string; to: string },
  calendar: WorkCalendar,
) {
  const len = childLength(q.region)
  const repo = createServicesRepository(db)
  const within = { prefix: codeAt(q.region, 'community'), len, from: q.from, to: q.to }
  const [apps, offers] = await Promise.all([
    repo.applicationsForFigures(within, visible),
    repo.offersForFigures(within, scopeSql(p, 'case.read', { community: 'o.community_code', grid: 'o.grid_code' })),
  ])
  const perDay = minutesPerDay(calendar.schedule)
  const total = empty()
  const byItem = new Map<string, Tally & { name: string }>()
  const byArea = new Map<string, Tally>()
  const add = (t: Tally, r: Row, minutes: number | null) => {
    t.applications++
    t.spared += Number(r.spared)
    if (minutes !== null) {
      t.decided++
      t.minutes += minutes
      if (r.handled_on_time) t.onTime++
    }
  }
  for (const r of apps) {
    const minutes = r.decided_at ? workingMinutesBetween(new Date(r.created_at), new Date(r.decided_at), calendar) : null
    add(total, r, minutes)
    if (!byItem.has(r.item_code)) byItem.set(r.item_code, { ...empty(), name: r.item_name })
    add(byItem.get(r.item_code) as Tally, r, minutes)
    if (!byArea.has(r.area)) byArea.set(r.area, empty())
    add(byArea.get(r.area) as Tally, r, minutes)
  }
  for (const o of offers) {
    for (const t of [total, byArea.get(o.area) ?? byArea.set(o.area, empty()).get(o.area), byItem.get(o.item_code)]) {
      if (!t) continue
      t.offers += Number(o.n)
      if (o.status === 'applied') t.offersApplied += Number(o.n)
    }
  }
  const out = (t: Tally) => ({
    applications: t.applications,
    decided: t.decided,
    onTimeRate: t.decided ? round(t.onTime / t.decided, 4) : null,
    avgWorkingDays: t.decided ? round(t.minutes / t.decided / perDay, 1) : null,
    spared: t.spared,
    sparedPerApplication: t.applications ? round(t.spared / t.applications, 2) : null,
    offers: t.offers,
    offersApplied: t.offersApplied,
    uptake: t.offers ? round(t.offersApplied / t.offers, 4) : null,
  })
  const names = await repo.regionNames([...byArea.keys()])
  return {
    region: q.region,
    from: q.from,
    to: q.to,
    total: out(total),
    items: [...byItem.entries()]
      .map(([code, t]) => ({ code, name: t.name, ...out(t) }))
      .sort((a, b) => b.applications - a.applications),
    areas: [...byArea.entries()]
      .map(([code, t]) => ({ code, name: names.get(code) ?? code, ...out(t) }))
      .sort((a, b) => a.code.localeCompare(b.code)),
  }
}
