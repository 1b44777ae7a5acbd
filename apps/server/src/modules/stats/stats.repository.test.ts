// Every statement of the statistics repository, rendered to stats.repository.sql beside it
// (testing/sql-statements.ts): a changed statement shows in the diff; `npx vitest run -u` rewrites
// the file, and in CI a stale one fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderStatements } from '../../testing/sql-statements.js'
import { createTestDatabase, type TestDatabase } from '../../testing/test-db.js'
import { statsRepository as repo } from './stats.repository.js'

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t.destroy())

const period = { region: '440104', by: 'status' as const, from: '2026-11-01', to: '2026-11-30' }

describe('statistics repository statements', () => {
  it('should render every statement the repository sends', async () => {
    const text = await renderStatements(t.db, {
      areaExistsRegion: (db) => repo.areaExists(db, '440104'),
      areaExistsGrid: (db) => repo.areaExists(db, '440104001001001'),
      childCodesGrids: (db) => repo.childCodes(db, '440104001001', true),
      childCodesRegions: (db) => repo.childCodes(db, '440104', false),
      names: (db) => repo.names(db, ['440104'], ['440104001001001']),
      populationCounts: (db) => repo.populationCounts(db, '440104', 'type'),
      populationAsOf: (db) => repo.populationAsOf(db),
      childTotals: (db) => repo.childTotals(db, ['440104001', '440104002']),
      childCells: (db) => repo.childCells(db, ['440104001', '440104002'], 'sex'),
      gridLayer: (db) => repo.gridLayer(db, '440104', 'type', 'migrant'),
      populationDrift: (db) => repo.populationDrift(db),
      rollAge: (db) => repo.rollAge(db, '2026-12-03'),
      deferGridCounts: (db) => repo.deferGridCounts(db),
      recountGrids: (db) => repo.recountGrids(db, '440104001'),
      drainCases: (db) => repo.drainCases(db),
      gridCountersByDay: (db) => repo.gridCounters(db, { ...period, region: '440104001001001', by: 'day' }),
      regionCountersByStatus: (db) => repo.regionCounters(db, period, ['440104']),
      regionCountersByChildren: (db) => repo.regionCounters(db, { ...period, by: 'children' }, ['440104001', '440104002']),
      overdueByChildren: (db) => repo.overdue(db, { ...period, by: 'children' }, 9, new Date('2026-12-03T02:00:00Z')),
      overdueInGrid: (db) =>
        repo.overdue(db, { ...period, region: '440104001001001', by: 'none' }, 15, new Date('2026-12-03T02:00:00Z')),
      caseDrift: (db) => repo.caseDrift(db),
    })
    await expect(text).toMatchFileSnapshot('./stats.repository.sql')
  })
})
