import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { areaCode, errorResponses, gridCode, isoDate } from '../../http/schemas.js'
import { principalOf } from '../access/index.js'
import { personCreate, personFieldsPatch } from '../persons/index.js'
import type { VisitsService } from './visits.service.js'

const visitUpdate = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('person'),
    personId: z.number().int().positive(),
    baseVersion: z.number().int().positive(),
    fields: personFieldsPatch,
  }),
  z.object({
    kind: z.literal('status'),
    personId: z.number().int().positive(),
    baseVersion: z.number().int().positive(),
    status: z.enum(['moved_out', 'deceased']),
  }),
  z.object({ kind: z.literal('newResident'), person: personCreate.omit({ source: true, householdId: true }) }),
])
const visitInput = z.object({
  clientId: z.string().regex(/^[A-Za-z0-9._:-]{8,64}$/, 'a client-generated id (e.g. a UUID)'),
  householdId: z.number().int().positive(),
  visitedAt: z.iso.datetime({ offset: true }),
  note: z.string().max(2000).optional(),
  updates: z.array(visitUpdate).max(50).optional(),
})
const conflict = z.object({
  id: z.number(),
  entity: z.string(),
  entityId: z.number(),
  grid: z.string().nullable(),
  community: z.string(),
  field: z.string(),
  kept: z.object({ value: z.unknown(), by: z.string() }),
  other: z.object({ value: z.unknown(), by: z.string(), at: z.string() }),
  status: z.string(),
})
const side = z.object({
  label: z.string(),
  value: z.unknown(),
  codeTable: z.string().nullable().describe('the code table that puts the value in words (GET /codes), if coded'),
})
const doorQuestion = z
  .object({
    findingId: z.number(),
    version: z.number(),
    rule: z.string(),
    ruleName: z.string(),
    question: z.string(),
    entity: z.string(),
    entityId: z.number(),
    grid: z.string(),
    householdId: z.number().nullable(),
    about: z.string(),
    address: z.string(),
    lng: z.number().nullable(),
    lat: z.number().nullable(),
    left: side,
    right: side,
    since: z.string(),
  })
  .meta({ id: 'DoorQuestion' })
const doorOffer = z
  .object({
    id: z.number(),
    version: z.number(),
    item: z.string(),
    itemName: z.string(),
    householdId: z.number().nullable(),
    grid: z.string().nullable(),
    personId: z.number(),
    name: z.string(),
    reason: z.string(),
    tell: z.string(),
    bring: z.array(z.string()),
    spared: z.array(z.string()),
    since: z.string(),
  })
  .meta({ id: 'DoorOffer' })
const visit = z.object({
  id: z.number(),
  clientId: z.string(),
  householdId: z.number(),
  visitedAt: z.string(),
  replayed: z.boolean(),
  changes: z.array(
    z.object({ kind: z.string(), personId: z.number(), applied: z.array(z.string()), flagged: z.array(z.string()) }),
  ),
})

export const visitsRoutes =
  (visits: VisitsService): FastifyPluginAsyncZod =>
  async (app) => {
    const tags = ['visits']
    app.get(
      '/visits/tasks',
      {
        schema: {
          tags,
          summary: "The day's household visits of the caller's grids (or one grid): priority first, then a walking order",
          description:
            'Generated each night from the visit rules. `overdue`: due before the day; `red`: not visited for 30 days or more (or never). A worker covering a partner on leave gets the partner’s grid too.',
          querystring: z.object({
            day: isoDate.optional(),
            grid: gridCode.optional(),
          }),
          response: {
            200: z.object({
              day: z.string(),
              grids: z.array(z.string()),
              tasks: z.array(
                z.object({
                  seq: z.number(),
                  grid: z.string(),
                  householdId: z.number(),
                  rule: z.string(),
                  ruleName: z.string(),
                  priority: z.number(),
                  dueOn: z.string(),
                  overdue: z.boolean(),
                  done: z.boolean(),
                  lastVisitedOn: z.string().nullable(),
                  red: z.boolean(),
                  members: z.number(),
                  address: z.string(),
                  lng: z.number(),
                  lat: z.number(),
                  questions: z.array(doorQuestion).describe("the household's door-to-door questions (共享校核)"),
                  offers: z.array(doorOffer).describe('services a resident of the household may now have (主动服务): tell them'),
                }),
              ),
              checks: z.array(doorQuestion).describe('door-to-door questions about no household (a shop, an empty flat)'),
            }),
            ...errorResponses,
          },
        },
      },
      (req) => visits.tasks(principalOf(req), req.query),
    )

    app.post(
      '/visits',
      {
        schema: {
          tags,
          summary: 'Record household visits — one, or a phone’s offline queue (up to 1,000), idempotent by client id',
          description:
            'Each visit carries the id the phone gave it when it was made; a visit re-sent after a lost answer is answered as recorded (`replayed: true`) and changes nothing. The whole batch is refused if any household is outside the caller’s scope.',
          body: z.object({ items: z.array(visitInput).min(1).max(1000) }),
          response: { 200: z.object({ items: z.array(visit) }), ...errorResponses },
        },
      },
      async (req) => ({ items: await visits.record(principalOf(req), req.body.items) }),
    )

    app.get(
      '/visits/coverage',
      {
        schema: {
          tags,
          summary: 'Visit coverage per grid under a region (the map layer): occupied households visited in the last N days',
          querystring: z.object({
            region: areaCode,
            days: z.coerce.number().int().min(1).max(365).default(30),
          }),
          response: {
            200: z.object({
              region: z.string(),
              days: z.number(),
              since: z.string(),
              grids: z.array(
                z.object({ grid: z.string(), households: z.number(), visited: z.number(), never: z.number(), share: z.number() }),
              ),
            }),
            ...errorResponses,
          },
        },
      },
      (req) => visits.coverage(principalOf(req), req.query.region, req.query.days),
    )
    app.get(
      '/visits/conflicts',
      {
        schema: {
          tags,
          summary: 'Concurrent changes to the same field of a record (the later kept; the other here) for the grid chief',
          querystring: z.object({
            region: areaCode,
            status: z.enum(['open', 'all']).default('open'),
          }),
          response: { 200: z.array(conflict), ...errorResponses },
        },
      },
      (req) => visits.conflicts(principalOf(req), req.query.region, req.query.status),
    )

    app.post(
      '/visits/conflicts/:id/resolve',
      {
        schema: {
          tags,
          summary: 'Keep the value that won, or put the other one back (roster.manage: the grid chief)',
          params: z.object({ id: z.coerce.number().int().positive() }),
          body: z.object({ keep: z.enum(['kept', 'other']) }),
          response: { 200: conflict, ...errorResponses },
        },
      },
      (req) => visits.resolve(principalOf(req), req.params.id, req.body.keep),
    )

    app.get(
      '/visits/rules',
      {
        schema: {
          tags,
          summary: 'The visit rules: which households, how often, in which priority',
          response: {
            200: z.array(
              z.object({
                code: z.string(),
                name: z.string(),
                nameEn: z.string(),
                kind: z.string(),
                value: z.string().nullable(),
                everyDays: z.number(),
                priority: z.number(),
                active: z.boolean(),
                version: z.number(),
              }),
            ),
            ...errorResponses,
          },
        },
      },
      () => visits.rules(),
    )
  }
