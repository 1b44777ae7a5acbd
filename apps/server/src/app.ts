// buildApp: the HTTP application without `listen` (tests drive it with app.inject).
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import Fastify, { type FastifyReply, type FastifyServerOptions } from 'fastify'
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod'
import { basemapOrigin, type Config } from './config.js'
import type { Database } from './db/database.js'
import { errorResponse, installErrorHandling } from './http/error-handler.js'
import { installReadRouting } from './http/read-routing.js'
import { errorBody, errorStatusesOf } from './http/schemas.js'
import { installTextGuard } from './http/text-guard.js'
import { serveWeb, webCsp } from './http/web.js'
import { type ChangeBus, createChangeBus } from './kernel/change-bus.js'
import { createLeadership } from './kernel/leadership.js'
import type { ObjectStore } from './kernel/object-store.js'
import {
  accessRoutes,
  createAuthService,
  installAuth,
  PUBLIC_PREFIX,
  PUBLIC_ROUTES,
  pgRateLimitStore,
} from './modules/access/index.js'
import { casesRoutes, createCaseServices } from './modules/cases/index.js'
import { catalogRoutes } from './modules/catalog/index.js'
import { codesRoutes } from './modules/codes/index.js'
import { componentsRoutes, createComponentsService, sharedComponents } from './modules/components/index.js'
import { createGridsService, gridsRoutes } from './modules/grids/index.js'
import { healthRoutes } from './modules/health/index.js'
import { createHousingService, housingRoutes, sharedDwellings } from './modules/housing/index.js'
import { createMaintenance, createScheduler, type Scheduler } from './modules/jobs/index.js'
import { createOrganizationsService, organizationsRoutes, sharedOrganizations } from './modules/organizations/index.js'
import { createPatrolsService, patrolsRoutes } from './modules/patrols/index.js'
import { createPersonsService, personsRoutes, sharedPersons } from './modules/persons/index.js'
import { createRegionsService, regionsRoutes } from './modules/regions/index.js'
import {
  type ChannelLimits,
  createNotifier,
  createOpen311,
  createResidentsService,
  DEFAULT_LIMITS,
  logSender,
  type Open311,
  open311Routes,
  residentsRoutes,
  type Sender,
} from './modules/residents/index.js'
import { coveredUsersSql, createRosterService, rosterRoutes } from './modules/roster/index.js'
import { createServicesService, servicesRoutes } from './modules/services/index.js'
import { createSharingService, sharingRoutes } from './modules/sharing/index.js'
import { createCaseStats, createStatsService, statsRoutes } from './modules/stats/index.js'
import { createVisitsService, visitsRoutes } from './modules/visits/index.js'

export const APP_VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
  .version

export interface AppDeps {
  config: Pick<Config, 'bodyLimit' | 'logLevel' | 'logPretty'> &
    Partial<Pick<Config, 'publicUrl' | 'trustProxy' | 'basemap' | 'databaseUrl'>>
  database: Database
  /** Run the scheduled jobs (reminders, supervision cards) in the background. */
  runJobs?: boolean
  /** The time the event loop sees (tests and simulations move it). */
  clock?: () => Date
  /** The built web app to serve at `/` (default apps/web/dist); false: none. */
  webDir?: string | false
  /** News of changes to cached data (grids, catalog, settings, access) across holders and processes; this process alone by default. */
  bus?: ChangeBus
  /** Where photos go (S3_URL); in their database rows when none. */
  objects?: ObjectStore | undefined
  /** The residents' channels: limits per address, the proof of work's size, the notification senders. */
  residents?: {
    limits?: Partial<ChannelLimits>
    powDigits?: number
    senders?: Partial<Record<'sms' | 'wechat' | 'inapp', Sender>>
    /** Where the default sender writes (default <tmp>/wangge-notifications.log). */
    notificationLog?: string
  }
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/
/** The advisory lock whose holder drains the case statistics in the background. */
const CASE_STATS_DRAIN_LOCK = 7_405_502

export async function buildApp({
  config,
  database,
  runJobs = false,
  clock = () => new Date(),
  webDir,
  bus = createChangeBus(),
  residents: channel = {},
  objects,
}: AppDeps) {
  const logger: FastifyServerOptions['logger'] = {
    level: config.logLevel,
    ...(config.logPretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss' } } } : {}),
  }
  const app = Fastify({
    logger,
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy ?? false,
    // Honour a caller's (or proxy's) request id when it looks sane; otherwise mint one.
    genReqId: (req) => {
      const given = req.headers['x-request-id']
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID()
    },
    // Errors Fastify raises before routing (bad URL encoding, bad content type) and malformed HTTP
    // that never becomes a request both answer in the same {code, message} shape.
    frameworkErrors: (err, req, reply) => {
      const { status, body } = errorResponse(err, 'BAD_REQUEST')
      req.log.info({ code: body.code }, body.message)
      void (reply as FastifyReply).status(status).send(body)
    },
    clientErrorHandler: (err, socket) => {
      if (!socket.writable) return
      const body = JSON.stringify({
        code: (err as { code?: string }).code === 'HPE_HEADER_OVERFLOW' ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST',
        message: 'Malformed HTTP request',
        details: {},
      })
      const status =
        (err as { code?: string }).code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request'
      socket.end(
        `HTTP/1.1 ${status}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      )
    },
  }).withTypeProvider<ZodTypeProvider>()

  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  // Behind HTTPS (the public URL says so) browsers are told to keep to it (HSTS).
  const https = config.publicUrl?.startsWith('https:') ?? false
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id)
    if (https) reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains')
  })
  const csp = webCsp(config.basemap && basemapOrigin(config.basemap.url))
  installErrorHandling(app, webDir === false ? undefined : await serveWeb(app, webDir, csp))
  installTextGuard(app)

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'wangge API',
        description: 'Grid-based community service management (网格化服务管理). Errors are {code, message, details?}.',
        version: APP_VERSION,
      },
      tags: [
        { name: 'system', description: 'Health and metadata' },
        { name: 'access', description: 'Login, users, roles and scopes, API tokens, audit log, emergency access' },
        { name: 'regions', description: 'Administrative hierarchy: city → district → street/town → community/village' },
        { name: 'persons', description: 'Actual population (实有人口) with per-field-group provenance and history' },
        { name: 'households', description: 'Households (户), their members and moves' },
        { name: 'housing', description: 'Buildings (楼栋) and dwellings (房屋), rentals and rents' },
        { name: 'organizations', description: 'Legal persons and organizations (法人/机构)' },
        { name: 'components', description: 'City components (部件)' },
        { name: 'grids', description: 'Unit grids (单元网格): partition, codes, geometry, neighbours, point lookup' },
        { name: 'codes', description: 'Code tables' },
        {
          name: 'sharing',
          description: 'Department data sharing (信息共享): dataset catalog, field-group ownership, deliveries',
        },
        {
          name: 'services',
          description: 'One-window services (一窗通办): items and eligibility rules, the window, applications, proactive offers',
        },
        { name: 'catalog', description: 'Case catalog (事件部件分类), time limits, departments and routing rules' },
        {
          name: 'cases',
          description:
            'The five-step loop: report, register, dispatch, handle, verify, call back, close; evidence, settings, calendar',
        },
      ],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  })
  await app.register(swaggerUi, { routePrefix: '/api/docs' })
  // Every route's OpenAPI entry lists each error status it can answer, with the one error body.
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/v1/') || !route.schema || route.schema.hide) return
    const methods = Array.isArray(route.method) ? route.method : [route.method]
    const statuses = errorStatusesOf({
      method: String(methods[0]),
      public: PUBLIC_ROUTES.has(route.url) || route.url.startsWith(PUBLIC_PREFIX),
      locks: route.url === '/api/v1/auth/login',
      hasBody: !!route.schema.body || methods.some((m) => m === 'POST' || m === 'PUT' || m === 'PATCH'),
    })
    const response = { ...(route.schema.response as Record<number, unknown> | undefined) }
    for (const s of statuses) response[s] ??= errorBody
    route.schema.response = response
  })

  const db = database.db
  const auth = createAuthService({ db, bus, coveredUsers: coveredUsersSql })
  await auth.seedRoles()
  // (On PostgreSQL the limits' counts are shared by every process and node.)
  await installAuth(app, auth, database.engine === 'postgres' ? pgRateLimitStore(db) : undefined)
  installReadRouting(app, database.reads)
  let scheduler: Scheduler | undefined
  let open311: Open311 | undefined
  const limits = { ...DEFAULT_LIMITS, ...channel.limits }
  await app.register(
    async (api) => {
      await api.register(accessRoutes(auth, { https }))
      await api.register(healthRoutes(database, APP_VERSION))
      const grids = createGridsService({ db, bus })
      await api.register(regionsRoutes(createRegionsService({ db, grids }), config.basemap))
      await api.register(gridsRoutes(grids))
      const { catalog, settings, cases, attachments } = await createCaseServices({ db, clock, grids, bus, objects })
      await api.register(catalogRoutes(catalog))
      await api.register(casesRoutes({ cases, attachments, settings }))
      const stats = createStatsService({ db })
      const caseStats = createCaseStats({ db, clock })
      if (runJobs) {
        // One node drains the statistics' change log in the background (every answer drains first
        // anyway); another takes over when it dies (kernel/leadership.ts).
        const drainer = createLeadership({
          databaseUrl: config.databaseUrl && (database.primaryUrl ?? config.databaseUrl),
          key: CASE_STATS_DRAIN_LOCK,
          lead: () => caseStats.start(500, app.log),
          log: app.log,
        })
        app.addHook('onClose', () => drainer.close())
      }
      await stats.startDaily(clock())
      const persons = createPersonsService({ db })
      const sharing = createSharingService({
        db,
        clock,
        readsBeside: database.engine === 'postgres',
        stores: {
          person: sharedPersons,
          dwelling: sharedDwellings,
          organization: sharedOrganizations,
          component: sharedComponents,
        },
      })
      await sharing.seed()
      await sharing.startDaily(clock())
      const services = createServicesService({ db, cases, clock, calendar: async () => (await settings.current()).calendar })
      await services.seed()
      await services.proactive.startDaily(clock())
      const visits = createVisitsService({
        db,
        clock,
        persons,
        questions: (grids) => sharing.crosschecks.questions(grids),
        offers: (grids) => services.proactive.doorOffers(grids),
        unit: database.engine === 'postgres' ? 'city' : 'street',
      })
      await visits.startDaily(clock())
      const maintenance = createMaintenance({ db, engine: database.engine })
      await maintenance.startDaily(clock())
      scheduler = createScheduler({
        db,
        handlers: {
          ...cases.jobHandlers,
          ...stats.jobHandlers,
          ...visits.jobHandlers,
          ...sharing.jobHandlers,
          ...services.proactive.jobHandlers,
          ...maintenance.jobHandlers,
        },
        groupSize: visits.jobGroupSize,
        clock,
        log: app.log,
      })
      await api.register(visitsRoutes(visits))
      await api.register(patrolsRoutes(createPatrolsService({ db, clock })))
      await api.register(rosterRoutes(createRosterService({ db, invalidate: auth.invalidate, clock })))
      await api.register(codesRoutes)
      await api.register(statsRoutes(stats, caseStats, (p, q) => services.figures(p, q)))
      await api.register(personsRoutes(persons))
      await api.register(housingRoutes(createHousingService({ db })))
      await api.register(organizationsRoutes(createOrganizationsService({ db })))
      await api.register(componentsRoutes(createComponentsService({ db })))
      await api.register(sharingRoutes(sharing))
      await api.register(servicesRoutes(services))
      const residents = createResidentsService({
        db,
        lookup: (lng, lat) => grids.lookup(lng, lat),
        cases,
        attachments,
        clock,
        options: { powDigits: channel.powDigits ?? 4, powSeconds: 600 },
      })
      const log = logSender(channel.notificationLog ?? join(tmpdir(), 'wangge-notifications.log'))
      const notifier = createNotifier({
        db,
        repo: residents.repo,
        senders: { sms: log, wechat: log, inapp: log, ...channel.senders },
      })
      if (runJobs) {
        notifier.start()
        app.addHook('onClose', () => notifier.stop())
      }
      open311 = createOpen311(residents, clock)
      await api.register(residentsRoutes(residents, notifier, open311, limits))
      api.get('/openapi.json', { schema: { hide: true } }, () => app.swagger())
    },
    { prefix: '/api/v1' },
  )
  // Open311 GeoReport v2 beside the API (its own formats and errors).
  await app.register(
    open311Routes(() => open311 as Open311, limits),
    { prefix: '/open311/v2' },
  )
  const jobs = scheduler as Scheduler
  app.decorate('jobs', jobs)
  if (runJobs) jobs.start()
  app.addHook('onClose', () => jobs.stop())
  return app as typeof app & { jobs: Scheduler }
}

export type App = Awaited<ReturnType<typeof buildApp>>
