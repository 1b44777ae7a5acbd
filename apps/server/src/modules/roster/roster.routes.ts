import type { FastifyReply } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { areaCode, communityCode, errorResponses, gridCode, isoDate } from '../../http/schemas.js'
import { type StatsTable, tableFile } from '../../kernel/table-file.js'
import { principalOf } from '../access/index.js'
import type { RosterService } from './roster.service.js'

const region = areaCode
const date = isoDate
const BACKGROUNDS = ['rental_admin', 'social_worker', 'community_staff', 'other'] as const
const person = z.object({
  id: z.number(),
  username: z.string(),
  displayName: z.string(),
  /** Where the worker came from (worker_profiles); null without a profile. */
  background: z.enum(BACKGROUNDS).nullable(),
  phone: z.string().nullable(),
})
const profiles = z.object({
  profiles: z
    .array(
      z.object({
        userId: z.number().int().positive(),
        background: z.enum(BACKGROUNDS),
        phone: z
          .string()
          .regex(/^1[3-9][0-9]{9}$/)
          .nullable()
          .optional(),
        startedOn: isoDate.nullable().optional(),
      }),
    )
    .min(1)
    .max(500),
})
const pair = z.object({ a: z.string(), b: z.string(), sharedM: z.number() })
const leave = z
  .object({
    id: z.number(),
    userId: z.number(),
    coverUserId: z.number(),
    from: z.string(),
    to: z.string(),
    reason: z.string(),
    status: z.enum(['requested', 'approved', 'rejected', 'cancelled']),
    requestedBy: z.string(),
    decidedBy: z.string().nullable(),
    version: z.number(),
  })
  .meta({ id: 'WorkerLeave' })
const userIds = z.object({ userIds: z.array(z.number().int().positive()).max(20) })

const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/)
const rate = z.number().nullable()
const evaluation = z.object({
  userId: z.number(),
  username: z.string(),
  displayName: z.string(),
  grids: z.array(z.string()),
  community: z.string(),
  street: z.string(),
  visits: z.object({ due: z.number(), onTime: z.number(), overdue: z.number(), rate }),
  cases: z.object({ reported: z.number(), valid: z.number(), validRate: rate, selfHandled: z.number() }),
  verifications: z.object({ done: z.number(), onTime: z.number(), rate }),
  satisfaction: z.object({ calledBack: z.number(), satisfied: z.number(), rate }),
  proactive: z.object({ offers: z.number(), answered: z.number(), applied: z.number(), rate, uptake: rate }),
  score: z.number().nullable(),
  grade: z.enum(['A', 'B', 'C', 'D', 'E']).nullable(),
  rank: z.object({ community: z.number(), street: z.number() }),
})

/** The evaluation as a table for xlsx/csv (rates as shares). */
function evaluationTable(r: Awaited<ReturnType<RosterService['evaluate']>>, lang: 'zh-CN' | 'en'): StatsTable {
  const zh = lang === 'zh-CN'
  const col = (key: string, cn: string, en: string, percent = false) => ({ key, header: zh ? cn : en, percent })
  const share = (v: number | null) => (v === null ? null : v / 100)
  return {
    title: `${r.region} ${r.month}`,
    columns: [
      col('username', '账号', 'Username'),
      col('name', '姓名', 'Name'),
      col('grids', '网格', 'Grids'),
      col('due', '应走访', 'Visits due'),
      col('onTime', '按时走访', 'On time'),
      col('overdue', '超期走访', 'Overdue'),
      col('visitRate', '按时走访率', 'Visits on schedule', true),
      col('reported', '上报事件', 'Reported'),
      col('validRate', '有效率', 'Valid', true),
      col('selfHandled', '自处置', 'Self-handled'),
      col('verifyRate', '按时核查率', 'Verified on time', true),
      col('satisfaction', '满意率', 'Satisfaction', true),
      col('proactive', '主动服务告知率', 'Proactive offers answered', true),
      col('uptake', '主动服务转化率', 'Proactive uptake', true),
      col('score', '综合得分', 'Score'),
      col('grade', '等级', 'Grade'),
      col('rankCommunity', '社区排名', 'Rank in community'),
      col('rankStreet', '街道排名', 'Rank in street'),
    ],
    rows: r.workers.map((w) => ({
      username: w.username,
      name: w.displayName,
      grids: w.grids.join(' '),
      due: w.visits.due,
      onTime: w.visits.onTime,
      overdue: w.visits.overdue,
      visitRate: share(w.visits.rate),
      reported: w.cases.reported,
      validRate: share(w.cases.validRate),
      selfHandled: w.cases.selfHandled,
      verifyRate: share(w.verifications.rate),
      satisfaction: share(w.satisfaction.rate),
      proactive: share(w.proactive.rate),
      uptake: share(w.proactive.uptake),
      score: w.score,
      grade: w.grade,
      rankCommunity: w.rank.community,
      rankStreet: w.rank.street,
    })),
  }
}

export const rosterRoutes =
  (roster: RosterService): FastifyPluginAsyncZod =>
  async (app) => {
    const tags = ['roster']
    app.get(
      '/roster/evaluation',
      {
        schema: {
          tags,
          summary: 'Monthly evaluation of the workers of a region’s grids: rates, composite score, grade A–E, ranks',
          description:
            'Visits on schedule, overdue visits, events reported and valid, self-handled, verifications within 24 h of the handling, residents’ satisfaction; the composite weighs the components with data (settings `evaluation.weights`).',
          querystring: z.object({ region, month }),
          response: {
            200: z.object({
              region: z.string(),
              month: z.string(),
              weights: z.record(z.string(), z.number()),
              workers: z.array(evaluation),
            }),
            ...errorResponses,
          },
        },
      },
      (req) => roster.evaluate(principalOf(req), req.query),
    )

    app.get(
      '/roster/evaluation/export',
      {
        schema: {
          tags,
          summary: 'The monthly evaluation as xlsx or csv',
          querystring: z.object({
            region,
            month,
            format: z.enum(['xlsx', 'csv']).default('xlsx'),
            lang: z.enum(['zh-CN', 'en']).default('zh-CN'),
          }),
          response: errorResponses,
        },
      },
      async (req, reply) => {
        const r = await roster.evaluate(principalOf(req), req.query)
        const table = evaluationTable(r, req.query.lang)
        const file = await tableFile(table, req.query.format)
        return (reply as FastifyReply)
          .header('content-type', file.type)
          .header('content-disposition', `attachment; filename="evaluation-${r.region}-${r.month}.${req.query.format}"`)
          .send(file.body)
      },
    )

    app.get(
      '/roster',
      {
        schema: {
          tags,
          summary: 'The grids under a region with their workers, A/B partner and any leave cover; the grid chiefs',
          querystring: z.object({ region }),
          response: {
            200: z.object({
              region: z.string(),
              policy: z.object({ maxWorkersPerGrid: z.number(), maxGridsPerWorker: z.number() }),
              grids: z.array(
                z.object({
                  code: z.string(),
                  name: z.string(),
                  community: z.string(),
                  households: z.number(),
                  workers: z.array(person),
                  pair: z.object({ id: z.number(), partner: z.string() }).nullable(),
                  coveredBy: z.object({ userId: z.number(), until: z.string() }).nullable(),
                }),
              ),
              chiefs: z.array(person.extend({ community: z.string() })),
            }),
            ...errorResponses,
          },
        },
      },
      (req) => roster.roster(principalOf(req), req.query.region),
    )

    app.put(
      '/roster/grids/:code/workers',
      {
        schema: {
          tags,
          summary: 'Who works a grid (replaces its workers; the roster policy limits workers per grid and grids per worker)',
          params: z.object({ code: gridCode }),
          body: userIds,
          response: { 204: z.null(), ...errorResponses },
        },
      },
      async (req, reply) => {
        await roster.setWorkers(principalOf(req), req.params.code, req.body.userIds)
        return reply.status(204).send(null)
      },
    )

    app.put(
      '/roster/profiles',
      {
        schema: {
          tags,
          summary:
            'Grid workers’ and chiefs’ profiles: background (former rental-housing administrator, social worker …), work phone, start date',
          body: profiles,
          response: { 200: z.object({ updated: z.number() }), ...errorResponses },
        },
      },
      (req) => roster.setProfiles(principalOf(req), req.body.profiles),
    )

    app.put(
      '/roster/communities/:code/chiefs',
      {
        schema: {
          tags,
          summary: 'The grid chief(s) of a community',
          params: z.object({ code: communityCode }),
          body: userIds,
          response: { 204: z.null(), ...errorResponses },
        },
      },
      async (req, reply) => {
        await roster.setChiefs(principalOf(req), req.params.code, req.body.userIds)
        return reply.status(204).send(null)
      },
    )

    app.get(
      '/roster/pairs',
      {
        schema: {
          tags,
          summary: 'The A/B pairs of grids under a region',
          querystring: z.object({ region }),
          response: { 200: z.array(pair.extend({ id: z.number(), createdBy: z.string() })), ...errorResponses },
        },
      },
      (req) => roster.pairs(principalOf(req), req.query.region),
    )

    app.post(
      '/roster/pairs/suggest',
      {
        schema: {
          tags,
          summary:
            'Suggest A/B pairs for the unpaired grids of a district, street or community (maximum matching of adjacency, per street); apply=true records them',
          querystring: z.object({
            region: z.string().regex(/^(\d{6}|\d{9}|\d{12})$/),
            apply: z
              .enum(['true', 'false'])
              .default('false')
              .transform((v) => v === 'true'),
          }),
          response: {
            200: z.object({ region: z.string(), applied: z.boolean(), pairs: z.array(pair), unpaired: z.array(z.string()) }),
            ...errorResponses,
          },
        },
      },
      (req) => roster.suggestPairs(principalOf(req), req.query.region, req.query.apply),
    )

    app.post(
      '/roster/pairs',
      {
        schema: {
          tags,
          summary: 'Pair two adjacent, unpaired grids',
          body: z.object({ a: gridCode, b: gridCode }).refine((v) => v.a !== v.b, 'two different grids'),
          response: { 201: pair.extend({ id: z.number() }), ...errorResponses },
        },
      },
      async (req, reply) => reply.status(201).send(await roster.pair(principalOf(req), req.body.a, req.body.b)),
    )

    app.delete(
      '/roster/pairs/:id',
      {
        schema: {
          tags,
          summary: 'Dissolve a pair',
          params: z.object({ id: z.coerce.number().int().positive() }),
          response: { 204: z.null(), ...errorResponses },
        },
      },
      async (req, reply) => {
        await roster.unpair(principalOf(req), req.params.id)
        return reply.status(204).send(null)
      },
    )

    app.post(
      '/roster/leaves',
      {
        schema: {
          tags,
          summary: 'Request a leave (one’s own, or a worker’s as their manager); the A/B partner covers',
          description:
            'The cover is the worker of a grid paired with one of the absent worker’s grids (`coverUserId` picks one when there are several). While the leave runs (Beijing dates, both inclusive) the cover holds the absent worker’s grid grants. A manager’s (roster.manage) request is approved at once; a worker’s own waits for a decision.',
          body: z.object({
            userId: z.number().int().positive().optional(),
            from: date,
            to: date,
            reason: z.string().trim().min(2).max(500),
            coverUserId: z.number().int().positive().optional(),
          }),
          response: { 201: leave, ...errorResponses },
        },
      },
      async (req, reply) => reply.status(201).send(await roster.requestLeave(principalOf(req), req.body)),
    )

    app.post(
      '/roster/leaves/:id/decision',
      {
        schema: {
          tags,
          summary: 'Approve or reject a requested leave (roster.manage), or cancel one (its worker or a manager)',
          params: z.object({ id: z.coerce.number().int().positive() }),
          body: z.object({ decision: z.enum(['approve', 'reject', 'cancel']), version: z.number().int().positive() }),
          response: { 200: leave, ...errorResponses },
        },
      },
      (req) => roster.decideLeave(principalOf(req), req.params.id, req.body),
    )

    app.get(
      '/roster/leaves',
      {
        schema: {
          tags,
          summary: 'Leaves of the workers of a region’s grids (`running=true`: those running today)',
          querystring: z.object({
            region,
            running: z
              .enum(['true', 'false'])
              .optional()
              .transform((v) => v === 'true'),
          }),
          response: { 200: z.array(leave), ...errorResponses },
        },
      },
      (req) => roster.leaves(principalOf(req), req.query.region, req.query),
    )
  }
