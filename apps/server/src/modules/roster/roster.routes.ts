import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { errorResponses, isoDate } from '../../http/schemas.js'
import { principalOf } from '../access/auth.plugin.js'
import type { RosterService } from './roster.service.js'

const region = z.string().regex(/^(\d{4}|\d{6}|\d{9}|\d{12}|\d{15})$/)
const gridCode = z.string().regex(/^\d{15}$/)
const date = isoDate
const person = z.object({ id: z.number(), username: z.string(), displayName: z.string() })
const pair = z.object({ a: z.string(), b: z.string(), sharedM: z.number() })
const leave = z
  .object({
    id: z.number(),
    userId: z.number(),
    coverUserId: z.number(),
    from: z.string(),
    to: z.string(),
    reason: z.string(),
    status: z.enum(['requested', 'approved', 'rejected', 'cancelled']),
    requestedBy: z.string(),
    decidedBy: z.string().nullable(),
    version: z.number(),
  })
  .meta({ id: 'WorkerLeave' })
const userIds = z.object({ userIds: z.array(z.number().int().positive()).max(20) })

export const rosterRoutes =
  (roster: RosterService): FastifyPluginAsyncZod =>
  async (app) => {
    const tags = ['roster']
    app.get(
      '/roster',
      {
        schema: {
          tags,
          summary: 'The grids under a region with their workers, A/B partner and any leave cover; the grid chiefs',
          querystring: z.object({ region }),
          response: {
            200: z.object({
              region: z.string(),
              policy: z.object({ maxWorkersPerGrid: z.number(), maxGridsPerWorker: z.number() }),
              grids: z.array(
                z.object({
                  code: z.string(),
                  name: z.string(),
                  community: z.string(),
                  households: z.number(),
                  workers: z.array(person),
                  pair: z.object({ id: z.number(), partner: z.string() }).nullable(),
                  coveredBy: z.object({ userId: z.number(), until: z.string() }).nullable(),
                }),
              ),
              chiefs: z.array(person.extend({ community: z.string() })),
            }),
            ...errorResponses,
          },
        },
      },
      (req) => roster.roster(principalOf(req), req.query.region),
    )

    app.put(
      '/roster/grids/:code/workers',
      {
        schema: {
          tags,
          summary: 'Who works a grid (replaces its workers; the roster policy limits workers per grid and grids per worker)',
          params: z.object({ code: gridCode }),
          body: userIds,
          response: { 204: z.null(), ...errorResponses },
        },
      },
      async (req, reply) => {
        await roster.setWorkers(principalOf(req), req.params.code, req.body.userIds)
        return reply.status(204).send(null)
      },
    )

    app.put(
      '/roster/communities/:code/chiefs',
      {
        schema: {
          tags,
          summary: 'The grid chief(s) of a community',
          params: z.object({ code: z.string().regex(/^\d{12}$/) }),
          body: userIds,
          response: { 204: z.null(), ...errorResponses },
        },
      },
      async (req, reply) => {
        await roster.setChiefs(principalOf(req), req.params.code, req.body.userIds)
        return reply.status(204).send(null)
      },
    )

    app.get(
      '/roster/pairs',
      {
        schema: {
          tags,
          summary: 'The A/B pairs of grids under a region',
          querystring: z.object({ region }),
          response: { 200: z.array(pair.extend({ id: z.number(), createdBy: z.string() })), ...errorResponses },
        },
      },
      (req) => roster.pairs(principalOf(req), req.query.region),
    )

    app.post(
      '/roster/pairs/suggest',
      {
        schema: {
          tags,
          summary:
            'Suggest A/B pairs for the unpaired grids of a district, street or community (maximum matching of adjacency, per street); apply=true records them',
          querystring: z.object({
            region: z.string().regex(/^(\d{6}|\d{9}|\d{12})$/),
            apply: z
              .enum(['true', 'false'])
              .default('false')
              .transform((v) => v === 'true'),
          }),
          response: {
            200: z.object({ region: z.string(), applied: z.boolean(), pairs: z.array(pair), unpaired: z.array(z.string()) }),
            ...errorResponses,
          },
        },
      },
      (req) => roster.suggestPairs(principalOf(req), req.query.region, req.query.apply),
    )

    app.post(
      '/roster/pairs',
      {
        schema: {
          tags,
          summary: 'Pair two adjacent, unpaired grids',
          body: z.object({ a: gridCode, b: gridCode }).refine((v) => v.a !== v.b, 'two different grids'),
          response: { 201: pair.extend({ id: z.number() }), ...errorResponses },
        },
      },
      async (req, reply) => reply.status(201).send(await roster.pair(principalOf(req), req.body.a, req.body.b)),
    )

    app.delete(
      '/roster/pairs/:id',
      {
        schema: {
          tags,
          summary: 'Dissolve a pair',
          params: z.object({ id: z.coerce.number().int().positive() }),
          response: { 204: z.null(), ...errorResponses },
        },
      },
      async (req, reply) => {
        await roster.unpair(principalOf(req), req.params.id)
        return reply.status(204).send(null)
      },
    )

    app.post(
      '/roster/leaves',
      {
        schema: {
          tags,
          summary: 'Request a leave (one’s own, or a worker’s as their manager); the A/B partner covers',
          description:
            'The cover is the worker of a grid paired with one of the absent worker’s grids (`coverUserId` picks one when there are several). While the leave runs (Beijing dates, both inclusive) the cover holds the absent worker’s grid grants. A manager’s (roster.manage) request is approved at once; a worker’s own waits for a decision.',
          body: z.object({
            userId: z.number().int().positive().optional(),
            from: date,
            to: date,
            reason: z.string().trim().min(2).max(500),
            coverUserId: z.number().int().positive().optional(),
          }),
          response: { 201: leave, ...errorResponses },
        },
      },
      async (req, reply) => reply.status(201).send(await roster.requestLeave(principalOf(req), req.body)),
    )

    app.post(
      '/roster/leaves/:id/decision',
      {
        schema: {
          tags,
          summary: 'Approve or reject a requested leave (roster.manage), or cancel one (its worker or a manager)',
          params: z.object({ id: z.coerce.number().int().positive() }),
          body: z.object({ decision: z.enum(['approve', 'reject', 'cancel']), version: z.number().int().positive() }),
          response: { 200: leave, ...errorResponses },
        },
      },
      (req) => roster.decideLeave(principalOf(req), req.params.id, req.body),
    )

    app.get(
      '/roster/leaves',
      {
        schema: {
          tags,
          summary: 'Leaves of the workers of a region’s grids (`running=true`: those running today)',
          querystring: z.object({
            region,
            running: z
              .enum(['true', 'false'])
              .optional()
              .transform((v) => v === 'true'),
          }),
          response: { 200: z.array(leave), ...errorResponses },
        },
      },
      (req) => roster.leaves(principalOf(req), req.query.region, req.query),
    )
  }
