// Test principals: real users with real roles, authenticated by real API tokens.
import type { Kysely } from 'kysely'
import type { DB } from '../db/schema.js'
import { ALL_PERMISSIONS, createAuthService } from '../modules/access/index.js'

export const STRONG_PASSWORD = 'Correct-Horse-Battery-Staple-42'

/** A user holding `roles`, and the Authorization header of a token acting for them. */
export async function userWithToken(
  db: Kysely<DB>,
  username: string,
  roles: { role: string; scope: string }[],
  scopes: string[] = ALL_PERMISSIONS,
  department?: string,
) {
  const auth = createAuthService({ db })
  await auth.seedRoles()
  const userId = await auth.createUser('test', { username, password: STRONG_PASSWORD, department }, roles)
  const t = await auth.createToken('test', { userId, name: `${username} test token`, scopes })
  return { userId, token: t.token, headers: { authorization: `Bearer ${t.token}` } }
}

/** A city-wide administrator's Authorization header. */
export const adminHeaders = async (db: Kysely<DB>, username = 'admin-test') =>
  (await userWithToken(db, username, [{ role: 'admin', scope: '4401' }])).headers
