// Persons (实有人口) and households (户).
// Model: a person lives in a household, which lives in a dwelling; community_code (and later
// grid_code) are copied down from the dwelling so region queries are one index range scan.
// Provenance (谁提供、谁负责): each field group (identity, residence, contact, social, care, health)
// keeps its own source and freshness; rows written by a bulk load carry the group's default
// department and the load time until a group is changed. History: every change after a load is in
// change_log with old/new values, actor, reason — written in the same transaction.
// Concurrency: updates name the version they were based on; a stale version is VERSION_CONFLICT.
import { PERSON_FIELD_GROUPS, type PersonFieldGroup, parseIdNumber } from '@wangge/domain'
import { type Kysely, sql, type Transaction } from 'kysely'
import { pinyin } from 'pinyin-pro'
import type { DB, PersonFieldSourcesTable, PersonsTable } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import { actorOf, audit, listAudit, mask, type Principal, scopeSql, unmask } from '../access/index.js'
import { diff, listChanges, recordChange } from '../history/index.js'
import { createPersonsRepository, type PersonFilter, type PersonRow } from './persons.repository.js'
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

const iso = (d: Date | string) => (d instanceof Date ? d.toISOString() : new Date(d).toISOString())
const dateOnly = (d: unknown) => (d == null ? null : d instanceof Date ? d.toISOString().slice(0, 10) : String(d).slice(0, 10))

export function initialsOf(name: string): string {
  return (pinyin(name, { pattern: 'first', toneType: 'none', type: 'array', surname: 'head' }) as string[]).join('').toLowerCase()
}

export function toPerson(r: PersonRow) {
  return {
    id: Number(r.id),
    idNumber: r.id_number,
    name: r.name,
    nameInitials: r.name_initials,
    sex: r.sex,
    birthDate: dateOnly(r.birth_date) as string,
    ethnicity: r.ethnicity,
    // ISO 3166-1 numeric: a foreigner's permanent-residence ID (2023 format) carries it in
    // characters 4–6; 156 (China) for everyone else.
    nationality: r.id_number.startsWith('9') ? r.id_number.slice(3, 6) : '156',
    nativePlace: r.native_place,
    populationType: r.population_type,
    householdId: r.household_id == null ? null : Number(r.household_id),
    relationToHead: r.relation_to_head,
    dwellingId: r.dwelling_id == null ? null : Number(r.dwelling_id),
    address: r.address,
    communityCode: r.community_code,
    gridCode: r.grid_code,
    registeredAddress: r.registered_address,
    migrantReason: r.migrant_reason,
    permitType: r.permit_type,
    residenceType: r.residence_type,
    arrivalDate: dateOnly(r.arrival_date),
    phone: r.phone,
    maritalStatus: r.marital_status,
    education: r.education,
    employment: r.employment,
    occupation: r.occupation,
    employer: r.employer,
    careTags: r.care_tags,
    healthFlags: r.health_flags,
    status: r.status,
    source: r.source,
    version: r.version,
    updatedAt: iso(r.updated_at),
    updatedBy: r.updated_by,
  }
}
type Person = ReturnType<typeof toPerson>

/** What the caller may see of a person: ID number, phone and addresses masked unless unmasked;
 *  health flags only with person.special. */
export function personView(p: Principal, r: PersonRow, unmasked = false) {
  const person = toPerson(r)
  const special = p.allows('person.special', r.grid_code ?? r.community_code)
  return {
    ...person,
    idNumber: unmasked ? person.idNumber : (mask.idNumber(person.idNumber) as string),
    phone: unmasked ? person.phone : mask.phone(person.phone),
    address: unmasked ? person.address : mask.address(person.address),
    registeredAddress: unmasked ? person.registeredAddress : mask.address(person.registeredAddress),
    healthFlags: special ? person.healthFlags : [],
    masked: !unmasked,
    specialVisible: special,
  }
}

export function createPersonsService({ db }: { db: Kysely<DB> }) {
  const repo = createPersonsRepository(db)

  async function provenanceOf(p: PersonRow) {
    const explicit = await repo.fieldSources(Number(p.id))
    const out: Record<string, { source: string; updatedAt: string; updatedBy: string }> = {}
    for (const [g, def] of Object.entries(PERSON_FIELD_GROUPS)) {
      const e = explicit.find((x) => x.field_group === g)
      // Loaded rows: the group's answerable department, as of the load.
      out[g] = e
        ? { source: e.source, updatedAt: iso(e.updated_at), updatedBy: e.updated_by }
        : { source: p.load_id ? def.defaultSource : p.source, updatedAt: iso(p.updated_at), updatedBy: p.updated_by }
    }
    return out
  }

  const notFound = (id: number) => () => new AppError('NOT_FOUND', `No person ${id}`, { id })
  const codeOf = (r: { grid_code: string | null; community_code: string }) => r.grid_code ?? r.community_code

  /** A readable person row (404 outside the caller's scopes, 403 without the permission there). */
  async function getRow(p: Principal, id: number, perm: 'person.read' | 'person.write' = 'person.read') {
    const row = await repo.find(id)
    if (!row) throw notFound(id)()
    p.check(perm, codeOf(row), notFound(id))
    return row
  }

  /** The record as written, for the writer (who may hold person.write without person.read). */
  /** Writes changed fields of a person (locked row in hand): the row, field provenance, history. */
  async function applyChanges(
    trx: Transaction<DB>,
    actor: ReturnType<typeof actorOf>,
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
    await trx
      .updateTable('persons')
      .set({ ...set, source, version: row.version + 1, updated_at: sql`now()`, updated_by: actor.id })
      .where('id', '=', id)
      .execute()
    const status = changes.status?.new
    const groups = new Set(
      Object.keys(changes)
        .map((k) => GROUP_OF[k] ?? (k === 'birthDate' ? 'identity' : undefined))
        .filter(Boolean) as PersonFieldGroup[],
    )
    for (const g of groups)
      await trx
        .insertInto('person_field_sources')
        .values({ person_id: id, field_group: g, source, updated_at: new Date(), updated_by: actor.id })
        .onConflict((oc) =>
          oc.columns(['person_id', 'field_group']).doUpdateSet({ source, updated_at: new Date(), updated_by: actor.id }),
        )
        .execute()
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

  async function present(p: Principal, id: number) {
    const row = (await repo.find(id)) as PersonRow
    return { ...personView(p, row), provenance: await provenanceOf(row) }
  }

  const SENSITIVE = new Set(['idNumber', 'phone', 'address', 'registeredAddress', 'healthFlags'])
  /** History values of sensitive fields are always masked (the full record is `?unmask=true`). */
  function maskChanges<T extends { changes: Record<string, { old: unknown; new: unknown }> }>(items: T[]): T[] {
    return items.map((c) => ({
      ...c,
      changes: Object.fromEntries(
        Object.entries(c.changes).map(([k, v]) => [
          k,
          SENSITIVE.has(k) ? { old: v.old == null ? null : '****', new: v.new == null ? null : '****' } : v,
        ]),
      ),
    }))
  }

  return {
    async list(p: Principal, f: PersonFilter, page: number, pageSize: number) {
      p.require('person.read')
      const scope = scopeSql(p, 'person.read', { community: 'p.community_code', grid: 'd.grid_code' })
      const { items, total } = await repo.list(f, pageSize, (page - 1) * pageSize, scope)
      return { items: items.map((r) => personView(p, r)), total, page, pageSize }
    },

    /** One person; `unmask` (person.unmask here, and a reason unless an emergency window is open)
     *  shows the full ID number, phone and address and is written to the audit log. */
    async get(p: Principal, id: number, opts: { unmask?: boolean | undefined; reason?: string | undefined } = {}) {
      const row = await getRow(p, id)
      const code = codeOf(row)
      if (opts.unmask) {
        await unmask(db, p, { code, objectType: 'person', objectId: id, reason: opts.reason, notFound: notFound(id) })
      } else if (row.health_flags.length && p.allows('person.special', code))
        await audit(db, {
          actor: p.actor,
          action: 'person.special.read',
          objectType: 'person',
          objectId: id,
          scope: p.scopeOf('person.special', code),
          requestId: p.requestId,
          clientIp: p.clientIp,
        })
      return { ...personView(p, row, !!opts.unmask), provenance: await provenanceOf(row) }
    },

    history: async (p: Principal, id: number, page: number, pageSize: number) => {
      await getRow(p, id)
      const r = await listChanges(db, 'person', id, pageSize, (page - 1) * pageSize)
      return { ...r, items: maskChanges(r.items), page, pageSize }
    },

    /** Who looked at this person's unmasked or special data (the audit log). */
    async accessLog(p: Principal, id: number, page: number, pageSize: number) {
      const row = await getRow(p, id)
      p.check('person.unmask', codeOf(row), notFound(id))
      const r = await listAudit(
        db,
        { objectType: 'person', objectId: String(id), actions: ['person.unmask', 'person.special.read'] },
        pageSize,
        (page - 1) * pageSize,
      )
      return {
        items: r.items.map((a) => ({ id: a.id, at: a.at, actor: a.actor, action: a.action, reason: a.reason, scope: a.scope })),
        total: r.total,
        page,
        pageSize,
      }
    },

    async create(p: Principal, input: PersonCreate) {
      const actor = actorOf(p)
      const parsed = parseIdNumber(input.idNumber)
      if (!parsed.ok)
        throw new AppError('VALIDATION_FAILED', parsed.message, { issues: [{ path: 'idNumber', message: parsed.message }] })
      const id = await db.transaction().execute(async (trx) => {
        const h = await repo.findHousehold(input.householdId, trx)
        const unknownHousehold = () =>
          new AppError('VALIDATION_FAILED', 'Unknown household', {
            issues: [{ path: 'householdId', message: `No household ${input.householdId}` }],
          })
        if (!h) throw unknownHousehold()
        p.check('person.write', h.grid_code ?? h.community_code, unknownHousehold)
        const row = await trx
          .insertInto('persons')
          .values({
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
          .returning('id')
          .executeTakeFirstOrThrow()
        const personId = Number(row.id)
        await trx
          .insertInto('person_field_sources')
          .values(
            Object.keys(PERSON_FIELD_GROUPS).map((g) => ({
              person_id: personId,
              field_group: g as PersonFieldSourcesTable['field_group'],
              source: input.source,
              updated_at: new Date(),
              updated_by: actor.id,
            })),
          )
          .execute()
        const created = toPerson((await repo.find(personId, trx)) as PersonRow)
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
      return present(p, id)
    },

    async update(p: Principal, id: number, patch: PersonPatch) {
      const actor = actorOf(p)
      await db.transaction().execute(async (trx) => {
        const row = await repo.find(id, trx, true)
        if (!row) throw notFound(id)()
        p.check('person.write', codeOf(row), notFound(id))
        if (row.version !== patch.version)
          throw new AppError('VERSION_CONFLICT', 'The person was changed by someone else; reload and apply your change again', {
            current: row.version,
            given: patch.version,
          })
        const { version: _v, source, reason, ...fields } = patch
        await applyChanges(trx, actor, row, fields, source, reason)
      })
      return present(p, id)
    },

    /**
     * A change made door to door, maybe offline, at `madeAt` on the record as it was at
     * `baseVersion`. Fields nobody changed since merge in. A field someone else changed since goes
     * to whichever change was made later, and the other value is kept in a flag for the grid chief
     * (`record_conflicts`) — nothing is silently lost. Answers the fields applied and the flags.
     */
    async mergeUpdate(
      p: Principal,
      id: number,
      input: {
        baseVersion: number
        fields: Record<string, unknown>
        madeAt: Date
        source: string
        reason: string
        clientId: string
      },
    ) {
      const actor = actorOf(p)
      return db.transaction().execute(async (trx) => {
        const row = await repo.find(id, trx, true)
        if (!row) throw notFound(id)()
        p.check('person.write', codeOf(row), notFound(id))
        if (input.baseVersion > row.version)
          throw new AppError('VERSION_CONFLICT', 'The base version is newer than the record', {
            current: row.version,
            given: input.baseVersion,
          })
        const before = toPerson(row) as unknown as Record<string, unknown>
        // Who changed which field since the base version, and when (the latest change counts).
        const since = await trx
          .selectFrom('change_log')
          .select(['changes', 'at', 'actor'])
          .where('entity', '=', 'person')
          .where('entity_id', '=', id)
          .where('version', '>', input.baseVersion)
          .orderBy('id')
          .execute()
        const changed = new Map<string, { at: Date; by: string }>()
        for (const c of since)
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
        await applyChanges(trx, actor, row, apply, input.source, input.reason)
        if (flags.length)
          await trx
            .insertInto('record_conflicts')
            .values(
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
            .execute()
        return { applied: Object.keys(apply), flagged: flags.map((f) => f.field) }
      })
    },

    async setStatus(
      p: Principal,
      id: number,
      input: { status: 'moved_out' | 'deceased' | 'active'; version: number; source: string; reason: string },
    ) {
      const actor = actorOf(p)
      await db.transaction().execute(async (trx) => {
        const row = await repo.find(id, trx, true)
        if (!row) throw notFound(id)()
        p.check('person.write', codeOf(row), notFound(id))
        if (row.version !== input.version)
          throw new AppError('VERSION_CONFLICT', 'The person was changed by someone else', {
            current: row.version,
            given: input.version,
          })
        if (row.status === input.status) return
        await trx
          .updateTable('persons')
          .set({
            status: input.status,
            version: row.version + 1,
            updated_at: sql`now()`,
            updated_by: actor.id,
            source: input.source,
          })
          .where('id', '=', id)
          .execute()
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
      return present(p, id)
    },

    async household(p: Principal, id: number) {
      const h = await repo.findHousehold(id)
      const missing = () => new AppError('NOT_FOUND', `No household ${id}`, { id })
      if (!h) throw missing()
      p.check('person.read', h.grid_code ?? h.community_code, missing)
      const members = (await repo.householdMembers(id)).map((m) => personView(p, { ...m, grid_code: h.grid_code } as PersonRow))
      return { ...householdOut(h, p), members }
    },

    async households(p: Principal, region: string | undefined, page: number, pageSize: number) {
      p.require('person.read')
      const scope = scopeSql(p, 'person.read', { community: 'h.community_code', grid: 'd.grid_code' })
      const { items, total } = await repo.listHouseholds(region, pageSize, (page - 1) * pageSize, scope)
      return { items: items.map((h) => ({ ...householdOut(h, p), size: Number(h.size ?? 0) })), total, page, pageSize }
    },

    /** A household moves to another dwelling: the household and every member move, with history. */
    async moveHousehold(
      p: Principal,
      id: number,
      input: { dwellingId: number; version: number; source: string; reason: string },
    ) {
      const actor = actorOf(p)
      await db.transaction().execute(async (trx) => {
        const h = await repo.findHousehold(id, trx, true)
        const missing = () => new AppError('NOT_FOUND', `No household ${id}`, { id })
        if (!h) throw missing()
        p.check('person.write', h.grid_code ?? h.community_code, missing)
        // Both places are checked before the version: a stale version says nothing about a
        // dwelling the caller may not see.
        const to = await repo.findDwelling(input.dwellingId, trx)
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
        await trx
          .updateTable('households')
          .set({
            dwelling_id: to.id,
            community_code: to.community_code,
            version: h.version + 1,
            updated_at: sql`now()`,
            updated_by: actor.id,
            source: input.source,
          })
          .where('id', '=', id)
          .execute()
        await recordChange(trx, {
          entity: 'household',
          entityId: id,
          version: h.version + 1,
          action: 'move',
          changes,
          reason: input.reason,
          actor: actor.id,
          source: input.source,
          requestId: actor.requestId,
          clientIp: actor.clientIp,
        })
        const members = await trx
          .selectFrom('persons')
          .select(['id', 'version'])
          .where('household_id', '=', id)
          .forUpdate()
          .execute()
        await trx
          .updateTable('persons')
          .set({
            dwelling_id: to.id,
            community_code: to.community_code,
            version: sql`version + 1`,
            updated_at: sql`now()`,
            updated_by: actor.id,
          })
          .where('household_id', '=', id)
          .execute()
        for (const m of members)
          await recordChange(trx, {
            entity: 'person',
            entityId: Number(m.id),
            version: m.version + 1,
            action: 'move',
            changes,
            reason: input.reason,
            actor: actor.id,
            source: input.source,
            requestId: actor.requestId,
            clientIp: actor.clientIp,
          })
      })
      const moved = (await repo.findHousehold(id)) as NonNullable<Awaited<ReturnType<typeof repo.findHousehold>>>
      const members = (await repo.householdMembers(id)).map((m) =>
        personView(p, { ...m, grid_code: moved.grid_code } as PersonRow),
      )
      return { ...householdOut(moved, p), members }
    },

    householdHistory: async (p: Principal, id: number, page: number, pageSize: number) => {
      const h = await repo.findHousehold(id)
      const missing = () => new AppError('NOT_FOUND', `No household ${id}`, { id })
      if (!h) throw missing()
      p.check('person.read', h.grid_code ?? h.community_code, missing)
      const r = await listChanges(db, 'household', id, pageSize, (page - 1) * pageSize)
      return { ...r, items: maskChanges(r.items), page, pageSize }
    },
  }
}

interface HouseholdRow {
  id: number
  household_number: string | null
  kind: string
  dwelling_id: number | null
  address: string | null
  community_code: string
  grid_code: string | null
  head_person_id: number | null
  source: string
  version: number
  updated_at: Date
}

function householdOut(h: HouseholdRow, p: Principal) {
  return {
    id: Number(h.id),
    householdNumber: h.household_number,
    kind: h.kind,
    dwellingId: h.dwelling_id == null ? null : Number(h.dwelling_id),
    address: p.allows('person.unmask', h.grid_code ?? h.community_code) ? h.address : mask.address(h.address),
    communityCode: h.community_code,
    gridCode: h.grid_code,
    headPersonId: h.head_person_id == null ? null : Number(h.head_person_id),
    source: h.source,
    version: h.version,
    updatedAt: iso(h.updated_at),
  }
}

export type PersonsService = ReturnType<typeof createPersonsService>
export type { Person }
