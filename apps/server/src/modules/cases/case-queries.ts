// The read side of the loop: one case (with duplicate suggestions and the reports merged into it),
// the ledger with its filters, the open cases as map points, a case's timeline with its photos. The
// statements are in cases.repository.ts.
import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import type { Principal } from '../access/index.js'
import { sees, unseen, visibleSql } from './case-access.js'
import { type CaseFilter, iso } from './case-model.js'
import type { CaseSettingsService } from './case-settings.service.js'
import { caseView } from './case-view.js'
import * as repo from './cases.repository.js'
import type { Intake } from './intake.js'

export function createCaseQueries({
  db,
  settings,
  intake,
  clock,
}: {
  db: Kysely<DB>
  settings: CaseSettingsService
  intake: Intake
  clock: () => Date
}) {
  async function get(p: Principal, id: number) {
    const r = await repo.caseById(db, id)
    if (!r || !sees(p, r)) throw unseen(p, r, id)
    const cur = await settings.current()
    const duplicates = r.status === 'reported' ? ((await intake.duplicatesOfMany([r], cur.settings))[0] ?? []) : []
    const merged = await repo.mergedInto(db, id)
    return {
      ...caseView(p, r, clock(), cur.calendar),
      duplicates,
      merged: merged.map((m) => ({ id: Number(m.id), number: m.number })),
    }
  }

  /** The cases of the ledger's filter the caller may see (not yet ordered). */
  const filtered = (p: Principal, f: CaseFilter, now: Date) =>
    repo.ledgerQuery(db, visibleSql(p), { ...f, userId: p.user.id }, now)

  async function list(p: Principal, f: CaseFilter, page: number, pageSize: number) {
    const now = clock()
    const q = filtered(p, f, now)
    const [items, total] = await Promise.all([repo.ledgerRows(q, f.sort, pageSize, (page - 1) * pageSize), repo.ledgerCount(q)])
    const cur = await settings.current()
    return { items: items.map((r) => caseView(p, r, now, cur.calendar)), total, page, pageSize }
  }

  /** The whole filtered ledger (at most `limit` rows, in the ledger's order) with the names of
   *  the classes and departments, for an export; `total` says how many matched. */
  async function ledger(p: Principal, f: CaseFilter, limit: number) {
    const now = clock()
    const q = filtered(p, f, now)
    const [rows, total, catalog, departments] = await Promise.all([
      repo.ledgerRows(q, f.sort, limit),
      repo.ledgerCount(q),
      repo.catalogNames(db),
      repo.departmentNames(db),
    ])
    const cur = await settings.current()
    return {
      items: rows.map((r) => caseView(p, r, now, cur.calendar)),
      total,
      catalog: new Map(catalog.map((c) => [c.code, { zh: c.name, en: c.name_en }])),
      departments: new Map(departments.map((d) => [d.code, { zh: d.name, en: d.name_en }])),
    }
  }

  /**
   * The open cases under a region the caller may see, as one GeoJSON FeatureCollection text built
   * by the database (the map clusters them): id, number, status, subclass, overdue — at most
   * `limit`, the most urgent first (overdue, then the nearest deadline), with the total said.
   */
  async function points(p: Principal, region: string, limit: number) {
    const now = clock()
    const row = await repo.openPoints(db, visibleSql(p), region, limit, now)
    return `{"type":"FeatureCollection","total":${row?.total ?? 0},"features":[${row?.features ?? ''}]}`
  }

  async function timeline(p: Principal, id: number) {
    const r = await repo.caseById(db, id)
    if (!r || !sees(p, r)) throw unseen(p, r, id)
    const steps = await repo.caseSteps(db, id)
    const files = await repo.attachmentsMeta(db, [...new Set(steps.flatMap((s) => s.attachments.map(Number)))])
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
  }

  return { get, list, ledger, points, timeline }
}
