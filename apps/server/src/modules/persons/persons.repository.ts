// Person and household queries (Kysely only).
import { type Expression, type Kysely, type Selectable, type SqlBool, sql, type Transaction } from 'kysely'
import type { DB, PersonsTable } from '../../db/schema.js'
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
  }
}

export type PersonsRepository = ReturnType<typeof createPersonsRepository>

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
