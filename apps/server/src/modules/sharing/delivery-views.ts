// Deliveries as the departments and the platform see them: receiving one (delivery.ts applies it;
// the cross-checks of the records it touched follow), the list, one delivery, its rejected rows
// (also as a table to download, in the department's words) and the rows that matched no record —
// personal data masked for everyone but the department that sent them.
import { ROW_PROBLEMS, type RowProblem } from '@wangge/domain'
import { AppError } from '../../kernel/errors.js'
import type { StatsTable } from '../../kernel/table-file.js'
import { forbidden, type Principal } from '../access/index.js'
import { applyDelivery, type DeliveryInput, MAX_KEPT_REJECTS, type RawRow } from './delivery.js'
import { type DeliveryRow, toDefinition } from './sharing.repository.js'
import { deliveryOut, maskerFor, ownDepartment, type SharingContext, visibleDataset, visibleDelivery } from './sharing-context.js'

/** Receives a delivery for a dataset of the caller's department (idempotent by its key). */
export async function deliver(
  ctx: SharingContext,
  p: Principal,
  code: string,
  input: Omit<DeliveryInput, 'asOf'> & {
    asOf?: Date | undefined
    /** A pushed change set's removals: record keys, after the pushed rows. */
    removals?: readonly string[]
  },
) {
  const { db, repo, stores, clock, readsBeside, crosschecks } = ctx
  const row = await visibleDataset(ctx, p, code, 'sharing.deliver')
  // A delivery is the department's act: someone without a department delivers only as an
  // administrator of sharing (e.g. loading a department's file on its behalf).
  if (!ownDepartment(p) && !p.has('sharing.admin')) throw forbidden('sharing.admin')
  if (!row.active)
    throw new AppError('VALIDATION_FAILED', `Dataset ${code} is not in use`, {
      issues: [{ path: 'dataset', message: 'inactive' }],
    })
  const dataset = { ...toDefinition(row), version: row.version }
  const { removals = [], ...rest } = input
  if (removals.length) {
    const rows = [...(rest.rows as Iterable<RawRow>)]
    const n = rows.length
    removals.forEach((key, j) => {
      rows.push({ rowNo: n + j + 1, values: { [dataset.keyField]: key }, op: 'remove' })
    })
    rest.rows = rows
    if (!rest.columns.includes(dataset.keyField)) rest.columns = [...rest.columns, dataset.keyField]
  }
  const { id, replayed, touched } = await applyDelivery(
    { db, repo, stores, clock, readsBeside },
    dataset,
    { id: p.actor, requestId: p.requestId, clientIp: p.clientIp },
    rest,
  )
  const out = deliveryOut((await repo.delivery(id)) as DeliveryRow)
  // The cross-checks about the records this delivery touched (the nightly run does the rest).
  if (!replayed && out.status !== 'rejected') await crosschecks.runForDelivery(id, dataset.entity, touched)
  return { ...out, replayed }
}

export async function deliveries(
  { repo }: SharingContext,
  p: Principal,
  f: { dataset?: string | undefined; department?: string | undefined },
  page: number,
  pageSize: number,
) {
  p.require('sharing.read')
  const own = ownDepartment(p)
  const { items, total } = await repo.listDeliveries(
    { dataset: f.dataset, department: own ?? f.department },
    pageSize,
    (page - 1) * pageSize,
  )
  return { items: items.map(deliveryOut), total, page, pageSize }
}

export async function delivery(ctx: SharingContext, p: Principal, id: number) {
  return deliveryOut(await visibleDelivery(ctx, p, id))
}

export async function rejects(ctx: SharingContext, p: Principal, id: number, page: number, pageSize: number) {
  const d = await visibleDelivery(ctx, p, id)
  const items = await ctx.repo.rejects(id, pageSize, (page - 1) * pageSize)
  const m = await maskerFor(ctx, p, d)
  return {
    items: items.map((r) => ({
      rowNo: r.row_no,
      recordKey: m.key(r.record_key),
      field: r.field,
      problem: r.problem,
      message: r.message,
      value: m.value(r.field, r.value),
    })),
    total: d.rows_rejected,
    page,
    pageSize,
  }
}

/** The rejected rows as a table to download, in the department's words (row, key, field, problem). */
export async function rejectsTable(ctx: SharingContext, p: Principal, id: number): Promise<StatsTable> {
  const d = await visibleDelivery(ctx, p, id)
  const rows = await ctx.repo.rejects(id, MAX_KEPT_REJECTS, 0)
  const m = await maskerFor(ctx, p, d)
  return {
    title: `${d.dataset_code} ${d.delivery_key} 退回记录`,
    columns: [
      { key: 'rowNo', header: '行号' },
      { key: 'recordKey', header: '主键' },
      { key: 'field', header: '字段' },
      { key: 'label', header: '字段中文名' },
      { key: 'problem', header: '问题' },
      { key: 'value', header: '原值' },
      { key: 'message', header: '说明（detail）' },
    ],
    rows: rows.map((r) => ({
      rowNo: r.row_no,
      recordKey: m.key(r.record_key),
      field: r.field,
      label: m.label(r.field),
      problem: ROW_PROBLEMS[r.problem as RowProblem]?.zh ?? r.problem,
      value: m.value(r.field, r.value),
      message: r.message,
    })),
  }
}

export async function unmatched(ctx: SharingContext, p: Principal, id: number, page: number, pageSize: number) {
  const d = await visibleDelivery(ctx, p, id)
  const items = await ctx.repo.unmatched(id, pageSize, (page - 1) * pageSize)
  const m = await maskerFor(ctx, p, d)
  return {
    items: items.map((r) => ({
      rowNo: r.row_no,
      recordKey: m.key(r.record_key) as string,
      record: Object.fromEntries(
        Object.entries(r.record as Record<string, unknown>).map(([k, v]) => [k, v == null ? v : m.value(k, String(v))]),
      ),
    })),
    total: d.rows_unmatched,
    page,
    pageSize,
  }
}
