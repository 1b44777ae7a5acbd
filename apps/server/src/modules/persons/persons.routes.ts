import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { errorResponses, regionCode } from '../../http/schemas.js'
import { pageOf, pagingQuery } from '../../kernel/paging.js'
import { principalOf as actor } from '../access/index.js'
import {
  historyOut,
  idParam,
  personCreate,
  personListQuery,
  personOut,
  personPage,
  personPatch,
  sourceCode,
  statusChange,
  unmaskQuery,
} from './persons.schemas.js'
import type { PersonsService } from './persons.service.js'

const householdOut = z
  .object({
    id: z.number(),
    householdNumber: z.string().nullable(),
    kind: z.string(),
    dwellingId: z.number().nullable(),
    address: z.string().nullable(),
    communityCode: z.string(),
    gridCode: z.string().nullable(),
    headPersonId: z.number().nullable(),
    source: z.string(),
    version: z.number(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Household' })
const writeErrors = { ...errorResponses, 409: errorResponses[400] }

export const personsRoutes =
  (persons: PersonsService): FastifyPluginAsyncZod =>
  async (app) => {
    const tags = ['persons']

    app.get(
      '/persons',
      {
        schema: {
          tags,
          summary: 'Search persons: by region, ID number, name or initials, household, address, care tag',
          querystring: personListQuery,
          response: { 200: personPage, ...errorResponses },
        },
      },
      (req) => {
        const { page, pageSize, ...f } = req.query
        return persons.list(actor(req), f, page, pageSize)
      },
    )
    app.post(
      '/persons',
      {
        schema: {
          tags,
          summary: 'Register a person in a household',
          body: personCreate,
          response: { 201: personOut, ...writeErrors },
        },
      },
      async (req, reply) => reply.status(201).send(await persons.create(actor(req), req.body)),
    )
    app.get(
      '/persons/:id',
      {
        schema: {
          tags,
          summary: 'A person with per-field-group provenance; ID number, phone and address masked unless ?unmask=true&reason=…',
          params: idParam,
          querystring: unmaskQuery,
          response: { 200: personOut, ...errorResponses },
        },
      },
      (req) => persons.get(actor(req), req.params.id, req.query),
    )
    app.patch(
      '/persons/:id',
      {
        schema: {
          tags,
          summary: 'Change a person (names the version it is based on)',
          params: idParam,
          body: personPatch,
          response: { 200: personOut, ...writeErrors },
        },
      },
      (req) => persons.update(actor(req), req.params.id, req.body),
    )
    app.post(
      '/persons/:id/status',
      {
        schema: {
          tags,
          summary: 'Moved out, deceased, or active again',
          params: idParam,
          body: statusChange,
          response: { 200: personOut, ...writeErrors },
        },
      },
      (req) => persons.setStatus(actor(req), req.params.id, req.body),
    )
    app.get(
      '/persons/:id/access-log',
      {
        schema: {
          tags,
          summary: 'Who looked at this person’s unmasked or special data, when and why',
          params: idParam,
          querystring: pagingQuery,
          response: {
            200: pageOf(
              z.object({
                id: z.number(),
                at: z.string(),
                actor: z.string(),
                action: z.string(),
                reason: z.string().nullable(),
                scope: z.string().nullable(),
              }),
            ),
            ...errorResponses,
          },
        },
      },
      (req) => persons.accessLog(actor(req), req.params.id, req.query.page, req.query.pageSize),
    )
    app.get(
      '/persons/:id/history',
      {
        schema: {
          tags,
          summary: 'Every change: old and new values, who, when, why',
          params: idParam,
          querystring: pagingQuery,
          response: { 200: historyOut, ...errorResponses },
        },
      },
      (req) => persons.history(actor(req), req.params.id, req.query.page, req.query.pageSize),
    )

    app.get(
      '/households',
      {
        schema: {
          tags: ['households'],
          summary: 'Households under a region',
          querystring: pagingQuery.extend({ region: regionCode.optional() }),
          response: { 200: pageOf(householdOut.extend({ size: z.number() })), ...errorResponses },
        },
      },
      (req) => persons.households(actor(req), req.query.region, req.query.page, req.query.pageSize),
    )
    app.get(
      '/households/:id',
      {
        schema: {
          tags: ['households'],
          summary: 'A household with its members',
          params: idParam,
          response: { 200: householdOut.extend({ members: z.array(personOut) }), ...errorResponses },
        },
      },
      (req) => persons.household(actor(req), req.params.id),
    )
    app.post(
      '/households/:id/move',
      {
        schema: {
          tags: ['households'],
          summary: 'Move a household (and its members) to another dwelling, with history',
          params: idParam,
          body: z.object({
            dwellingId: z.number().int().positive(),
            version: z.number().int().positive(),
            source: sourceCode,
            reason: z.string().trim().min(1).max(500),
          }),
          response: { 200: householdOut.extend({ members: z.array(personOut) }), ...writeErrors },
        },
      },
      (req) => persons.moveHousehold(actor(req), req.params.id, req.body),
    )
    app.get(
      '/households/:id/history',
      {
        schema: {
          tags: ['households'],
          summary: 'Moves and changes of a household',
          params: idParam,
          querystring: pagingQuery,
          response: { 200: historyOut, ...errorResponses },
        },
      },
      (req) => persons.householdHistory(actor(req), req.params.id, req.query.page, req.query.pageSize),
    )
  }
