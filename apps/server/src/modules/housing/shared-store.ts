// A department's writes to dwellings (data sharing): 住建's rental filings, matched by address.
import { createSharedStore, type FieldValue } from '../history/index.js'

export const sharedDwellings = createSharedStore({
  entity: 'dwelling',
  table: 'dwellings',
  keyColumn: 'address',
  columns: {
    occupancy: 'occupancy',
    rentMonthly: 'rent_monthly',
    landlordName: 'landlord_name',
    landlordPhone: 'landlord_phone',
  },
  // A rented dwelling has a rent and only a rented one (the table's constraint, said in words).
  check: (v: Record<string, FieldValue>) =>
    (v.occupancy === 'rental') === (v.rentMonthly != null)
      ? []
      : [
          {
            field: 'rent_monthly',
            message: v.occupancy === 'rental' ? 'A rented dwelling needs its monthly rent' : 'Only a rented dwelling has a rent',
          },
        ],
})
