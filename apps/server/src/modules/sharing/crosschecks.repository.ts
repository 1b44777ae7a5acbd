// 共享校核's SQL: a rule (data) compiled to one set-based statement that finds the base records
// it is about, with both values; findings written once per (rule, record) while open, refreshed
// when seen again, cleared when the data stop disagreeing. Only whitelisted fields reach SQL
// (CHECK_FIELDS), as identifiers; every value is a parameter.
import { CHECK_FIELDS, type CheckRule, type Condition, type Predicate, type ValueRef } from '@wangge/domain'
import { type Expression, type Kysely, type RawBuilder, type Selectable, type SqlBool, sql, type Transaction } from 'kysely'
import type { CheckFindingsTable, DB } from '../../db/schema.js'
import { startsWith } from '../../kernel/like.js'

type Db = Kysely<DB> | Transaction<DB>
export type FindingRow = Selectable<CheckFindingsTable>

const TABLE: Record<CheckRule['subject'], string> = { person: 'persons', dwelling: 'dwellings', organization: 'organizations' }

/** A base field of the subject `b` (whitelisted). */
function baseField(rule: CheckRule, field: string): RawBuilder<unknown> {
  if (!CHECK_FIELDS[rule.subject].includes(field)) throw new Error(`${rule.code}: ${field} is not a field a rule may use`)
  if (field === 'household_members') return sql`(select h.members from households h where h.id = b.household_id)`
  return sql`b.${sql.ref(field)}`
}

function predicate(target: RawBuilder<unknown>, p: Predicate, isRecord: boolean, rule: CheckRule): RawBuilder<SqlBool> {
  const v = p.value
  switch (p.op) {
    case 'eq':
      return sql`${target} = ${String(v)}`
    case 'ne':
      return sql`${target} is distinct from ${String(v)}`
    case 'in':
      return sql`${target} = any(${[...(v as string[])]}::text[])`
    case 'not_in':
      return sql`not (${target} = any(${[...(v as string[])]}::text[]))`
    case 'null':
      return sql`${target} is null`
    case 'not_null':
      return sql`${target} is not null`
    case 'contains':
      return isRecord ? sql`${target} ? ${String(v)}` : sql`${String(v)} = any(${target})`
    case 'lacks':
      return isRecord ? sql`not (${target} ? ${String(v)})` : sql`not (${String(v)} = any(${target}))`
    case 'before_today':
      return sql`(${target})::date < current_date`
    case 'age_gte':
      return sql`${target} <= current_date - make_interval(years => ${Number(v)}::int)`
    case 'differs_from_members':
      return sql`(${target}) is not null and (${target})::int is distinct from ${baseField(rule, 'household_members')}`
  }
}

/** A department's record of the subject in a dataset (not removed), with conditions on its fields. */
const recordOf = (dataset: string, where: RawBuilder<SqlBool>[] = []) =>
  sql`exists (select 1 from shared_records r where r.entity_id = b.id and r.dataset_code = ${dataset} and not r.removed
    ${where.length ? sql`and ${sql.join(where, sql` and `)}` : sql``})`

function condition(rule: CheckRule, c: Condition): RawBuilder<SqlBool> {
  if ('base' in c) return predicate(baseField(rule, c.base.field), c.base, false, rule)
  if ('has' in c)
    return recordOf(
      c.has,
      (c.where ?? []).map((p) =>
        predicate(
          p.op === 'contains' || p.op === 'lacks' ? sql`r.record->${p.field}` : sql`r.record->>${p.field}`,
          p,
          true,
          rule,
        ),
      ),
    ) as RawBuilder<SqlBool>
  if ('lacks' in c) return sql<SqlBool>`not ${recordOf(c.lacks)}`
  if ('empty' in c) return sql<SqlBool>`not exists (select 1 from persons x where x.dwelling_id = b.id and x.status = 'active')`
  return sql<SqlBool>`exists (select 1 from persons o where o.dwelling_id = b.dwelling_id and o.name = b.name
    and o.birth_date = b.birth_date and o.id < b.id and o.status = 'active')`
}

function value(rule: CheckRule, v: ValueRef): RawBuilder<unknown> {
  if ('base' in v) return sql`to_jsonb(${baseField(rule, v.base)})`
  return sql`(select r.record->${v.field} from shared_records r
    where r.entity_id = b.id and r.dataset_code = ${v.dataset} and not r.removed)`
}

/** The records a delivery touched, for the rules run after it: a temporary table of their ids
 *  (written once, analysed, joined by every rule — not a million-element array per statement). */
const SCOPE = 'check_scope'

/** The statement finding a rule's subjects (all, or those in the delivery's scope table). */
export function compileRule(rule: CheckRule, scoped = false) {
  const grid =
    rule.subject === 'person' ? sql`(select d.grid_code from dwellings d where d.id = b.dwelling_id)` : sql`b.grid_code`
  const where = rule.when.map((c) => condition(rule, c))
  if (scoped) where.push(sql<SqlBool>`b.id in (select s.id from ${sql.table(SCOPE)} s)`)
  return sql<{ entity_id: string; community_code: string; grid_code: string | null; left_value: unknown; right_value: unknown }>`
    select b.id as entity_id, b.community_code, ${grid} as grid_code,
      ${value(rule, rule.left)} as left_value, ${value(rule, rule.right)} as right_value
    from ${sql.table(TABLE[rule.subject])} b
    where ${sql.join(where, sql` and `)}`
}

/**
 * The scope of the rules run after a delivery, in `trx`: a temporary table of the touched ids,
 * dropped at commit, analysed so that the planner joins a few ids by index and many by hash.
 */
export async function scopeTo(trx: Transaction<DB>, ids: readonly number[]) {
  await sql`create temporary table ${sql.table(SCOPE)} (id bigint primary key) on commit drop`.execute(trx)
  for (let i = 0; i < ids.length; i += 100_000)
    await sql`insert into ${sql.table(SCOPE)} (id) select unnest(${ids.slice(i, i + 100_000)}::bigint[]) on conflict do nothing`.execute(
      trx,
    )
  await sql`analyze ${sql.table(SCOPE)}`.execute(trx)
}

/**
 * Runs a rule: new findings opened, open ones seen again refreshed, open ones among the checked
 * records no longer found cleared. Answers how many were opened and cleared. `scoped`: only the
 * records in the scope table (`scopeTo`, same transaction).
 */
export async function runRule(trx: Db, rule: CheckRule, opts: { scoped?: boolean; deliveryId?: number } = {}) {
  const started = (await sql<{ now: Date }>`select clock_timestamp() as now`.execute(trx)).rows[0]?.now as Date
  const found = compileRule(rule, opts.scoped)
  const opened = await sql<{ inserted: boolean }>`
    insert into check_findings (rule_code, entity, entity_id, community_code, grid_code, left_value, right_value,
      owner_department, assignee, found_by_delivery, first_seen_at, last_seen_at)
    select ${rule.code}, ${rule.subject}, f.entity_id::bigint, f.community_code, f.grid_code, f.left_value, f.right_value,
      ${rule.owner}, ${rule.assignee}, ${opts.deliveryId ?? null}::bigint, clock_timestamp(), clock_timestamp()
    from (${found}) f
    on conflict (rule_code, entity, entity_id) where status = 'open' do update set
      last_seen_at = excluded.last_seen_at, left_value = excluded.left_value, right_value = excluded.right_value,
      community_code = excluded.community_code, grid_code = excluded.grid_code
    returning (xmax = 0) as inserted`.execute(trx)
  const cleared = await sql`
    update check_findings set status = 'cleared', resolved_at = clock_timestamp(), version = version + 1
    where rule_code = ${rule.code} and status = 'open' and last_seen_at < ${started}
      ${opts.scoped ? sql`and entity_id in (select s.id from ${sql.table(SCOPE)} s)` : sql``}`.execute(trx)
  return {
    opened: opened.rows.filter((r) => r.inserted).length,
    seen: opened.rows.length,
    cleared: Number(cleared.numAffectedRows ?? 0),
  }
}

export function createCrosscheckRepository(db: Kysely<DB>) {
  return {
    rules: (trx: Db = db) => trx.selectFrom('check_rules').selectAll().orderBy('code').execute(),
    rule: (code: string, trx: Db = db, forUpdate = false) => {
      const q = trx.selectFrom('check_rules').selectAll().where('code', '=', code)
      return (forUpdate ? q.forUpdate() : q).executeTakeFirst()
    },
    /** The seeded rules not yet present, as their version 1. */
    async seedRules(trx: Transaction<DB>, rules: readonly CheckRule[]) {
      const added = await trx
        .insertInto('check_rules')
        .values(rules.map((r) => ({ code: r.code, definition: JSON.stringify(r), updated_by: 'seed' })))
        .onConflict((oc) => oc.column('code').doNothing())
        .returning(['code', 'definition'])
        .execute()
      if (added.length)
        await trx
          .insertInto('check_rule_versions')
          .values(
            added.map((r) => ({
              rule_code: r.code,
              version: 1,
              definition: JSON.stringify(r.definition),
              active: true,
              reason: 'seeded',
              changed_by: 'seed',
            })),
          )
          .execute()
    },
    /** A new rule (false when its code is taken) or a new version of one, with its history row. */
    async saveRule(
      trx: Transaction<DB>,
      rule: CheckRule,
      r: { active: boolean; version: number; actor: string; reason: string },
    ): Promise<boolean> {
      const definition = JSON.stringify(rule)
      if (r.version === 1) {
        const added = await trx
          .insertInto('check_rules')
          .values({ code: rule.code, definition, active: r.active, updated_by: r.actor })
          .onConflict((oc) => oc.column('code').doNothing())
          .returning('code')
          .executeTakeFirst()
        if (!added) return false
      } else
        await trx
          .updateTable('check_rules')
          .set({ definition, active: r.active, version: r.version, updated_at: sql`now()`, updated_by: r.actor })
          .where('code', '=', rule.code)
          .execute()
      await trx
        .insertInto('check_rule_versions')
        .values({
          rule_code: rule.code,
          version: r.version,
          definition,
          active: r.active,
          reason: r.reason,
          changed_by: r.actor,
        })
        .execute()
      return true
    },
    ruleVersions: (code: string) =>
      db.selectFrom('check_rule_versions').selectAll().where('rule_code', '=', code).orderBy('version', 'desc').execute(),
    /**
     * The open door-to-door questions in `grids` (a grid worker's tasks): the household they are
     * about (a person's, or a dwelling's first), what or whom, and the place on the walk.
     */
    questions: (grids: readonly string[]) =>
      sql<{
        id: string
        rule_code: string
        entity: 'person' | 'dwelling' | 'organization'
        entity_id: string
        grid_code: string
        left_value: unknown
        right_value: unknown
        first_seen_at: Date
        version: number
        household_id: string | null
        about: string | null
        address: string | null
        lng: number | null
        lat: number | null
      }>`
        select f.id, f.rule_code, f.entity, f.entity_id, f.grid_code, f.left_value, f.right_value, f.first_seen_at,
          f.version, coalesce(p.household_id, h.id) as household_id,
          coalesce(p.name, o.name, d.address) as about, coalesce(pd.address, d.address, o.address) as address,
          b.lng, b.lat
        from check_findings f
        left join persons p on f.entity = 'person' and p.id = f.entity_id
        left join dwellings pd on pd.id = p.dwelling_id
        left join dwellings d on f.entity = 'dwelling' and d.id = f.entity_id
        left join lateral (select x.id from households x where x.dwelling_id = d.id order by x.id limit 1) h on true
        left join organizations o on f.entity = 'organization' and o.id = f.entity_id
        left join buildings b on b.id = coalesce(pd.building_id, d.building_id, o.building_id)
        where f.status = 'open' and f.assignee = 'grid_worker' and f.grid_code = any(${[...grids]}::text[])
        order by f.first_seen_at, f.id`
        .execute(db)
        .then((r) => r.rows),
    /** Plans a rule's statement without running it: a rule the engine cannot plan is refused. */
    plan: (trx: Db, rule: CheckRule) => sql`explain ${compileRule(rule)}`.execute(trx),

    async findings(
      f: {
        status?: string | undefined
        rule?: string | undefined
        department?: string | undefined
        region?: string | undefined
        assignee?: string | undefined
      },
      scope: Expression<SqlBool>,
      limit: number,
      offset: number,
    ) {
      let q = db.selectFrom('check_findings').where(scope)
      if (f.status) q = q.where('status', '=', f.status as FindingRow['status'])
      if (f.rule) q = q.where('rule_code', '=', f.rule)
      if (f.department) q = q.where('owner_department', '=', f.department)
      if (f.assignee) q = q.where('assignee', '=', f.assignee as FindingRow['assignee'])
      if (f.region) q = q.where('community_code', 'like', startsWith(f.region))
      const [items, total] = await Promise.all([
        q.selectAll().orderBy('first_seen_at', 'desc').orderBy('id', 'desc').limit(limit).offset(offset).execute(),
        q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ])
      return { items, total: Number(total.n) }
    },
    finding: (id: number, trx: Db = db, forUpdate = false) => {
      const q = trx.selectFrom('check_findings').selectAll().where('id', '=', id)
      return (forUpdate ? q.forUpdate() : q).executeTakeFirst()
    },
    resolve: (
      trx: Db,
      id: number,
      r: { resolution: 'department_right' | 'base_right'; note: string; by: string; version: number },
    ) =>
      trx
        .updateTable('check_findings')
        .set({
          status: 'resolved',
          resolution: r.resolution,
          resolution_note: r.note,
          resolved_by: r.by,
          resolved_at: sql`clock_timestamp()`,
          version: r.version + 1,
        })
        .where('id', '=', id)
        .execute(),
    /** The department's record behind a finding (for a correction from it). */
    record: (trx: Db, dataset: string, entityId: number) =>
      trx
        .selectFrom('shared_records')
        .select(['record', 'record_key', 'delivery_id'])
        .where('dataset_code', '=', dataset)
        .where('entity_id', '=', entityId)
        .where('removed', '=', false)
        .executeTakeFirst(),
  }
}

export type CrosscheckRepository = ReturnType<typeof createCrosscheckRepository>
