import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { errorResponses } from '../../http/schemas.js'
import { principalOf } from '../access/auth.plugin.js'
import { CASE_STATS_BY, type CaseStats } from './case-stats.js'
import { POPULATION_BY, type StatsService } from './stats.service.js'

const counts = z.record(z.string(), z.number())
const rates = z.record(z.string(), z.number().nullable())
const indicator = z.object({ key: z.string(), counts, rates })
const date = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((v) => !Number.isNaN(Date.parse(v)) && new Date(v).toISOString().startsWith(v), 'a calendar date')

export const statsRoutes =
  (stats: StatsService, caseStats: CaseStats): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/stats/population',
      {
        schema: {
          tags: ['statistics'],
          summary:
            'Population of a region by child region, population type, sex, age band, care tag, tenure, household size or special group (live, exact)',
          description:
            'Read from rollups kept in the same transaction as every change to persons, households, dwellings and special-group records, so a committed change shows at once and the figures equal a recount. `unit` says what the groups count: persons; households for `householdSize` (by active members, 10 and more in one group); records for `specialGroup` (communities and above). `tenure` is the occupancy of the dwelling a person lives in (`none` without one). `by=tag` and `by=specialGroup` need person.special in the region.',
          querystring: z.object({
            region: z.string().regex(/^(\d{4}|\d{6}|\d{9}|\d{12}|\d{15})$/),
            by: z.enum(POPULATION_BY).default('none'),
            /** Lower bounds of the age bands, ascending, e.g. `0,18,60` (default 0,7,18,35,60,80). */
            bands: z
              .string()
              .regex(/^\d{1,3}(,\d{1,3}){0,19}$/)
              .transform((v) => v.split(',').map(Number))
              .refine((b) => b[0] === 0 && b.every((x, i) => i === 0 || x > (b[i - 1] as number)), 'ascending from 0')
              .optional(),
          }),
          response: {
            200: z.object({
              region: z.string(),
              by: z.enum(POPULATION_BY),
              unit: z.enum(['persons', 'households', 'records']),
              asOf: z.string(),
              total: z.number(),
              groups: z.array(z.object({ key: z.string(), n: z.number() })),
            }),
            ...errorResponses,
          },
        },
      },
      (req) => stats.population(principalOf(req), req.query),
    )

    app.get(
      '/stats/population/grids',
      {
        schema: {
          tags: ['statistics'],
          summary: 'Map layer: one population value per grid under a region, for one measure',
          description:
            '`measure` is `all`, or a dimension and key: `type:migrant`, `sex:2`, `tenure:rental`, `hhsize:1` (households of one), `tag:elderly_alone` (tags need person.special). Grids with none are left out.',
          querystring: z.object({
            region: z.string().regex(/^(\d{4}|\d{6}|\d{9}|\d{12})$/),
            measure: z
              .string()
              .regex(/^(all|(type|sex|tag|tenure|hhsize):[a-z0-9_]{1,40})$/)
              .default('all'),
          }),
          response: {
            200: z.object({
              region: z.string(),
              measure: z.string(),
              grids: z.array(z.object({ code: z.string(), n: z.number() })),
            }),
            ...errorResponses,
          },
        },
      },
      (req) => stats.gridLayer(principalOf(req), req.query),
    )

    app.get(
      '/stats/cases',
      {
        schema: {
          tags: ['statistics'],
          summary:
            'Cases reported in a period in a region subtree, by child region, status, class, subclass, department, day or month',
          description:
            'Counts and rates of DOMAIN.md §5 (due = dispatched; handled, on time, reworked, closed, closed on time, extended, called back, satisfied, self-handled), from rollups per reported day kept by a change log drained before every answer (exact). `overduePending` is live: open cases of the period past their deadline now. `from`/`to` are Beijing dates, both inclusive (default: this month so far). Needs case.read in the region.',
          querystring: z.object({
            region: z.string().regex(/^(\d{4}|\d{6}|\d{9}|\d{12}|\d{15})$/),
            by: z.enum(CASE_STATS_BY).default('none'),
            from: date.optional(),
            to: date.optional(),
          }),
          response: {
            200: z.object({
              region: z.string(),
              by: z.enum(CASE_STATS_BY),
              from: z.string(),
              to: z.string(),
              asOf: z.string(),
              total: indicator,
              groups: z.array(indicator),
            }),
            ...errorResponses,
          },
        },
      },
      (req) => {
        const period = caseStats.defaultPeriod()
        return caseStats.cases(principalOf(req), {
          region: req.query.region,
          by: req.query.by,
          from: req.query.from ?? period.from,
          to: req.query.to ?? period.to,
        })
      },
    )
  }
