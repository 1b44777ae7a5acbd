// The population counts of grids under a bulk partition: millions of dwellings change grid in a
// few transactions, and moving every resident's keys row by row through the dwellings trigger
// made the first partition of the city take hours. Those transactions defer the grid counts; the
// partition recounts the grids under its region once, set-based, when its writes are done.
import { REGION_CODE_PATTERN } from '@wangge/domain'
import { type Kysely, sql, type Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'

/** This transaction's dwelling updates leave the grid counts to `recountGrids` (the run calls it). */
export async function deferGridCounts(trx: Transaction<DB>) {
  await sql`set local wangge.population_grid_counts = 'recount'`.execute(trx)
}

/** Recounts the population counts of every grid whose code starts with `prefix` (a region code). */
export async function recountGrids(db: Kysely<DB>, prefix: string) {
  if (!REGION_CODE_PATTERN.test(prefix)) throw new Error(`not a region code: ${prefix}`)
  await sql`select population_counts_rebuild_grids(${prefix})`.execute(db)
}
