import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { errorResponses, regionCode } from '../../http/schemas.js'
import { pageOf, pagingQuery } from '../../kernel/paging.js'
import { principalOf } from '../access/index.js'
import { idParam, personOut, unmaskQuery } from '../persons/index.js'
import type { HousingService } from './housing.service.js'

const building = z.object({
  id: z.number(),
  code: z.string(),
  communityCode: z.string(),
  gridCode: z.string().nullable(),
  name: z.string(),
  address: z.string(),
  use: z.string(),
  floors: z.number(),
  units: z.number(),
  builtYear: z.number().nullable(),
  location: z.tuple([z.number(), z.number()]),
  source: z.string(),
  version: z.number(),
})
const dwelling = z.object({
  id: z.number(),
  buildingId: z.number(),
  communityCode: z.string(),
  gridCode: z.string().nullable(),
  unit: z.number(),
  floor: z.number(),
  room: z.string(),
  address: z.string(),
  areaM2: z.number(),
  use: z.string(),
  occupancy: z.string(),
  rentMonthly: z.number().nullable(),
  landlordName: z.string().nullable().describe('a private person: surname and stars unless unmasked'),
  landlordPhone: z.string().nullable().describe('masked (first 3 + last 4) unless unmasked'),
  masked: z.boolean(),
  hazardType: z.string(),
  source: z.string(),
  version: z.number(),
})

export const housingRoutes =
  (housing: HousingService): FastifyPluginAsyncZod =>
  async (app) => {
    const tags = ['housing']
    app.get(
      '/buildings',
      {
        schema: {
          tags,
          summary: 'Buildings under a region or by address prefix',
          querystring: pagingQuery.extend({ region: regionCode.optional(), address: z.string().max(100).optional() }),
          response: { 200: pageOf(building), ...errorResponses },
        },
      },
      (req) => housing.listBuildings(principalOf(req), req.query, req.query.page, req.query.pageSize),
    )
    app.get(
      '/buildings/:id',
      {
        schema: {
          tags,
          summary: 'A building with its dwellings, rents and residents',
          params: idParam,
          response: {
            200: building.extend({
              summary: z.object({
                dwellings: z.number(),
                residents: z.number(),
                rented: z.number(),
                vacant: z.number(),
                averageRent: z.number().nullable(),
              }),
              dwellings: z.array(dwelling.extend({ residents: z.array(personOut) })),
            }),
            ...errorResponses,
          },
        },
      },
      (req) => housing.building(principalOf(req), req.params.id),
    )
    app.get(
      '/dwellings/:id',
      {
        schema: {
          tags,
          summary: 'A dwelling; its landlord’s name and phone masked unless ?unmask=true&reason=… (audited)',
          params: idParam,
          querystring: unmaskQuery,
          response: { 200: dwelling, ...errorResponses },
        },
      },
      (req) => housing.dwelling(principalOf(req), req.params.id, req.query),
    )
  }
