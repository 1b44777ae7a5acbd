// Data sharing's SQL: the dataset catalog, deliveries, their rejected and unmatched rows, and the
// departments' latest records (shared_records).
import { createHash } from 'node:crypto'
import type { DatasetDefinition, DatasetField } from '@wangge/domain'
import { type Insertable, type Kysely, type Selectable, sql, type Transaction } from 'kysely'
import type { DatasetsTable, DB, DeliveriesTable } from '../../db/schema.js'
import { insertJson } from '../../kernel/bulk.js'
import { startsWith } from '../../kernel/like.js'

type Db = Kysely<DB> | Transaction<DB>
export type DatasetRow = Selectable<DatasetsTable>
export type DeliveryRow = Selectable<DeliveriesTable>

export function toDefinition(
  r: DatasetRow,
): DatasetDefinition & { active: boolean; version: number; updatedAt: string; updatedBy: string } {
  return {
    code: r.code,
    department: r.department,
    name: r.name,
    nameEn: r.name_en,
    description: r.description,
    entity: r.entity,
    recordKey: r.record_key,
    keyField: r.key_field,
    rhythm: r.rhythm,
    freshnessDays: r.freshness_days,
    confidentiality: r.confidentiality,
    fieldGroups: r.field_groups as DatasetDefinition['fieldGroups'],
    onRemove: r.on_remove,
    fields: r.fields as unknown as DatasetField[],
    active: r.active,
    version: r.version,
    updatedAt: new Date(r.updated_at).toISOString(),
    updatedBy: r.updated_by,
  }
}

export const definitionColumns = (d: DatasetDefinition) => ({
  department: d.department,
  name: d.name,
  name_en: d.nameEn,
  description: d.description,
  entity: d.entity,
  record_key: d.recordKey,
  key_field: d.keyField,
  rhythm: d.rhythm,
  freshness_days: d.freshnessDays,
  confidentiality: d.confidentiality,
  field_groups: d.fieldGroups as string[],
  on_remove: d.onRemove,
  fields: JSON.stringify(d.fields),
})

/** A record as text with its keys in order (jsonb keeps its own order). */
export const canonical = (o: unknown) =>
  JSON.stringify(
    Object.fromEntries(Object.entries((o ?? {}) as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  )

/** A record's fingerprint (SHA-1 of its canonical text): what a delivery compares with the held record. */
export const recordHash = (o: unknown) => createHash('sha1').update(canonical(o)).digest('base64')

export interface RejectRow {
  delivery_id: number
  row_no: number
  record_key: string | null
  field: string
  problem: string
  message: string
  value: string | null
}

export interface DeliveryCounts {
  rows_total: number
  rows_rejected: number
  rows_changed: number
  rows_unchanged: number
  rows_unmatched: number
  rows_removed: number
}

export function createSharingRepository(db: Kysely<DB>) {
  return {
    datasets: (department?: string) => {
      let q = db.selectFrom('datasets').selectAll().orderBy('code')
      if (department) q = q.where('department', '=', department)
      return q.execute()
    },
    dataset: (code: string, trx: Db = db, forUpdate = false) => {
      const q = trx.selectFrom('datasets').selectAll().where('code', '=', code)
      return (forUpdate ? q.forUpdate() : q).executeTakeFirst()
    },
    departmentNames: () =>
      db
        .selectFrom('departments')
        .select(['code', 'name'])
        .execute()
        .then((r) => new Map(r.map((d) => [d.code, d.name]))),
    versions: (code: string) =>
      db.selectFrom('dataset_versions').selectAll().where('dataset_code', '=', code).orderBy('version', 'desc').execute(),
    owners: (trx: Db = db) => trx.selectFrom('field_group_owners').selectAll().orderBy('field_group').execute(),
    /** The owners with their datasets' names (for people). */
    ownersNamed: (trx: Db = db) =>
      trx
        .selectFrom('field_group_owners as o')
        .innerJoin('datasets as d', 'd.code', 'o.dataset_code')
        .select(['o.field_group', 'o.department', 'o.dataset_code', 'd.name', 'd.name_en'])
        .orderBy('o.field_group')
        .execute(),

    async insertDataset(trx: Transaction<DB>, d: DatasetDefinition, actor: string, reason: string) {
      const inserted = await trx
        .insertInto('datasets')
        .values({ code: d.code, ...definitionColumns(d), updated_by: actor })
        .onConflict((oc) => oc.column('code').doNothing())
        .returning('code')
        .executeTakeFirst()
      if (!inserted) return false
      await trx
        .insertInto('dataset_versions')
        .values({ dataset_code: d.code, version: 1, definition: JSON.stringify(d), reason, changed_by: actor })
        .execute()
      return true
    },

    async updateDataset(
      trx: Transaction<DB>,
      d: DatasetDefinition,
      active: boolean,
      version: number,
      actor: string,
      reason: string,
    ) {
      await trx
        .updateTable('datasets')
        .set({ ...definitionColumns(d), active, version, updated_at: sql`now()`, updated_by: actor })
        .where('code', '=', d.code)
        .execute()
      await trx
        .insertInto('dataset_versions')
        .values({ dataset_code: d.code, version, definition: JSON.stringify({ ...d, active }), reason, changed_by: actor })
        .execute()
    },

    /** The groups a dataset answers for (other datasets' claims are checked by the caller). */
    async setOwners(trx: Transaction<DB>, datasetCode: string, department: string, groups: readonly string[]) {
      await trx.deleteFrom('field_group_owners').where('dataset_code', '=', datasetCode).execute()
      if (groups.length)
        await trx
          .insertInto('field_group_owners')
          .values(groups.map((g) => ({ field_group: g, dataset_code: datasetCode, department })))
          .onConflict((oc) => oc.column('field_group').doNothing())
          .execute()
    },

    delivery: (id: number, trx: Db = db) => trx.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirst(),
    deliveryByKey: (dataset: string, key: string, trx: Db = db) =>
      trx
        .selectFrom('deliveries')
        .selectAll()
        .where('dataset_code', '=', dataset)
        .where('delivery_key', '=', key)
        .executeTakeFirst(),

    async listDeliveries(f: { department?: string | undefined; dataset?: string | undefined }, limit: number, offset: number) {
      let q = db.selectFrom('deliveries')
      if (f.department) q = q.where('department', '=', f.department)
      if (f.dataset) q = q.where('dataset_code', '=', f.dataset)
      const [items, total] = await Promise.all([
        q.selectAll().orderBy('received_at', 'desc').orderBy('id', 'desc').limit(limit).offset(offset).execute(),
        q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ])
      return { items, total: Number(total.n) }
    },

    insertDelivery: (trx: Transaction<DB>, row: Insertable<DeliveriesTable>) =>
      trx
        .insertInto('deliveries')
        .values(row)
        .returning('id')
        .executeTakeFirstOrThrow()
        .then((r) => Number(r.id)),

    finishDelivery: (trx: Db, id: number, status: DeliveryRow['status'], counts: DeliveryCounts, hash: string) =>
      trx
        .updateTable('deliveries')
        .set({ ...counts, status, content_sha256: hash, finished_at: sql`clock_timestamp()` })
        .where('id', '=', id)
        .execute(),

    insertRejects: (trx: Db, rows: RejectRow[]) => insertJson(trx, 'delivery_rejects', rows),

    insertUnmatched: (trx: Db, rows: { delivery_id: number; row_no: number; record_key: string; record: unknown }[]) =>
      insertJson(trx, 'delivery_unmatched', rows),

    rejects: (deliveryId: number, limit: number, offset: number) =>
      db
        .selectFrom('delivery_rejects')
        .selectAll()
        .where('delivery_id', '=', deliveryId)
        .orderBy('row_no')
        .orderBy('field')
        .limit(limit)
        .offset(offset)
        .execute(),
    unmatched: (deliveryId: number, limit: number, offset: number) =>
      db
        .selectFrom('delivery_unmatched')
        .selectAll()
        .where('delivery_id', '=', deliveryId)
        .orderBy('row_no')
        .limit(limit)
        .offset(offset)
        .execute(),

    /** The records a dataset holds for these keys: key → the record's fingerprint, its base record,
     *  removed. (Records written before fingerprints were kept are read whole and fingerprinted.) */
    async records(trx: Db, dataset: string, keys: readonly string[]) {
      // One array parameter, not one per key (2,000 parameters cost the client more than the query),
      // and each key probed on the primary key (a lateral subquery with `limit 1`: no other plan
      // exists), whatever the table's statistics say. With statistics from before the dataset's
      // first delivery (no autovacuum in the embedded engine; on PostgreSQL until autovacuum comes),
      // a join from the keys was planned as a hash of the dataset's whole range, and `= any(keys)`
      // as a scan of that range filtered by the keys — per batch of 2,000 keys (≈ 140 ms against 1M
      // records, 6 s of 六榕's 10 s next-day delivery on PGlite); probed, 2,000 keys take ≈ 9 ms.
      const rows = (
        await sql<{
          record_key: string
          record_hash: string | null
          record: unknown
          removed: boolean
          entity_id: string | null
        }>`
          select r.record_key, r.record_hash, case when r.record_hash is null then r.record end as record, r.removed, r.entity_id
          from unnest(${keys as string[]}::text[]) k(key)
          cross join lateral (select * from shared_records r where r.dataset_code = ${dataset} and r.record_key = k.key limit 1) r`.execute(
          trx,
        )
      ).rows
      return new Map(
        rows.map((r) => [
          r.record_key,
          {
            hash: r.record_hash ?? recordHash(r.record),
            /** Held without a fingerprint: written again with one even when unchanged. */
            unprinted: r.record_hash == null,
            removed: r.removed,
            entityId: r.entity_id == null ? null : Number(r.entity_id),
          },
        ]),
      )
    },

    /** Whether the dataset holds any record yet. */
    holdsRecords: async (trx: Db, dataset: string) =>
      !!(await trx
        .selectFrom('shared_records')
        .select('record_key')
        .where('dataset_code', '=', dataset)
        .limit(1)
        .executeTakeFirst()),

    /** The department's records as it last said them (upsert by key; `fresh`: the dataset holds none
     *  yet and the keys are distinct, so they are inserted without looking for a conflict). */
    upsertRecords: (
      trx: Db,
      rows: {
        dataset_code: string
        record_key: string
        entity_id: number | null
        community_code: string | null
        record: unknown
        record_hash: string
        delivery_id: number
        removed: boolean
        updated_at: string
      }[],
      fresh = false,
    ) =>
      insertJson(
        trx,
        'shared_records',
        rows,
        fresh
          ? sql``
          : sql`on conflict (dataset_code, record_key) do update set entity_id = excluded.entity_id,
          community_code = excluded.community_code, record = excluded.record, record_hash = excluded.record_hash,
          delivery_id = excluded.delivery_id,
          removed = excluded.removed, updated_at = excluded.updated_at`,
      ),

    /** The board's facts of a period [from, to) (instants): deliveries received, by Beijing day. */
    boardDeliveries: (from: Date, to: Date) =>
      sql<{ dataset: string; status: DeliveryRow['status']; day: string; rows_total: number; rows_rejected: number }>`
        select dataset_code as dataset, status, to_char(received_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD') as day,
          rows_total, rows_rejected
        from deliveries where received_at >= ${from} and received_at < ${to}`
        .execute(db)
        .then((r) => r.rows),
    /** The newest data each dataset delivered (not rejected) before `to`, as its Beijing day. */
    boardNewest: (to: Date) =>
      sql<{ dataset: string; day: string }>`
        select dataset_code as dataset, to_char(max(as_of) at time zone 'Asia/Shanghai', 'YYYY-MM-DD') as day
        from deliveries where status <> 'rejected' and received_at < ${to} group by dataset_code`
        .execute(db)
        .then((r) => r.rows),
    /** Share of fields present in the records each dataset delivered in the period. */
    boardCompleteness: (from: Date, to: Date) =>
      sql<{ dataset: string; share: number }>`
        select dataset_code as dataset,
          avg((select count(*) from jsonb_each(record) e where jsonb_typeof(e.value) <> 'null')::float8
            / greatest(1, (select count(*) from jsonb_object_keys(record))))::float8 as share
        from shared_records where not removed and updated_at >= ${from} and updated_at < ${to}
        group by dataset_code`
        .execute(db)
        .then((r) => r.rows),
    /** Cross-check findings against each department's data in the period, under a region. */
    boardFindings: (from: Date, to: Date, region: string) =>
      sql<{ department: string; opened: number; open: number; resolved: number; days: number[] | null }>`
        select owner_department as department,
          count(*) filter (where first_seen_at >= ${from} and first_seen_at < ${to})::int as opened,
          count(*) filter (where status = 'open')::int as open,
          count(*) filter (where status = 'resolved' and resolved_at >= ${from} and resolved_at < ${to})::int as resolved,
          array_agg(extract(epoch from resolved_at - first_seen_at)::float8 / 86400)
            filter (where status = 'resolved' and resolved_at >= ${from} and resolved_at < ${to}) as days
        from check_findings where community_code like ${startsWith(region)}
        group by owner_department`
        .execute(db)
        .then((r) => r.rows),

    /** The keys of the dataset's records not removed, in pages (a snapshot's check of what it left out). */
    async *heldKeys(trx: Db, dataset: string, pageSize = 50_000) {
      for (let after = ''; ; ) {
        const page = await trx
          .selectFrom('shared_records')
          .select('record_key')
          .where('dataset_code', '=', dataset)
          .where('record_key', '>', after)
          .where('removed', '=', false)
          .orderBy('record_key')
          .limit(pageSize)
          .execute()
        if (page.length) yield page.map((r) => r.record_key)
        if (page.length < pageSize) return
        after = page[page.length - 1]?.record_key as string
      }
    },

    /** Marks records of the dataset removed (those not removed already); answers their keys. */
    async markRemoved(trx: Db, dataset: string, deliveryId: number, keys: readonly string[]) {
      const out: { key: string; entityId: number | null }[] = []
      for (let i = 0; i < keys.length; i += 50_000) {
        const r = await sql<{ record_key: string; entity_id: string | null }>`
          update shared_records set removed = true, delivery_id = ${deliveryId}, updated_at = now()
          where dataset_code = ${dataset} and record_key = any(${keys.slice(i, i + 50_000) as string[]}::text[]) and not removed
          returning record_key, entity_id`.execute(trx)
        for (const x of r.rows) out.push({ key: x.record_key, entityId: x.entity_id == null ? null : Number(x.entity_id) })
      }
      return out
    },
  }
}
export type SharingRepository = ReturnType<typeof createSharingRepository>
