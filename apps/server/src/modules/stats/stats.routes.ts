import type { FastifyReply } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { areaCode, errorResponses, isoDate, regionCode } from '../../http/schemas.js'
import { tableFile } from '../../kernel/table-file.js'
import { type Principal, principalOf } from '../access/index.js'
import { CASE_STATS_BY, type CaseStats, type CaseStatsBy } from './case-stats.js'
import { casesTable, type MonthlyServices, monthlyReportPdf, populationTable } from './stats.export.js'
import { BREAKDOWN, POPULATION_BY, type StatsService } from './stats.service.js'

const counts = z.record(z.string(), z.number())
const rates = z.record(z.string(), z.number().nullable())
const indicator = z.object({ key: z.string(), counts, rates })
const exportFormat = {
  format: z.enum(['xlsx', 'csv']).default('xlsx'),
  lang: z.enum(['zh-CN', 'en']).default('zh-CN'),
}
const date = isoDate

const populationQuery = z.object({
  region: areaCode,
  by: z.enum(POPULATION_BY).default('none'),
  /** With by=children: each child region broken down by this too (a cross-table). */
  of: z.enum(BREAKDOWN).optional(),
  /** Lower bounds of the age bands, ascending, e.g. `0,18,60` (default 0,7,18,35,60,80). */
  bands: z
    .string()
    .regex(/^\d{1,3}(,\d{1,3}){0,19}$/)
    .transform((v) => v.split(',').map(Number))
    .refine((b) => b[0] === 0 && b.every((x, i) => i === 0 || x > (b[i - 1] as number)), 'ascending from 0')
    .optional(),
})
const casesQuery = z.object({
  region: areaCode,
  by: z.enum(CASE_STATS_BY).default('none'),
  from: date.optional(),
  to: date.optional(),
})

/** The period asked for, or this month so far. */
const periodOf =
  (caseStats: CaseStats) =>
  <Q extends { region: string; by: CaseStatsBy; from?: string | undefined; to?: string | undefined }>(q: Q) => {
    const period = caseStats.defaultPeriod()
    return { region: q.region, by: q.by, from: q.from ?? period.from, to: q.to ?? period.to }
  }

export const statsRoutes =
  (
    stats: StatsService,
    caseStats: CaseStats,
    /** The month's one-window figures for the report (the services module's, handed in at composition). */
    services?: (p: Principal, q: { region: string; from: string; to: string }) => Promise<MonthlyServices>,
  ): FastifyPluginAsyncZod =>
  async (app) => {
    const withPeriod = periodOf(caseStats)
    app.get(
      '/stats/population',
      {
        schema: {
          tags: ['statistics'],
          summary:
            'Population of a region by child region, population type, sex, age band, care tag, tenure, household size or special group (live, exact)',
          description:
            'Read from rollups kept in the same transaction as every change to persons, households, dwellings and special-group records, so a committed change shows at once and the figures equal a recount. With `by=children`, `of` breaks each child region down by a second dimension (e.g. the city by district × population type in one call). `unit` says what the groups count: persons; households for `householdSize` (by active members, 10 and more in one group); records for `specialGroup` (communities and above). `tenure` is the occupancy of the dwelling a person lives in (`none` without one). `by=tag` and `by=specialGroup` need person.special in the region.',
          querystring: populationQuery,
          response: {
            200: z.object({
              region: z.string(),
              by: z.enum(POPULATION_BY),
              unit: z.enum(['persons', 'households', 'records']),
              asOf: z.string(),
              total: z.number(),
              groups: z.array(
                z.object({
                  key: z.string(),
                  n: z.number(),
                  breakdown: z.array(z.object({ key: z.string(), n: z.number() })).optional(),
                }),
              ),
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
            region: regionCode,
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
          querystring: casesQuery,
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
      (req) => caseStats.cases(principalOf(req), withPeriod(req.query)),
    )

    // The same tables as files.
    const send = async (reply: FastifyReply, format: 'xlsx' | 'csv', name: string, table: ReturnType<typeof populationTable>) => {
      const file = await tableFile(table, format)
      return reply
        .header('content-type', file.type)
        .header('content-disposition', `attachment; filename="${name}.${format}"`)
        .send(file.body)
    }
    const regionNames = (region: string, groups: { key: string }[]) =>
      stats.names([region, ...groups.map((g) => g.key).filter((k) => /^\d{4,15}$/.test(k))])

    app.get(
      '/stats/population/export',
      {
        schema: {
          tags: ['statistics'],
          summary: 'The population table of /stats/population as xlsx or csv',
          description:
            'Same parameters and permissions as /stats/population; `format` xlsx (default) or csv, `lang` of the headers.',
          querystring: populationQuery.extend(exportFormat),
          response: errorResponses,
        },
      },
      async (req, reply) => {
        const r = await stats.population(principalOf(req), req.query)
        const table = populationTable(r, await regionNames(r.region, r.groups), req.query.lang)
        return send(reply, req.query.format, `population-${r.region}-${r.by}`, table)
      },
    )

    app.get(
      '/stats/cases/export',
      {
        schema: {
          tags: ['statistics'],
          summary: 'The case table of /stats/cases as xlsx or csv',
          description: 'Same parameters and permissions as /stats/cases; `format` xlsx (default) or csv, `lang` of the headers.',
          querystring: casesQuery.extend(exportFormat),
          response: errorResponses,
        },
      },
      async (req, reply) => {
        const r = await caseStats.cases(principalOf(req), withPeriod(req.query))
        const table = casesTable(r, await regionNames(r.region, r.groups), req.query.lang)
        return send(reply, req.query.format, `cases-${r.region}-${r.by}-${r.from}-${r.to}`, table)
      },
    )

    app.get(
      '/stats/report',
      {
        schema: {
          tags: ['statistics'],
          summary: 'The printable monthly report of a region (PDF): population and the month’s cases, with charts',
          description:
            'Population by type and age band; the month’s cases per day, by class and by child region with their rates. Needs person.read and case.read in the region. `month` defaults to the current one.',
          querystring: z.object({
            region: regionCode,
            month: z
              .string()
              .regex(/^\d{4}-(0[1-9]|1[0-2])$/)
              .optional(),
            lang: exportFormat.lang,
          }),
          response: errorResponses,
        },
      },
      async (req, reply) => {
        const p = principalOf(req)
        const { region, lang } = req.query
        const month = req.query.month ?? caseStats.defaultPeriod().from.slice(0, 7)
        const [y, m] = month.split('-').map(Number) as [number, number]
        const last = new Date(Date.UTC(y, m, 0)).getUTCDate()
        const period = { from: `${month}-01`, to: `${month}-${String(last).padStart(2, '0')}` }
        const byType = await stats.population(p, { region, by: 'type' })
        const byAge = await stats.population(p, { region, by: 'ageBand' })
        const cases = (by: 'none' | 'class' | 'day' | 'children') => caseStats.cases(p, { region, by, ...period })
        const [total, byClass, byDay, byChild] = [
          await cases('none'),
          await cases('class'),
          await cases('day'),
          await cases('children'),
        ]
        const names = await regionNames(region, byChild.groups)
        const pdf = await monthlyReportPdf({
          region,
          regionName: names.get(region) ?? region,
          month,
          lang,
          population: { total: byType.total, byType: byType.groups, byAge: byAge.groups },
          cases: { total: total.total, byClass: byClass.groups, byDay: byDay.groups, byChild: byChild.groups },
          names,
          services: services ? await services(p, { region, ...period }) : undefined,
          generatedAt: new Date(),
        })
        return (reply as FastifyReply)
          .header('content-type', 'application/pdf')
          .header('content-disposition', `inline; filename="report-${region}-${month}.pdf"`)
          .send(pdf)
      },
    )
  }
