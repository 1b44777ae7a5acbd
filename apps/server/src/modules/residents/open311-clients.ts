// Open311's API clients (GeoReport v2 asks for an `api_key` to file requests): keys issued in the
// console — only the key's hash is kept, the key itself shown once — limited in rate per minute,
// revocable; issuing and revoking are audited. open311.ts wires these into the Open311 service.
import { createHash, randomBytes } from 'node:crypto'
import { AppError } from '../../kernel/errors.js'
import { audit, type Principal } from '../access/index.js'
import { Open311Error } from './open311-error.js'
import type { ResidentsRepository } from './residents.repository.js'

const hash = (key: string) => createHash('sha256').update(key).digest('hex')

/** The client of an API key (403 without a valid one). */
export async function clientOf(repo: ResidentsRepository, key: string | undefined) {
  const c = key ? await repo.clientByHash(hash(key)) : undefined
  if (!c) throw new Open311Error(403, 'api_key is missing, unknown or revoked')
  return c
}

/** A client's rate per minute (for the limiter); 60 for a missing or unknown key. */
export const clientRate = async (repo: ResidentsRepository, key: string | undefined) =>
  key ? ((await repo.clientByHash(hash(key)))?.per_minute ?? 60) : 60

export async function listClients(repo: ResidentsRepository, p: Principal) {
  p.require('open311.admin')
  return (await repo.clients()).map((c) => ({
    id: Number(c.id),
    name: c.name,
    prefix: c.key_prefix,
    perMinute: c.per_minute,
    createdBy: c.created_by,
    createdAt: c.created_at.toISOString(),
    revoked: c.revoked_at !== null,
  }))
}

/** A new key: answered once, in full; kept as its hash. */
export async function issueClient(repo: ResidentsRepository, p: Principal, input: { name: string; perMinute: number }) {
  p.require('open311.admin')
  const prefix = randomBytes(4).toString('hex')
  const key = `o311_${prefix}_${randomBytes(24).toString('base64url')}`
  const c = await repo.db.transaction().execute(async (trx) => {
    const row = await repo.addClient(trx, {
      name: input.name,
      prefix,
      hash: hash(key),
      perMinute: input.perMinute,
      by: p.actor,
    })
    await audit(trx, {
      actor: p.actor,
      action: 'open311.client.issue',
      objectType: 'open311_client',
      objectId: Number(row.id),
      requestId: p.requestId,
      clientIp: p.clientIp,
      details: { name: input.name, perMinute: input.perMinute },
    })
    return row
  })
  return { id: Number(c.id), name: c.name, prefix, perMinute: c.per_minute, key }
}

export async function revokeClient(repo: ResidentsRepository, p: Principal, id: number) {
  p.require('open311.admin')
  await repo.db.transaction().execute(async (trx) => {
    const r = await repo.revokeClient(trx, id)
    if (!Number(r.numUpdatedRows)) throw new AppError('NOT_FOUND', `No active Open311 client ${id}`, { id })
    await audit(trx, {
      actor: p.actor,
      action: 'open311.client.revoke',
      objectType: 'open311_client',
      objectId: id,
      requestId: p.requestId,
      clientIp: p.clientIp,
      details: {},
    })
  })
  return { id, revoked: true }
}
