// Grants written for other modules, in their transactions: the roster names a grid's workers and a
// community's chiefs; the grants are access's rows. The caller announces the change after its
// commit (AuthService.invalidate), so no principal is cached with the old grants.
import type { Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import { createAuthRepository } from './auth.repository.js'

/** Replaces the holders of one role at one scope; answers who held it before. */
export async function replaceRoleHolders(
  trx: Transaction<DB>,
  input: { role: string; scope: string; userIds: number[]; grantedBy: string },
): Promise<number[]> {
  const repo = createAuthRepository(trx)
  const before = await repo.takeRole(trx, input.role, input.scope)
  if (input.userIds.length)
    await repo.insertGrants(
      trx,
      input.userIds.map((id) => ({ user_id: id, role_code: input.role, scope: input.scope, granted_by: input.grantedBy })),
    )
  return before
}
