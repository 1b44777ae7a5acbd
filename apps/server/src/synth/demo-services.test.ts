// The demo's windows: applications of several items through the loop (decided, some late, some
// delivered), offers answered at the door or still open, and a second run that adds nothing.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createGridsService } from '../modules/grids/index.js'
import { createTestDatabase, type TestDatabase } from '../testing/test-db.js'
import { seedDemoServices } from './demo-services.js'
import { loadSynthetic } from './loader.js'
import { PRESETS } from './profiles.js'

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
  await loadSynthetic(t, { preset: PRESETS.tiny as never, seed: 'demo-services', city: '4401' })
  await createGridsService({ db: t.db }).partition('440104004', { target: 50, minHouseholds: 30 })
}, 120_000)
afterAll(() => t.destroy())

describe('the demo’s one-stop windows', () => {
  it('leave applications of several items at every stage, and offers answered or open', async () => {
    const r = await seedDemoServices(t, '440104004', { days: 40, perDay: 4 })
    expect(r.applications).toBeGreaterThan(60)
    const q = async <T>(s: ReturnType<typeof sql<T>>) => (await s.execute(t.db)).rows
    const byStatus = await q(sql<{ status: string; decision: string | null; n: number }>`
      select c.status, a.decision, count(*)::int as n from service_applications a join cases c on c.id = a.case_id group by 1, 2`)
    const count = (f: (x: { status: string; decision: string | null }) => boolean) =>
      byStatus.filter(f).reduce((n, x) => n + x.n, 0)
    expect(count((x) => x.decision === 'approved')).toBeGreaterThan(0)
    expect(count((x) => x.decision === 'rejected')).toBeGreaterThan(0)
    expect(count((x) => x.status === 'closed')).toBeGreaterThan(0)
    expect(count((x) => x.decision === null)).toBeGreaterThan(0)
    const items = await q(sql<{ n: number }>`select count(distinct item_code)::int as n from service_applications`)
    expect(items[0]?.n).toBeGreaterThanOrEqual(5)
    const late = await q(sql<{ n: number }>`
      select count(*)::int as n from service_applications a join cases c on c.id = a.case_id where c.handled_on_time = false`)
    expect(late[0]?.n).toBeGreaterThan(0)
    const audited = await q(sql<{ n: number }>`select count(*)::int as n from audit_log where action = 'service.window.read'`)
    expect(audited[0]?.n).toBeGreaterThanOrEqual(r.applications)
    const second = await seedDemoServices(t, '440104004', { days: 40, perDay: 4 })
    expect(second.applications).toBe(0)
  }, 300_000)
})
