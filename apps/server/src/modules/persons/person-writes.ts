// Writing persons: a new person in a household, a change at a version (a stale version is
// VERSION_CONFLICT), a door-to-door change merged field by field with flags for the grid chief, a
// status (moved out, deceased, back), and a household's move with every member. Each write keeps
// the field groups' provenance and the history (change_log) in its transaction.
import { PERSON_FIELD_GROUPS, type PersonFieldGroup, parseIdNumber } from '@wangge/domain'
import type { Transaction } from 'kysely'
import type { DB, PersonFieldSourcesTable, PersonsTable } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import { actorOf, type Principal } from '../access/index.js'
import { diff, recordChange } from '../history/index.js'
import { codeOf, householdNotFound, type PersonsContext, personNotFound, present } from './person-reads.js'
import { householdOut, initialsOf, personView, toPerson } from './person-view.js'
import type { PersonRow } from './persons.repository.js'
import type { PersonCreate, PersonPatch } from './persons.schemas.js'

const COLUMN: Record<string, keyof PersonRow> = {
  idNumber: 'id_number',
  name: 'name',
  sex: 'sex',
  ethnicity: 'ethnicity',
  nativePlace: 'native_place',
  populationType: 'population_type',
  registeredAddress: 'registered_address',
  migrantReason: 'migrant_reason',
  permitType: 'permit_type',
  residenceType: 'residence_type',
  arrivalDate: 'arrival_date',
  phone: 'phone',
  maritalStatus: 'marital_status',
  education: 'education',
  employment: 'employment',
  occupation: 'occupation',
  employer: 'employer',
  careTags: 'care_tags',
  healthFlags: 'health_flags',
}

const GROUP_OF: Record<string, PersonFieldGroup> = Object.fromEntries(
  (Object.entries(PERSON_FIELD_GROUPS) as [PersonFieldGroup, { fields: readonly string[] }][]).flatMap(([g, d]) =>
    d.fields.map((f) => [f, g]),
  ),
)

type Actor = ReturnType<typeof actorOf>

/** Writes changed fields of a person (locked row in hand): the row, field provenance, history. */
async function applyChanges(
  { repo }: PersonsContext,
  trx: Transaction<DB>,
  actor: Actor,
  row: PersonRow,
  fields: Record<string, unknown>,
  source: string,
  reason: string | undefined,
) {
  const id = Number(row.id)
  const before = toPerson(row) as unknown as Record<string, unknown>
  const derived: Record<string, unknown> = { ...fields }
  if (typeof fields.idNumber === 'string') {
    const parsed = parseIdNumber(fields.idNumber)
    if (parsed.ok) Object.assign(derived, { birthDate: parsed.birthDate, sex: String(parsed.sex) })
  }
  // Foreigners have no ethnicity; a citizen always has one (01 unless said).
  const foreign = (derived.populationType ?? before.populationType) === 'foreign'
  if (foreign) derived.ethnicity = null
  else if ((derived.ethnicity ?? before.ethnicity) == null) derived.ethnicity = '01'
  const changes = diff(before, derived)
  if (!Object.keys(changes).length) return
  const set: Record<string, unknown> = {}
  for (const k of Object.keys(changes)) {
    if (k === 'birthDate') set.birth_date = changes[k]?.new
    else if (k === 'status') set.status = changes[k]?.new
    else if (COLUMN[k]) set[COLUMN[k] as string] = changes[k]?.new
  }
  if (changes.name) set.name_initials = initialsOf(String(changes.name.new))
  await repo.updatePerson(trx, id, { ...set, source }, { version: row.version + 1, actor: actor.id })
  const status = changes.status?.new
  const groups = new Set(
    Object.keys(changes)
      .map((k) => GROUP_OF[k] ?? (k === 'birthDate' ? 'identity' : undefined))
      .filter(Boolean) as PersonFieldGroup[],
  )
  if (groups.size)
    await repo.setFieldSources(
      trx,
      [...groups].map((g) => ({ person_id: id, field_group: g, source, updated_at: new Date(), updated_by: actor.id })),
    )
  await recordChange(trx, {
    entity: 'person',
    entityId: id,
    version: row.version + 1,
    action: status === 'deceased' ? 'decease' : status === 'moved_out' ? 'move_out' : 'update',
    changes,
    reason,
    actor: actor.id,
    source,
    requestId: actor.requestId,
    clientIp: actor.clientIp,
  })
}

/** The person's row locked for a write (404 outside the caller's write scope). */
async function lockRow(ctx: PersonsContext, trx: Transaction<DB>, p: Principal, id: number) {
  const row = await ctx.repo.find(id, trx, true)
  if (!row) throw personNotFound(id)()
  p.check('person.write', codeOf(row), personNotFound(id))
  return row
}

export async function createPerson(ctx: PersonsContext, p: Principal, input: PersonCreate) {
  const actor = actorOf(p)
  const parsed = parseIdNumber(input.idNumber)
  if (!parsed.ok)
    throw new AppError('VALIDATION_FAILED', parsed.message, { issues: [{ path: 'idNumber', message: parsed.message }] })
  const id = await ctx.db.transaction().execute(async (trx) => {
    const h = await ctx.repo.findHousehold(input.householdId, trx)
    const unknownHousehold = () =>
      new AppError('VALIDATION_FAILED', 'Unknown household', {
        issues: [{ path: 'householdId', message: `No household ${input.householdId}` }],
      })
    if (!h) throw unknownHousehold()
    p.check('person.write', h.grid_code ?? h.community_code, unknownHousehold)
    const personId = await ctx.repo.insertPerson(trx, {
      id_number: parsed.idNumber,
      name: input.name,
      name_initials: initialsOf(input.name),
      sex: String(parsed.sex) as PersonsTable['sex'],
      birth_date: parsed.birthDate,
      ethnicity: input.populationType === 'foreign' ? null : input.ethnicity, // foreigners have none
      native_place: input.nativePlace ?? parsed.regionCode,
      population_type: input.populationType as PersonsTable['population_type'],
      household_id: input.householdId,
      relation_to_head: input.relationToHead,
      dwelling_id: h.dwelling_id,
      community_code: h.community_code,
      registered_address: input.registeredAddress ?? null,
      migrant_reason: input.migrantReason ?? null,
      permit_type: input.permitType ?? null,
      residence_type: input.residenceType ?? null,
      arrival_date: input.arrivalDate ?? null,
      phone: input.phone ?? null,
      marital_status: input.maritalStatus ?? null,
      education: input.education ?? null,
      employment: (input.employment ?? null) as PersonsTable['employment'],
      occupation: input.occupation ?? null,
      employer: input.employer ?? null,
      care_tags: input.careTags,
      health_flags: input.healthFlags,
      source: input.source,
      load_id: null,
      updated_by: actor.id,
    })
    await ctx.repo.setFieldSources(
      trx,
      Object.keys(PERSON_FIELD_GROUPS).map((g) => ({
        person_id: personId,
        field_group: g as PersonFieldSourcesTable['field_group'],
        source: input.source,
        updated_at: new Date(),
        updated_by: actor.id,
      })),
    )
    const created = toPerson((await ctx.repo.find(personId, trx)) as PersonRow)
    const { id: _, version: __, updatedAt: ___, ...fields } = created
    await recordChange(trx, {
      entity: 'person',
      entityId: personId,
      version: 1,
      action: 'create',
      changes: diff({}, fields),
      reason: input.reason,
      actor: actor.id,
      source: input.source,
      requestId: actor.requestId,
      clientIp: actor.clientIp,
    })
    return personId
  })
  return present(ctx, p, id)
}

export async function updatePerson(ctx: PersonsContext, p: Principal, id: number, patch: PersonPatch) {
  const actor = actorOf(p)
  await ctx.db.transaction().execute(async (trx) => {
    const row = await lockRow(ctx, trx, p, id)
    if (row.version !== patch.version)
      throw new AppError('VERSION_CONFLICT', 'The person was changed by someone else; reload and apply your change again', {
        current: row.version,
        given: patch.version,
      })
    const { version: _v, source, reason, ...fields } = patch
    await applyChanges(ctx, trx, actor, row, fields, source, reason)
  })
  return present(ctx, p, id)
}

export interface MergeInput {
  baseVersion: number
  fields: Record<string, unknown>
  madeAt: Date
  source: string
  reason: string
  clientId: string
}

/**
 * A change made door to door, maybe offline, at `madeAt` on the record as it was at
 * `baseVersion`. Fields nobody changed since merge in. A field someone else changed since goes
 * to whichever change was made later, and the other value is kept in a flag for the grid chief
 * (`record_conflicts`) — nothing is silently lost. Answers the fields applied and the flags.
 */
export async function mergeUpdate(ctx: PersonsContext, p: Principal, id: number, input: MergeInput) {
  const actor = actorOf(p)
  return ctx.db.transaction().execute(async (trx) => {
    const row = await lockRow(ctx, trx, p, id)
    if (input.baseVersion > row.version)
      throw new AppError('VERSION_CONFLICT', 'The base version is newer than the record', {
        current: row.version,
        given: input.baseVersion,
      })
    const before = toPerson(row) as unknown as Record<string, unknown>
    // Who changed which field since the base version, and when (the latest change counts).
    const changed = new Map<string, { at: Date; by: string }>()
    for (const c of await ctx.repo.changesSince(trx, id, input.baseVersion))
      for (const f of Object.keys(c.changes as Record<string, unknown>)) changed.set(f, { at: new Date(c.at), by: c.actor })
    const apply: Record<string, unknown> = {}
    const flags: { field: string; kept: unknown; keptBy: string; other: unknown; otherBy: string; otherAt: Date }[] = []
    for (const [f, v] of Object.entries(input.fields)) {
      if (JSON.stringify(before[f]) === JSON.stringify(v)) continue
      const other = changed.get(f)
      if (!other) apply[f] = v
      else if (input.madeAt > other.at) {
        apply[f] = v
        flags.push({ field: f, kept: v, keptBy: actor.id, other: before[f], otherBy: other.by, otherAt: other.at })
      } else flags.push({ field: f, kept: before[f], keptBy: other.by, other: v, otherBy: actor.id, otherAt: input.madeAt })
    }
    await applyChanges(ctx, trx, actor, row, apply, input.source, input.reason)
    if (flags.length)
      await ctx.repo.insertConflicts(
        trx,
        flags.map((f) => ({
          entity: 'person',
          entity_id: id,
          community_code: row.community_code,
          grid_code: row.grid_code,
          field: f.field,
          kept_value: JSON.stringify(f.kept ?? null),
          kept_by: f.keptBy,
          other_value: JSON.stringify(f.other ?? null),
          other_by: f.otherBy,
          other_at: f.otherAt,
          client_id: input.clientId,
        })),
      )
    return { applied: Object.keys(apply), flagged: flags.map((f) => f.field) }
  })
}

export async function setStatus(
  ctx: PersonsContext,
  p: Principal,
  id: number,
  input: { status: 'moved_out' | 'deceased' | 'active'; version: number; source: string; reason: string },
) {
  const actor = actorOf(p)
  await ctx.db.transaction().execute(async (trx) => {
    const row = await lockRow(ctx, trx, p, id)
    if (row.version !== input.version)
      throw new AppError('VERSION_CONFLICT', 'The person was changed by someone else', {
        current: row.version,
        given: input.version,
      })
    if (row.status === input.status) return
    await ctx.repo.updatePerson(
      trx,
      id,
      { status: input.status, source: input.source },
      { version: row.version + 1, actor: actor.id },
    )
    await recordChange(trx, {
      entity: 'person',
      entityId: id,
      version: row.version + 1,
      action: input.status === 'deceased' ? 'decease' : input.status === 'moved_out' ? 'move_out' : 'update',
      changes: { status: { old: row.status, new: input.status } },
      reason: input.reason,
      actor: actor.id,
      source: input.source,
      requestId: actor.requestId,
      clientIp: actor.clientIp,
    })
  })
  return present(ctx, p, id)
}

/** A household moves to another dwelling: the household and every member move, with history. */
export async function moveHousehold(
  ctx: PersonsContext,
  p: Principal,
  id: number,
  input: { dwellingId: number; version: number; source: string; reason: string },
) {
  const actor = actorOf(p)
  await ctx.db.transaction().execute(async (trx) => {
    const h = await ctx.repo.findHousehold(id, trx, true)
    if (!h) throw householdNotFound(id)()
    p.check('person.write', h.grid_code ?? h.community_code, householdNotFound(id))
    // Both places are checked before the version: a stale version says nothing about a
    // dwelling the caller may not see.
    const to = await ctx.repo.findDwelling(input.dwellingId, trx)
    const unknownDwelling = () =>
      new AppError('VALIDATION_FAILED', 'Unknown dwelling', {
        issues: [{ path: 'dwellingId', message: `No dwelling ${input.dwellingId}` }],
      })
    if (!to) throw unknownDwelling()
    p.check('person.write', to.grid_code ?? to.community_code, unknownDwelling)
    if (h.version !== input.version)
      throw new AppError('VERSION_CONFLICT', 'The household was changed by someone else', {
        current: h.version,
        given: input.version,
      })
    if (Number(h.dwelling_id) === Number(to.id)) return
    const changes = {
      dwellingId: { old: h.dwelling_id == null ? null : Number(h.dwelling_id), new: Number(to.id) },
      address: { old: h.address, new: to.address },
      communityCode: { old: h.community_code, new: to.community_code },
    }
    const target = { dwellingId: Number(to.id), communityCode: to.community_code }
    const entry = { changes, reason: input.reason, actor: actor.id, source: input.source, requestId: actor.requestId }
    await ctx.repo.moveHousehold(trx, id, target, { version: h.version + 1, actor: actor.id, source: input.source })
    await recordChange(trx, {
      ...entry,
      entity: 'household',
      entityId: id,
      version: h.version + 1,
      action: 'move',
      clientIp: actor.clientIp,
    })
    const members = await ctx.repo.lockMembers(trx, id)
    await ctx.repo.moveMembers(trx, id, target, actor.id)
    for (const m of members)
      await recordChange(trx, {
        ...entry,
        entity: 'person',
        entityId: Number(m.id),
        version: m.version + 1,
        action: 'move',
        clientIp: actor.clientIp,
      })
  })
  const moved = (await ctx.repo.findHousehold(id)) as NonNullable<Awaited<ReturnType<typeof ctx.repo.findHousehold>>>
  const members = (await ctx.repo.householdMembers(id)).map((m) =>
    personView(p, { ...m, grid_code: moved.grid_code } as PersonRow),
  )
  return { ...householdOut(moved, p), members }
}
