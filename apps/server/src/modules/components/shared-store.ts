// A department's writes to city components (data sharing): 城管's census and state updates.
import { createSharedStore } from '../history/index.js'

export const sharedComponents = createSharedStore({
  entity: 'component',
  table: 'components',
  keyColumn: 'code',
  columns: { state: 'state', ownerUnit: 'owner_unit', maintainerUnit: 'maintainer_unit' },
})
