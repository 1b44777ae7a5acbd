import { codesOf, INDUSTRY_SECTIONS, ORG_TYPE, parseUscc } from '@wangge/domain'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { errorResponses, regionCode } from '../../http/schemas.js'
import { pageOf, pagingQuery } from '../../kernel/paging.js'
import { principalOf } from '../access/index.js'
import { idParam, phone, sourceCode, unmaskQuery } from '../persons/index.js'
import type { OrganizationsService } from './organizations.service.js'

const orgType = z.enum(codesOf(ORG_TYPE) as [string, ...string[]])
const uscc = z.string().transform((v, ctx) => {
  const r = parseUscc(v)
  if (!r.ok) {
    ctx.addIssue({ code: 'custom', message: r.message })
    return z.NEVER
  }
  return r.uscc
})
const organization = z
  .object({
    id: z.number(),
    uscc: z.string(),
    name: z.string(),
    type: z.string(),
    industry: z.string().nullable(),
    legalRepresentative: z.string().describe("an individual business's representative is a private person: masked (张**)"),
    phone: z.string().nullable().describe('masked (first 3 + last 4) unless unmasked'),
    masked: z.boolean(),
    employees: z.number(),
    buildingId: z.number().nullable(),
    address: z.string(),
    communityCode: z.string(),
    gridCode: z.string().nullable(),
    location: z.tuple([z.number(), z.number()]).nullable(),
    establishedOn: z.string().nullable(),
    status: z.string(),
    source: z.string(),
    version: z.number(),
  })
  .meta({ id: 'Organization' })

export const organizationsRoutes =
  (orgs: OrganizationsService): FastifyPluginAsyncZod =>
  async (app) => {
    const tags = ['organizations']
    app.get(
      '/organizations',
      {
        schema: {
          tags,
          summary: 'Organizations under a region, by name fragment, credit code or type',
          querystring: pagingQuery.extend({
            region: regionCode.optional(),
            q: z.string().max(100).optional(),
            uscc: z.string().max(18).optional(),
            type: orgType.optional(),
          }),
          response: { 200: pageOf(organization), ...errorResponses },
        },
      },
      (req) => orgs.list(principalOf(req), req.query, req.query.page, req.query.pageSize),
    )
    app.get(
      '/organizations/:id',
      {
        schema: {
          tags,
          summary: 'An organization; its phone (and an individual business’s representative) masked unless ?unmask=true&reason=…',
          params: idParam,
          querystring: unmaskQuery,
          response: { 200: organization, ...errorResponses },
        },
      },
      (req) => orgs.get(principalOf(req), req.params.id, req.query),
    )
    app.post(
      '/organizations',
      {
        schema: {
          tags,
          summary: 'Register an organization (credit code checked per GB 32100)',
          body: z.object({
            uscc,
            name: z.string().trim().min(2).max(200),
            type: orgType,
            industry: z.enum(INDUSTRY_SECTIONS).optional(),
            legalRepresentative: z.string().trim().min(1).max(60),
            phone: phone.optional(),
            employees: z.number().int().min(0).max(10_000_000),
            buildingId: z.number().int().positive(),
            establishedOn: z.iso.date().optional(),
            source: sourceCode,
          }),
          response: { 201: organization, ...errorResponses, 409: errorResponses[400] },
        },
      },
      async (req, reply) => reply.status(201).send(await orgs.create(principalOf(req), req.body)),
    )
  }
