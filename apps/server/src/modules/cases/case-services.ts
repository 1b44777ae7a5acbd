// The event loop's services wired together — the grid lookup, the catalog (seeded), the case
// settings, cases and their photos (cases and attachments refer to each other) — built alike by
// the server and by the lifecycle benchmark.
import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import type { ChangeBus } from '../../kernel/change-bus.js'
import type { ObjectStore } from '../../kernel/object-store.js'
import { createCatalogService } from '../catalog/index.js'
import { createGridsService, type GridsService } from '../grids/index.js'
import { createAttachmentsService } from './attachments.service.js'
import { createCaseSettingsService } from './case-settings.service.js'
import { createCasesService } from './cases.service.js'

export async function createCaseServices(deps: {
  db: Kysely<DB>
  clock: () => Date
  /** The server's grid service (its lookup index is shared); a new one otherwise. */
  grids?: GridsService
  /** News of changes to cached data, to and from other holders (see kernel/change-bus). */
  bus?: ChangeBus | undefined
  /** Where photos go (S3_URL); in their database rows when none. */
  objects?: ObjectStore | undefined
}) {
  const { db, clock } = deps
  const grids = deps.grids ?? createGridsService({ db, bus: deps.bus })
  const catalog = createCatalogService({ db, grids, bus: deps.bus })
  await catalog.seed()
  const settings = createCaseSettingsService({ db, bus: deps.bus, clock })
  const cases = createCasesService({ db, grids, catalog, settings, attachments: () => attachments, clock })
  const attachments = createAttachmentsService({ db, cases, objects: deps.objects })
  return { grids, catalog, settings, cases, attachments }
}
