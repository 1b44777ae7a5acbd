// Intake (发现告知): a report is placed (point → grid through the in-memory lookup, or the
// component's place), checked (scope at the place, own photos, the class's evidence), numbered and
// written in a group with the reports arriving meanwhile (intake-write.ts); duplicates nearby are
// suggested (duplicates.ts).
import { caseCell } from '@wangge/domain'
import type { Kysely, Selectable } from 'kysely'
import type { CaseCatalogTable, DB } from '../../db/schema.js'
import { createBatcher } from '../../kernel/batcher.js'
import { AppError } from '../../kernel/errors.js'
import type { Principal } from '../access/index.js'
import type { CatalogService } from '../catalog/index.js'
import type { GridsService } from '../grids/index.js'
import type { AttachmentsService } from './attachments.service.js'
import { missingRequirement, type ReportInput, type Row, type Source } from './case-model.js'
import type { CaseSettingsService } from './case-settings.service.js'
import { type CaseView, caseView } from './case-view.js'
import { caseByClientId, catalogEntry, componentPlace } from './cases.repository.js'
import { type Duplicate, duplicatesOfMany } from './duplicates.js'
import { type Pending, type Written, writeReports } from './intake-write.js'

export interface IntakeDeps {
  db: Kysely<DB>
  grids: GridsService
  catalog: CatalogService
  settings: CaseSettingsService
  attachments: () => AttachmentsService
  clock: () => Date
}

interface IntakeContext extends IntakeDeps {
  /** The subclass's catalog entry (cached briefly). */
  entry: (code: string) => Promise<Selectable<CaseCatalogTable>>
  submit: (item: Pending) => Promise<Written>
}

type Place = { lng: number; lat: number; grid: string | null; community: string; component: string | null }

function sourceFor(p: Principal, given: Source | undefined): Source {
  if (p.has('case.register')) return given ?? 'hotline'
  if (p.has('case.verify')) return given === 'resident' ? 'resident' : 'grid_worker'
  if (p.user.department && p.has('case.handle')) return 'department'
  return 'resident'
}

/** Where the report is: the component's place (the report's point, if given, wins), or the grid
 *  and community of its point. */
async function placeOf({ db, grids }: IntakeContext, input: ReportInput): Promise<Place> {
  if (input.component) {
    const c = await componentPlace(db, input.component)
    if (!c) throw new AppError('REFERENCE_NOT_FOUND', `No component ${input.component}`, { component: input.component })
    return { lng: input.lng ?? c.lng, lat: input.lat ?? c.lat, grid: c.grid_code, community: c.community_code, component: c.code }
  }
  if (input.lng === undefined || input.lat === undefined)
    throw missingRequirement('lng', 'Give the location (lng, lat) or a component')
  const l = await grids.lookup(input.lng, input.lat)
  return { lng: input.lng, lat: input.lat, grid: l.grid, community: l.community, component: null }
}

/** The case row a report becomes (numbered when its batch is written). */
function caseValues(
  p: Principal,
  input: ReportInput,
  entry: Selectable<CaseCatalogTable>,
  place: Place,
  source: Source,
  now: Date,
) {
  const urgency = input.urgency ?? 'normal'
  return {
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
  } satisfies Pending['values']
}

/** A report: replayed by its client id, or placed, checked and written with its batch. */
async function report(
  ctx: IntakeContext,
  p: Principal,
  input: ReportInput,
): Promise<CaseView & { duplicates: Duplicate[]; replayed: boolean }> {
  // (The permission is checked at the place: outside every scope 404, inside without it 403.)
  const cur = await ctx.settings.current()
  if (input.clientId) {
    const existing = await caseByClientId(ctx.db, input.clientId)
    if (existing) {
      if (existing.reporter !== p.actor)
        throw new AppError('DUPLICATE', 'This client id was used by another reporter', { clientId: input.clientId })
      return { ...caseView(p, existing, ctx.clock(), cur.calendar), duplicates: [], replayed: true }
    }
  }
  const entry = await ctx.entry(input.catalog)
  if (!entry.active)
    throw new AppError('CATALOG_INACTIVE', `${entry.code} ${entry.name} is no longer in use`, { code: entry.code })
  const place = await placeOf(ctx, input)
  const code = place.grid ?? place.community
  p.check(
    'case.report',
    code,
    () => new AppError('NOT_FOUND', 'This place is outside your area', { grid: place.grid, community: place.community }),
  )
  const source = sourceFor(p, input.source)
  const photos = input.photos ?? []
  await ctx.attachments().requireOwn(p, photos)
  if (source === 'grid_worker' && photos.length < entry.photos)
    throw new AppError('EVIDENCE_REQUIRED', `${entry.name}: a report needs ${entry.photos} photo(s)`, {
      required: entry.photos,
      given: photos.length,
    })
  const { row, duplicates } = await ctx.submit({
    values: caseValues(p, input, entry, place, source, ctx.clock()),
    photos,
    audit: { actor: p.actor, scope: code, requestId: p.requestId, clientIp: p.clientIp },
    settings: cur.settings,
  })
  if (!row) return report(ctx, p, input) // a concurrent submission with the same client id won: replay it
  return { ...caseView(p, row, ctx.clock(), cur.calendar), duplicates: await duplicates, replayed: false }
}

/**
 * Catalog entries for intake, cached briefly (an edit in this process invalidates at once). The
 * promise is kept, so that a burst of reports of one subclass asks the database once, not once per
 * report arriving before the first answer; a failed read is not kept.
 */
function entryCache({ db, catalog }: IntakeDeps) {
  const entries = new Map<string, { row: Promise<Selectable<CaseCatalogTable>>; at: number; stamp: number }>()
  return (code: string) => {
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
}

export function createIntake(deps: IntakeDeps) {
  const { db } = deps
  // Reports arriving while a write is in flight go together in the next transaction; a failing
  // batch is retried report by report, so one bad report fails alone.
  const batcher = createBatcher<Pending, Written>(
    (items) => writeReports(db, items),
    async (item) => {
      try {
        return (await writeReports(db, [item]))[0] as Written
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
  const ctx: IntakeContext = { ...deps, entry: entryCache(deps), submit: (item) => batcher.submit(item) }
  return {
    report: (p: Principal, input: ReportInput) => report(ctx, p, input),
    duplicatesOfMany: (rows: readonly Row[], s: Parameters<typeof duplicatesOfMany>[2]) => duplicatesOfMany(db, rows, s),
  }
}

export type Intake = ReturnType<typeof createIntake>
