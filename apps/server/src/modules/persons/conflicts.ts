// Concurrent door-to-door changes to one field (visits merge them on the version the phone had):
// the later change is kept and the other recorded here, for the grid chief to confirm or reverse.
import { codeAt, isGridCode } from '@wangge/domain'
import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import type { Principal } from '../access/index.js'
import { createPersonsRepository } from './persons.repository.js'
import type { PersonsService } from './persons.service.js'

/** Flags of concurrent changes to the same field (the later change kept), for the grid chief. */
export async function listConflicts(db: Kysely<DB>, p: Principal, region: string, status: 'open' | 'all') {
  p.check('person.read', region, () => new AppError('NOT_FOUND', `No region ${region}`, { region }))
  const rows = await createPersonsRepository(db).conflicts(
    isGridCode(region) ? { grid: region } : { communityPrefix: codeAt(region, 'community') },
    status === 'open',
    500,
  )
  return rows.filter((r) => p.allows('person.read', r.grid_code ?? r.community_code)).map(conflictView)
}

/** The grid chief keeps the value that won, or puts the other one back (a change of its own). */
export async function resolveConflict(
  db: Kysely<DB>,
  persons: PersonsService,
  p: Principal,
  id: number,
  keep: 'kept' | 'other',
  at: Date,
) {
  const repo = createPersonsRepository(db)
  const c = await repo.conflict(id)
  const missing = () => new AppError('NOT_FOUND', `No conflict ${id}`, { id })
  if (!c) throw missing()
  p.check('roster.manage', c.grid_code ?? c.community_code, missing)
  if (c.status !== 'open') throw new AppError('INVALID_TRANSITION', 'The conflict was resolved already', { status: c.status })
  if (keep === 'other') {
    await persons.update(p, Number(c.entity_id), {
      version: await repo.personVersion(Number(c.entity_id)),
      [c.field]: c.other_value,
      source: 'grid_worker',
      reason: '网格长裁定（并发修改）',
    } as never)
  }
  const r = await repo.resolveConflict(id, {
    status: keep === 'kept' ? 'kept' : 'replaced',
    resolved_by: p.actor,
    resolved_at: at,
  })
  if (!r) throw new AppError('CONFLICT', 'Resolved concurrently', { id })
  return conflictView(r)
}

function conflictView(r: {
  id: number
  entity: string
  entity_id: number
  grid_code: string | null
  community_code: string
  field: string
  kept_value: unknown
  kept_by: string
  other_value: unknown
  other_by: string
  other_at: Date
  status: string
}) {
  return {
    id: Number(r.id),
    entity: r.entity,
    entityId: Number(r.entity_id),
    grid: r.grid_code,
    community: r.community_code,
    field: r.field,
    kept: { value: r.kept_value, by: r.kept_by },
    other: { value: r.other_value, by: r.other_by, at: new Date(r.other_at).toISOString() },
    status: r.status,
  }
}
