// Grants written for other modules, in their transactions: the roster names a grid's workers and a
// community's chiefs; the grants are access's rows. The caller announces the change after its
// commit (AuthService.invalidate), so no principal is cached with the old grants.
import type { Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'

/** Replaces the holders of one role at one scope; answers who held it before. */
export async function replaceRoleHolders(
  trx: Transaction<DB>,
  input: { role: string; scope: string; userIds: number[]; grantedBy: string },
): Promise<number[]> {
  const before = await trx
    .deleteFrom('user_roles')
    .where('role_code', '=', input.role)
    .where('scope', '=', input.scope)
    .returning('user_id')
    .execute()
  if (input.userIds.length)
    await trx
      .insertInto('user_roles')
      .values(
        input.userIds.map((id) => ({ user_id: id, role_code: input.role, scope: input.scope, granted_by: input.grantedBy })),
      )
      .execute()
  return before.map((b) => Number(b.user_id))
}
