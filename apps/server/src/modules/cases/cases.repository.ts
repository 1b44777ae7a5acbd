// Lookups of the loop that intake, planning and the views share. (The loop's bulk writes sit with
// the use case that makes them: intake.ts, step-write.ts, notices.ts, chasing.ts.)
import { componentOwner } from '@wangge/domain'
import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import type { Row, Trx } from './case-model.js'

type Db = Kysely<DB> | Trx

/** A catalog entry (NOT_FOUND when the code is unknown). */
export async function catalogEntry(db: Db, code: string) {
  const e = await db.selectFrom('case_catalog').selectAll().where('code', '=', code).executeTakeFirst()
  if (!e) throw new AppError('NOT_FOUND', `No catalog entry ${code}`, { code })
  return e
}

/** The department answering for a component: its owner's — unless the territory owns it (属地),
 *  when the territory's routing decides (undefined). */
export async function componentDepartment(db: Db, code: string): Promise<string | undefined> {
  const c = await db
    .selectFrom('components')
    .select(['competent_department', 'major', 'sub'])
    .where('code', '=', code)
    .executeTakeFirst()
  if (!c || componentOwner(c.major, c.sub).kind === 'territory') return undefined
  return c.competent_department
}

/** A component's place, for a report about it. */
export const componentPlace = (db: Db, code: string) =>
  db
    .selectFrom('components')
    .select(['code', 'lng', 'lat', 'grid_code', 'community_code'])
    .where('code', '=', code)
    .executeTakeFirst()

export async function departmentExists(db: Db, code: string): Promise<boolean> {
  return !!(await db.selectFrom('departments').select('code').where('code', '=', code).executeTakeFirst())
}

export const caseById = (db: Db, id: number): Promise<Row | undefined> =>
  db.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirst()

export const caseByClientId = (db: Db, clientId: string): Promise<Row | undefined> =>
  db.selectFrom('cases').selectAll().where('client_id', '=', clientId).executeTakeFirst()
