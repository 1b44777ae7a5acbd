// A delivery, from rows to the base database (issue 19 §2–3): every row validated (all its
// problems), matched by its key, the fields of the dataset's groups written through the owner's
// store with provenance and history, the department's record kept, unmatched rows listed. One
// transaction: all-or-nothing rolls back at the first rejected row's end of file and records the
// delivery as rejected with its rows; "valid rows" applies the rest. The rows stream through in
// batches, so a file is never held whole.
import { createHash } from 'node:crypto'
import {
  type DatasetDefinition,
  mapColumns,
  normaliseAddress,
  ownedTags,
  type RecordValues,
  type RowError,
  type RowValue,
  validateRow,
} from '@wangge/domain'
import type { Kysely, Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import { audit } from '../access/index.js'
import type { FieldValue, SharedBaseRecord, SharedChange, SharedEntityStore } from '../history/index.js'
import { type DeliveryCounts, type RejectRow, recordHash, type SharingRepository } from './sharing.repository.js'

export interface RawRow {
  /** 1 = the first data row of the file or batch. */
  rowNo: number
  values: Record<string, RowValue>
  /** Incremental change sets: `remove` takes the record away (only its key is needed). */
  op?: 'upsert' | 'remove'
}

export interface DeliveryInput {
  deliveryKey: string
  mode: 'snapshot' | 'incremental'
  policy: 'all_or_nothing' | 'valid_rows'
  channel: 'upload' | 'push' | 'cli' | 'simulation'
  fileName?: string | undefined
  asOf?: Date | undefined
  /** When it was received (a simulation of past months only; default now). */
  receivedAt?: Date | undefined
  reason?: string | undefined
  /** Column names as delivered (file header, or the keys of pushed records). */
  columns: readonly string[]
  rows: AsyncIterable<RawRow> | Iterable<RawRow>
  /** Progress after each batch (rows read so far). */
  onProgress?: (rows: number) => void
}

export interface DeliveryDeps {
  db: Kysely<DB>
  repo: SharingRepository
  stores: Partial<Record<DatasetDefinition['entity'], SharedEntityStore>>
  clock: () => Date
  /** Read the next batch on another connection while this one is written (PostgreSQL; not the
   *  embedded engine's single connection). */
  readsBeside?: boolean | undefined
}

const BATCH = 2000
/** Whether a delivery of this process reads beside its transaction now (see `work`). */
let readingBeside = false
/** Changes to base records written together (see `applyGathered`). */
const APPLY_BATCH = 5000
/** Rejected rows kept for download; the counts stay exact beyond it. */
export const MAX_KEPT_REJECTS = 100_000

const OP: Record<string, 'upsert' | 'remove'> = {
  add: 'upsert',
  change: 'upsert',
  upsert: 'upsert',
  新增: 'upsert',
  变更: 'upsert',
  remove: 'remove',
  delete: 'remove',
  删除: 'remove',
  注销: 'remove',
}
export const parseOp = (v: unknown): 'upsert' | 'remove' | undefined => (v == null || v === '' ? 'upsert' : OP[String(v).trim()])

class Rejected extends Error {}

// WANGGE_DELIVERY_DEBUG=1: where a delivery's time goes (ms per phase, printed at the end).
const DEBUG = !!process.env.WANGGE_DELIVERY_DEBUG
/** A delivery's clock: `lap` adds the time since `since` to a phase and answers now. */
function phaseClock() {
  const phases: Record<string, number> = {}
  return {
    phases,
    lap(phase: string, since: number): number {
      const now = performance.now()
      if (DEBUG) phases[phase] = (phases[phase] ?? 0) + (now - since)
      return now
    },
  }
}

/** The fields whose value the change alters, with old and new. */
function changesOf(current: Record<string, FieldValue>, set: Record<string, FieldValue>): SharedChange['changes'] {
  const changed: SharedChange['changes'] = {}
  for (const [k, v] of Object.entries(set))
    if (JSON.stringify(current[k] ?? null) !== JSON.stringify(v)) changed[k] = { old: current[k] ?? null, new: v }
  return changed
}

type Actor = { id: string; requestId?: string | undefined; clientIp?: string | undefined }
type Dataset = DatasetDefinition & { version: number }
/** A valid row on its way to the database. */
type BatchRow = { rowNo: number; key: string; values: RecordValues; present: Set<string>; remove: boolean }
/** What the department said last time, by key. */
type Held = Map<string, { hash: string; unprinted: boolean; removed: boolean; entityId: number | null }>
type Provenance = Parameters<SharedEntityStore['apply']>[2]

/** The columns of a delivery fitted to its dataset; a field of another department's, an unknown
 *  column, or (in a snapshot) a missing required one refuses the whole delivery. */
function fitColumns(dataset: Dataset, input: DeliveryInput) {
  const cols = mapColumns(
    dataset,
    input.columns.filter((c) => c !== 'op' && c !== '操作'),
  )
  if (cols.notOwned.length)
    throw new AppError('FIELD_NOT_OWNED', `These fields are answered for by another department: ${cols.notOwned.join(', ')}`, {
      fields: cols.notOwned,
      dataset: dataset.code,
    })
  if (cols.unknown.length || (input.mode === 'snapshot' && cols.missing.length))
    throw new AppError('VALIDATION_FAILED', 'The columns do not fit the dataset', {
      issues: [
        ...cols.unknown.map((c) => ({ path: c, message: 'Not a field of the dataset' })),
        ...(input.mode === 'snapshot' ? cols.missing : []).map((c) => ({ path: c, message: 'Required column missing' })),
      ],
      fields: dataset.fields.map((f) => f.name),
    })
  return cols
}

/**
 * One delivery's run: what it counted, rejected and touched so far, and its stages — each row
 * parsed and checked (`parse`), batches read and compared with the base records and the
 * department's earlier records (`read`, `compare`), written (`write`), what a snapshot left out
 * taken away (`removeLeftOut`), the delivery recorded (`finish`, or `recordRejected` when all or
 * nothing failed).
 */
class DeliveryRun {
  readonly counts: DeliveryCounts = {
    rows_total: 0,
    rows_rejected: 0,
    rows_changed: 0,
    rows_unchanged: 0,
    rows_unmatched: 0,
    rows_removed: 0,
  }
  readonly rejects: Omit<RejectRow, 'delivery_id'>[] = []
  /** The base records whose data this delivery changed (theirs or the department's record of them). */
  readonly touched = new Set<number>()
  /** The content's fingerprint (a re-send with the same id must be the same content). */
  readonly hash = createHash('sha256')
  /** Whether the dataset holds records from earlier deliveries (a first delivery looks none up). */
  holdsRecords = true
  private readonly rejectedRows = new Set<number>()
  private readonly rejectedKeys: string[] = []
  private readonly seen = new Set<string>()
  private readonly store: SharedEntityStore | undefined
  private readonly targetFields: string[]
  private readonly tags: Set<string>
  private readonly clock = phaseClock()
  /** The day the data describe. */
  readonly now: Date
  /** Dates in the rows may not lie after the delivery was received (the data's own day may be earlier). */
  private readonly receivedAt: Date

  constructor(
    private readonly deps: DeliveryDeps,
    readonly dataset: Dataset,
    readonly actor: Actor,
    readonly input: DeliveryInput,
    private readonly cols: ReturnType<typeof fitColumns>,
  ) {
    this.store = dataset.entity === 'none' ? undefined : deps.stores[dataset.entity]
    this.targetFields = [...new Set(dataset.fields.filter((f) => f.target).map((f) => f.target as string))]
    this.tags = ownedTags(dataset.fieldGroups)
    this.now = input.asOf ?? deps.clock()
    this.receivedAt = (input.channel === 'simulation' ? input.receivedAt : undefined) ?? deps.clock()
  }

  private keyOf(v: RecordValues) {
    const k = v[this.dataset.keyField]
    return k == null ? null : this.dataset.recordKey === 'address' ? normaliseAddress(String(k)) : String(k)
  }

  reject(rowNo: number, key: string | null, errors: RowError[]) {
    if (!this.rejectedRows.has(rowNo)) {
      this.rejectedRows.add(rowNo)
      this.counts.rows_rejected++
      if (key) this.rejectedKeys.push(key)
    }
    for (const e of errors)
      if (this.rejects.length < MAX_KEPT_REJECTS)
        this.rejects.push({
          row_no: rowNo,
          record_key: key,
          field: e.field,
          problem: e.problem,
          message: e.message,
          value: e.value ?? null,
        })
  }

  /** The base values after this row: the supplied targets; care tags merged within the owned ones. */
  private nextValues(current: Record<string, FieldValue>, values: RecordValues, present: Set<string>, remove: boolean) {
    const set: Record<string, FieldValue> = {}
    for (const f of this.dataset.fields) {
      if (!f.target || (!remove && !present.has(f.name))) continue
      if (f.target === 'careTags') {
        const now = ((current.careTags as string[] | null) ?? []).filter((t) => !this.tags.has(t))
        const supplied = remove ? [] : ((values[f.name] as string[] | null) ?? [])
        set.careTags = [...new Set([...now, ...supplied])].sort()
      } else if (!remove) set[f.target] = values[f.name] ?? null
    }
    return set
  }

  /** A row counted, fingerprinted, mapped and validated: the row for a batch, or null (rejected). */
  parse(raw: RawRow): BatchRow | null {
    const { dataset, input } = this
    this.counts.rows_total++
    this.hash.update(JSON.stringify([raw.op ?? 'upsert', raw.values]))
    const mapped: Record<string, RowValue> = {}
    const extra: RowError[] = []
    for (const [c, v] of Object.entries(raw.values)) {
      const f = this.cols.mapping.get(c)
      if (f) mapped[f] = v
      else if (c === 'op') extra.push({ field: 'op', problem: 'format', message: `Not an operation (add, change, remove): ${v}` })
      else if (v != null && v !== '')
        extra.push(
          mapColumns(dataset, [c]).notOwned.length
            ? { field: c, problem: 'not_owned', message: 'Another department answers for this field' }
            : { field: c, problem: 'format', message: 'Not a field of the dataset' },
        )
    }
    const remove = raw.op === 'remove'
    if (remove && input.mode === 'snapshot') {
      this.reject(raw.rowNo, null, [{ field: 'op', problem: 'format', message: 'A snapshot has no removals; send a change set' }])
      return null
    }
    const { values, errors } = validateRow(
      remove ? { ...dataset, fields: dataset.fields.filter((f) => f.name === dataset.keyField) } : dataset,
      mapped,
      this.receivedAt,
    )
    errors.push(...extra)
    const key = this.keyOf(values)
    if (key && this.seen.has(key))
      errors.push({
        field: dataset.keyField,
        problem: 'duplicate_key',
        message: 'The same key appears earlier in this delivery',
        value: key,
      })
    if (errors.length) {
      this.reject(raw.rowNo, key, errors)
      return null
    }
    this.seen.add(key as string)
    return { rowNo: raw.rowNo, key: key as string, values, present: new Set(Object.keys(mapped)), remove }
  }

  /** A batch's base records by key and what the department said last time, read through `reader`. */
  async read(reader: Kysely<DB>, batch: BatchRow[], deliveryId: number) {
    const keys = batch.map((b) => b.key)
    let t = performance.now()
    const found = this.store ? await this.store.find(reader, keys, this.targetFields) : new Map<string, SharedBaseRecord>()
    t = this.clock.lap('find', t)
    const previous: Held = this.holdsRecords ? await this.deps.repo.records(reader, this.dataset.code, keys) : new Map()
    this.clock.lap('previous', t)
    return this.compare(batch, found, previous, deliveryId)
  }

  /** A batch against what is held: the base changes, the department's records to write, the unmatched rows. */
  private compare(batch: BatchRow[], found: Map<string, SharedBaseRecord>, previous: Held, deliveryId: number) {
    const { dataset, store, counts, touched } = this
    const t = performance.now()
    const changes: SharedChange[] = []
    const records: Parameters<SharingRepository['upsertRecords']>[1] = []
    const unmatched: { delivery_id: number; row_no: number; record_key: string; record: unknown }[] = []
    for (const b of batch) {
      const base = found.get(b.key)
      const hash = recordHash(b.values)
      if (store && !base) {
        if (!b.remove) {
          counts.rows_unmatched++
          unmatched.push({ delivery_id: deliveryId, row_no: b.rowNo, record_key: b.key, record: b.values })
        }
      } else if (base && (b.remove ? dataset.onRemove === 'clear' : true)) {
        const set = this.nextValues(base.values, b.values, b.present, b.remove)
        const problems = store?.check?.({ ...base.values, ...set }) ?? []
        if (problems.length) {
          this.reject(
            b.rowNo,
            b.key,
            problems.map((p) => ({ field: p.field, problem: 'inconsistent', message: p.message })),
          )
          continue
        }
        const changed = changesOf(base.values, set)
        if (Object.keys(changed).length) {
          counts.rows_changed++
          touched.add(base.id)
          changes.push({
            id: base.id,
            version: base.version,
            set: Object.fromEntries(Object.keys(changed).map((k) => [k, set[k] as FieldValue])),
            changes: changed,
          })
        } else if (!b.remove) counts.rows_unchanged++
      } else if (!store && !b.remove) {
        // Datasets without a base record (facts only): changed when it differs from the last one.
        const before = previous.get(b.key)
        if (before && !before.removed && before.hash === hash) counts.rows_unchanged++
        else counts.rows_changed++
      } else if (!b.remove) counts.rows_unchanged++
      if (b.remove) counts.rows_removed++
      const held = previous.get(b.key)
      if (held && !b.remove && !held.removed && !held.unprinted && held.hash === hash && held.entityId === (base?.id ?? null))
        continue
      if (base) touched.add(base.id)
      records.push({
        dataset_code: dataset.code,
        record_key: b.key,
        entity_id: base?.id ?? null,
        community_code: base?.communityCode ?? null,
        record: b.values,
        record_hash: hash,
        delivery_id: deliveryId,
        removed: b.remove,
        updated_at: this.now.toISOString(),
      })
    }
    this.clock.lap('compare', t)
    return { changes, records, unmatched }
  }

  provenance(deliveryId: number): Provenance {
    const { dataset, actor, input } = this
    return {
      department: dataset.department,
      datasetCode: dataset.code,
      deliveryId,
      actor: actor.id,
      reason: input.reason ?? `delivery ${input.deliveryKey} of ${dataset.code}`,
      requestId: actor.requestId,
      clientIp: actor.clientIp,
    }
  }

  /**
   * The rows through the stages, in the delivery's transaction: one batch is written while the next
   * is read and compared (on PostgreSQL, where the reads have their own connection) and while the
   * one after is parsed and checked — at most one batch in flight on the transaction's connection,
   * in order. The base records' changes are gathered over batches and written a few thousand at a
   * time: a delivery changes a percent or two of its rows, and a statement for every batch's twenty
   * changes cost more than the changes (each keys distinct records, so the order is free).
   */
  async stream(trx: Transaction<DB>, deliveryId: number) {
    const { deps, store, input } = this
    const prov = this.provenance(deliveryId)
    // What a batch's rows are compared with: the base records by key, and what the department said
    // last time (a record said again unchanged is not written again). On PostgreSQL these reads go
    // through the pool, beside the delivery's transaction, so that the next batch is read while
    // this one is written: no earlier batch of the delivery wrote these keys (a key comes once),
    // and the dataset's records cannot change meanwhile (its row is locked for the delivery).
    // One delivery at a time reads beside its transaction: each holds a pool connection and asks
    // for another, so enough concurrent ones could hold every connection and wait for one forever;
    // the others read on their own transaction, in turn with their writes.
    const beside = !!deps.readsBeside && !readingBeside
    if (beside) readingBeside = true
    const reader = beside ? deps.db : trx
    const gathered: SharedChange[] = []
    const applyGathered = async (all: boolean) => {
      if (!store || (!all && gathered.length < APPLY_BATCH)) return
      const t = performance.now()
      await store.apply(trx, gathered.splice(0), prov)
      this.clock.lap('apply', t)
    }
    const write = async ({ changes, records, unmatched }: Awaited<ReturnType<DeliveryRun['read']>>) => {
      gathered.push(...changes)
      await applyGathered(false)
      let t = performance.now()
      await deps.repo.upsertRecords(trx, records, !this.holdsRecords)
      t = this.clock.lap('records', t)
      await deps.repo.insertUnmatched(trx, unmatched)
      this.clock.lap('unmatched', t)
    }
    let batch: BatchRow[] = []
    let pending: Promise<void> = Promise.resolve()
    const send = async () => {
      const full = batch
      batch = []
      if (!full.length) return
      if (!beside) await pending
      const reads = this.read(reader, full, deliveryId)
      reads.catch(() => undefined) // awaited below
      await pending
      pending = reads.then(write)
      pending.catch(() => undefined) // awaited before the next batch and at the end
    }
    try {
      for await (const raw of input.rows) {
        const row = this.parse(raw)
        if (!row) continue
        batch.push(row)
        if (batch.length >= BATCH) {
          await send()
          input.onProgress?.(this.counts.rows_total)
        }
      }
      await send()
      await pending
    } finally {
      if (beside) readingBeside = false
    }
    await applyGathered(true)
    input.onProgress?.(this.counts.rows_total)
    if (DEBUG)
      console.log(
        '[delivery phases, ms]',
        Object.fromEntries(Object.entries(this.clock.phases).map(([k, v]) => [k, Math.round(v)])),
      )
  }

  /** What a snapshot left out (the held keys it neither delivered nor rejected) taken away. */
  async removeLeftOut(trx: Transaction<DB>, deliveryId: number) {
    const { dataset, store, deps } = this
    const rejected = new Set(this.rejectedKeys)
    const missing: string[] = []
    for await (const keys of deps.repo.heldKeys(trx, dataset.code))
      for (const k of keys) if (!this.seen.has(k) && !rejected.has(k)) missing.push(k)
    const gone = await deps.repo.markRemoved(trx, dataset.code, deliveryId, missing)
    this.counts.rows_removed += gone.length
    if (!store || dataset.onRemove !== 'clear' || !gone.length) return
    const found = await store.find(
      trx,
      gone.map((g) => g.key),
      this.targetFields,
    )
    const changes: SharedChange[] = []
    for (const base of found.values()) {
      const set = this.nextValues(base.values, {}, new Set(), true)
      const changed = changesOf(base.values, set)
      if (Object.keys(changed).length) changes.push({ id: base.id, version: base.version, set, changes: changed })
      this.touched.add(base.id)
    }
    await store.apply(trx, changes, this.provenance(deliveryId))
  }

  /** The delivery recorded with its status, counts, rejected rows and fingerprint, and audited. */
  async finish(
    trx: Transaction<DB>,
    deliveryId: number,
    status: 'applied' | 'partially_applied' | 'rejected',
    counts = this.counts,
  ) {
    const { deps, actor, input, dataset } = this
    await deps.repo.insertRejects(
      trx,
      this.rejects.map((r) => ({ ...r, delivery_id: deliveryId })),
    )
    await deps.repo.finishDelivery(trx, deliveryId, status, counts, this.hash.digest('hex'))
    await audit(trx, {
      actor: actor.id,
      action: 'sharing.delivery',
      objectType: 'delivery',
      objectId: deliveryId,
      reason: input.reason,
      requestId: actor.requestId,
      clientIp: actor.clientIp,
      details: { dataset: dataset.code, deliveryKey: input.deliveryKey, status, ...counts },
    })
  }

  /** The delivery's row before its rows are applied. */
  header() {
    const { dataset, input, actor } = this
    return {
      dataset_code: dataset.code,
      dataset_version: dataset.version,
      department: dataset.department,
      delivery_key: input.deliveryKey,
      content_sha256: '',
      channel: input.channel,
      mode: input.mode,
      policy: input.policy,
      status: 'applied' as const,
      file_name: input.fileName ?? null,
      as_of: this.now,
      ...(input.channel === 'simulation' && input.receivedAt ? { received_at: input.receivedAt } : {}),
      created_by: actor.id,
    }
  }
}

/** Applies a delivery; answers the delivery id and whether it had been received before. */
export async function applyDelivery(
  deps: DeliveryDeps,
  dataset: Dataset,
  actor: Actor,
  input: DeliveryInput,
): Promise<{ id: number; replayed: boolean; touched: number[] }> {
  const { db, repo } = deps
  const cols = fitColumns(dataset, input)
  const existing = await repo.deliveryByKey(dataset.code, input.deliveryKey)
  if (existing) {
    // A re-sent delivery applies nothing; the same key with other content is a mistake to report.
    const hash = createHash('sha256')
    for await (const r of input.rows) hash.update(JSON.stringify([r.op ?? 'upsert', r.values]))
    if (hash.digest('hex') !== existing.content_sha256)
      throw new AppError('DELIVERY_KEY_REUSED', 'This delivery id was used before for other content', {
        deliveryId: Number(existing.id),
        deliveryKey: input.deliveryKey,
      })
    return { id: Number(existing.id), replayed: true, touched: [] }
  }
  const run = new DeliveryRun(deps, dataset, actor, input, cols)
  try {
    const id = await db.transaction().execute(async (trx) => {
      // One delivery of a dataset at a time: snapshots and change sets apply in order.
      await repo.dataset(dataset.code, trx, true)
      // A dataset's first delivery has no earlier records to compare with: none are looked up (the
      // table grows within this transaction faster than its statistics know).
      run.holdsRecords = await repo.holdsRecords(trx, dataset.code)
      if (await repo.deliveryByKey(dataset.code, input.deliveryKey, trx)) throw new Replayed()
      const id = await repo.insertDelivery(trx, run.header())
      await run.stream(trx, id)
      const { counts } = run
      if (counts.rows_rejected && input.policy === 'all_or_nothing') throw new Rejected()
      if (input.mode === 'snapshot' && run.holdsRecords) await run.removeLeftOut(trx, id)
      // Valid rows only, and none was: nothing applied — rejected, not "partly".
      const status =
        counts.rows_rejected && counts.rows_rejected === counts.rows_total
          ? 'rejected'
          : counts.rows_rejected
            ? 'partially_applied'
            : 'applied'
      await run.finish(trx, id, status)
      return id
    })
    return { id, replayed: false, touched: [...run.touched] }
  } catch (e) {
    if (e instanceof Replayed) return applyDelivery(deps, dataset, actor, input)
    if (!(e instanceof Rejected)) throw e
  }
  // All or nothing, and something was wrong: nothing was applied; the delivery and its rejected
  // rows are kept (a re-send with the same id answers this).
  return db.transaction().execute(async (trx) => {
    const id = await repo.insertDelivery(trx, { ...run.header(), status: 'rejected' })
    const zero = { ...run.counts, rows_changed: 0, rows_unchanged: 0, rows_unmatched: 0, rows_removed: 0 }
    await run.finish(trx, id, 'rejected', zero)
    return { id, replayed: false, touched: [] }
  })
}

class Replayed extends Error {}
