import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { communityCode, errorResponses, gridCode, regionCode } from '../../http/schemas.js'
import { pageOf, pagingQuery } from '../../kernel/paging.js'
import { principalOf } from '../access/index.js'
import { historyOut } from '../persons/index.js'
import type { Adjustment } from './grids.adjust.js'
import type { GridsService } from './grids.service.js'

const gridParams = z.object({ code: gridCode })
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

const id = z.number().int().positive()
const partitionResult = z
  .object({
    community: z.string(),
    policy: z.object({ target: z.number(), minHouseholds: z.number() }).loose(),
    applied: z.boolean(),
    before: z.array(z.object({ code: z.string(), households: z.number() })),
    retired: z.array(z.string()),
    balance: z.object({
      grids: z.number(),
      min: z.number(),
      median: z.number(),
      max: z.number(),
      withinTwentyPercent: z.number().describe('share of the grids within ±20% of the target'),
    }),
    layer: z.object({
      type: z.literal('FeatureCollection'),
      features: z.array(
        z.object({
          type: z.literal('Feature'),
          properties: z.object({
            code: z.string(),
            households: z.number(),
            residents: z.number(),
            buildings: z.number(),
            existing: z.boolean().describe('the code exists now'),
          }),
          geometry: z.object({ type: z.string(), coordinates: z.unknown() }).loose(),
        }),
      ),
    }),
  })
  .meta({ id: 'PartitionResult' })
const adjustmentBody = z
  .object({
    kind: z
      .enum(['move', 'split', 'merge'])
      .describe('move a building or dwellings to an adjacent grid; split a grid; merge two'),
    to: gridCode.optional().describe('move: the grid receiving'),
    buildingId: id.optional().describe('move: the whole building'),
    dwellingIds: z.array(id).min(1).max(5000).optional().describe('move: these dwellings'),
    grid: gridCode.optional().describe('split: the grid to split'),
    buildingIds: z.array(id).min(1).optional().describe('split: buildings forming the new grid (default: a balanced cut)'),
    grids: z.tuple([gridCode, gridCode]).optional().describe('merge: two adjacent grids'),
    reason: z.string().trim().min(2).max(500),
    dryRun: z.boolean().default(false).describe('answer with the before/after counts, write nothing'),
    versions: z.record(gridCode, z.number().int()).optional().describe('grid code → the version you saw'),
  })
  .superRefine((b, ctx) => {
    const need = (field: keyof typeof b, ok: boolean, message: string) => {
      if (!ok) ctx.addIssue({ code: 'custom', path: [field], message })
    }
    if (b.kind === 'move') {
      need('to', !!b.to, 'move needs `to`')
      need(
        'buildingId',
        (b.buildingId === undefined) !== (b.dwellingIds === undefined),
        'move needs either buildingId or dwellingIds',
      )
    }
    if (b.kind === 'split') need('grid', !!b.grid, 'split needs `grid`')
    if (b.kind === 'merge') need('grids', !!b.grids, 'merge needs `grids`: two grid codes')
  })
const adjustmentResult = z
  .object({
    kind: z.enum(['move', 'split', 'merge']),
    dryRun: z.boolean(),
    community: z.string(),
    grids: z.array(
      z.object({
        code: z.string(),
        change: z.enum(['changed', 'created', 'retired']),
        householdsBefore: z.number().nullable(),
        householdsAfter: z.number(),
        residents: z.number(),
        buildings: z.number(),
        version: z.number().nullable(),
      }),
    ),
    unchanged: z.number().describe('grids of the community left as they were'),
  })
  .meta({ id: 'GridAdjustment' })

const toAdjustment = (b: z.infer<typeof adjustmentBody>): Adjustment =>
  b.kind === 'move'
    ? b.buildingId !== undefined
      ? { kind: 'move', buildingId: b.buildingId, to: b.to as string }
      : { kind: 'move', dwellingIds: b.dwellingIds as number[], to: b.to as string }
    : b.kind === 'split'
      ? { kind: 'split', grid: b.grid as string, buildingIds: b.buildingIds }
      : { kind: 'merge', grids: b.grids as [string, string] }

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
      (req) => grids.list(principalOf(req), req.query.region, req.query.page, req.query.pageSize),
    )
    app.get(
      '/grids/layer',
      {
        schema: {
          tags,
          summary: 'Map layer: the simplified polygons of the active grids under a region, as one GeoJSON FeatureCollection',
          description:
            'Feature ids are the grid codes as numbers (for map feature state); properties: code, name, community, households, residents.',
          querystring: z.object({ region: regionCode }),
          produces: ['application/geo+json'],
        },
      },
      async (req, reply) => reply.type('application/geo+json').send(await grids.layer(principalOf(req), req.query.region)),
    )
    app.get(
      '/grids/:code',
      {
        schema: {
          tags,
          summary: 'A grid with its counts and neighbours',
          params: gridParams,
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
      (req) => grids.get(principalOf(req), req.params.code),
    )
    app.get(
      '/grids/:code/geometry',
      {
        schema: {
          tags,
          summary: 'GeoJSON of a grid (?detail=simplified for maps)',
          params: gridParams,
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
      (req) => grids.geometry(principalOf(req), req.params.code, req.query.detail),
    )
    app.get(
      '/grids/:code/neighbors',
      {
        schema: {
          tags,
          summary: 'Grids sharing an edge with this one (for A/B pairing)',
          params: gridParams,
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
      (req) => grids.neighbours(principalOf(req), req.params.code),
    )
    app.get(
      '/grids/:code/history',
      {
        schema: {
          tags,
          summary: 'Partition runs and manual adjustments of a grid: households before and after, who, when, why',
          params: gridParams,
          querystring: pagingQuery,
          response: { 200: historyOut, ...errorResponses },
        },
      },
      (req) => grids.history(principalOf(req), req.params.code, req.query.page, req.query.pageSize),
    )
    app.post(
      '/grids/adjustments',
      {
        schema: {
          tags,
          summary: 'Move a building or dwellings to an adjacent grid, split a grid, or merge two (dryRun to preview)',
          body: adjustmentBody,
          response: { 200: adjustmentResult, ...errorResponses },
        },
      },
      (req) =>
        grids.adjust(principalOf(req), toAdjustment(req.body), {
          dryRun: req.body.dryRun,
          reason: req.body.reason,
          versions: req.body.versions,
        }),
    )
    app.post(
      '/grids/partition',
      {
        schema: {
          tags,
          summary: 'Re-divide one community automatically: preview the grids it would get (dryRun), or do it',
          description:
            'The grids of ≈ `target` households; a community below `minHouseholds` is one grid. The preview writes nothing; applying is a partition run of the community (codes of unchanged grids kept; history and provenance recorded).',
          body: z.object({
            community: communityCode,
            target: z.number().int().min(20).max(2000).optional(),
            minHouseholds: z.number().int().min(1).max(2000).optional(),
            dryRun: z.boolean().default(true),
          }),
          response: { 200: partitionResult },
        },
      },
      (req) =>
        grids.partitionCommunity(
          principalOf(req),
          req.body.community,
          {
            ...(req.body.target ? { target: req.body.target } : {}),
            ...(req.body.minHouseholds ? { minHouseholds: req.body.minHouseholds } : {}),
          },
          !req.body.dryRun,
        ),
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
      (req) => {
        principalOf(req).require('region.read')
        return grids.lookup(req.query.lng, req.query.lat)
      },
    )
  }
