import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { areaCode, errorResponses, gridCode, isoDate } from '../../http/schemas.js'
import { principalOf } from '../access/index.js'
import type { PatrolsService } from './patrols.service.js'

const patrol = z
  .object({
    id: z.number(),
    clientId: z.string(),
    userId: z.number(),
    grid: z.string(),
    startedAt: z.string(),
    endedAt: z.string().nullable(),
    points: z.number(),
    distanceM: z.number().nullable(),
    buildings: z.number().nullable(),
    buildingsPassed: z.number().nullable(),
    coverage: z.number().nullable(),
    events: z.array(z.object({ id: z.number(), number: z.string(), catalog: z.string(), status: z.string() })),
  })
  .meta({ id: 'Patrol' })
const id = z.object({ id: z.coerce.number().int().positive() })
const time = z.iso.datetime({ offset: true })

export const patrolsRoutes =
  (patrols: PatrolsService): FastifyPluginAsyncZod =>
  async (app) => {
    const tags = ['patrols']
    app.post(
      '/patrols',
      {
        schema: {
          tags,
          summary: 'Start a patrol of a grid (idempotent by the phone’s client id)',
          body: z.object({
            clientId: z.string().regex(/^[A-Za-z0-9._:-]{8,64}$/),
            grid: gridCode,
            startedAt: time,
          }),
          response: { 201: patrol, ...errorResponses },
        },
      },
      async (req, reply) => reply.status(201).send(await patrols.start(principalOf(req), req.body)),
    )

    app.post(
      '/patrols/:id/points',
      {
        schema: {
          tags,
          summary: 'Add a piece of the GPS track (points numbered by the phone; a re-sent point is ignored)',
          params: id,
          body: z.object({
            points: z
              .array(
                z.object({
                  seq: z.number().int().min(0),
                  at: time,
                  lng: z.number().min(-180).max(180),
                  lat: z.number().min(-90).max(90),
                  accuracyM: z.number().min(0).max(10_000).optional(),
                }),
              )
              .min(1)
              .max(5000),
          }),
          response: { 200: z.object({ added: z.number(), ignored: z.number() }), ...errorResponses },
        },
      },
      (req) => patrols.addPoints(principalOf(req), req.params.id, req.body.points),
    )

    app.post(
      '/patrols/:id/end',
      {
        schema: {
          tags,
          summary: 'End a patrol: distance, share of the grid’s buildings passed (within 30 m), events found on the way',
          params: id,
          body: z.object({ endedAt: time }),
          response: { 200: patrol, ...errorResponses },
        },
      },
      (req) => patrols.end(principalOf(req), req.params.id, req.body.endedAt),
    )

    app.get(
      '/patrols/:id',
      { schema: { tags, summary: 'A patrol and its summary', params: id, response: { 200: patrol, ...errorResponses } } },
      (req) => patrols.get(principalOf(req), req.params.id),
    )

    app.get(
      '/patrols',
      {
        schema: {
          tags,
          summary: 'Patrols in a grid or under a region (the last 30 days, or since `from`)',
          querystring: z.object({ region: areaCode, from: isoDate.optional() }),
          response: { 200: z.array(patrol), ...errorResponses },
        },
      },
      (req) => patrols.list(principalOf(req), req.query),
    )
  }
