import { CATALOG_CODE } from '@wangge/domain'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { errorResponses, regionCode } from '../../http/schemas.js'
import { principalOf } from '../access/index.js'
import type { CatalogService } from './catalog.service.js'

const catalogCode = z
  .string()
  .regex(CATALOG_CODE, 'E + major + sub for events, C + … for component problems, S + … for grid service items')
const limit = z.object({
  amount: z.number().positive().max(10_000),
  unit: z.enum(['working_hours', 'working_days', 'natural_hours']),
})
const entry = z
  .object({
    code: z.string(),
    kind: z.enum(['event', 'component', 'service']),
    major: z.string(),
    sub: z.string(),
    name: z.string(),
    nameEn: z.string(),
    department: z.string(),
    limits: z.object({ normal: limit, urgent: limit }),
    selfHandle: z.boolean(),
    photos: z.number(),
    active: z.boolean(),
    version: z.number(),
    updatedAt: z.string(),
    updatedBy: z.string(),
  })
  .meta({ id: 'CatalogEntry' })
const rule = z.object({
  id: z.number(),
  catalogCode: z.string(),
  region: z.string(),
  department: z.string(),
  note: z.string().nullable(),
  createdBy: z.string(),
})

export const catalogRoutes =
  (catalog: CatalogService): FastifyPluginAsyncZod =>
  async (app) => {
    const tags = ['catalog']
    app.get(
      '/catalog',
      {
        schema: {
          tags,
          summary: 'The case catalog: event and component-problem subclasses, answerable department, time limits',
          querystring: z.object({
            kind: z.enum(['event', 'component', 'service']).optional(),
            q: z.string().trim().min(1).max(40).optional(),
            active: z
              .enum(['true', 'false'])
              .optional()
              .transform((v) => (v === undefined ? undefined : v === 'true')),
          }),
          response: { 200: z.array(entry), ...errorResponses },
        },
      },
      (req) => catalog.list(principalOf(req), req.query),
    )
    app.get(
      '/catalog/:code',
      {
        schema: {
          tags,
          summary: 'One catalog entry',
          params: z.object({ code: catalogCode }),
          response: { 200: entry, ...errorResponses },
        },
      },
      (req) => catalog.get(principalOf(req), req.params.code),
    )
    app.patch(
      '/catalog/:code',
      {
        schema: {
          tags,
          summary: 'Change an entry (with the version you saw); applies to cases opened afterwards',
          params: z.object({ code: catalogCode }),
          body: z.object({
            version: z.number().int().positive(),
            department: z.string().min(2).max(40).optional(),
            limits: z.object({ normal: limit.optional(), urgent: limit.optional() }).optional(),
            selfHandle: z.boolean().optional(),
            photos: z.number().int().min(0).max(9).optional(),
            active: z.boolean().optional(),
            reason: z.string().trim().min(2).max(500),
          }),
          response: { 200: entry, ...errorResponses },
        },
      },
      (req) => catalog.update(principalOf(req), req.params.code, req.body),
    )
    app.get(
      '/catalog/:code/history',
      {
        schema: {
          tags,
          summary: 'Earlier versions of an entry: what changed, who, why',
          params: z.object({ code: catalogCode }),
          response: {
            200: z.array(
              z.object({
                at: z.string(),
                actor: z.string(),
                reason: z.string().nullable(),
                version: z.number(),
                changes: z.record(z.string(), z.object({ old: z.unknown(), new: z.unknown() })),
              }),
            ),
            ...errorResponses,
          },
        },
      },
      (req) => catalog.history(principalOf(req), req.params.code),
    )
    app.get(
      '/departments',
      {
        schema: {
          tags,
          summary: 'Departments that answer for cases',
          response: { 200: z.array(z.object({ code: z.string(), name: z.string(), nameEn: z.string() })), ...errorResponses },
        },
      },
      (req) => catalog.departments(principalOf(req)),
    )
    app.get(
      '/routing-rules',
      {
        schema: {
          tags,
          summary: 'Routing rules: subclass × region → department (the most specific region wins)',
          querystring: z.object({ catalog: catalogCode.optional() }),
          response: { 200: z.array(rule), ...errorResponses },
        },
      },
      (req) => catalog.rules(principalOf(req), req.query.catalog),
    )
    app.post(
      '/routing-rules',
      {
        schema: {
          tags,
          summary: 'Add a routing rule',
          body: z.object({
            catalogCode,
            region: regionCode,
            department: z.string().min(2).max(40),
            note: z.string().max(200).optional(),
          }),
          response: { 201: rule, ...errorResponses },
        },
      },
      async (req, reply) => reply.status(201).send(await catalog.addRule(principalOf(req), req.body)),
    )
    app.delete(
      '/routing-rules/:id',
      {
        schema: {
          tags,
          summary: 'Remove a routing rule',
          params: z.object({ id: z.coerce.number().int().positive() }),
          response: { 200: z.object({ ok: z.literal(true) }), ...errorResponses },
        },
      },
      async (req) => {
        await catalog.deleteRule(principalOf(req), req.params.id)
        return { ok: true as const }
      },
    )
    app.get(
      '/routing/dry-run',
      {
        schema: {
          tags,
          summary: 'Who would get a case of this subclass here? (a point, or a component for its problems)',
          querystring: z.object({
            catalog: catalogCode,
            lng: z.coerce.number().min(-180).max(180).optional(),
            lat: z.coerce.number().min(-90).max(90).optional(),
            component: z
              .string()
              .regex(/^\d{16}$/)
              .optional(),
          }),
          response: {
            200: z.object({
              catalog: z.string(),
              department: z.string(),
              basis: z.enum(['component', 'routing_rule', 'catalog']),
              rule: z.object({ id: z.number(), region: z.string() }).nullable(),
              owner: z
                .object({ kind: z.enum(['enterprise', 'department', 'territory']), unit: z.string() })
                .nullable()
                .describe("For a component: its owner (权属单位); a territory's component is routed by the territory's rules"),
              grid: z.string().nullable(),
              community: z.string(),
              street: z.string(),
              district: z.string(),
              limits: z.object({ normal: limit, urgent: limit }),
            }),
            ...errorResponses,
          },
        },
      },
      (req) => catalog.route(principalOf(req), req.query),
    )
  }
