import { COMPONENT_STATE, codesOf } from '@wangge/domain'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { errorResponses, regionCode } from '../../http/schemas.js'
import { pageOf, pagingQuery } from '../../kernel/paging.js'
import { principalOf } from '../access/index.js'
import type { ComponentsService } from './components.service.js'

const component = z
  .object({
    id: z.number(),
    code: z.string(),
    major: z.string(),
    sub: z.string(),
    name: z.string(),
    state: z.string(),
    competentDepartment: z.string(),
    ownerUnit: z.string(),
    maintainerUnit: z.string(),
    address: z.string().nullable(),
    communityCode: z.string(),
    gridCode: z.string().nullable(),
    location: z.tuple([z.number(), z.number()]),
    source: z.string(),
    version: z.number(),
  })
  .meta({ id: 'Component' })

export const componentsRoutes =
  (components: ComponentsService): FastifyPluginAsyncZod =>
  async (app) => {
    const tags = ['components']
    app.get(
      '/components',
      {
        schema: {
          tags,
          summary: 'City components under a region, by class and state',
          querystring: pagingQuery.extend({
            region: regionCode.optional(),
            major: z
              .string()
              .regex(/^\d{2}$/)
              .optional(),
            sub: z
              .string()
              .regex(/^\d{2}$/)
              .optional(),
            state: z.enum(codesOf(COMPONENT_STATE) as [string, ...string[]]).optional(),
          }),
          response: { 200: pageOf(component), ...errorResponses },
        },
      },
      (req) => components.list(principalOf(req), req.query, req.query.page, req.query.pageSize),
    )
    app.get(
      '/components/:code',
      {
        schema: {
          tags,
          summary: 'A component by its 16-digit code',
          params: z.object({ code: z.string().regex(/^\d{16}$/, 'A component code has 16 digits') }),
          response: { 200: component, ...errorResponses },
        },
      },
      (req) => components.get(principalOf(req), req.params.code),
    )
  }
