// Every statement of the one-window services' repository, rendered to services.repository.sql
// beside it (testing/sql-statements.ts): a changed statement shows in the diff; `npx vitest run -u`
// rewrites the file, and in CI a stale one fails.
import { DEFAULT_SERVICE_ITEMS } from '@wangge/domain'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderStatements, withoutKeys } from '../../testing/sql-statements.js'
import { createTestDatabase, type TestDatabase } from '../../testing/test-db.js'
import { createServicesRepository } from './services.repository.js'

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t.destroy())

const item = DEFAULT_SERVICE_ITEMS[0] as (typeof DEFAULT_SERVICE_ITEMS)[number]
const at = new Date('2026-12-03T02:00:00Z')

describe('services repository statements', () => {
  it('should render every statement the repository sends', async () => {
    const repo = (db: Parameters<typeof createServicesRepository>[0]) => createServicesRepository(db)
    const text = await renderStatements(t.db, {
      itemRows: (db) => repo(db).itemRows(),
      itemRow: (db) => repo(db).itemRow(item.code),
      itemCodes: (db) => repo(db).itemCodes(),
      seedItems: async (db) => repo(db).seedItems(await withoutKeys(db), [item]),
      itemVersions: (db) => repo(db).itemVersions(item.code),
      lockItem: (db) => repo(db).lockItem(db, item.code),
      saveItem: async (db) =>
        repo(db).saveItem(await withoutKeys(db), item, { active: true, version: 2, at, actor: 'admin', reason: '调整材料' }),
      catalogKind: (db) => repo(db).catalogKind(item.code),
      personByIdNumber: (db) => repo(db).personByIdNumber('440104195003020123'),
      openVisit: async (db) =>
        repo(db).openVisit(
          await withoutKeys(db),
          {
            person_id: 1,
            community_code: '440104004001',
            grid_code: null,
            consent_note: '本人同意',
            notify: false,
            clerk: 'clerk',
            created_at: at,
          },
          (id) => `YC20261203${String(id).padStart(6, '0')}`,
        ),
      visit: (db) => repo(db).visit('YC20261203000001'),
      householdMembers: (db) => repo(db).householdMembers(1),
      applicationsOfPerson: (db) => repo(db).applicationsOfPerson(1),
      applicationOf: (db) => repo(db).applicationOf(1, item.code),
      insertApplication: async (db) =>
        repo(await withoutKeys(db)).insertApplication({
          visit_id: 1,
          item_code: item.code,
          item_version: 1,
          person_id: 1,
          community_code: '440104004001',
          grid_code: null,
          eligibility: '[]',
          materials: '[]',
          required: 2,
          spared: 1,
          case_id: 1,
          created_by: 'clerk',
          created_at: at,
        }),
      offersApplied: (db) => repo(db).offersApplied(1, item.code, at, 'clerk', '一窗受理 YC20261203000001'),
      applications: (db) => repo(db).applications({ visible: sql`c.community_code like ${'440104%'}` }, 20, 0),
      applicationsFiltered: (db) =>
        repo(db).applications({ visible: sql`true`, region: '440104', item: 'S0102', person: 1, status: 'reviewing' }, 20, 0),
      application: (db) => repo(db).application(1),
      decide: (db) => repo(db).decide(1, 'approved', at, 'dept'),
      offers: (db) =>
        repo(db).offers(
          sql<boolean>`o.community_code like ${'440104%'}`,
          { region: '440104004', status: 'open', item: item.code },
          20,
          0,
        ),
      applicationsForFigures: (db) =>
        repo(db).applicationsForFigures({ prefix: '440104', len: 9, from: '2026-11-01', to: '2026-11-30' }, sql`true`),
      offersForFigures: (db) =>
        repo(db).offersForFigures({ prefix: '440104', len: 9, from: '2026-11-01', to: '2026-11-30' }, sql<boolean>`true`),
      regionNames: (db) => repo(db).regionNames(['440104004']),
      offer: (db) => repo(db).offer(1),
      answerOffer: (db) => repo(db).answerOffer(1, 1, { outcome: 'declined', note: null, at, actor: 'worker' }),
    })
    await expect(text).toMatchFileSnapshot('./services.repository.sql')
  })
})
