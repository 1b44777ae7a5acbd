import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Database } from '../../db/database.js'
import { currentVersion, readMigrations } from '../../db/migrate.js'

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
        try {
          await database.ping()
          migrationVersion = await currentVersion(database.db)
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
        })
      },
    )
  }
