// The audit log: append-only in the database (triggers refuse UPDATE/DELETE/TRUNCATE) and
// hash-chained here. Appends are serialised by a transaction-scoped advisory lock, take the next
// id (gapless) and hash = sha256(prev_hash + canonical JSON of the row). `verify` recomputes
// the chain: an altered row breaks its own hash, a deleted one the next row's prev_hash and the
// id sequence; the head (last id and hash) can be published elsewhere to anchor the tail.
import { createHash } from 'node:crypto'
import type { Kysely, Selectable, Transaction } from 'kysely'
import type { AuditLogTable, DB } from '../../db/schema.js'
import { auditRepository as repo } from './audit.repository.js'

export interface AuditEntry {
  actor: string
  action: string
  objectType: string
  objectId?: string | number | null | undefined
  scope?: string | null | undefined
  reason?: string | null | undefined
  requestId?: string | null | undefined
  clientIp?: string | null | undefined
  details?: Record<string, unknown> | undefined
}

export const GENESIS = '0'.repeat(64)

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical)
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    )
  return value
}

interface Row {
  id: number
  at: string
  actor: string
  action: string
  objectType: string
  objectId: string | null
  scope: string | null
  reason: string | null
  requestId: string | null
  clientIp: string | null
  details: unknown
}

export function hashRow(prev: string, r: Row): string {
  const body = JSON.stringify([
    r.id,
    r.at,
    r.actor,
    r.action,
    r.objectType,
    r.objectId,
    r.scope,
    r.reason,
    r.requestId,
    r.clientIp,
    canonical(r.details ?? {}),
  ])
  return createHash('sha256').update(prev).update(body).digest('hex')
}

type Db = Kysely<DB> | Transaction<DB>

/** A stored row in the shape that is hashed and listed (`at` already as an ISO string). */
function fromDb(r: Omit<Selectable<AuditLogTable>, 'at'>, at: string): Row {
  return {
    id: Number(r.id),
    at,
    actor: r.actor,
    action: r.action,
    objectType: r.object_type,
    objectId: r.object_id,
    scope: r.scope,
    reason: r.reason,
    requestId: r.request_id,
    clientIp: r.client_ip,
    details: r.details,
  }
}

/** Appends entries in the caller's transaction (or a new one). */
export async function audit(db: Db, entries: AuditEntry | AuditEntry[]): Promise<void> {
  const list = Array.isArray(entries) ? entries : [entries]
  if (!list.length) return
  const run = async (trx: Transaction<DB>) => {
    await repo.lockChain(trx)
    const head = await repo.head(trx)
    let prev = head?.hash ?? GENESIS
    let id = Number(head?.id ?? 0)
    const at = new Date().toISOString()
    const rows = list.map((e) => {
      id++
      const r: Row = {
        id,
        at,
        actor: e.actor,
        action: e.action,
        objectType: e.objectType,
        objectId: e.objectId === undefined || e.objectId === null ? null : String(e.objectId),
        scope: e.scope ?? null,
        reason: e.reason ?? null,
        requestId: e.requestId ?? null,
        clientIp: e.clientIp ?? null,
        details: e.details ?? {},
      }
      const hash = hashRow(prev, r)
      const row = {
        id: r.id,
        at: r.at,
        actor: r.actor,
        action: r.action,
        object_type: r.objectType,
        object_id: r.objectId,
        scope: r.scope,
        reason: r.reason,
        request_id: r.requestId,
        client_ip: r.clientIp,
        details: r.details,
        prev_hash: prev,
        hash,
      }
      prev = hash
      return row
    })
    await repo.append(trx, rows)
  }
  if ((db as Transaction<DB>).isTransaction) await run(db as Transaction<DB>)
  else await (db as Kysely<DB>).transaction().execute(run)
}

export interface VerifyReport {
  ok: boolean
  rows: number
  head: { id: number; hash: string } | null
  problems: { id: number; problem: string }[]
}

/** Recomputes the whole chain (in pages, so any size fits in memory). */
export async function verifyAudit(db: Kysely<DB>, onProgress?: (done: number) => void): Promise<VerifyReport> {
  const problems: VerifyReport['problems'] = []
  let prev = GENESIS
  let expectedId = 1
  let rows = 0
  let head: VerifyReport['head'] = null
  for (let after = 0; ; ) {
    const page = await repo.page(db, after, 5000)
    if (!page.length) break
    for (const r of page) {
      const id = Number(r.id)
      if (id !== expectedId) problems.push({ id, problem: `rows ${expectedId}…${id - 1} are missing` })
      if (r.prev_hash !== prev) problems.push({ id, problem: 'prev_hash does not match the previous row' })
      const h = hashRow(r.prev_hash, fromDb(r, r.at))
      if (h !== r.hash) problems.push({ id, problem: 'content does not match its hash (altered)' })
      prev = r.hash
      expectedId = id + 1
      rows++
      head = { id, hash: r.hash }
      after = id
    }
    onProgress?.(rows)
  }
  return { ok: problems.length === 0, rows, head, problems }
}

export async function listAudit(
  db: Kysely<DB>,
  f: {
    actor?: string | undefined
    objectType?: string | undefined
    objectId?: string | undefined
    action?: string | undefined
    actions?: string[] | undefined
  },
  limit: number,
  offset: number,
) {
  const { items, total } = await repo.list(db, f, limit, offset)
  return {
    items: items.map((r) => {
      const e = fromDb(r, new Date(r.at).toISOString())
      return { ...e, details: e.details as Record<string, unknown> }
    }),
    total,
  }
}
