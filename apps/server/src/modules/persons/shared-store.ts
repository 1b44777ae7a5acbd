// A department's writes to persons (data sharing): the fields of the groups its dataset answers
// for, with the person field group's provenance (department, dataset, delivery) and history.
import { PERSON_FIELD_GROUPS, type PersonFieldGroup } from '@wangge/domain'
import { createSharedStore } from '../history/index.js'
import { initialsOf } from './person-view.js'
import { upsertFieldSources } from './persons.repository.js'

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
    for (let i = 0; i < rows.length; i += 5000) await upsertFieldSources(trx, rows.slice(i, i + 5000))
  },
})
