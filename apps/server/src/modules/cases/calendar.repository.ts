// The work calendar's exceptions (holidays and adjusted workdays an administrator keeps beside the
// official schedule). Every statement is rendered to calendar.repository.sql by its test.
import type { Kysely, Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'

type Db = Kysely<DB> | Transaction<DB>

export const calendarRepository = {
  /** Every exception (the calendar's input). */
  days: (db: Db) => db.selectFrom('calendar_days').select(['day', 'workday']).execute(),
  /** A year's exceptions with their notes, in order. */
  year: (db: Db, year: number) =>
    db
      .selectFrom('calendar_days')
      .selectAll()
      .where('day', '>=', `${year}-01-01`)
      .where('day', '<=', `${year}-12-31`)
      .orderBy('day')
      .execute(),
  /** A day set (or changed). */
  setDay: (trx: Transaction<DB>, d: { day: string; workday: boolean; note: string; created_by: string }) =>
    trx
      .insertInto('calendar_days')
      .values(d)
      .onConflict((oc) => oc.column('day').doUpdateSet({ workday: d.workday, note: d.note, created_by: d.created_by }))
      .execute(),
  deleteDay: (trx: Transaction<DB>, day: string) =>
    trx.deleteFrom('calendar_days').where('day', '=', day).returningAll().executeTakeFirst(),
  /** A year's exceptions taken away; answers their days. */
  clearYear: (trx: Transaction<DB>, year: number) =>
    trx
      .deleteFrom('calendar_days')
      .where('day', '>=', `${year}-01-01`)
      .where('day', '<=', `${year}-12-31`)
      .returning('day')
      .execute(),
  addDays: (trx: Transaction<DB>, days: { day: string; workday: boolean; note: string; created_by: string }[]) =>
    trx.insertInto('calendar_days').values(days).execute(),
}
