// What a department's delivery may do to a base record, as its owner module offers it (data
// sharing, issue 19): find records by their key, and write the fields of the groups a dataset
// answers for — set-based, with version, provenance and history. Each owner (persons, housing,
// organizations, components) builds its store with `createSharedStore` over its own table (the
// history module offers the factory because every write it makes ends in the change log); the
// sharing module only ever sees the interface.
import type { Kysely, Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import { historyRepository as repo } from './history.repository.js'
import { type ChangeEntry, recordChanges } from './history.service.js'

type Db = Kysely<DB> | Transaction<DB>
export type FieldValue = string | number | boolean | string[] | null

export interface SharedBaseRecord {
  id: number
  version: number
  communityCode: string
  /** Current values of the asked fields (API names; dates as YYYY-MM-DD). */
  values: Record<string, FieldValue>
}

export interface SharedChange {
  id: number
  version: number
  /** New values of the changed fields (API names). */
  set: Record<string, FieldValue>
  changes: Record<string, { old: FieldValue; new: FieldValue }>
}

export interface SharedProvenance {
  department: string
  datasetCode: string
  deliveryId: number
  actor: string
  reason: string
  requestId?: string | undefined
  clientIp?: string | undefined
}

export interface SharedEntityStore {
  entity: 'person' | 'dwelling' | 'organization' | 'component'
  /** Base records by key (ID number, USCC, normalised address, component code). */
  find(trx: Db, keys: readonly string[], fields: readonly string[]): Promise<Map<string, SharedBaseRecord>>
  /** Writes the changed fields with version, provenance and history (in the caller's transaction). */
  apply(trx: Transaction<DB>, changes: readonly SharedChange[], prov: SharedProvenance): Promise<void>
  /** Checks the values a record would have after the change (constraints across fields). */
  check?(values: Record<string, FieldValue>): { field: string; message: string }[]
}

export interface SharedStoreSpec<T extends keyof DB & string> {
  entity: SharedEntityStore['entity']
  table: T
  keyColumn: string
  /** API field name → column. */
  columns: Record<string, string>
  dateFields?: readonly string[]
  /** Extra columns set with a change (e.g. a name's initials), from the new values. */
  derived?: (set: Record<string, FieldValue>) => Record<string, unknown>
  /** History action for a change (default `update`). */
  action?: (c: SharedChange) => ChangeEntry['action']
  /** After the rows are written (e.g. per-field-group provenance). */
  after?: (trx: Transaction<DB>, changes: readonly SharedChange[], prov: SharedProvenance) => Promise<void>
  check?: SharedEntityStore['check']
}

const dateText = (v: unknown) => (v instanceof Date ? v.toISOString().slice(0, 10) : v == null ? null : String(v).slice(0, 10))

export function createSharedStore<T extends keyof DB & string>(spec: SharedStoreSpec<T>): SharedEntityStore {
  const dates = new Set(spec.dateFields ?? [])
  const column = (f: string) => {
    const c = spec.columns[f]
    if (!c) throw new Error(`${spec.entity}: no column for ${f}`)
    return c
  }
  return {
    entity: spec.entity,
    check: spec.check,
    async find(trx, keys, fields) {
      const out = new Map<string, SharedBaseRecord>()
      if (!keys.length) return out
      const rows = await repo.findByKey(
        trx,
        spec.table,
        spec.keyColumn,
        keys,
        fields.map((f) => [column(f), f] as const),
      )
      for (const r of rows)
        out.set(String(r.key), {
          id: Number(r.id),
          version: Number(r.version),
          communityCode: String(r.community_code),
          values: Object.fromEntries(fields.map((f) => [f, (dates.has(f) ? dateText(r[f]) : r[f]) as FieldValue])),
        })
      return out
    },
    async apply(trx, changes, prov) {
      if (!changes.length) return
      // One statement per set of changed columns (a delivery has few such shapes).
      const shapes = new Map<string, SharedChange[]>()
      for (const c of changes) {
        const k = Object.keys(c.set).sort().join(',')
        shapes.set(k, [...(shapes.get(k) ?? []), c])
      }
      for (const [k, group] of shapes) {
        const fields = k.split(',')
        for (let i = 0; i < group.length; i += 5000) {
          const rows = group.slice(i, i + 5000).map((c) => {
            const row: Record<string, unknown> = { id: c.id }
            for (const f of fields) row[column(f)] = c.set[f]
            Object.assign(row, spec.derived?.(c.set))
            return row
          })
          await repo.updateByRows(trx, spec.table, rows, prov)
        }
      }
      await spec.after?.(trx, changes, prov)
      await recordChanges(
        trx,
        changes.map((c) => ({
          entity: spec.entity,
          entityId: c.id,
          version: c.version + 1,
          action: spec.action?.(c) ?? 'update',
          changes: c.changes,
          reason: prov.reason,
          actor: prov.actor,
          source: prov.department,
          requestId: prov.requestId,
          clientIp: prov.clientIp,
        })),
      )
    },
  }
}
