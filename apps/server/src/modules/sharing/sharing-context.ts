// What the sharing module's use cases share (dataset-catalog.ts, delivery-views.ts,
// board-views.ts): the database, the repository, the owners' stores, the cross-checks, and who may
// see which dataset and delivery (a department's own user sees its own only).
import type { DatasetDefinition, DatasetField } from '@wangge/domain'
import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import { mask, type Principal } from '../access/index.js'
import type { SharedEntityStore } from '../history/index.js'
import type { Crosschecks } from './crosschecks.js'
import type { DeliveryRow, SharingRepository } from './sharing.repository.js'

export interface SharingContext {
  db: Kysely<DB>
  repo: SharingRepository
  stores: Partial<Record<DatasetDefinition['entity'], SharedEntityStore>>
  crosschecks: Crosschecks
  clock: () => Date
  /** See DeliveryDeps (PostgreSQL: true). */
  readsBeside?: boolean | undefined
}

export const iso = (d: Date | string | null) => (d == null ? null : new Date(d).toISOString())

export function deliveryOut(r: DeliveryRow) {
  return {
    id: Number(r.id),
    dataset: r.dataset_code,
    datasetVersion: r.dataset_version,
    department: r.department,
    deliveryKey: r.delivery_key,
    channel: r.channel,
    mode: r.mode,
    policy: r.policy,
    status: r.status,
    fileName: r.file_name,
    asOf: iso(r.as_of) as string,
    rows: {
      total: r.rows_total,
      rejected: r.rows_rejected,
      changed: r.rows_changed,
      unchanged: r.rows_unchanged,
      unmatched: r.rows_unmatched,
      removed: r.rows_removed,
    },
    receivedAt: iso(r.received_at) as string,
    finishedAt: iso(r.finished_at),
    createdBy: r.created_by,
  }
}

/** A department's own user is held to its department (an administrator of sharing is not). */
export const ownDepartment = (p: Principal) => (p.user.department && !p.has('sharing.admin') ? p.user.department : undefined)
export const datasetMissing = (code: string) => () => new AppError('NOT_FOUND', `No dataset ${code}`, { dataset: code })
const deliveryMissing = (id: number) => () => new AppError('NOT_FOUND', `No delivery ${id}`, { id })

/** A dataset the caller may see (with `perm`): a department's own user sees its own only. */
export async function visibleDataset(
  { repo }: SharingContext,
  p: Principal,
  code: string,
  perm: 'sharing.read' | 'sharing.deliver' = 'sharing.read',
) {
  p.require(perm)
  const row = await repo.dataset(code)
  const own = ownDepartment(p)
  if (!row || (own && row.department !== own)) throw datasetMissing(code)()
  return row
}

export async function visibleDelivery({ repo }: SharingContext, p: Principal, id: number) {
  p.require('sharing.read')
  const row = await repo.delivery(id)
  const own = ownDepartment(p)
  if (!row || (own && row.department !== own)) throw deliveryMissing(id)()
  return row
}

/** Personal data in a department's rows are masked for everyone but that department; `label`
 *  names a field in Chinese. */
export async function maskerFor({ repo }: SharingContext, p: Principal, d: DeliveryRow) {
  const plain = p.user.department === d.department
  const row = await repo.dataset(d.dataset_code)
  const fields = new Map(((row?.fields ?? []) as unknown as DatasetField[]).map((f) => [f.name, f]))
  const personal = (f: DatasetField | undefined) =>
    f?.type === 'id_number'
      ? mask.idNumber
      : f?.type === 'phone'
        ? mask.phone
        : f?.name.endsWith('name') && row?.entity !== 'organization'
          ? mask.name
          : undefined
  return {
    key: (k: string | null) => (plain || k == null ? k : (personal(fields.get(row?.key_field ?? ''))?.(k) ?? k)),
    value: (field: string, v: string | null) => (plain || v == null ? v : (personal(fields.get(field))?.(v) ?? v)),
    label: (field: string) => fields.get(field)?.label ?? field,
  }
}
