// The scheduler: due jobs run once, in groups per kind; a failing job is isolated, retried with
// backoff and finally marked failed, without undoing the others' effects.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrate } from '../../db/migrate.js'
import { createEmptyTestDatabase, type TestDatabase } from '../../testing/test-db.js'
import { createMaintenance } from './maintenance.js'
import { type BatchJobHandler, createScheduler, schedule } from './scheduler.js'

let t: TestDatabase
beforeAll(async () => {
  t = await createEmptyTestDatabase()
  await migrate(t.db)
  await sql`create table job_effects (key text primary key)`.execute(t.db)
})
afterAll(() => t.destroy())

describe('scheduler', () => {
  it('runs due jobs once each, isolates a failing one, backs it off and finally marks it failed', async () => {
    const start = new Date('2026-11-27T00:00:00Z')
    const calls: number[] = []
    const scheduler = createScheduler({
      db: t.db,
      batch: 3,
      maxAttempts: 2,
      handlers: {
        effect: async (trx, jobs) => {
          calls.push(jobs.length)
          for (const j of jobs) {
            await sql`insert into job_effects values (${j.key})`.execute(trx)
            if (j.payload.fail) throw new Error('boom')
          }
          return jobs.map(() => ({ ok: true }))
        },
      },
    })
    await schedule(
      t.db,
      Array.from({ length: 7 }, (_, i) => ({
        kind: 'effect',
        key: `k${i}`,
        runAt: new Date(start.getTime() + i * 1000),
        payload: i === 4 ? { fail: true } : {},
      })),
    )
    // Scheduling the same key again changes nothing.
    await schedule(t.db, { kind: 'effect', key: 'k0', runAt: start })
    expect(await scheduler.runDue(new Date(start.getTime() - 1))).toBe(0)
    expect(await scheduler.runDue(new Date(start.getTime() + 60_000))).toBe(7)
    const effects = (await sql<{ key: string }>`select key from job_effects order by key`.execute(t.db)).rows.map((r) => r.key)
    expect(effects).toEqual(['k0', 'k1', 'k2', 'k3', 'k5', 'k6'])
    // Groups of at most 3; the group with the failing job was retried one by one.
    expect(calls.slice(0, 2)).toEqual([3, 3])
    const failing = await t.db.selectFrom('jobs').selectAll().where('key', '=', 'k4').executeTakeFirstOrThrow()
    expect([failing.state, failing.attempts, failing.last_error]).toEqual(['pending', 1, 'boom'])
    expect(new Date(failing.run_at).getTime()).toBe(start.getTime() + 60_000 + 60_000)
    // Nothing else is due; the retry fails again and the job is marked failed.
    expect(await scheduler.runDue(new Date(start.getTime() + 60_000))).toBe(0)
    expect(await scheduler.runDue(new Date(start.getTime() + 10 * 60_000))).toBe(1)
    const failed = await t.db.selectFrom('jobs').select(['state', 'attempts']).where('key', '=', 'k4').executeTakeFirstOrThrow()
    expect(failed).toEqual({ state: 'failed', attempts: 2 })
    const done = await t.db
      .selectFrom('jobs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('state', '=', 'done')
      .executeTakeFirstOrThrow()
    expect(Number(done.n)).toBe(6)
  })

  it('runs a heavy kind one group of its size per transaction, leaving the rest for the next round', async () => {
    const at = new Date('2026-11-28T00:00:00Z')
    const seen: { kind: string; keys: string[]; tx: number }[] = []
    const record =
      (kind: string): BatchJobHandler =>
      async (trx, jobs) => {
        const tx = Number((await sql<{ id: string }>`select txid_current()::text as id`.execute(trx)).rows[0]?.id)
        seen.push({ kind, keys: jobs.map((j) => j.key), tx })
        return jobs.map(() => null)
      }
    const scheduler = createScheduler({
      db: t.db,
      groupSize: { heavy: 1 },
      handlers: { heavy: record('heavy'), light: record('light') },
    })
    await schedule(t.db, [
      ...['h1', 'h2', 'h3'].map((key) => ({ kind: 'heavy', key, runAt: at })),
      ...['l1', 'l2'].map((key) => ({ kind: 'light', key, runAt: at })),
    ])
    expect(await scheduler.runDue(at)).toBe(5)
    const heavy = seen.filter((s) => s.kind === 'heavy')
    expect(heavy.map((s) => s.keys)).toEqual([['h1'], ['h2'], ['h3']])
    expect(new Set(heavy.map((s) => s.tx)).size).toBe(3)
    expect(seen.filter((s) => s.kind === 'light').map((s) => s.keys)).toEqual([['l1', 'l2']])
    expect(await scheduler.pending()).toBe(0)
  })

  it('refreshes the planner statistics every night on the embedded engine (no autovacuum there)', async () => {
    // (autovacuum off: on PostgreSQL the daemon could analyse it before the job does)
    await sql`create table analyzed_rows (n int) with (autovacuum_enabled = false)`.execute(t.db)
    await sql`insert into analyzed_rows select generate_series(1, 5000)`.execute(t.db)
    const tuples = async () =>
      Number(
        (await sql<{ n: number }>`select reltuples as n from pg_class where relname = 'analyzed_rows'`.execute(t.db)).rows[0]?.n,
      )
    expect(await tuples()).toBe(-1) // never analysed
    const now = new Date('2026-11-29T12:00:00+08:00')
    for (const engine of ['postgres', 'pglite'] as const) {
      const maintenance = createMaintenance({ db: t.db, engine })
      await maintenance.startDaily(now)
      const planned = await sql<{ key: string; run_at: Date }>`select key, run_at from jobs where kind = 'db.analyze'`.execute(
        t.db,
      )
      // PostgreSQL's autovacuum daemon does it there.
      expect(planned.rows.map((r) => [r.key, r.run_at.toISOString()])).toEqual(
        engine === 'postgres' ? [] : [['db.analyze:2026-11-30', '2026-11-29T19:40:00.000Z']],
      )
    }
    const scheduler = createScheduler({ db: t.db, handlers: createMaintenance({ db: t.db, engine: 'pglite' }).jobHandlers })
    expect(await scheduler.runDue(new Date('2026-11-30T04:00:00+08:00'))).toBe(1)
    expect(await tuples()).toBe(5000)
    const next = await sql<{ key: string }>`select key from jobs where kind = 'db.analyze' and state = 'pending'`.execute(t.db)
    expect(next.rows.map((r) => r.key)).toEqual(['db.analyze:2026-12-01'])
  })
})
