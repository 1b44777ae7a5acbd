// History (change_log): every change after a load keeps old and new values, actor, time, reason
// and source, written in the same transaction as the change it records.
import type { Kysely, Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import { audit } from '../access/index.js'
import { historyRepository } from './history.repository.js'

export interface ChangeEntry {
  entity: 'person' | 'household' | 'building' | 'dwelling' | 'organization' | 'component' | 'grid' | 'catalog' | 'routing_rule'
  entityId: number
  version: number
  action: 'create' | 'update' | 'move' | 'move_out' | 'decease' | 'delete' | 'partition' | 'split' | 'merge' | 'retire'
  changes: Record<string, { old: unknown; new: unknown }>
  reason?: string | undefined
  actor: string
  source: string
  requestId?: string | undefined
  clientIp?: string | undefined
}

export async function recordChange(trx: Transaction<DB> | Kysely<DB>, e: ChangeEntry) {
  await recordChanges(trx, [e])
}

/** Many entries in multi-row inserts (a partition run records thousands of grids). Every change
 *  also goes to the audit log in the same transaction — one row each, or one summary row for a
 *  bulk change (a partition run). */
export async function recordChanges(trx: Transaction<DB> | Kysely<DB>, entries: ChangeEntry[]) {
  const first = entries[0]
  if (first)
    await audit(
      trx,
      entries.length <= 20
        ? entries.map((e) => ({
            actor: e.actor,
            action: `${e.entity}.${e.action}`,
            objectType: e.entity,
            objectId: e.entityId,
            reason: e.reason,
            requestId: e.requestId,
            clientIp: e.clientIp,
            details: { version: e.version, fields: Object.keys(e.changes) },
          }))
        : {
            actor: first.actor,
            action: `${first.entity}.${first.action}.bulk`,
            objectType: first.entity,
            reason: first.reason,
            requestId: first.requestId,
            clientIp: first.clientIp,
            details: { count: entries.length, source: first.source, first: first.entityId },
          },
    )
  await historyRepository.append(
    trx,
    entries.map((e) => ({
      entity: e.entity,
      entity_id: e.entityId,
      version: e.version,
      action: e.action,
      changes: JSON.stringify(e.changes),
      reason: e.reason ?? null,
      actor: e.actor,
      source: e.source,
      request_id: e.requestId ?? null,
    })),
  )
}

export async function listChanges(
  db: Kysely<DB>,
  entity: ChangeEntry['entity'],
  entityId: number,
  limit: number,
  offset: number,
) {
  const { items, total } = await historyRepository.of(db, entity, entityId, limit, offset)
  return {
    items: items.map((c) => ({
      id: Number(c.id),
      version: c.version,
      action: c.action,
      changes: c.changes as Record<string, { old: unknown; new: unknown }>,
      reason: c.reason,
      actor: c.actor,
      source: c.source,
      requestId: c.request_id,
      at: new Date(c.at).toISOString(),
    })),
    total,
  }
}

/** Field-by-field difference of two plain objects (only keys present in `next`). */
export function diff(
  prev: Record<string, unknown>,
  next: Record<string, unknown>,
): Record<string, { old: unknown; new: unknown }> {
  const out: Record<string, { old: unknown; new: unknown }> = {}
  for (const [k, v] of Object.entries(next)) {
    if (v === undefined) continue
    if (JSON.stringify(prev[k] ?? null) !== JSON.stringify(v ?? null)) out[k] = { old: prev[k] ?? null, new: v ?? null }
  }
  return out
}
