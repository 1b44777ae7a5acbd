// Every statement of the access (auth) repository, rendered to auth.repository.sql beside it
// (testing/sql-statements.ts): a changed statement shows in the diff; `npx vitest run -u` rewrites
// the file, and in CI a stale one fails.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderStatements, withoutKeys } from '../../testing/sql-statements.js'
import { createTestDatabase, type TestDatabase } from '../../testing/test-db.js'
import { countHit, createAuthRepository, sweepRateLimits, withinReviewScopes } from './auth.repository.js'

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t.destroy())

const nobody = () => sql`select null::bigint where false`

describe('auth repository statements', () => {
  it('should render every statement the repository sends', async () => {
    const repo = (db: Parameters<typeof createAuthRepository>[0]) => createAuthRepository(db)
    const text = await renderStatements(t.db, {
      principalByUser: (db) => repo(db).principal({ userId: 1 }, nobody),
      principalByToken: (db) => repo(db).principal({ tokenHash: 'h' }, nobody),
      touchToken: (db) => repo(db).touchToken(1),
      countHit: (db) => countHit(db, 'rl:GET/public/map:1.2.3.4', 60_000),
      sweepRateLimits: (db) => sweepRateLimits(db),
      insertMissingRoles: (db) =>
        repo(db).insertMissingRoles([{ code: 'some_role', name: 'x', name_en: 'x', permissions: ['case.read'], builtin: true }]),
      setRolePermissions: (db) => repo(db).setRolePermissions('admin', ['case.read']),
      permissionsHeld: (db) => repo(db).permissionsHeld(),
      addBuiltinPermissions: (db) => repo(db).addBuiltinPermissions('dispatcher', ['case.read']),
      roles: (db) => repo(db).roles(),
      lockRole: (db) => repo(db).lockRole(db, 'dispatcher'),
      updateRole: (db) => repo(db).updateRole(db, 'dispatcher', ['case.read'], 2),
      insertUsers: (db) =>
        repo(db).insertUsers(db, [{ username: 'new.user', display_name: 'u', password_hash: 'h', department: null }]),
      insertGrants: async (db) =>
        repo(db).insertGrants(await withoutKeys(db), [
          { user_id: 1, role_code: 'grid_worker', scope: '440104', granted_by: 'x' },
        ]),
      deleteGrants: (db) => repo(db).deleteGrants(db, 1),
      takeRole: (db) => repo(db).takeRole(db, 'grid_worker', '440104001001001'),
      takenUsernames: (db) => repo(db).takenUsernames(db, ['a', 'b']),
      usernameOf: (db) => repo(db).usernameOf(db, 1),
      pageUsers: (db) => repo(db).pageUsers(20, 0),
      countUsers: (db) => repo(db).countUsers(),
      grantsOf: (db) => repo(db).grantsOf([1, 2]),
      userForLogin: (db) => repo(db).userForLogin('u'),
      loginLock: (db) => repo(db).loginLock('u', '127.0.0.1'),
      countFailure: (db) => repo(db).countFailure('u', '127.0.0.1', 5, 15),
      clearFailuresOfAddress: (db) => repo(db).clearFailures(db, 'u', '127.0.0.1'),
      clearFailures: (db) => repo(db).clearFailures(db, 'u'),
      insertSession: async (db) =>
        repo(db).insertSession(await withoutKeys(db), {
          id_hash: 'h',
          user_id: 1,
          csrf_token: 'c',
          expires_at: new Date(0),
          client_ip: null,
          user_agent: null,
        }),
      revokeSession: (db) => repo(db).revokeSession('h'),
      liveSession: (db) => repo(db).liveSession('h'),
      touchSession: (db) => repo(db).touchSession('h'),
      insertToken: async (db) =>
        repo(db).insertToken(await withoutKeys(db), {
          user_id: 1,
          name: 'n',
          token_hash: 'h',
          prefix: 'p',
          scopes: ['case.read'],
          created_by: 'x',
          expires_at: null,
        }),
      revokeToken: (db) => repo(db).revokeToken(db, 1),
      tokens: (db) => repo(db).tokens(),
      openWindow: async (db) => repo(db).openWindow(await withoutKeys(db), 1, 'a fire in the grid', new Date(0)),
      windows: (db) => repo(db).windows(withinReviewScopes(['440104'])),
      lockWindow: (db) => repo(db).lockWindow(db, 1, withinReviewScopes(['440104'])),
      reviewWindow: (db) => repo(db).reviewWindow(db, 1, 'x', 'n'),
    })
    await expect(text).toMatchFileSnapshot('./auth.repository.sql')
  })
})
