// Writes to components that other modules ask for (the grid partition assigns them to grids).
import type { Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import { setTextById } from '../../kernel/bulk.js'

/** Components' grid codes by id. */
export const setComponentGrids = (trx: Transaction<DB>, pairs: readonly [number, string][]) =>
  setTextById(trx, 'components', 'grid_code', pairs)
