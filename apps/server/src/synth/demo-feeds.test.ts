// The simulated departments: a spread on the board (diligent, late, silent, exempt), non-empty
// cross-check queues with some answered, and a second run that adds nothing.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ALL_PERMISSIONS, Principal } from '../modules/access/index.js'
import { createSharingService } from '../modules/sharing/index.js'
import { createTestDatabase, type TestDatabase } from '../testing/test-db.js'
import { simulateFeeds } from './demo-feeds.js'
import { loadSynthetic } from './loader.js'
import { PRESETS } from './profiles.js'

let t: TestDatabase
const end = new Date()
beforeAll(async () => {
  t = await createTestDatabase()
  await loadSynthetic(t, { preset: PRESETS.tiny as never, seed: 'feeds', city: '4401' })
}, 120_000)
afterAll(() => t.destroy())

const lastMonth = () => {
  const d = new Date(end)
  d.setUTCDate(1)
  d.setUTCMonth(d.getUTCMonth() - 1)
  return d.toISOString().slice(0, 7)
}

describe('simulated department feeds', () => {
  it('deliver on their rhythms, dirty, and leave a spread on the board', async () => {
    const r = await simulateFeeds(t, { scope: '440104004', days: 60, end })
    expect(r.deliveries).toBeGreaterThan(50)
    expect(r.findings).toBeGreaterThan(0)
    const counts = (
      await sql<{
        rejected: number
        unmatched: number
      }>`select sum(rows_rejected)::int as rejected, sum(rows_unmatched)::int as unmatched
        from deliveries`.execute(t.db)
    ).rows[0]
    expect(counts?.rejected).toBeGreaterThan(0)
    const p = new Principal(
      { id: 0, username: 't', displayName: 't', department: null },
      [{ role: 'admin', scope: '4401', permissions: new Set(ALL_PERMISSIONS) }],
      'system',
    )
    const sharing = createSharingService({ db: t.db, stores: {} })
    const board = await sharing.board(p, { month: lastMonth() })
    const by = (d: string) => board.departments.find((x) => x.department === d)
    expect(by('police')).toMatchObject({ atRisk: false })
    expect(by('veterans')).toMatchObject({ atRisk: true })
    expect(by('hrss')?.reasons).toContain('silent:hrss.employment')
    expect(by('justice')).toMatchObject({ exempt: true, atRisk: false })
    const statuses = (
      await sql<{ status: string; n: number }>`select status, count(*)::int as n from check_findings group by status`.execute(
        t.db,
      )
    ).rows
    expect(statuses.find((s) => s.status === 'open')?.n).toBeGreaterThan(0)
  }, 300_000)

  it('adds nothing the second time', async () => {
    const before = (await sql<{ n: number }>`select count(*)::int as n from deliveries`.execute(t.db)).rows[0]?.n
    await simulateFeeds(t, { scope: '440104004', days: 60, end })
    expect((await sql<{ n: number }>`select count(*)::int as n from deliveries`.execute(t.db)).rows[0]?.n).toBe(before)
  }, 300_000)
})
