// The case catalog and routing rules (data, edited by administrators) and the routing dry run.
// This file wires the use cases: entries.ts (the catalog, versioned edits) and routing.ts (rules,
// the router other modules ask, the dry run); every edit bumps a counter caches compare and tells
// the other processes through the change bus.
import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import type { ChangeBus } from '../../kernel/change-bus.js'
import { useCase } from '../../kernel/use-case.js'
import type { Principal } from '../access/index.js'
import type { GridsService } from '../grids/index.js'
import { createCatalogRepository } from './catalog.repository.js'
import * as entries from './entries.js'
import * as routing from './routing.js'

export { type CatalogEntryOut, type CatalogPatch, seedDepartments } from './entries.js'

export function createCatalogService({ db, grids, bus }: { db: Kysely<DB>; grids: GridsService; bus?: ChangeBus | undefined }) {
  let changes = 0 // edits seen by this process (caches compare it)
  bus?.on('catalog', () => {
    changes++
  })
  const ctx: entries.CatalogContext = {
    db,
    repo: createCatalogRepository(db),
    changed: () => {
      changes++
      bus?.publish('catalog')
    },
  }
  const router = new routing.Router(ctx, () => changes)
  return {
    responsible: router.responsible.bind(router),
    /** Bumped by every edit in this process (caches compare it). */
    changes: () => changes,
    seed: useCase(ctx, entries.seed),
    list: useCase(ctx, entries.list),
    get: useCase(ctx, entries.get),
    departments: useCase(ctx, entries.departments),
    update: useCase(ctx, entries.update),
    history: useCase(ctx, entries.history),
    rules: useCase(ctx, routing.rules),
    addRule: useCase(ctx, routing.addRule),
    deleteRule: useCase(ctx, routing.deleteRule),
    route: (p: Principal, input: Parameters<typeof routing.route>[4]) => routing.route(ctx, router, grids, p, input),
  }
}

export type CatalogService = ReturnType<typeof createCatalogService>
