// Every statement of the residents' channel's repository, rendered to residents.repository.sql
// beside it (testing/sql-statements.ts): a changed statement shows in the diff; `npx vitest run -u`
// rewrites the file, and in CI a stale one fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderStatements, withoutKeys } from '../../testing/sql-statements.js'
import { createTestDatabase, type TestDatabase } from '../../testing/test-db.js'
import { createResidentsRepository } from './residents.repository.js'

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t.destroy())

const at = new Date('2026-12-03T02:00:00Z')
const PHONE = '13800138000'

describe('residents repository statements', () => {
  it('should render every statement the repository sends', async () => {
    const repo = (db: Parameters<typeof createResidentsRepository>[0]) => createResidentsRepository(db)
    const text = await renderStatements(t.db, {
      secret: (db) => repo(db).secret(),
      regionName: (db) => repo(db).regionName('440104004001'),
      departmentNames: (db) => repo(db).departmentNames(),
      caseByNumber: (db) => repo(db).caseByNumber('WG202612030001'),
      nearby: (db) => repo(db).nearby(['C0402'], 113.27, 23.13, 250, at, 5),
      publicCases: (db) =>
        repo(db).publicCases({
          codes: ['C0402'],
          from: at,
          to: at,
          status: 'open',
          numbers: ['WG202612030001'],
          bbox: [113.2, 23.1, 113.3, 23.2],
          limit: 50,
          offset: 0,
        }),
      markPublic: async (db) =>
        repo(db).markPublic(await withoutKeys(db), {
          caseId: 1,
          channel: 'web',
          anonymous: true,
          phoneVerified: false,
          ip: '10.0.0.1',
        }),
      follow: async (db) => repo(db).follow(await withoutKeys(db), 1, PHONE, '10.0.0.1'),
      followerCount: (db) => repo(db).followerCount(1),
      isFollower: (db) => repo(db).isFollower(1, 2),
      moderate: async (db) => repo(db).moderate(await withoutKeys(db), 1, { hidden: true, reason: '含个人信息', by: 'mod' }),
      flag: async (db) => repo(await withoutKeys(db)).flag(1),
      flagged: (db) => repo(db).flagged(200),
      byPhone: (db) => repo(db).byPhone(PHONE, 100),
      reportsByPhone: (db) => repo(db).reportsByPhone(PHONE, at),
      notify: (db) =>
        repo(db).notify(db, [{ channel: 'sms', recipient: PHONE, template: 'resident.code', payload: { code: '1' } }]),
      due: (db) => repo(db).due(db, 50),
      sent: (db) => repo(db).sent(db, [1, 2]),
      failed: (db) => repo(db).failed(db, 1, 'timeout', 60),
      notifications: (db) => repo(db).notifications({ recipient: PHONE, status: 'pending', caseId: 1 }, 20, 0),
      inbox: (db) => repo(db).inbox(['user:1', 'dept:police'], 50),
      optOut: (db) => repo(db).optOut(PHONE, true),
      optIn: (db) => repo(db).optOut(PHONE, false),
      optedOut: (db) => repo(db).optedOut(PHONE),
      optedOutOf: (db) => repo(db).optedOutOf([PHONE, '13900000000']),
      codesSince: (db) => repo(db).codesSince(PHONE, at),
      addCode: (db) => repo(db).addCode(db, PHONE, 'hash', at, '10.0.0.1'),
      liveCode: (db) => repo(db).liveCode(db, PHONE),
      codeTried: (db) => repo(db).codeTried(db, 1, true),
      spend: (db) => repo(db).spend('signature', at),
      clients: (db) => repo(db).clients(),
      addClient: (db) => repo(db).addClient(db, { name: '市民热线', prefix: 'o311abcd', hash: 'h', perMinute: 60, by: 'admin' }),
      revokeClient: (db) => repo(db).revokeClient(db, 1),
      clientByHash: (db) => repo(db).clientByHash('h'),
    })
    await expect(text).toMatchFileSnapshot('./residents.repository.sql')
  })
})
