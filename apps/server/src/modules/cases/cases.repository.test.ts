// Every statement of the cases repository, rendered to cases.repository.sql beside it
// (testing/sql-statements.ts): a changed statement shows in the diff; `npx vitest run -u` rewrites
// the file, and in CI a stale one fails.
import { type SqlBool, sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderStatements, withoutKeys } from '../../testing/sql-statements.js'
import { createTestDatabase, type TestDatabase } from '../../testing/test-db.js'
import * as cases from './cases.repository.js'

const now = new Date('2026-12-03T02:00:00Z')
/** The caller's visibility, as case-access.ts gives it (here: one district). */
const visible = sql<SqlBool>`c.community_code like ${'440104%'}`

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t.destroy())

describe('cases repository statements', () => {
  it('should render every statement the repository sends', async () => {
    const text = await renderStatements(t.db, {
      catalogEntry: (db) => cases.catalogEntry(db, 'E0507').catch(() => undefined),
      componentDepartment: (db) => cases.componentDepartment(db, '4401040101000001'),
      componentPlace: (db) => cases.componentPlace(db, '4401040101000001'),
      departmentExists: (db) => cases.departmentExists(db, 'city_mgmt'),
      caseById: (db) => cases.caseById(db, 1),
      caseByClientId: (db) => cases.caseByClientId(db, 'c-1'),
      mergedInto: (db) => cases.mergedInto(db, 1),
      ledgerNewest: (db) => {
        const q = cases.ledgerQuery(db, visible, { userId: 1 }, now)
        return Promise.all([cases.ledgerRows(q, 'newest', 20, 0), cases.ledgerCount(q)])
      },
      ledgerEveryFilterByDeadline: (db) =>
        cases.ledgerRows(
          cases.ledgerQuery(
            db,
            visible,
            {
              userId: 1,
              status: ['dispatched', 'accepted'],
              region: '440104001001001',
              department: 'city_mgmt',
              catalog: 'E0507',
              class: 'E05',
              overdue: true,
              supervision: 'yellow',
              escalation: 'street',
              mine: true,
              q: '井盖_%',
            },
            now,
          ),
          'deadline',
          100,
        ),
      ledgerNotOverdue: (db) =>
        cases.ledgerRows(cases.ledgerQuery(db, visible, { userId: 1, overdue: false }, now), 'oldest', 10),
      catalogNames: (db) => cases.catalogNames(db),
      departmentNames: (db) => cases.departmentNames(db),
      openPoints: (db) => cases.openPoints(db, visible, '440104', 5000, now),
      openPointsInGrid: (db) => cases.openPoints(db, visible, '440104001001001', 5000, now),
      caseSteps: (db) => cases.caseSteps(db, 1),
      attachmentsMeta: (db) => cases.attachmentsMeta(db, [1, 2]),
      regionLevel: (db) => cases.regionLevel(db, '440104'),
      indicatorsByDepartment: (db) =>
        cases.indicatorCounts(db, visible, { region: '440104', from: now, to: now, by: 'department', childLen: 9 }, now),
      indicatorsByGrid: (db) =>
        cases.indicatorCounts(db, visible, { region: '440104001001', from: now, to: now, by: 'children', childLen: 15 }, now),
      indicatorsByStreet: (db) =>
        cases.indicatorCounts(db, visible, { region: '440104', from: now, to: now, by: 'children', childLen: 9 }, now),
      mergedReports: (db) => cases.mergedReports(db, [1, 2]),
      noticesFor: (db) =>
        cases.noticesFor(db, { userId: 1, actor: 'worker1', department: 'city_mgmt', centres: ['centre:440104'] }, 20, 0),
      noticesForSomeone: (db) => cases.noticesFor(db, { userId: 2, actor: 'resident', department: null, centres: [] }, 20, 0),
      lockCases: (db) => cases.lockCases(db, [1, 2]),
      markSupervision: (db) => cases.markSupervision(db, [1, 2], 'yellow', now),
      lockRunningDeadlines: (db) => cases.lockRunningDeadlines(db, now, '2026-12-04'),
      moveDeadlines: (db) => cases.moveDeadlines(db, [{ id: 1, deadline: now, gen: 2 }], now),
      casesToPlan: (db) => cases.casesToPlan(db, [1, 2], false),
      casesToPlanWhole: (db) => cases.casesToPlan(db, [1, 2], true),
      updateCases: (db) =>
        cases.updateCases(
          db,
          ['status', 'version', 'updated_at'],
          [{ id: 1, status: 'registered', version: 2, updated_at: now }],
        ),
      insertCases: async (db) =>
        cases.insertCases(await withoutKeys(db), [
          {
            number: 'E0507202612030001',
            kind: 'event',
            catalog_code: 'E0507',
            catalog_version: 1,
            community_code: '440104001001',
            description: '井盖缺失',
            reporter: 'worker1',
            source: 'grid_worker',
            reported_at: now,
            status: 'reported',
            urgency: 'normal',
            limit_amount: 4,
            limit_unit: 'working_hours',
            cell: 'x',
            lng: 113.27,
            lat: 23.13,
          },
        ]),
      reserveNumbers: async (db) => cases.reserveNumbers(await withoutKeys(db), new Map([['E050720261203', 2]])),
      openCasesNear: (db) =>
        cases.openCasesNear(db, [['E0507', 'x']], new Date('2026-12-02T02:00:00Z'), new Date('2026-12-04T02:00:00Z')),
      insertSteps: async (db) =>
        cases.insertSteps(await withoutKeys(db), [
          { case_id: 1, at: now, action: 'report', from_status: null, to_status: 'reported', actor: 'worker1' },
        ]),
      insertNotices: async (db) =>
        cases.insertNotices(await withoutKeys(db), [
          { case_id: 1, recipient: 'dept:city_mgmt', kind: 'reminder', message: '催办' },
        ]),
    })
    await expect(text).toMatchFileSnapshot('./cases.repository.sql')
  })
})
