// Routes of the one-window services: items (rules as data), the window, applications and the
// department's decision, proactive offers and the night's run.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { errorResponses } from '../../http/schemas.js'
import { pageOf, pagingQuery } from '../../kernel/paging.js'
import { principalOf } from '../access/index.js'
import {
  applicationDetail,
  applicationOut,
  applicationsQuery,
  applyBody,
  checklistOut,
  decideBody,
  figuresOut,
  figuresQuery,
  itemCode,
  itemDetail,
  itemOut,
  itemUpdate,
  lookupBody,
  offerOut,
  offersQuery,
  outcomeBody,
  runOut,
  visitNumber,
  windowOut,
} from './services.schemas.js'
import type { ServicesService } from './services.service.js'

export const servicesRoutes =
  (services: ServicesService): FastifyPluginAsyncZod =>
  async (app) => {
    const tags = ['services']
    const id = z.object({ id: z.coerce.number().int().positive() })

    app.get(
      '/services/items',
      {
        schema: {
          tags,
          summary: 'Service items with their eligibility rules, materials and steps',
          response: { 200: z.array(itemOut), ...errorResponses },
        },
      },
      (req) => services.items(principalOf(req)),
    )
    app.get(
      '/services/items/:code',
      {
        schema: {
          tags,
          summary: 'One service item and its versions',
          params: z.object({ code: itemCode }),
          response: { 200: itemDetail, ...errorResponses },
        },
      },
      (req) => services.item(principalOf(req), req.params.code),
    )
    app.put(
      '/services/items/:code',
      {
        schema: {
          tags,
          summary: 'A new version of a service item (service.admin): rule, materials, steps, with a reason',
          params: z.object({ code: itemCode }),
          body: itemUpdate,
          response: { 200: itemDetail, ...errorResponses },
        },
      },
      (req) => services.updateItem(principalOf(req), req.params.code, req.body as Parameters<ServicesService['updateItem']>[2]),
    )

    app.post(
      '/services/window/lookup',
      {
        schema: {
          tags,
          summary: "A resident at the window (with their consent): their verified facts, household, and every item's eligibility",
          body: lookupBody,
          response: { 201: windowOut, ...errorResponses },
        },
      },
      async (req, reply) => reply.status(201).send(await services.lookup(principalOf(req), req.body)),
    )
    app.get(
      '/services/window/:number',
      {
        schema: {
          tags,
          summary: 'A window visit again (read again, audited)',
          params: z.object({ number: visitNumber }),
          response: { 200: windowOut, ...errorResponses },
        },
      },
      (req) => services.visit(principalOf(req), req.params.number),
    )
    app.get(
      '/services/window/:number/items/:code',
      {
        schema: {
          tags,
          summary: "An item's materials for this resident: 免提交 where the shared data proves them (source, date)",
          params: z.object({ number: visitNumber, code: itemCode }),
          response: { 200: checklistOut, ...errorResponses },
        },
      },
      (req) => services.checklist(principalOf(req), req.params.number, req.params.code),
    )
    app.post(
      '/services/window/:number/applications',
      {
        schema: {
          tags,
          summary: 'Submit an application: it runs as a case of the item, sent to the department at once',
          params: z.object({ number: visitNumber }),
          body: applyBody,
          response: { 201: applicationDetail, ...errorResponses },
        },
      },
      async (req, reply) => reply.status(201).send(await services.apply(principalOf(req), req.params.number, req.body)),
    )

    app.get(
      '/services/applications',
      {
        schema: {
          tags,
          summary: 'Applications the caller sees (their area, or their department’s)',
          querystring: applicationsQuery.extend(pagingQuery.shape),
          response: { 200: pageOf(applicationOut), ...errorResponses },
        },
      },
      (req) => {
        const { page, pageSize, ...f } = req.query
        return services.applications(principalOf(req), f, page, pageSize)
      },
    )
    app.get(
      '/services/applications/:id',
      {
        schema: {
          tags,
          summary: 'One application with its checklist',
          params: id,
          response: { 200: applicationDetail, ...errorResponses },
        },
      },
      (req) => services.application(principalOf(req), req.params.id),
    )
    app.post(
      '/services/applications/:id/decide',
      {
        schema: {
          tags,
          summary: 'The department approves or rejects (its case is accepted and handled with the decision)',
          params: id,
          body: decideBody,
          response: { 200: applicationDetail, ...errorResponses },
        },
      },
      (req) => services.decide(principalOf(req), req.params.id, req.body),
    )

    app.get(
      '/services/offers',
      {
        schema: {
          tags,
          summary: 'Proactive offers (主动服务) in the caller’s grids',
          querystring: offersQuery.extend(pagingQuery.shape),
          response: { 200: pageOf(offerOut), ...errorResponses },
        },
      },
      (req) => {
        const { page, pageSize, ...f } = req.query
        return services.offers(principalOf(req), f, page, pageSize)
      },
    )
    app.post(
      '/services/offers/:id/outcome',
      {
        schema: {
          tags,
          summary: 'The grid worker’s answer to an offer: applied, declined, not reachable',
          params: id,
          body: outcomeBody,
          response: {
            200: z.object({ id: z.number().int(), status: z.string(), version: z.number().int(), label: z.string() }),
            ...errorResponses,
          },
        },
      },
      (req) => services.offerOutcome(principalOf(req), req.params.id, req.body),
    )
    app.get(
      '/services/stats',
      {
        schema: {
          tags,
          summary:
            'Applications per item and area, on-time rate, working days, papers spared, proactive uptake (default: 90 days)',
          querystring: figuresQuery,
          response: { 200: figuresOut, ...errorResponses },
        },
      },
      (req) => services.figures(principalOf(req), req.query),
    )
    app.post(
      '/services/proactive/run',
      {
        schema: {
          tags,
          summary: "Run the night's proactive search now (service.admin; idempotent)",
          response: { 200: runOut, ...errorResponses },
        },
      },
      (req) => {
        principalOf(req).require('service.admin')
        return services.proactive.run()
      },
    )
  }
