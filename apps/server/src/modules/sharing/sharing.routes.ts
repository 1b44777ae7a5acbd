// Data sharing routes: the dataset catalog, the ownership map, deliveries by push (JSON) and by
// file (the raw CSV, xlsx or JSON Lines body, streamed), and what came of each delivery.
import { type Readable, Transform } from 'node:stream'
import type { CheckRule } from '@wangge/domain'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { errorResponses } from '../../http/schemas.js'
import { AppError } from '../../kernel/errors.js'
import { pageOf, pagingQuery } from '../../kernel/paging.js'
import { tableFile } from '../../kernel/table-file.js'
import { principalOf } from '../access/index.js'
import type { RawRow } from './delivery.js'
import { formatOf, openTable } from './readers.js'
import {
  boardOut,
  boardQuery,
  datasetCode,
  datasetDetail,
  datasetOut,
  definition,
  deliveryKey,
  deliveryOut,
  findingOut,
  findingsQuery,
  ownershipOut,
  pushBody,
  rejectOut,
  resolveBody,
  ruleCode,
  ruleDefinition,
  ruleDetail,
  ruleOut,
  uploadQuery,
} from './sharing.schemas.js'
import type { SharingService } from './sharing.service.js'

const tags = ['sharing']
export const FILE_TYPES = [
  'text/csv',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/x-ndjson',
  'application/jsonl',
  'application/octet-stream',
]
/** A delivered file's size limit (1M rows of a wide dataset fit well within it). */
export const MAX_FILE_BYTES = 512 * 1024 * 1024
const reason = z.string().min(2).max(500)
/** A delivery's answer: 201 when received now, 200 when it had been (the same id and content again). */
const delivered = { 200: deliveryOut.extend({ replayed: z.boolean() }), 201: deliveryOut.extend({ replayed: z.boolean() }) }

function limited(stream: Readable, max: number): Readable {
  let n = 0
  return stream.pipe(
    new Transform({
      transform(chunk: Buffer, _enc, done) {
        n += chunk.length
        if (n > max) done(new AppError('PAYLOAD_TOO_LARGE', `A delivered file has at most ${max} bytes`, { limit: max }))
        else done(null, chunk)
      },
    }),
  )
}

export function sharingRoutes(sharing: SharingService): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/sharing/datasets',
      {
        schema: {
          tags,
          summary: 'The dataset catalog (信息资源目录); a department user sees its own datasets',
          response: { 200: z.array(datasetOut), ...errorResponses },
        },
      },
      (req) => sharing.datasets(principalOf(req)),
    )
    app.post(
      '/sharing/datasets',
      {
        schema: {
          tags,
          summary: 'Add a dataset to the catalog (sharing.admin); its field groups must be free',
          body: definition.extend({ code: datasetCode, reason }),
          response: { 201: datasetDetail, ...errorResponses },
        },
      },
      async (req, reply) => {
        const { reason: why, ...d } = req.body
        return reply.status(201).send(await sharing.createDataset(principalOf(req), d, why))
      },
    )
    app.get(
      '/sharing/datasets/:code',
      {
        schema: {
          tags,
          summary: 'A dataset with its versions',
          params: z.object({ code: datasetCode }),
          response: { 200: datasetDetail, ...errorResponses },
        },
      },
      (req) => sharing.dataset(principalOf(req), req.params.code),
    )
    app.put(
      '/sharing/datasets/:code',
      {
        schema: {
          tags,
          summary: 'A new version of a dataset definition, with the reason (sharing.admin; optimistic version)',
          params: z.object({ code: datasetCode }),
          body: z.object({ definition, active: z.boolean().default(true), version: z.number().int().min(1), reason }),
          response: { 200: datasetDetail, ...errorResponses },
        },
      },
      (req) => sharing.updateDataset(principalOf(req), req.params.code, req.body),
    )
    app.get(
      '/sharing/ownership',
      {
        schema: {
          tags,
          summary: 'Who answers for each field group of the base database (谁提供、谁负责)',
          response: { 200: ownershipOut, ...errorResponses },
        },
      },
      (req) => sharing.ownership(principalOf(req)),
    )

    app.post(
      '/sharing/datasets/:code/deliveries',
      {
        bodyLimit: 32 * 1024 * 1024,
        schema: {
          tags,
          summary:
            'Push a delivery (a department machine client, ≤ 10,000 records): a snapshot or a change set, applied all-or-nothing or valid rows only; the same deliveryKey again applies nothing',
          params: z.object({ code: datasetCode }),
          body: pushBody,
          response: {
            ...delivered,
            ...errorResponses,
          },
        },
      },
      async (req, reply) => {
        const b = req.body
        const code = req.params.code
        const columns = [...new Set(b.records.flatMap((r) => Object.keys(r)))]
        const rows: RawRow[] = b.records.map((values, i) => ({ rowNo: i + 1, values }))
        const out = await sharing.deliver(principalOf(req), code, {
          deliveryKey: b.deliveryKey,
          mode: b.mode,
          policy: b.policy,
          channel: 'push',
          asOf: b.asOf ? new Date(`${b.asOf}T00:00:00+08:00`) : undefined,
          reason: b.reason,
          columns,
          rows,
          removals: b.removals,
        })
        return reply.status(out.replayed ? 200 : 201).send(out)
      },
    )

    // Files: the raw body, streamed through the reader; never held whole.
    app.addContentTypeParser(FILE_TYPES, (_req, payload, done) => done(null, payload))
    app.put(
      '/sharing/datasets/:code/deliveries/:deliveryKey/file',
      {
        schema: {
          tags,
          summary:
            'Deliver a file (the raw CSV UTF-8/GBK, xlsx or JSON Lines body, up to 1M rows): the first row names the columns (field names or their Chinese titles); an `op` column (add/change/remove) makes a change set',
          params: z.object({ code: datasetCode, deliveryKey }),
          querystring: uploadQuery,
          response: {
            ...delivered,
            ...errorResponses,
          },
        },
      },
      async (req, reply) => {
        const body = req.body as Readable | undefined
        if (!body || typeof (body as Readable).pipe !== 'function')
          throw new AppError('UNSUPPORTED_MEDIA_TYPE', `Send the file itself as one of ${FILE_TYPES.join(', ')}`, {
            accepted: FILE_TYPES,
          })
        const q = req.query
        const format = q.format ?? formatOf(q.fileName, req.headers['content-type'])
        if (!format)
          throw new AppError('UNSUPPORTED_FILE', 'Say the format (?format=csv|xlsx|jsonl) or give a file name ending in it', {})
        const { columns, rows } = await openTable(limited(body, MAX_FILE_BYTES), format)
        const out = await sharing.deliver(principalOf(req), req.params.code, {
          deliveryKey: req.params.deliveryKey,
          mode: q.mode,
          policy: q.policy,
          channel: 'upload',
          fileName: q.fileName,
          asOf: q.asOf ? new Date(`${q.asOf}T00:00:00+08:00`) : undefined,
          columns,
          rows,
        })
        return reply.status(out.replayed ? 200 : 201).send(out)
      },
    )

    app.get(
      '/sharing/deliveries',
      {
        schema: {
          tags,
          summary: 'Deliveries, newest first (a department user: its own)',
          querystring: pagingQuery.extend({ dataset: datasetCode.optional(), department: z.string().max(40).optional() }),
          response: { 200: pageOf(deliveryOut), ...errorResponses },
        },
      },
      (req) => {
        const { page, pageSize, ...f } = req.query
        return sharing.deliveries(principalOf(req), f, page, pageSize)
      },
    )
    const idParams = z.object({ id: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) })
    app.get(
      '/sharing/deliveries/:id',
      {
        schema: {
          tags,
          summary: 'One delivery and its counts',
          params: idParams,
          response: { 200: deliveryOut, ...errorResponses },
        },
      },
      (req) => sharing.delivery(principalOf(req), req.params.id),
    )
    app.get(
      '/sharing/deliveries/:id/rejects',
      {
        schema: {
          tags,
          summary:
            'Rejected rows: row number, field, problem and message (keys and values masked for others than the department)',
          params: idParams,
          querystring: pagingQuery,
          response: { 200: pageOf(rejectOut), ...errorResponses },
        },
      },
      (req) => sharing.rejects(principalOf(req), req.params.id, req.query.page, req.query.pageSize),
    )
    app.get(
      '/sharing/deliveries/:id/rejects/file',
      {
        schema: {
          tags,
          summary: 'The rejected rows as xlsx or csv, to correct and send again',
          params: idParams,
          querystring: z.object({ format: z.enum(['xlsx', 'csv']).default('xlsx') }),
        },
      },
      async (req, reply) => {
        const table = await sharing.rejectsTable(principalOf(req), req.params.id)
        const file = await tableFile(table, req.query.format)
        return reply
          .header('content-type', file.type)
          .header('content-disposition', `attachment; filename="rejects-${req.params.id}.${req.query.format}"`)
          .send(file.body)
      },
    )
    app.get(
      '/sharing/board',
      {
        schema: {
          tags,
          summary:
            "The sharing-compliance board of a month: per department due vs delivered, on time, fresh, complete, sent back, cross-check findings against its data, a composite score and 拨款风险 (budget at risk); secret datasets exempt; a department's own user sees its own",
          querystring: boardQuery,
          response: { 200: boardOut, ...errorResponses },
        },
      },
      (req) => sharing.board(principalOf(req), req.query),
    )
    app.get(
      '/sharing/board/file',
      {
        schema: {
          tags,
          summary: 'The board as xlsx or PDF (for the finance bureau)',
          querystring: boardQuery.extend({ format: z.enum(['xlsx', 'pdf', 'csv']).default('xlsx') }),
        },
      },
      async (req, reply) => {
        const { format, ...q } = req.query
        const table = await sharing.boardTable(principalOf(req), q)
        const file = await tableFile(table, format)
        return reply
          .header('content-type', file.type)
          .header('content-disposition', `attachment; filename="sharing-board-${q.month ?? 'current'}.${format}"`)
          .send(file.body)
      },
    )
    app.get(
      '/sharing/rules',
      {
        schema: {
          tags,
          summary: '共享校核 rules (data): what each compares, who answers for it, who gets the task',
          response: { 200: z.array(ruleOut), ...errorResponses },
        },
      },
      (req) => sharing.crosschecks.rules(principalOf(req)),
    )
    app.post(
      '/sharing/rules',
      {
        schema: {
          tags,
          summary:
            'Add a cross-check rule (sharing.admin, with the reason): checked against the catalog and planned by the database, never run until the next delivery or night',
          body: ruleDefinition.extend({ code: ruleCode, active: z.boolean().default(true), reason }),
          response: { 201: ruleDetail, ...errorResponses },
        },
      },
      async (req, reply) => {
        const { active, reason: why, ...rule } = req.body
        return reply
          .status(201)
          .send(await sharing.crosschecks.saveRule(principalOf(req), rule as CheckRule, { active, version: null, reason: why }))
      },
    )
    app.get(
      '/sharing/rules/:code',
      {
        schema: {
          tags,
          summary: 'A cross-check rule with its versions',
          params: z.object({ code: ruleCode }),
          response: { 200: ruleDetail, ...errorResponses },
        },
      },
      (req) => sharing.crosschecks.rule(principalOf(req), req.params.code),
    )
    app.put(
      '/sharing/rules/:code',
      {
        schema: {
          tags,
          summary: 'A new version of a cross-check rule, or switch it off (sharing.admin; reason; optimistic version)',
          params: z.object({ code: ruleCode }),
          body: z.object({
            definition: ruleDefinition,
            active: z.boolean().default(true),
            version: z.number().int().min(1),
            reason,
          }),
          response: { 200: ruleDetail, ...errorResponses },
        },
      },
      (req) =>
        sharing.crosschecks.saveRule(principalOf(req), { ...req.body.definition, code: req.params.code } as CheckRule, {
          active: req.body.active,
          version: req.body.version,
          reason: req.body.reason,
        }),
    )
    app.get(
      '/sharing/findings',
      {
        schema: {
          tags,
          summary:
            "Cross-check findings, newest first: a department user sees those about its data; others those in their place (sharing.read, or person.write for a grid worker's door-to-door questions)",
          querystring: pagingQuery.extend(findingsQuery.shape),
          response: { 200: pageOf(findingOut), ...errorResponses },
        },
      },
      (req) => {
        const { page, pageSize, ...f } = req.query
        return sharing.crosschecks.list(principalOf(req), f, page, pageSize)
      },
    )
    app.get(
      '/sharing/findings/:id',
      {
        schema: {
          tags,
          summary: 'One finding with both values',
          params: idParams,
          response: { 200: findingOut, ...errorResponses },
        },
      },
      (req) => sharing.crosschecks.get(principalOf(req), req.params.id),
    )
    app.post(
      '/sharing/findings/:id/resolve',
      {
        schema: {
          tags,
          summary:
            "Say which side was right (the department's task: its own user; a door-to-door question: person.write at the place); when the department was right the rule's correction is written to the base record with its provenance",
          params: idParams,
          body: resolveBody,
          response: { 200: findingOut, ...errorResponses },
        },
      },
      (req) => sharing.crosschecks.resolve(principalOf(req), req.params.id, req.body),
    )
    app.post(
      '/sharing/crosschecks/run',
      {
        schema: {
          tags,
          summary: 'Run every active cross-check rule over everything now (sharing.admin; also nightly at 02:00)',
          response: {
            200: z.record(z.string(), z.object({ opened: z.number(), seen: z.number(), cleared: z.number() })),
            ...errorResponses,
          },
        },
      },
      (req) => {
        principalOf(req).require('sharing.admin')
        return sharing.crosschecks.runAll()
      },
    )

    app.get(
      '/sharing/deliveries/:id/unmatched',
      {
        schema: {
          tags,
          summary: 'Rows whose key matches no base record (findings for the grid, not errors)',
          params: idParams,
          querystring: pagingQuery,
          response: {
            200: pageOf(z.object({ rowNo: z.number(), recordKey: z.string(), record: z.record(z.string(), z.unknown()) })),
            ...errorResponses,
          },
        },
      },
      (req) => sharing.unmatched(principalOf(req), req.params.id, req.query.page, req.query.pageSize),
    )
  }
}
