// A department's writes to persons (data sharing): the fields of the groups its dataset answers
// for, with the person field group's provenance (department, dataset, delivery) and history.
import { PERSON_FIELD_GROUPS, type PersonFieldGroup } from '@wangge/domain'
import { sql } from 'kysely'
import { insertJson } from '../../kernel/bulk.js'
import { createSharedStore } from '../history/index.js'
import { initialsOf } from './person-view.js'

const GROUP_OF: Record<string, PersonFieldGroup> = {
  ...Object.fromEntries(
    (Object.entries(PERSON_FIELD_GROUPS) as [PersonFieldGroup, { fields: readonly string[] }][]).flatMap(([g, d]) =>
      d.fields.map((f) => [f, g]),
    ),
  ),
  status: 'residence',
}

export const sharedPersons = createSharedStore({
  entity: 'person',
  table: 'persons',
  keyColumn: 'id_number',
  columns: {
    name: 'name',
    ethnicity: 'ethnicity',
    nativePlace: 'native_place',
    populationType: 'population_type',
    registeredAddress: 'registered_address',
    status: 'status',
    migrantReason: 'migrant_reason',
    permitType: 'permit_type',
    residenceType: 'residence_type',
    arrivalDate: 'arrival_date',
    employment: 'employment',
    occupation: 'occupation',
    employer: 'employer',
    careTags: 'care_tags',
    healthFlags: 'health_flags',
  },
  dateFields: ['arrivalDate'],
  derived: (set) => (typeof set.name === 'string' ? { name_initials: initialsOf(set.name) } : {}),
  action: (c) => (c.set.status === 'deceased' ? 'decease' : c.set.status === 'moved_out' ? 'move_out' : 'update'),
  async after(trx, changes, prov) {
    const rows = changes.flatMap((c) =>
      [...new Set(Object.keys(c.set).map((f) => GROUP_OF[f]))].filter(Boolean).map((g) => ({
        person_id: c.id,
        field_group: g,
        source: prov.department,
        updated_at: new Date().toISOString(),
        updated_by: prov.actor,
        dataset_code: prov.datasetCode,
        delivery_id: prov.deliveryId,
      })),
    )
    for (let i = 0; i < rows.length; i += 5000)
      await insertJson(
        trx,
        'person_field_sources',
        rows.slice(i, i + 5000),
        sql`on conflict (person_id, field_group) do update set source = excluded.source, updated_at = excluded.updated_at,
          updated_by = excluded.updated_by, dataset_code = excluded.dataset_code, delivery_id = excluded.delivery_id`,
      )
  },
})
