// A department's writes to organizations (data sharing): 市场监管's business registrations.
import { createSharedStore } from '../history/index.js'

export const sharedOrganizations = createSharedStore({
  entity: 'organization',
  table: 'organizations',
  keyColumn: 'uscc',
  columns: {
    name: 'name',
    type: 'type',
    industry: 'industry',
    legalRepresentative: 'legal_representative',
    establishedOn: 'established_on',
    status: 'status',
  },
  dateFields: ['establishedOn'],
})
