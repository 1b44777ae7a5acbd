// What the one-window use cases share (service-items.ts, window.ts, applications.ts, offers.ts):
// the database and repository, the loop's cases, the clock, and the active items kept for a few
// seconds (an edit in this process drops them at once; another process's edit is seen within the
// TTL), so that one person's re-evaluation reads no item rows.
import { beijingDate, departmentDays, type ServiceItemDefinition } from '@wangge/domain'
import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import type { CasesService } from '../cases/index.js'
import type { ItemRow, ServicesRepository } from './services.repository.js'

export interface ServicesContext {
  db: Kysely<DB>
  repo: ServicesRepository
  cases: CasesService
  clock: () => Date
  /** Today in Beijing. */
  today: () => string
  /** The active items (`q`: the caller's transaction when in one — the embedded engine has a single connection). */
  activeItems: (q?: Kysely<DB>) => Promise<(ServiceItemDefinition & { version: number })[]>
  /** Forget the cached items (an edit). */
  dropItems: () => void
}

export function servicesContext(
  deps: { db: Kysely<DB>; cases: CasesService; clock?: (() => Date) | undefined },
  repo: ServicesRepository,
): ServicesContext {
  const clock = deps.clock ?? (() => new Date())
  let cached: { at: number; items: ReturnType<ServicesContext['activeItems']> } | undefined
  return {
    db: deps.db,
    repo,
    cases: deps.cases,
    clock,
    today: () => beijingDate(clock()),
    activeItems: (q = deps.db) => {
      if (!cached || Date.now() - cached.at > 5_000) {
        const items = repo
          .itemRows(q)
          .then((rows) => rows.filter((r) => r.active).map((r) => ({ ...r.definition, version: r.version })))
        items.catch(() => {
          cached = undefined
        })
        cached = { at: Date.now(), items }
      }
      return cached.items
    },
    dropItems: () => {
      cached = undefined
    },
  }
}

export const iso = (d: unknown) => (d instanceof Date ? d.toISOString() : String(d))
export const notFound = (what: string, details: Record<string, unknown>) => new AppError('NOT_FOUND', `No ${what}`, details)

export const itemOut = (r: ItemRow) => ({
  ...r.definition,
  code: r.code,
  active: r.active,
  version: r.version,
  updatedAt: iso(r.updated_at),
  updatedBy: r.updated_by,
  departmentDays: departmentDays(r.definition),
})

/** An item's row, or NOT_FOUND. */
export async function itemRow({ repo }: ServicesContext, code: string) {
  const r = await repo.itemRow(code)
  if (!r) throw notFound(`service item ${code}`, { code })
  return r
}
