// The case catalog's SQL: departments, catalog entries (versioned edits), routing rules, and the
// component a dry run asks about. Every statement is rendered to catalog.repository.sql by its test.
import { type Insertable, type Kysely, type Selectable, sql, type Transaction } from 'kysely'
import type { CaseCatalogTable, DB, DepartmentsTable, RoutingRulesTable } from '../../db/schema.js'
import { contains } from '../../kernel/like.js'

type Db = Kysely<DB> | Transaction<DB>
export type CatalogRow = Selectable<CaseCatalogTable>
export type RoutingRuleRow = Selectable<RoutingRulesTable>

/** The editable columns of an entry. */
export type EntryColumns = Pick<
  CatalogRow,
  'department' | 'normal_amount' | 'normal_unit' | 'urgent_amount' | 'urgent_unit' | 'self_handle' | 'photos' | 'active'
>

export function createCatalogRepository(db: Kysely<DB>) {
  return {
    /** Departments inserted when missing (edits are kept). */
    seedDepartments: (rows: Insertable<DepartmentsTable>[]) =>
      db
        .insertInto('departments')
        .values(rows)
        .onConflict((oc) => oc.column('code').doNothing())
        .execute(),
    /** Catalog entries inserted when missing (edits are kept). */
    seedEntries: (rows: Insertable<CaseCatalogTable>[]) =>
      db
        .insertInto('case_catalog')
        .values(rows)
        .onConflict((oc) => oc.column('code').doNothing())
        .execute(),
    entry: (code: string, trx: Db = db, forUpdate = false) => {
      const q = trx.selectFrom('case_catalog').selectAll().where('code', '=', code)
      return (forUpdate ? q.forUpdate() : q).executeTakeFirst()
    },
    entries: (f: { kind?: CatalogRow['kind'] | undefined; q?: string | undefined; active?: boolean | undefined }) => {
      let q = db.selectFrom('case_catalog').selectAll()
      if (f.kind) q = q.where('kind', '=', f.kind)
      if (f.active !== undefined) q = q.where('active', '=', f.active)
      if (f.q) {
        const text = f.q
        q = q.where((eb) => eb.or([eb('name', 'like', contains(text)), eb('code', '=', text.toUpperCase())]))
      }
      return q.orderBy('code').execute()
    },
    /** A new version of an entry. */
    updateEntry: (trx: Transaction<DB>, code: string, next: EntryColumns, version: number, actor: string) =>
      trx
        .updateTable('case_catalog')
        .set({ ...next, version, updated_at: sql`now()`, updated_by: actor })
        .where('code', '=', code)
        .returningAll()
        .executeTakeFirstOrThrow(),
    departments: () => db.selectFrom('departments').selectAll().orderBy('code').execute(),
    departmentExists: async (code: string) =>
      !!(await db.selectFrom('departments').select('code').where('code', '=', code).executeTakeFirst()),
    regionExists: async (code: string) =>
      !!(await db.selectFrom('regions').select('code').where('code', '=', code).executeTakeFirst()),

    /** Every routing rule (few: the router keeps them in memory). */
    allRules: (trx: Db = db) => trx.selectFrom('routing_rules').selectAll().execute(),
    rules: (catalogCode?: string) => {
      let q = db.selectFrom('routing_rules').selectAll()
      if (catalogCode) q = q.where('catalog_code', '=', catalogCode)
      return q.orderBy('catalog_code').orderBy('region').execute()
    },
    insertRule: (
      trx: Transaction<DB>,
      r: { catalog_code: string; region: string; department: string; note: string | null; created_by: string },
    ) => trx.insertInto('routing_rules').values(r).returning('id').executeTakeFirstOrThrow(),
    deleteRule: (trx: Transaction<DB>, id: number) =>
      trx.deleteFrom('routing_rules').where('id', '=', id).returningAll().executeTakeFirst(),

    /** What the dry run needs of a component: its place, its department, its class and owner. */
    component: (code: string) =>
      db
        .selectFrom('components')
        .select(['code', 'community_code', 'grid_code', 'competent_department', 'major', 'sub', 'owner_unit'])
        .where('code', '=', code)
        .executeTakeFirst(),
  }
}

export type CatalogRepository = ReturnType<typeof createCatalogRepository>
