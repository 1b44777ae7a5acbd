// Routes of the residents' channels: the public ones (no account; limited per address, proofs of
// work, phone codes) under /public/, and the staff's (moderation, the outbox) behind login.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { errorResponses } from '../../http/schemas.js'
import { pageOf, pagingQuery } from '../../kernel/paging.js'
import { principalOf } from '../access/index.js'
import type { Notifier } from './notifier.js'
import type { Open311 } from './open311.js'
import {
  caseNumber,
  followOut,
  notificationOut,
  pageKey,
  pow,
  proofQuery,
  publicCaseOut,
  reportBody,
} from './residents.schemas.js'
import type { ResidentsService } from './residents.service.js'

const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'application/octet-stream']

export interface ChannelLimits {
  /** Reports (and me-toos) per client address per hour. */
  reportsPerHour: number
  /** Photos per client address per hour. */
  photosPerHour: number
  /** Codes asked per client address per hour. */
  codesPerHour: number
  /** Everything else (reads) per client address per minute. */
  readsPerMinute: number
}

export const DEFAULT_LIMITS: ChannelLimits = { reportsPerHour: 30, photosPerHour: 90, codesPerHour: 10, readsPerMinute: 240 }

const hour = (max: number) => ({ rateLimit: { max, timeWindow: 3_600_000 } })

export const residentsRoutes =
  (
    residents: ResidentsService,
    notifier: Notifier,
    open311: Open311,
    limits: ChannelLimits = DEFAULT_LIMITS,
  ): FastifyPluginAsyncZod =>
  async (app) => {
    const tags = ['residents']
    const reads = { rateLimit: { max: limits.readsPerMinute, timeWindow: 60_000 } }
    const caller = (req: { ip: string; id: string }, key: string) => ({ key, ip: req.ip, requestId: req.id })
    app.addContentTypeParser(PHOTO_TYPES, { parseAs: 'buffer', bodyLimit: 6 * 1024 * 1024 }, (_req, body, done) =>
      done(null, body),
    )

    app.get(
      '/public/classes',
      {
        config: reads,
        schema: {
          tags,
          summary: 'The problems a resident may report, in plain words with an icon',
          response: {
            200: z.array(z.object({ code: z.string(), zh: z.string(), en: z.string(), icon: z.string() })),
            ...errorResponses,
          },
        },
      },
      () => residents.classes().map(({ code, zh, en, icon }) => ({ code, zh, en, icon })),
    )

    app.get(
      '/public/addresses',
      {
        config: reads,
        schema: {
          tags,
          summary: 'Street addresses starting with the text typed (buildings of the base database; no flat, no resident)',
          querystring: z.object({ q: z.string().max(60) }),
          response: {
            200: z.array(z.object({ address: z.string(), lng: z.number(), lat: z.number() })),
            ...errorResponses,
          },
        },
      },
      (req) => residents.addresses(req.query.q),
    )

    app.get(
      '/public/surroundings',
      {
        config: reads,
        schema: {
          tags,
          summary: 'The buildings (points, street addresses) of the community at a position, to place a pin on a map',
          description: 'Without a position: some community of the city, where the page opens before the resident locates.',
          querystring: z
            .object({ lng: z.coerce.number().min(-180).max(180).optional(), lat: z.coerce.number().min(-90).max(90).optional() })
            .refine((q) => (q.lng === undefined) === (q.lat === undefined), 'Give both lng and lat, or neither'),
          response: {
            200: z.object({
              community: z.string().nullable(),
              name: z.string().nullable(),
              buildings: z.array(z.object({ address: z.string(), lng: z.number(), lat: z.number() })),
            }),
            ...errorResponses,
          },
        },
      },
      (req) => residents.surroundings(req.query.lng, req.query.lat),
    )

    app.get(
      '/public/challenge',
      {
        config: reads,
        schema: {
          tags,
          summary: 'A proof-of-work challenge (ALTCHA, SHA-256) to solve in the browser before a report, a me-too or a code',
          response: {
            200: z.object({ parameters: z.record(z.string(), z.unknown()), signature: z.string().optional() }),
            ...errorResponses,
          },
        },
      },
      async (_req, reply) => {
        reply.header('cache-control', 'no-store')
        return residents.challenge()
      },
    )

    app.post(
      '/public/phone-codes',
      {
        config: hour(limits.codesPerHour),
        schema: {
          tags,
          summary: 'Send a one-time code to a mobile phone (through the notification outbox)',
          body: z.object({ phone: z.string().max(20), pow }),
          response: { 201: z.object({ sent: z.boolean(), expiresInSeconds: z.number() }), ...errorResponses },
        },
      },
      async (req, reply) => reply.status(201).send(await residents.sendCode(req.body.phone, req.body.pow, caller(req, 'code'))),
    )

    app.get(
      '/public/nearby',
      {
        config: reads,
        schema: {
          tags,
          summary: 'Open cases of the class within 250 m reported in the last 30 days: "已有人反映 — 我也遇到了"',
          querystring: z.object({ catalog: z.string().regex(/^[EC]\d{4}$/), lng: z.coerce.number(), lat: z.coerce.number() }),
          response: {
            200: z.array(publicCaseOut.extend({ meters: z.number(), description: z.string() })),
            ...errorResponses,
          },
        },
      },
      (req) => residents.nearby(req.query.catalog, req.query.lng, req.query.lat),
    )

    app.post(
      '/public/photos',
      {
        config: hour(limits.photosPerHour),
        bodyLimit: 6 * 1024 * 1024,
        schema: {
          tags,
          summary: 'Upload a photo for a report (JPEG, PNG or WebP; checked by decoding, not by its name)',
          querystring: z.object({ key: pageKey }),
          response: { 201: z.object({ id: z.number() }), ...errorResponses },
        },
      },
      async (req, reply) => {
        const a = await residents.uploadPhoto(req.body as Buffer, caller(req, req.query.key))
        return reply.status(201).send({ id: a.id })
      },
    )

    app.post(
      '/public/reports',
      {
        config: hour(limits.reportsPerHour),
        schema: {
          tags,
          summary:
            'Report a problem: a case like any other (routed, deadlined, closed); answers the tracking number and the link token',
          body: reportBody,
          response: {
            201: z.object({ number: z.string(), token: z.string(), replayed: z.boolean() }),
            200: z.object({ number: z.string(), token: z.string(), replayed: z.boolean() }),
            ...errorResponses,
          },
        },
      },
      async (req, reply) => {
        const { key, ...input } = req.body
        const out = await residents.report(input, caller(req, key))
        return reply.status(out.replayed ? 200 : 201).send(out)
      },
    )

    app.post(
      '/public/reports/:number/metoo',
      {
        config: hour(limits.reportsPerHour),
        schema: {
          tags,
          summary: '"我也遇到了": follow an open case instead of reporting it again (told as the reporter is)',
          params: z.object({ number: caseNumber }),
          body: z.object({
            key: pageKey,
            phone: z.string().max(20).optional(),
            code: z
              .string()
              .regex(/^\d{6}$/)
              .optional(),
            pow,
          }),
          response: { 201: z.object({ number: z.string(), token: z.string(), followers: z.number() }), ...errorResponses },
        },
      },
      async (req, reply) => {
        const { key, ...input } = req.body
        return reply.status(201).send(await residents.metoo(req.params.number, input, caller(req, key)))
      },
    )

    app.get(
      '/public/reports/:number',
      {
        config: reads,
        schema: {
          tags,
          summary: "Follow a report: its status in plain words, the deadline, the public steps, the fix's photos",
          params: z.object({ number: caseNumber }),
          querystring: proofQuery,
          response: { 200: followOut, ...errorResponses },
        },
      },
      async (req, reply) => {
        reply.header('cache-control', 'no-store')
        return residents.follow(req.params.number, req.query)
      },
    )

    app.get(
      '/public/reports/:number/photos/:id',
      {
        config: reads,
        schema: {
          tags,
          summary: 'A photo of a public step of the report (for its reporter or follower)',
          params: z.object({ number: caseNumber, id: z.coerce.number().int().positive() }),
          querystring: proofQuery.extend({ thumbnail: z.coerce.boolean().default(false) }),
        },
      },
      async (req, reply) => {
        const f = await residents.photo(req.params.number, req.params.id, req.query, req.query.thumbnail)
        return reply.header('content-type', f.mime).header('cache-control', 'private, max-age=3600').send(f.body)
      },
    )

    app.post(
      '/public/reports/:number/confirm',
      {
        config: hour(limits.reportsPerHour),
        schema: {
          tags,
          summary: 'The reporter confirms the fix and rates it (closes the case), or says it is not fixed (back to rework)',
          params: z.object({ number: caseNumber }),
          body: proofQuery.extend({
            key: pageKey,
            fixed: z.boolean(),
            satisfaction: z.enum(['satisfied', 'basically_satisfied', 'dissatisfied']),
            comment: z.string().trim().max(500).optional(),
          }),
          response: { 200: followOut, ...errorResponses },
        },
      },
      (req) => {
        const { key, ...input } = req.body
        return residents.confirm(req.params.number, input, caller(req, key))
      },
    )

    app.post(
      '/public/reports/:number/flag',
      {
        config: hour(limits.reportsPerHour),
        schema: {
          tags,
          summary: 'Flag a report as inappropriate (a moderator decides)',
          params: z.object({ number: caseNumber }),
          response: { 200: z.object({ flagged: z.boolean() }), ...errorResponses },
        },
      },
      (req) => residents.flag(req.params.number),
    )

    app.get(
      '/public/map',
      {
        config: reads,
        schema: {
          tags,
          summary:
            'Open and recently closed (30 days) reports of the residents’ classes as GeoJSON: class, status, age; sensitive places blurred',
          querystring: z.object({
            bbox: z
              .string()
              .regex(/^-?\d+(\.\d+)?(,-?\d+(\.\d+)?){3}$/)
              .optional()
              .describe('west,south,east,north'),
          }),
          response: {
            200: z.object({
              type: z.literal('FeatureCollection'),
              features: z.array(
                z.object({
                  type: z.literal('Feature'),
                  geometry: z.object({ type: z.literal('Point'), coordinates: z.tuple([z.number(), z.number()]) }),
                  properties: z.object({
                    number: z.string(),
                    className: z.string(),
                    icon: z.string(),
                    status: z.string(),
                    statusText: z.string(),
                    ageDays: z.number(),
                    followers: z.number(),
                    blurred: z.boolean(),
                  }),
                }),
              ),
            }),
            ...errorResponses,
          },
        },
      },
      (req) =>
        residents.map(req.query.bbox ? (req.query.bbox.split(',').map(Number) as [number, number, number, number]) : undefined),
    )

    app.post(
      '/public/opt-out',
      {
        config: hour(limits.codesPerHour),
        schema: {
          tags,
          summary: 'Stop (or resume) notifications to a phone, proven by a code',
          body: z.object({
            phone: z.string().max(20),
            code: z.string().regex(/^\d{6}$/),
            out: z.boolean().default(true),
          }),
          response: { 200: z.object({ phone: z.string(), optedOut: z.boolean() }), ...errorResponses },
        },
      },
      (req) => residents.optOut(req.body.phone, req.body),
    )

    // ---- staff
    app.put(
      '/residents/reports/:number/moderation',
      {
        schema: {
          tags,
          summary: "Hide (or show again) a public report's text and photos; the case keeps them (resident.moderate)",
          params: z.object({ number: caseNumber }),
          body: z.object({ hidden: z.boolean(), reason: z.string().trim().min(2).max(500) }),
          response: { 200: z.object({ number: z.string(), hidden: z.boolean() }), ...errorResponses },
        },
      },
      (req) => residents.moderate(principalOf(req), req.params.number, req.body),
    )

    app.get(
      '/residents/flagged',
      {
        schema: {
          tags,
          summary: 'Public reports flagged as inappropriate and not hidden yet (resident.moderate)',
          response: {
            200: z.array(publicCaseOut.extend({ description: z.string(), flagged: z.number() })),
            ...errorResponses,
          },
        },
      },
      (req) => residents.flagged(principalOf(req)),
    )

    app.get(
      '/residents/callers/:phone/cases',
      {
        schema: {
          tags,
          summary: "A caller's earlier cases (12345 desk): reported from the phone or followed with it, in the operator's scope",
          params: z.object({ phone: z.string().max(20) }),
          response: {
            200: z.array(
              publicCaseOut.extend({
                id: z.number(),
                catalog: z.string(),
                caseStatus: z.string(),
                description: z.string(),
                address: z.string().nullable(),
                source: z.string(),
                satisfaction: z.string().nullable(),
                followed: z.boolean(),
              }),
            ),
            ...errorResponses,
          },
        },
      },
      (req) => residents.callerCases(principalOf(req), req.params.phone),
    )

    const client = z.object({
      id: z.number(),
      name: z.string(),
      prefix: z.string(),
      perMinute: z.number(),
      createdBy: z.string(),
      createdAt: z.string(),
      revoked: z.boolean(),
    })
    app.get(
      '/open311/clients',
      {
        schema: {
          tags,
          summary: 'Open311 clients and their API keys (prefix only) (open311.admin)',
          response: { 200: z.array(client), ...errorResponses },
        },
      },
      (req) => open311.clients(principalOf(req)),
    )
    app.post(
      '/open311/clients',
      {
        schema: {
          tags,
          summary: 'Issue an API key to an Open311 client (shown once) with its rate per minute (open311.admin)',
          body: z.object({ name: z.string().trim().min(2).max(100), perMinute: z.number().int().min(1).max(10_000).default(60) }),
          response: {
            201: z.object({ id: z.number(), name: z.string(), prefix: z.string(), perMinute: z.number(), key: z.string() }),
            ...errorResponses,
          },
        },
      },
      async (req, reply) => reply.status(201).send(await open311.issue(principalOf(req), req.body)),
    )
    app.delete(
      '/open311/clients/:id',
      {
        schema: {
          tags,
          summary: "Revoke an Open311 client's API key (open311.admin)",
          params: z.object({ id: z.coerce.number().int().positive() }),
          response: { 200: z.object({ id: z.number(), revoked: z.boolean() }), ...errorResponses },
        },
      },
      (req) => open311.revoke(principalOf(req), req.params.id),
    )

    app.get(
      '/notifications',
      {
        schema: {
          tags,
          summary: 'The notification outbox: SMS, WeChat and in-app messages, sent or waiting (notification.read)',
          querystring: pagingQuery.extend({
            recipient: z.string().max(100).optional(),
            status: z.enum(['pending', 'sent', 'failed']).optional(),
          }),
          response: { 200: pageOf(notificationOut), ...errorResponses },
        },
      },
      (req) => residents.notifications(principalOf(req), req.query),
    )

    app.get(
      '/notifications/mine',
      {
        schema: {
          tags,
          summary: "The caller's in-app notifications: their department's new cases, their grids' fixes to verify",
          response: {
            200: z.array(
              z.object({
                id: z.number(),
                template: z.string(),
                text: z.string(),
                caseId: z.number().nullable(),
                createdAt: z.string(),
              }),
            ),
            ...errorResponses,
          },
        },
      },
      (req) => residents.inbox(principalOf(req)),
    )

    app.post(
      '/notifications/drain',
      {
        schema: {
          tags,
          summary: 'Send what is due now (notification.read; the sender also runs every few seconds)',
          response: { 200: z.object({ sent: z.number(), failed: z.number() }), ...errorResponses },
        },
      },
      (req) => {
        principalOf(req).require('notification.read')
        return notifier.drain()
      },
    )
  }
