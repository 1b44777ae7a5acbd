import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Database } from '../../db/database.js'
import { currentVersion, readMigrations } from '../../db/migrate.js'
import { DEMO_PROGRESS, type DemoProgress } from '../../kernel/demo-progress.js'
import { readSetting } from '../../kernel/settings.js'

const health = z
  .object({
    status: z.enum(['ok', 'unavailable']),
    version: z.string(),
    uptimeSeconds: z.number(),
    database: z.object({
      engine: z.enum(['pglite', 'postgres']),
      reachable: z.boolean(),
      latencyMs: z.number().nullable(),
      migrationVersion: z.number().int().nullable(),
      expectedMigrationVersion: z.number().int(),
    }),
    /** The hot standbys taking lag-tolerant reads (DATABASE_READ_URL): in rotation or not, and why. */
    replicas: z.array(
      z.object({
        where: z.string(),
        inRotation: z.boolean(),
        lagMs: z.number().nullable(),
        replayLsn: z.string().nullable(),
        error: z.string().nullable(),
      }),
    ),
    /** The demo's background work while it runs (its history being simulated); null otherwise. */
    demo: z
      .object({
        phase: z.enum(['partition', 'staff', 'cases', 'feeds', 'services', 'visits']),
        done: z.number(),
        total: z.number(),
      })
      .nullable(),
  })
  .meta({ id: 'Health' })

export const healthRoutes =
  (database: Database, appVersion: string): FastifyPluginAsyncZod =>
  async (app) => {
    const expected = readMigrations().at(-1)?.version ?? 0
    app.get(
      '/health',
      { schema: { tags: ['system'], summary: 'Liveness and database reachability', response: { 200: health, 503: health } } },
      async (_req, reply) => {
        const t0 = performance.now()
        let reachable = true
        let migrationVersion: number | null = null
        let demo: (DemoProgress & { phase: Exclude<DemoProgress['phase'], 'done'> }) | null = null
        try {
          await database.ping()
          migrationVersion = await currentVersion(database.db)
          const d = (await readSetting<DemoProgress>(database.db, DEMO_PROGRESS))?.value
          if (d && d.phase !== 'done') demo = { phase: d.phase, done: d.done, total: d.total }
        } catch {
          reachable = false
        }
        const ok = reachable && migrationVersion === expected
        return reply.status(ok ? 200 : 503).send({
          status: ok ? 'ok' : 'unavailable',
          version: appVersion,
          uptimeSeconds: Math.round(process.uptime()),
          database: {
            engine: database.engine,
            reachable,
            latencyMs: reachable ? Math.round((performance.now() - t0) * 100) / 100 : null,
            migrationVersion,
            expectedMigrationVersion: expected,
          },
          replicas: database.reads?.status() ?? [],
          demo,
        })
      },
    )
  }
