// Intake (发现告知): a report is placed (point → grid through the in-memory lookup, or the
// component's place), checked (scope at the place, own photos, the class's evidence), numbered and
// written in a group with the reports arriving meanwhile; duplicates nearby are suggested.
import { type CaseStatus, caseCell, caseNumber, duplicateCandidates, nearbyCells, type OpenCase } from '@wangge/domain'
import { type Insertable, type Kysely, type Selectable, sql } from 'kysely'
import type { CaseCatalogTable, CasesTable, DB } from '../../db/schema.js'
import { createBatcher } from '../../kernel/batcher.js'
import { AppError } from '../../kernel/errors.js'
import { audit, type Principal } from '../access/index.js'
import type { CatalogService } from '../catalog/index.js'
import type { GridsService } from '../grids/index.js'
import type { AttachmentsService } from './attachments.service.js'
import { missingRequirement, type ReportInput, type Row, type Source } from './case-model.js'
import type { CaseSettings, CaseSettingsService } from './case-settings.service.js'
import { type CaseView, caseView } from './case-view.js'
import * as repo from './cases.repository.js'
import { caseByClientId, catalogEntry, componentPlace } from './cases.repository.js'

export interface IntakeDeps {
  db: Kysely<DB>
  grids: GridsService
  catalog: CatalogService
  settings: CaseSettingsService
  attachments: () => AttachmentsService
  clock: () => Date
}

function sourceFor(p: Principal, given: Source | undefined): Source {
  if (p.has('case.register')) return given ?? 'hotline'
  if (p.has('case.verify')) return given === 'resident' ? 'resident' : 'grid_worker'
  if (p.user.department && p.has('case.handle')) return 'department'
  return 'resident'
}

export function createIntake(deps: IntakeDeps) {
  const { db, grids, catalog, settings, clock } = deps

  // Catalog entries for intake, cached briefly (an edit in this process invalidates at once). The
  // promise is kept, so that a burst of reports of one subclass asks the database once, not once
  // per report arriving before the first answer; a failed read is not kept.
  const entries = new Map<string, { row: Promise<Selectable<CaseCatalogTable>>; at: number; stamp: number }>()
  function cachedEntry(code: string) {
    const hit = entries.get(code)
    if (hit && hit.stamp === catalog.changes() && Date.now() - hit.at < 5_000) return hit.row
    const row = catalogEntry(db, code)
    const entry = { row, at: Date.now(), stamp: catalog.changes() }
    entries.set(code, entry)
    row.catch(() => {
      if (entries.get(code) === entry) entries.delete(code)
    })
    return row
  }

  /**
   * Intake writes are grouped: reports arriving while a write is in flight go together in the next
   * transaction (numbers for every subclass-day in one upsert, multi-row inserts, one audit append,
   * one duplicate query), so the database sees a few statements per batch instead of per report.
   * A failing batch is retried report by report, so one bad report fails alone.
   */
  interface Pending {
    values: Insertable<CasesTable>
    photos: number[]
    audit: { actor: string; scope: string; requestId: string | undefined; clientIp: string | undefined }
    settings: CaseSettings
  }
  type Duplicate = Awaited<ReturnType<typeof duplicatesOfMany>>[number]
  type Written = { row: Row | undefined; duplicates: Promise<Duplicate> }
  async function writeReports(items: Pending[]): Promise<Written[]> {
    // Numbers first, in a statement of their own: the counters' row locks last microseconds rather
    // than the whole write (a failed write leaves a gap in the numbers, never a duplicate).
    const counts = new Map<string, number>()
    const prefixOf = (v: Insertable<CasesTable>) => caseNumber(v.catalog_code, new Date(v.reported_at as Date), 1).slice(0, 13)
    for (const prefix of items.map((it) => prefixOf(it.values))) counts.set(prefix, (counts.get(prefix) ?? 0) + 1)
    const prefixes = [...counts.keys()].sort() // one lock order for every writer
    const seqs = await sql<{ prefix: string; last: number }>`
      insert into case_sequences (prefix, last)
      select * from unnest(${prefixes}::text[], ${prefixes.map((x) => counts.get(x))}::int[])
      on conflict (prefix) do update set last = case_sequences.last + excluded.last
      returning prefix, last`.execute(db)
    const next = new Map(seqs.rows.map((r) => [r.prefix, r.last - (counts.get(r.prefix) ?? 0)]))
    const rows = await db.transaction().execute(async (trx) => {
      const values = items.map((it) => {
        const prefix = prefixOf(it.values)
        const n = (next.get(prefix) ?? 0) + 1
        next.set(prefix, n)
        return { ...it.values, number: caseNumber(it.values.catalog_code, new Date(it.values.reported_at as Date), n) }
      })
      const inserted = await repo.insertCases(trx, values)
      const byNumber = new Map(inserted.map((r) => [r.number, r]))
      const ordered = values.map((v) => byNumber.get(v.number) as Row)
      await repo.insertSteps(
        trx,
        ordered.map((r, i) => ({
          case_id: Number(r.id),
          at: r.reported_at,
          action: 'report',
          from_status: null,
          to_status: 'reported',
          actor: r.reporter,
          note: r.description,
          details: { source: r.source },
          attachments: items[i]?.photos ?? [],
        })),
      )
      await audit(
        trx,
        ordered.map((r, i) => ({
          actor: items[i]?.audit.actor as string,
          action: 'case.report',
          objectType: 'case',
          objectId: Number(r.id),
          scope: items[i]?.audit.scope,
          requestId: items[i]?.audit.requestId,
          clientIp: items[i]?.audit.clientIp,
          details: { number: r.number, catalog: r.catalog_code, source: r.source },
        })),
      )
      return ordered
    })
    // The duplicate query runs after the write has given its slot to the next batch.
    const dups = duplicatesOfMany(rows, items[0]?.settings as CaseSettings)
    dups.catch(() => undefined)
    return rows.map((row, i) => ({ row, duplicates: dups.then((d) => d[i] ?? []) }))
  }
  const intake = createBatcher<Pending, Written>(
    writeReports,
    async (item) => {
      try {
        return (await writeReports([item]))[0] as Written
      } catch (err) {
        // The same client id committed meanwhile: the caller replays the stored case.
        if ((err as { code?: string }).code === '23505' && item.values.client_id)
          return { row: undefined, duplicates: Promise.resolve([]) }
        throw err
      }
    },
    // Two writers: with the bulk writes as one JSON parameter each, two overlapping batches keep
    // both cores busy (measured on PostgreSQL over HTTP: 1,543 reports/s, p99 56 ms, against 942/s
    // with one writer; before the JSON writes, one writer was best — bench/RESULTS.md).
    { writers: 2 },
  )

  /**
   * Duplicate candidates for several new cases with one query: each report's (subclass, nearby
   * cell) pairs are probed on the index — not every subclass of the batch against every cell.
   */
  async function duplicatesOfMany(rows: Row[], s: CaseSettings) {
    if (!rows.length) return []
    const windowMs = s.duplicates.hours * 3_600_000
    const times = rows.map((r) => new Date(r.reported_at).getTime())
    const cellsOf = rows.map((r) => nearbyCells(r.lng, r.lat, s.duplicates.radiusM))
    const pairs = new Map<string, [string, string]>()
    rows.forEach((r, i) => {
      for (const cell of cellsOf[i] as string[]) pairs.set(`${r.catalog_code}|${cell}`, [r.catalog_code, cell])
    })
    const near = await sql<Pick<Row, 'id' | 'number' | 'catalog_code' | 'cell' | 'lng' | 'lat' | 'reported_at' | 'status'>>`
      select c.id, c.number, c.catalog_code, c.cell, c.lng, c.lat, c.reported_at, c.status
      from unnest(${[...pairs.values()].map((x) => x[0])}::text[], ${[...pairs.values()].map((x) => x[1])}::text[]) k(code, cell)
      join cases c on c.catalog_code = k.code and c.cell = k.cell
        and c.reported_at between ${new Date(Math.min(...times) - windowMs)} and ${new Date(Math.max(...times) + windowMs)}
      where c.status not in ('closed', 'cancelled', 'merged')`.execute(db)
    const byKey = new Map<string, (OpenCase & { number: string; status: CaseStatus })[]>()
    for (const x of near.rows) {
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

  async function report(p: Principal, input: ReportInput): Promise<CaseView & { duplicates: Duplicate; replayed: boolean }> {
    // (The permission is checked at the place: outside every scope 404, inside without it 403.)
    const cur = await settings.current()
    if (input.clientId) {
      const existing = await caseByClientId(db, input.clientId)
      if (existing) {
        if (existing.reporter !== p.actor)
          throw new AppError('DUPLICATE', 'This client id was used by another reporter', { clientId: input.clientId })
        return { ...caseView(p, existing, clock(), cur.calendar), duplicates: [], replayed: true }
      }
    }
    const entry = await cachedEntry(input.catalog)
    if (!entry.active)
      throw new AppError('CATALOG_INACTIVE', `${entry.code} ${entry.name} is no longer in use`, { code: entry.code })
    let place: { lng: number; lat: number; grid: string | null; community: string; component: string | null }
    if (input.component) {
      const c = await componentPlace(db, input.component)
      if (!c) throw new AppError('REFERENCE_NOT_FOUND', `No component ${input.component}`, { component: input.component })
      place = {
        lng: input.lng ?? c.lng,
        lat: input.lat ?? c.lat,
        grid: c.grid_code,
        community: c.community_code,
        component: c.code,
      }
    } else {
      if (input.lng === undefined || input.lat === undefined)
        throw missingRequirement('lng', 'Give the location (lng, lat) or a component')
      const l = await grids.lookup(input.lng, input.lat)
      place = { lng: input.lng, lat: input.lat, grid: l.grid, community: l.community, component: null }
    }
    const code = place.grid ?? place.community
    p.check(
      'case.report',
      code,
      () => new AppError('NOT_FOUND', 'This place is outside your area', { grid: place.grid, community: place.community }),
    )
    const source = sourceFor(p, input.source)
    const photos = input.photos ?? []
    await deps.attachments().requireOwn(p, photos)
    if (source === 'grid_worker' && photos.length < entry.photos)
      throw new AppError('EVIDENCE_REQUIRED', `${entry.name}: a report needs ${entry.photos} photo(s)`, {
        required: entry.photos,
        given: photos.length,
      })
    const urgency = input.urgency ?? 'normal'
    const now = clock()
    const { row, duplicates: pendingDuplicates } = await intake.submit({
      values: {
        number: '',
        kind: entry.kind,
        catalog_code: entry.code,
        catalog_version: entry.version,
        urgency,
        limit_amount: urgency === 'urgent' ? entry.urgent_amount : entry.normal_amount,
        limit_unit: (urgency === 'urgent' ? entry.urgent_unit : entry.normal_unit) as Row['limit_unit'],
        status: 'reported',
        source,
        description: input.description,
        address: input.address ?? null,
        lng: place.lng,
        lat: place.lat,
        cell: caseCell(place.lng, place.lat),
        community_code: place.community,
        grid_code: place.grid,
        component_code: place.component,
        reporter: p.actor,
        reporter_user_id: p.user.id > 0 ? p.user.id : null,
        reporter_name: input.reporterName ?? null,
        reporter_phone: input.reporterPhone ?? null,
        client_id: input.clientId ?? null,
        reported_at: now,
        updated_at: now,
      },
      photos,
      audit: { actor: p.actor, scope: code, requestId: p.requestId, clientIp: p.clientIp },
      settings: cur.settings,
    })
    if (!row) return report(p, input) // a concurrent submission with the same client id won: replay it
    const duplicates = await pendingDuplicates
    return { ...caseView(p, row, clock(), cur.calendar), duplicates, replayed: false }
  }

  return { report, duplicatesOfMany }
}

export type Intake = ReturnType<typeof createIntake>
export type Duplicate = Awaited<ReturnType<Intake['duplicatesOfMany']>>[number]
