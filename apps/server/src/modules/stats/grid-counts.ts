// The population counts of grids under a bulk partition: millions of dwellings change grid in a
// few transactions, and moving every resident's keys row by row through the dwellings trigger
// made the first partition of the city take hours. Those transactions defer the grid counts; the
// partition recounts the grids under its region once, set-based, when its writes are done.
import type { Kysely, Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import { statsRepository as repo } from './stats.repository.js'

/** This transaction's dwelling updates leave the grid counts to `recountGrids` (the run calls it). */
export async function deferGridCounts(trx: Transaction<DB>) {
  await repo.deferGridCounts(trx)
}

/** Recounts the population counts of every grid whose code starts with `prefix` (a region code). */
export async function recountGrids(db: Kysely<DB>, prefix: string) {
  await repo.recountGrids(db, prefix)
}
