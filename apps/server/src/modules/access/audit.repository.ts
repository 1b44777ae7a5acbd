// The audit chain's SQL: the chain's lock (one writer at a time, so each row links to the one
// before), its head, rows appended, pages read in order for verification, and filtered lists.
// Every statement is rendered to audit.repository.sql by its test.
import { type Kysely, sql, type Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import { insertJson } from '../../kernel/bulk.js'

const LOCK = 727_001 // pg_advisory_xact_lock key for the audit chain

export interface AuditFilter {
  actor?: string | undefined
  objectType?: string | undefined
  objectId?: string | undefined
  action?: string | undefined
  actions?: string[] | undefined
}

export const auditRepository = {
  /** Held until the transaction ends: appends take turns. */
  lockChain: (trx: Transaction<DB>) => sql`select pg_advisory_xact_lock(${LOCK})`.execute(trx),
  head: (trx: Transaction<DB>) =>
    trx.selectFrom('audit_log').select(['id', 'hash']).orderBy('id', 'desc').limit(1).executeTakeFirst(),
  append: (trx: Transaction<DB>, rows: Record<string, unknown>[]) => insertJson(trx, 'audit_log', rows),
  /** The rows after `after`, in order, with the time as it was hashed (UTC, milliseconds). */
  page: (db: Kysely<DB>, after: number, limit: number) =>
    db
      .selectFrom('audit_log')
      .select([
        'id',
        sql<string>`to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`.as('at'),
        'actor',
        'action',
        'object_type',
        'object_id',
        'scope',
        'reason',
        'request_id',
        'client_ip',
        'details',
        'prev_hash',
        'hash',
      ])
      .where('id', '>', after)
      .orderBy('id')
      .limit(limit)
      .execute(),
  /** A page of entries, newest first, and how many match. */
  async list(db: Kysely<DB>, f: AuditFilter, limit: number, offset: number) {
    let q = db.selectFrom('audit_log')
    if (f.actor) q = q.where('actor', '=', f.actor)
    if (f.objectType) q = q.where('object_type', '=', f.objectType)
    if (f.objectId) q = q.where('object_id', '=', f.objectId)
    if (f.action) q = q.where('action', '=', f.action)
    if (f.actions?.length) q = q.where('action', 'in', f.actions)
    const [items, total] = await Promise.all([
      q.selectAll().orderBy('id', 'desc').limit(limit).offset(offset).execute(),
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ])
    return { items, total: Number(total.n) }
  },
}
