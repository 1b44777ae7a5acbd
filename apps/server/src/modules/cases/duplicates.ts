// Duplicate candidates (重复案件): each new report's open cases of the same subclass nearby within
// the settings' window, for intake's answer and a reported case's view.
import { type CaseStatus, duplicateCandidates, nearbyCells, type OpenCase } from '@wangge/domain'
import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import type { Row } from './case-model.js'
import type { CaseSettings } from './case-settings.service.js'
import { openCasesNear } from './cases.repository.js'

/** One candidate: an open case of the subclass nearby. */
export type Duplicate = Awaited<ReturnType<typeof duplicatesOfMany>>[number][number]

/**
 * Duplicate candidates for several new cases with one query: each report's (subclass, nearby
 * cell) pairs are probed on the index — not every subclass of the batch against every cell.
 */
export async function duplicatesOfMany(db: Kysely<DB>, rows: readonly Row[], s: CaseSettings) {
  if (!rows.length) return []
  const windowMs = s.duplicates.hours * 3_600_000
  const times = rows.map((r) => new Date(r.reported_at).getTime())
  const cellsOf = rows.map((r) => nearbyCells(r.lng, r.lat, s.duplicates.radiusM))
  const pairs = new Map<string, [string, string]>()
  rows.forEach((r, i) => {
    for (const cell of cellsOf[i] as string[]) pairs.set(`${r.catalog_code}|${cell}`, [r.catalog_code, cell])
  })
  const near = await openCasesNear(
    db,
    [...pairs.values()],
    new Date(Math.min(...times) - windowMs),
    new Date(Math.max(...times) + windowMs),
  )
  const byKey = new Map<string, (OpenCase & { number: string; status: CaseStatus })[]>()
  for (const x of near) {
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
