import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { errorResponses } from '../../http/schemas.js'
import { pageOf, pagingQuery } from '../../kernel/paging.js'
import { regionCode } from '../persons/persons.schemas.js'
import type { GridsService } from './grids.service.js'

const gridCode = z.object({ code: z.string().regex(/^\d{15}$/, 'A grid code has 15 digits: community (12) + sequence (3)') })
const summary = z
  .object({
    code: z.string(),
    name: z.string(),
    communityCode: z.string(),
    households: z.number(),
    residents: z.number(),
    buildings: z.number(),
    areaM2: z.number(),
    polsbyPopper: z.number(),
    contiguous: z.boolean(),
    centroid: z.tuple([z.number(), z.number()]),
    version: z.number(),
  })
  .meta({ id: 'GridSummary' })

export const gridsRoutes =
  (grids: GridsService): FastifyPluginAsyncZod =>
  async (app) => {
    const tags = ['grids']
    app.get(
      '/grids',
      {
        schema: {
          tags,
          summary: 'Active grids under a region',
          querystring: pagingQuery.extend({ region: regionCode.optional() }),
          response: { 200: pageOf(summary), ...errorResponses },
        },
      },
      (req) => grids.list(req.query.region, req.query.page, req.query.pageSize),
    )
    app.get(
      '/grids/:code',
      {
        schema: {
          tags,
          summary: 'A grid with its counts and neighbours',
          params: gridCode,
          response: {
            200: summary.extend({
              status: z.string(),
              signature: z.string(),
              bbox: z.array(z.number()),
              neighbours: z.array(z.string()),
            }),
            ...errorResponses,
          },
        },
      },
      (req) => grids.get(req.params.code),
    )
    app.get(
      '/grids/:code/geometry',
      {
        schema: {
          tags,
          summary: 'GeoJSON of a grid (?detail=simplified for maps)',
          params: gridCode,
          querystring: z.object({ detail: z.enum(['full', 'simplified']).default('full') }),
          response: {
            200: z.object({
              type: z.literal('Feature'),
              id: z.string(),
              bbox: z.array(z.number()),
              properties: z.record(z.string(), z.unknown()),
              geometry: z.object({ type: z.enum(['Polygon', 'MultiPolygon']), coordinates: z.unknown() }),
            }),
            ...errorResponses,
          },
        },
      },
      (req) => grids.geometry(req.params.code, req.query.detail),
    )
    app.get(
      '/grids/:code/neighbors',
      {
        schema: {
          tags,
          summary: 'Grids sharing an edge with this one (for A/B pairing)',
          params: gridCode,
          response: {
            200: z.array(
              z.object({
                code: z.string(),
                name: z.string(),
                communityCode: z.string(),
                households: z.number(),
                sharedM: z.number(),
              }),
            ),
            ...errorResponses,
          },
        },
      },
      (req) => grids.neighbours(req.params.code),
    )
    app.get(
      '/lookup',
      {
        schema: {
          tags,
          summary: 'Which grid, community, street and district a point lies in',
          querystring: z.object({ lng: z.coerce.number().min(-180).max(180), lat: z.coerce.number().min(-90).max(90) }),
          response: {
            200: z.object({
              grid: z.string().nullable(),
              community: z.string(),
              street: z.string(),
              district: z.string(),
              city: z.string(),
            }),
            ...errorResponses,
          },
        },
      },
      (req) => grids.lookup(req.query.lng, req.query.lat),
    )
  }
