import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { errorResponses } from '../../http/schemas.js'
import { principalOf } from '../access/auth.plugin.js'
import { POPULATION_BY, type StatsService } from './stats.service.js'

export const statsRoutes =
  (stats: StatsService): FastifyPluginAsyncZod =>
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
  }
