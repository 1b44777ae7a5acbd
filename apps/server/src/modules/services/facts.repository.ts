// The statements behind a resident's facts (facts.ts): the person with their household and
// dwelling, the departments' records that bear on the items (their own; births by a parent's ID
// number; deaths in the household) and the provenance of each field group. Rendered to
// facts.repository.sql by its test.
import type { PersonFieldGroup } from '@wangge/domain'
import { type Kysely, sql, type Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import type { PersonRaw, RecordRaw } from './facts.js'

type Db = Kysely<DB> | Transaction<DB>
const list = (xs: readonly (string | number)[]) => sql.join(xs.map((x) => sql`${x}`))

export type RecordRow = RecordRaw & { kind: 'own' | 'birth' | 'death'; household_id: number | null }

export const factsRepository = {
  /** The persons with their household's and dwelling's facts; the costly parts only when wanted. */
  persons: async (
    db: Db,
    ids: readonly number[],
    today: string,
    want: { evidence: boolean; childrenUnder18: boolean; householdLowIncome: boolean },
  ) =>
    (
      await sql<PersonRaw>`
      select p.id, p.id_number, p.name, p.sex, p.birth_date::text as birth_date, p.status, p.population_type,
        p.permit_type, p.arrival_date::text as arrival_date, p.marital_status, p.employment, p.care_tags, p.health_flags,
        p.phone, p.household_id, p.community_code, d.grid_code, d.address, ${want.evidence ? sql`b.lng, b.lat` : sql`null as lng, null as lat`},
        h.members, d.occupancy, d.area_m2, p.load_id, p.source, p.updated_at,
        ${
          want.childrenUnder18
            ? sql`coalesce((select count(*)::int from persons m where m.household_id = p.household_id and m.status = 'active'
          and m.birth_date > ${today}::date - interval '18 years'), 0)`
            : sql`0`
        } as children_under18,
        ${
          want.householdLowIncome
            ? sql`coalesce((select bool_or('low_income' = any(m.care_tags) or 'extreme_poverty' = any(m.care_tags)) from persons m
          where m.household_id = p.household_id and m.status = 'active'), false)`
            : sql`false`
        } as household_low_income
      from persons p
      left join households h on h.id = p.household_id
      left join dwellings d on d.id = p.dwelling_id
      ${want.evidence ? sql`left join buildings b on b.id = d.building_id` : sql``}
      where p.id in (${list(ids)})`.execute(db)
    ).rows,

  /** The departments' records, each part naming its columns (any of them may come first). */
  records: async (
    db: Db,
    q: {
      ids: readonly number[]
      idNumbers: readonly string[]
      households: readonly number[]
      own: readonly string[]
      births: boolean
      deaths: boolean
    },
  ): Promise<RecordRow[]> => {
    const parts = [
      q.own.length
        ? sql`select 'own' as kind, dataset_code, entity_id as person_id, null::bigint as household_id, record, updated_at
      from shared_records
      where entity_id in (${list(q.ids)}) and not removed and dataset_code in (${list(q.own)})`
        : null,
      q.births
        ? sql`select 'birth' as kind, 'health.births' as dataset_code, p.id as person_id, null::bigint as household_id, r.record, r.updated_at
      from shared_records r join persons p on p.id_number in (r.record ->> 'mother_id_number', r.record ->> 'father_id_number')
      where r.dataset_code = 'health.births' and not r.removed
        and (r.record ->> 'mother_id_number' in (${list(q.idNumbers)}) or r.record ->> 'father_id_number' in (${list(q.idNumbers)}))
        and p.id in (${list(q.ids)})`
        : null,
      q.deaths
        ? sql`select 'death' as kind, 'health.deaths' as dataset_code, m.id as person_id, m.household_id, r.record, r.updated_at
      from shared_records r join persons m on m.id = r.entity_id
      where r.dataset_code = 'health.deaths' and not r.removed and m.household_id in (${q.households.length ? list(q.households) : sql`null`})`
        : null,
    ].filter((x) => x !== null)
    return parts.length ? (await sql<RecordRow>`${sql.join(parts, sql` union all `)}`.execute(db)).rows : []
  },

  /** Who supplied each field group of the persons, and when. */
  sources: async (db: Db, ids: readonly number[]) =>
    (
      await sql<{ person_id: number; field_group: PersonFieldGroup; source: string; updated_at: Date }>`
      select person_id, field_group, source, updated_at from person_field_sources where person_id in (${list(ids)})`.execute(db)
    ).rows,
}
