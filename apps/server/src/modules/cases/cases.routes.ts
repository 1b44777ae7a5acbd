import {
  beijingMinute,
  CASE_SOURCE_LABELS,
  CASE_STATUS_LABELS,
  CASE_STATUSES,
  CASE_TRANSITIONS,
  CATALOG_CODE,
  durationWords,
  SUPERVISION_LABELS,
} from '@wangge/domain'
import type { FastifyReply } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { areaCode, errorResponses, regionCode } from '../../http/schemas.js'
import { AppError } from '../../kernel/errors.js'
import { pageOf, pagingQuery } from '../../kernel/paging.js'
import { type StatsTable, tableFile } from '../../kernel/table-file.js'
import { principalOf } from '../access/index.js'
import { ATTACHMENT_TYPES, type AttachmentsService, MAX_ATTACHMENT_BYTES } from './attachments.service.js'
import type { CaseSettingsService } from './case-settings.service.js'
import type { CasesService } from './cases.service.js'

const id = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER)
const status = z.enum(CASE_STATUSES)
const limit = z.object({ amount: z.number(), unit: z.enum(['working_hours', 'working_days', 'natural_hours']) })
const photos = z.array(z.number().int().positive()).max(9)
const text = (max: number) => z.string().trim().min(1).max(max)

const caseView = z
  .object({
    id: z.number(),
    number: z.string(),
    kind: z.enum(['event', 'component', 'service']),
    catalogCode: z.string(),
    catalogVersion: z.number(),
    urgency: z.enum(['normal', 'urgent']),
    limit,
    status,
    source: z.string(),
    description: z.string(),
    address: z.string().nullable(),
    lng: z.number(),
    lat: z.number(),
    communityCode: z.string(),
    gridCode: z.string().nullable(),
    componentCode: z.string().nullable(),
    reporter: z.string(),
    reporterName: z.string().nullable(),
    reporterPhone: z.string().nullable(),
    department: z.string().nullable(),
    routingBasis: z.string().nullable(),
    reportedAt: z.string(),
    registeredAt: z.string().nullable(),
    dispatchedAt: z.string().nullable(),
    deadline: z.string().nullable(),
    returnBy: z.string().nullable(),
    acceptedAt: z.string().nullable(),
    handledAt: z.string().nullable(),
    verifiedAt: z.string().nullable(),
    closedAt: z.string().nullable(),
    overdue: z.boolean(),
    minutesLeft: z.number().nullable().describe('Minutes of the limit’s clock left (working minutes for working-time limits)'),
    pausedMinutes: z.number().nullable(),
    extensionRequest: z.object({ days: z.number(), reason: z.string(), by: z.string(), at: z.string() }).nullable(),
    extendedDays: z.number(),
    escalationLevel: z.number(),
    supervision: z.enum(['none', 'reminded', 'yellow', 'red']),
    handledOnTime: z.boolean().nullable(),
    closedOnTime: z.boolean().nullable(),
    reworkCount: z.number(),
    dispatchCount: z.number(),
    satisfaction: z.string().nullable(),
    score: z.number().nullable(),
    duplicateOf: z.number().nullable(),
    version: z.number(),
    updatedAt: z.string(),
    actions: z.array(z.string()).describe('The actions the caller may take now (the shared transition table × permissions)'),
  })
  .meta({ id: 'Case' })
/** The ledger's filter (the list and its export). */
const caseFilter = z.object({
  status: z
    .string()
    .optional()
    .transform((v) => (v ? v.split(',') : undefined))
    .pipe(z.array(status).optional()),
  region: areaCode.optional(),
  department: z.string().max(40).optional(),
  catalog: z.string().regex(CATALOG_CODE).optional(),
  class: z
    .string()
    .regex(/^[A-Z]\d{2}$/, 'A class: kind letter and two digits, e.g. E01')
    .optional(),
  overdue: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => (v === undefined ? undefined : v === 'true')),
  supervision: z.enum(['none', 'reminded', 'yellow', 'red']).optional(),
  /** Escalated at least to this level: a command centre's supervision queue. */
  escalation: z.enum(['street', 'district', 'city']).optional(),
  mine: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true'),
  q: z.string().trim().min(1).max(60).optional(),
  sort: z
    .enum(['newest', 'deadline', 'oldest'])
    .optional()
    .describe('newest first (default), the nearest deadline first, or oldest first'),
})
const LEDGER_EXPORT_LIMIT = 50_000

const LEDGER_COLUMNS = [
  ['number', '案件编号', 'Number'],
  ['class', '类别', 'Class'],
  ['description', '描述', 'Description'],
  ['address', '地址', 'Address'],
  ['grid', '网格', 'Grid'],
  ['source', '来源', 'Source'],
  ['reporter', '上报人', 'Reporter'],
  ['department', '责任部门', 'Department'],
  ['status', '状态', 'Status'],
  ['remaining', '剩余时间', 'Time left'],
  ['supervision', '督办', 'Supervision'],
  ['reportedAt', '上报时间', 'Reported (Beijing)'],
  ['deadline', '处置时限', 'Deadline (Beijing)'],
] as const

/** The ledger as a table: every column the console's ledger shows, in people's words. */
function ledgerTable(l: Awaited<ReturnType<CasesService['ledger']>>, lang: 'zh' | 'en'): StatsTable {
  const zh = lang === 'zh'
  const at = (s: string | null) => (s ? beijingMinute(new Date(s)) : '')
  return {
    title: zh
      ? `案件台账（${l.items.length.toLocaleString('en')} / ${l.total.toLocaleString('en')} 件）`
      : `Case ledger (${l.items.length} of ${l.total})`,
    columns: LEDGER_COLUMNS.map(([key, zhHeader, enHeader]) => ({ key, header: zh ? zhHeader : enHeader })),
    rows: l.items.map((c) => ({
      number: c.number,
      class: `${c.catalogCode} ${l.catalog.get(c.catalogCode)?.[lang] ?? ''}`.trim(),
      description: c.description,
      address: c.address,
      grid: c.gridCode ?? c.communityCode,
      source: CASE_SOURCE_LABELS[c.source as keyof typeof CASE_SOURCE_LABELS]?.[lang] ?? c.source,
      reporter: c.reporterName ?? c.reporter,
      department: c.department ? (l.departments.get(c.department)?.[lang] ?? c.department) : '',
      status: CASE_STATUS_LABELS[c.status][lang],
      remaining: c.overdue ? (zh ? '已超时' : 'overdue') : c.minutesLeft === null ? '' : durationWords(c.minutesLeft, lang),
      supervision: SUPERVISION_LABELS[c.supervision][lang],
      reportedAt: at(c.reportedAt),
      deadline: at(c.deadline),
    })),
  }
}

const duplicate = z.object({ id: z.number(), number: z.string(), status, distanceM: z.number(), reportedAt: z.string() })
const attachment = z
  .object({
    id: z.number(),
    sha256: z.string(),
    mime: z.string(),
    size: z.number(),
    width: z.number().nullable(),
    height: z.number().nullable(),
    url: z.string(),
    thumbnailUrl: z.string(),
  })
  .meta({ id: 'Attachment' })
const indicatorCounts = z.record(z.string(), z.number())
const indicatorRates = z.record(z.string(), z.number().nullable())
const schedule = z
  .array(z.tuple([z.number().int().min(0).max(1440), z.number().int().min(0).max(1440)]))
  .min(1)
  .max(6)
const settingsBody = z.object({
  schedule,
  duplicates: z.object({
    radiusM: z.number().min(1).max(2000),
    hours: z
      .number()
      .min(1)
      .max(24 * 30),
  }),
  supervision: z.object({ remindShare: z.number().min(0).max(0.9), redAfterWorkingDays: z.number().int().min(1).max(30) }),
  returnWindowDays: z.number().min(0.5).max(10),
})
const stepBody = z.object({
  action: z.enum(CASE_TRANSITIONS.map((t) => t.action) as [string, ...string[]]),
  version: z.number().int().min(1),
  note: text(2000).optional(),
  reason: text(500).optional(),
  department: z.string().max(40).optional(),
  result: text(2000).optional(),
  photos: photos.optional(),
  satisfaction: z.enum(['satisfied', 'basically_satisfied', 'dissatisfied']).optional(),
  days: z.number().positive().max(60).optional(),
  approve: z.boolean().optional(),
  score: z.number().int().min(1).max(5).optional(),
  target: z.number().int().positive().optional(),
})
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD')

export const casesRoutes =
  ({
    cases,
    attachments,
    settings,
  }: {
    cases: CasesService
    attachments: AttachmentsService
    settings: CaseSettingsService
  }): FastifyPluginAsyncZod =>
  async (app) => {
    const tags = ['cases']
    app.get(
      '/cases/workflow',
      {
        schema: {
          tags,
          summary: 'The transition table the server enforces (statuses, actions, permissions, what each step needs)',
          response: {
            200: z.object({
              statuses: z.array(z.string()),
              transitions: z.array(
                z.object({
                  action: z.string(),
                  zh: z.string(),
                  from: z.array(z.string()),
                  to: z.string().nullable(),
                  permission: z.string(),
                  requires: z.array(z.string()),
                }),
              ),
            }),
            ...errorResponses,
          },
        },
      },
      (req) => {
        principalOf(req).require('region.read')
        return {
          statuses: [...CASE_STATUSES],
          transitions: CASE_TRANSITIONS.map((t) => ({ ...t, from: [...t.from], requires: [...t.requires] })),
        }
      },
    )

    app.post(
      '/cases',
      {
        schema: {
          tags,
          summary: 'Report a case (grid worker on site, resident, department or hotline); the location decides the grid',
          description:
            'Give `lng`/`lat` or a `component`. Re-sending with the same `clientId` returns the case already created (`replayed: true`). ' +
            'The answer lists open cases of the same subclass nearby (`duplicates`) for the acceptor to merge.',
          body: z.object({
            catalog: z.string().regex(CATALOG_CODE),
            urgency: z.enum(['normal', 'urgent']).optional(),
            description: text(2000),
            lng: z.number().min(-180).max(180).optional(),
            lat: z.number().min(-90).max(90).optional(),
            address: text(200).optional(),
            component: z
              .string()
              .regex(/^\d{16}$/)
              .optional(),
            photos: photos.optional(),
            source: z.enum(['grid_worker', 'resident', 'department', 'hotline']).optional(),
            reporterName: text(50).optional(),
            reporterPhone: z
              .string()
              .regex(/^\+?[0-9-]{5,20}$/)
              .optional(),
            clientId: z
              .string()
              .regex(/^[A-Za-z0-9_-]{8,64}$/)
              .optional(),
          }),
          response: {
            200: caseView.extend({ duplicates: z.array(duplicate), replayed: z.boolean() }),
            201: caseView.extend({ duplicates: z.array(duplicate), replayed: z.boolean() }),
            ...errorResponses,
          },
        },
      },
      async (req, reply) => {
        const r = await cases.report(principalOf(req), req.body)
        return reply.status(r.replayed ? 200 : 201).send(r)
      },
    )

    app.get(
      '/cases/export',
      {
        schema: {
          tags,
          summary: 'The filtered ledger (台账) as xlsx or csv: at most 50,000 cases, in the ledger’s order',
          querystring: caseFilter.extend({
            format: z.enum(['xlsx', 'csv']).default('xlsx'),
            lang: z.enum(['zh-CN', 'en']).default('zh-CN'),
          }),
          response: errorResponses,
        },
      },
      async (req, reply) => {
        const { format, lang, ...f } = req.query
        const l = await cases.ledger(principalOf(req), f, LEDGER_EXPORT_LIMIT)
        const file = await tableFile(ledgerTable(l, lang === 'en' ? 'en' : 'zh'), format)
        return (reply as FastifyReply)
          .header('content-type', file.type)
          .header('content-disposition', `attachment; filename="cases-${f.region ?? 'all'}.${format}"`)
          .send(file.body)
      },
    )

    app.get(
      '/cases/points',
      {
        schema: {
          tags,
          summary: 'Open cases under a region as one GeoJSON FeatureCollection for the map (most urgent first)',
          description:
            'Properties: id, number, status, catalog, overdue; `total` says how many are open in all when `limit` cut the list.',
          querystring: z.object({
            region: areaCode,
            limit: z.coerce.number().int().min(1).max(50_000).default(20_000),
          }),
          produces: ['application/geo+json'],
        },
      },
      async (req, reply) =>
        reply.type('application/geo+json').send(await cases.points(principalOf(req), req.query.region, req.query.limit)),
    )
    app.get(
      '/cases',
      {
        schema: {
          tags,
          summary: 'Cases in the caller’s scope (a department’s: those dispatched to it; a resident’s: their own)',
          querystring: pagingQuery.extend(caseFilter.shape),
          response: { 200: pageOf(caseView), ...errorResponses },
        },
      },
      (req) => {
        const { page, pageSize, ...f } = req.query
        return cases.list(principalOf(req), f, page, pageSize)
      },
    )

    app.get(
      '/cases/indicators',
      {
        schema: {
          tags,
          summary:
            'Evaluation indicators (handling, on-time handling, rework, close, on-time close, satisfaction) for a region and period',
          querystring: z.object({
            region: regionCode,
            from: z.iso.datetime({ offset: true }).or(day),
            to: z.iso.datetime({ offset: true }).or(day),
            by: z.enum(['department', 'children', 'none']).default('none'),
          }),
          response: {
            200: z.object({
              region: z.string(),
              from: z.string(),
              to: z.string(),
              by: z.string(),
              groups: z.array(z.object({ key: z.string(), counts: indicatorCounts, rates: indicatorRates })),
            }),
            ...errorResponses,
          },
        },
      },
      (req) => {
        const at = (s: string) => new Date(s.length === 10 ? `${s}T00:00:00+08:00` : s)
        return cases.indicators(principalOf(req), {
          region: req.query.region,
          from: at(req.query.from),
          to: at(req.query.to),
          by: req.query.by,
        })
      },
    )

    app.get(
      '/cases/notices',
      {
        schema: {
          tags,
          summary:
            'What the caller has been told: outcomes of their reports (also merged ones), reminders and cards for their department',
          querystring: pagingQuery,
          response: {
            200: pageOf(
              z.object({
                id: z.number(),
                caseId: z.number(),
                caseNumber: z.string(),
                kind: z.string(),
                message: z.string(),
                createdAt: z.string(),
                readAt: z.string().nullable(),
              }),
            ),
            ...errorResponses,
          },
        },
      },
      (req) => cases.notices(principalOf(req), req.query.page, req.query.pageSize),
    )

    app.get(
      '/cases/:id',
      {
        schema: {
          tags,
          summary: 'One case, with the actions the caller may take, duplicate suggestions and merged reports',
          params: z.object({ id }),
          response: {
            200: caseView.extend({
              duplicates: z.array(duplicate),
              merged: z.array(z.object({ id: z.number(), number: z.string() })),
            }),
            ...errorResponses,
          },
        },
      },
      (req) => cases.get(principalOf(req), req.params.id),
    )

    app.get(
      '/cases/:id/timeline',
      {
        schema: {
          tags,
          summary: 'Every step of a case: actor, time, note, attachments',
          params: z.object({ id }),
          response: {
            200: z.array(
              z.object({
                id: z.number(),
                at: z.string(),
                action: z.string(),
                fromStatus: z.string().nullable(),
                toStatus: z.string(),
                actor: z.string(),
                note: z.string().nullable(),
                details: z.record(z.string(), z.unknown()),
                attachments: z.array(
                  z.object({
                    id: z.number(),
                    sha256: z.string(),
                    mime: z.string(),
                    size: z.number(),
                    url: z.string(),
                    thumbnailUrl: z.string(),
                  }),
                ),
              }),
            ),
            ...errorResponses,
          },
        },
      },
      (req) => cases.timeline(principalOf(req), req.params.id),
    )

    app.post(
      '/cases/:id/actions',
      {
        schema: {
          tags,
          summary:
            'Take a step: register, cancel, merge, self_handle, dispatch, accept, return, handle, verify_pass, verify_fail, callback_*, close, extensions, park, escalate, evaluate',
          description:
            'Send the case `version` you saw: a concurrent step answers 409 VERSION_CONFLICT; a step the status does not allow answers 409 INVALID_TRANSITION with `details.allowed`.',
          params: z.object({ id }),
          body: stepBody,
          response: { 200: caseView, ...errorResponses },
        },
      },
      (req) => cases.act(principalOf(req), req.params.id, req.body),
    )

    app.post(
      '/cases/actions',
      {
        schema: {
          tags,
          summary: 'Steps on many cases at once (e.g. 批量派遣): each item is checked as a single step; each answers on its own',
          description:
            'Up to 500 items, each `{id, action, version, …}` as for one case. The successful ones are written together in one transaction; a failing item reports its own `{code, message, details}` and does not stop the others.',
          body: z.object({ items: z.array(stepBody.extend({ id })).min(1).max(500) }),
          querystring: z.object({
            /** `brief`: each success answers only its new status and version, not the whole case. */
            answer: z.enum(['case', 'brief']).default('case'),
          }),
          response: {
            200: z.object({
              results: z.array(
                z.object({
                  id: z.number(),
                  ok: z.boolean(),
                  case: caseView.optional(),
                  status: z.enum(CASE_STATUSES).optional(),
                  version: z.number().optional(),
                  error: z
                    .object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() })
                    .optional(),
                }),
              ),
            }),
            ...errorResponses,
          },
        },
      },
      async (req) => {
        const p = principalOf(req)
        const results =
          req.query.answer === 'brief' ? await cases.stepMany(p, req.body.items) : await cases.actMany(p, req.body.items)
        return {
          results: results.map((r, i) => {
            const caseId = req.body.items[i]?.id as number
            if ('error' in r)
              return { id: caseId, ok: false, error: { code: r.error.code, message: r.error.message, details: r.error.details } }
            return 'case' in r
              ? { id: caseId, ok: true, case: r.case }
              : { id: caseId, ok: true, status: r.status, version: r.version }
          }),
        }
      },
    )

    // Evidence: raw image bodies.
    app.addContentTypeParser(ATTACHMENT_TYPES, { parseAs: 'buffer', bodyLimit: MAX_ATTACHMENT_BYTES }, (_req, body, done) =>
      done(null, body),
    )
    app.post(
      '/attachments',
      {
        bodyLimit: MAX_ATTACHMENT_BYTES,
        schema: {
          tags,
          summary: 'Upload a photo (the raw JPEG, PNG or WebP bytes as the body); returns its id for reports and steps',
          response: { 201: attachment, ...errorResponses },
        },
      },
      async (req, reply) => {
        if (!Buffer.isBuffer(req.body))
          throw new AppError('UNSUPPORTED_MEDIA_TYPE', `Send the image itself as ${ATTACHMENT_TYPES.join(', ')}`, {
            accepted: ATTACHMENT_TYPES,
          })
        return reply.status(201).send(await attachments.upload(principalOf(req), req.body))
      },
    )
    for (const thumbnail of [false, true])
      app.get(
        thumbnail ? '/attachments/:id/thumbnail' : '/attachments/:id',
        {
          schema: {
            tags,
            summary: thumbnail ? 'A photo’s 320-pixel JPEG thumbnail' : 'A photo as uploaded',
            params: z.object({ id }),
          },
        },
        async (req, reply) => {
          const a = await attachments.read(principalOf(req), req.params.id, thumbnail)
          return reply
            .header('content-type', a.mime)
            .header('etag', a.etag)
            .header('cache-control', 'private, max-age=86400')
            .send(a.body)
        },
      )

    app.get(
      '/settings/cases',
      {
        schema: {
          tags,
          summary: 'Office hours, duplicate window, reminders and supervision cards, return window',
          response: { 200: settingsBody.extend({ version: z.number() }), ...errorResponses },
        },
      },
      (req) => settings.get(principalOf(req)),
    )
    app.put(
      '/settings/cases',
      {
        schema: {
          tags,
          summary: 'Change the case settings (with the version you saw and a reason); applies from now on',
          body: settingsBody.partial().extend({ version: z.number().int().min(0), reason: text(500) }),
          response: { 200: settingsBody.extend({ version: z.number() }), ...errorResponses },
        },
      },
      (req) => settings.update(principalOf(req), req.body),
    )
    app.get(
      '/calendar',
      {
        schema: {
          tags,
          summary: 'The working calendar of a year: its source (official or fallback), exceptions, and every non-ordinary day',
          querystring: z.object({ year: z.coerce.number().int().min(2000).max(2100) }),
          response: {
            200: z.object({
              year: z.number(),
              coverage: z.enum(['official', 'provisional']),
              note: z.string(),
              schedule: z.array(z.tuple([z.number(), z.number()])),
              exceptions: z.array(z.object({ day: z.string(), workday: z.boolean(), note: z.string(), createdBy: z.string() })),
              special: z.array(z.object({ day: z.string(), workday: z.boolean() })),
            }),
            ...errorResponses,
          },
        },
      },
      (req) => settings.calendar(principalOf(req), req.query.year),
    )
    app.put(
      '/calendar/days/:day',
      {
        schema: {
          tags,
          summary: 'Declare a day a holiday or a workday (for years chinese-days does not cover yet, or local corrections)',
          params: z.object({ day }),
          body: z.object({ workday: z.boolean(), note: text(200) }),
          response: { 204: z.null(), ...errorResponses },
        },
      },
      async (req, reply) => {
        await settings.setDay(principalOf(req), { day: req.params.day, ...req.body })
        return reply.status(204).send(null)
      },
    )
    app.put(
      '/calendar/years/:year',
      {
        schema: {
          tags,
          summary:
            'Import a year’s official schedule (holidays and adjusted workdays) in place of its exceptions; running deadlines that span a changed day are laid out again, audited, and their departments told',
          params: z.object({ year: z.coerce.number().int().min(2000).max(2100) }),
          body: z.object({
            holidays: z.array(day).max(60),
            workdays: z.array(day).max(30).describe('adjusted workdays (调休上班), weekend days worked'),
            note: text(200),
          }),
          response: { 200: z.object({ year: z.number(), retimed: z.number().int() }), ...errorResponses },
        },
      },
      async (req) => ({
        year: req.params.year,
        ...(await settings.importYear(principalOf(req), { year: req.params.year, ...req.body })),
      }),
    )
    app.delete(
      '/calendar/days/:day',
      {
        schema: {
          tags,
          summary: 'Remove a calendar exception',
          params: z.object({ day }),
          response: { 204: z.null(), ...errorResponses },
        },
      },
      async (req, reply) => {
        await settings.deleteDay(principalOf(req), req.params.day)
        return reply.status(204).send(null)
      },
    )
  }
