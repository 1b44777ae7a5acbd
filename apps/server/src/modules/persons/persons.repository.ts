// Person and household queries (Kysely only).
import {
  type Expression,
  type Insertable,
  type Kysely,
  type Selectable,
  type SqlBool,
  sql,
  type Transaction,
  type Updateable,
} from 'kysely'
import type { DB, PersonFieldSourcesTable, PersonsTable, RecordConflictsTable } from '../../db/schema.js'
import { insertJson, type JsonRow } from '../../kernel/bulk.js'
import { startsWith } from '../../kernel/like.js'

export type PersonRow = Selectable<PersonsTable> & { address: string | null; grid_code: string | null }
type Db = Kysely<DB> | Transaction<DB>

export interface PersonFilter {
  region?: string | undefined
  idNumber?: string | undefined
  name?: string | undefined
  q?: string | undefined
  householdId?: number | undefined
  address?: string | undefined
  tag?: string | undefined
  populationType?: string | undefined
  status?: string | undefined
}

function personsQuery(db: Db) {
  return db.selectFrom('persons as p').leftJoin('dwellings as d', 'd.id', 'p.dwelling_id')
}

export function createPersonsRepository(db: Kysely<DB>) {
  return {
    async list(f: PersonFilter, limit: number, offset: number, scope: Expression<SqlBool>) {
      let q = personsQuery(db).where(scope)
      if (f.region) q = q.where('p.community_code', 'like', startsWith(f.region))
      if (f.idNumber) q = q.where('p.id_number', '=', f.idNumber.toUpperCase())
      if (f.name) q = q.where('p.name', 'like', startsWith(f.name))
      if (f.q) {
        const t = f.q.trim()
        q = q.where((eb) =>
          eb.or([eb('p.name', 'like', startsWith(t)), eb('p.name_initials', 'like', startsWith(t.toLowerCase()))]),
        )
      }
      if (f.householdId) q = q.where('p.household_id', '=', f.householdId)
      if (f.address) q = q.where('d.address', 'like', startsWith(f.address))
      if (f.tag) q = q.where(sql<boolean>`p.care_tags @> array[${f.tag}]::text[]`)
      if (f.populationType) q = q.where('p.population_type', '=', f.populationType as PersonsTable['population_type'])
      if (f.status) q = q.where('p.status', '=', f.status as Selectable<PersonsTable>['status'])
      const [items, total] = await Promise.all([
        q.selectAll('p').select(['d.address', 'd.grid_code']).orderBy('p.id').limit(limit).offset(offset).execute(),
        q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ])
      return { items: items as PersonRow[], total: Number(total.n) }
    },

    find: (id: number, trx: Db = db, forUpdate = false) => {
      const q = personsQuery(trx).selectAll('p').select(['d.address', 'd.grid_code']).where('p.id', '=', id)
      return (forUpdate ? q.forUpdate('p') : q).executeTakeFirst() as Promise<PersonRow | undefined>
    },

    fieldSources: (personId: number) =>
      db.selectFrom('person_field_sources').selectAll().where('person_id', '=', personId).execute(),

    findHousehold: (id: number, trx: Db = db, forUpdate = false) => {
      const q = trx
        .selectFrom('households as h')
        .leftJoin('dwellings as d', 'd.id', 'h.dwelling_id')
        .selectAll('h')
        .select(['d.address', 'd.building_id', 'd.grid_code'])
        .where('h.id', '=', id)
      return (forUpdate ? q.forUpdate('h') : q).executeTakeFirst()
    },

    householdMembers: (householdId: number, trx: Db = db) =>
      personsQuery(trx)
        .selectAll('p')
        .select(['d.address', 'd.grid_code'])
        .where('p.household_id', '=', householdId)
        .orderBy('p.relation_to_head')
        .orderBy('p.birth_date')
        .execute() as Promise<PersonRow[]>,

    async listHouseholds(region: string | undefined, limit: number, offset: number, scope: Expression<SqlBool>) {
      let q = db.selectFrom('households as h').leftJoin('dwellings as d', 'd.id', 'h.dwelling_id').where(scope)
      if (region) q = q.where('h.community_code', 'like', startsWith(region))
      const [items, total] = await Promise.all([
        q
          .selectAll('h')
          .select(['d.address', 'd.grid_code'])
          .select((eb) =>
            eb
              .selectFrom('persons as p')
              .whereRef('p.household_id', '=', 'h.id')
              .where('p.status', '=', 'active')
              .select(eb.fn.countAll<number>().as('n'))
              .as('size'),
          )
          .orderBy('h.id')
          .limit(limit)
          .offset(offset)
          .execute(),
        q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ])
      return { items, total: Number(total.n) }
    },

    findDwelling: (id: number, trx: Db = db) =>
      trx
        .selectFrom('dwellings')
        .select(['id', 'community_code', 'grid_code', 'address'])
        .where('id', '=', id)
        .executeTakeFirst(),

    insertPerson: async (trx: Transaction<DB>, values: Insertable<PersonsTable>) =>
      Number((await trx.insertInto('persons').values(values).returning('id').executeTakeFirstOrThrow()).id),

    /** Changed columns of a person, with the next version and who wrote them. */
    updatePerson: (trx: Transaction<DB>, id: number, set: Updateable<PersonsTable>, by: { version: number; actor: string }) =>
      trx
        .updateTable('persons')
        .set({ ...set, version: by.version, updated_at: sql`now()`, updated_by: by.actor })
        .where('id', '=', id)
        .execute(),

    /** Field groups' provenance: inserted, or replaced where the group has one. */
    setFieldSources: (trx: Transaction<DB>, rows: Insertable<PersonFieldSourcesTable>[]) =>
      trx
        .insertInto('person_field_sources')
        .values(rows)
        .onConflict((oc) =>
          oc.columns(['person_id', 'field_group']).doUpdateSet((eb) => ({
            source: eb.ref('excluded.source'),
            updated_at: eb.ref('excluded.updated_at'),
            updated_by: eb.ref('excluded.updated_by'),
          })),
        )
        .execute(),

    /** The changes of a person after a version (a door-to-door merge's view of what moved since). */
    changesSince: (trx: Transaction<DB>, id: number, version: number) =>
      trx
        .selectFrom('change_log')
        .select(['changes', 'at', 'actor'])
        .where('entity', '=', 'person')
        .where('entity_id', '=', id)
        .where('version', '>', version)
        .orderBy('id')
        .execute(),

    insertConflicts: (trx: Transaction<DB>, rows: Insertable<RecordConflictsTable>[]) =>
      trx.insertInto('record_conflicts').values(rows).execute(),
    /** Conflicts in a grid, or under a community prefix; newest first. */
    conflicts: (place: { grid: string } | { communityPrefix: string }, openOnly: boolean, limit: number) => {
      let q = db
        .selectFrom('record_conflicts')
        .selectAll()
        .where((eb) =>
          'grid' in place ? eb('grid_code', '=', place.grid) : eb('community_code', 'like', `${place.communityPrefix}%`),
        )
      if (openOnly) q = q.where('status', '=', 'open')
      return q.orderBy('id', 'desc').limit(limit).execute()
    },
    conflict: (id: number) => db.selectFrom('record_conflicts').selectAll().where('id', '=', id).executeTakeFirst(),
    /** An open conflict resolved (none when someone resolved it meanwhile). */
    resolveConflict: (id: number, r: { status: 'kept' | 'replaced'; resolved_by: string; resolved_at: Date }) =>
      db
        .updateTable('record_conflicts')
        .set(r)
        .where('id', '=', id)
        .where('status', '=', 'open')
        .returningAll()
        .executeTakeFirst(),
    personVersion: async (id: number) =>
      (await db.selectFrom('persons').select('version').where('id', '=', id).executeTakeFirstOrThrow()).version,

    /** A household moved to another dwelling (and community), with the next version. */
    moveHousehold: (
      trx: Transaction<DB>,
      id: number,
      to: { dwellingId: number; communityCode: string },
      by: { version: number; actor: string; source: string },
    ) =>
      trx
        .updateTable('households')
        .set({
          dwelling_id: to.dwellingId,
          community_code: to.communityCode,
          version: by.version,
          updated_at: sql`now()`,
          updated_by: by.actor,
          source: by.source,
        })
        .where('id', '=', id)
        .execute(),

    /** A household's members (all of them), locked, with their versions. */
    lockMembers: (trx: Transaction<DB>, householdId: number) =>
      trx.selectFrom('persons').select(['id', 'version']).where('household_id', '=', householdId).forUpdate().execute(),

    /** Every member of a household to a dwelling (and community), each one version up. */
    moveMembers: (trx: Transaction<DB>, householdId: number, to: { dwellingId: number; communityCode: string }, actor: string) =>
      trx
        .updateTable('persons')
        .set({
          dwelling_id: to.dwellingId,
          community_code: to.communityCode,
          version: sql`version + 1`,
          updated_at: sql`now()`,
          updated_by: actor,
        })
        .where('household_id', '=', householdId)
        .execute(),
  }
}

export type PersonsRepository = ReturnType<typeof createPersonsRepository>

/** Who supplied each field group of these persons now (a department's delivery): one row per
 *  person and group, replacing the group's earlier source. */
export const upsertFieldSources = (trx: Transaction<DB>, rows: readonly JsonRow<'person_field_sources'>[]) =>
  insertJson(
    trx,
    'person_field_sources',
    rows,
    sql`on conflict (person_id, field_group) do update set source = excluded.source, updated_at = excluded.updated_at,
      updated_by = excluded.updated_by, dataset_code = excluded.dataset_code, delivery_id = excluded.delivery_id`,
  )

/** The households' last visit moves forward to these visits' days (rows: {household_id, day} JSON). */
export async function markHouseholdsVisited(trx: Transaction<DB>, visitsJson: string) {
  await sql`
    update households h set last_visited_on = greatest(h.last_visited_on, x.day)
    from (select household_id, max(day::date) as day from jsonb_to_recordset(${visitsJson}::jsonb) as x(id bigint, household_id bigint, day text)
          group by 1 order by 1) x
    where h.id = x.household_id`.execute(trx)
}

/** The active residents of some dwellings, household by household (as the person API reads them). */
export async function activeResidentsOf(db: Db, dwellingIds: number[]): Promise<PersonRow[]> {
  if (!dwellingIds.length) return []
  return personsQuery(db)
    .selectAll('p')
    .select(['d.address', 'd.grid_code'])
    .where('p.dwelling_id', 'in', dwellingIds)
    .where('p.status', '=', 'active')
    .orderBy('p.household_id')
    .execute()
}
