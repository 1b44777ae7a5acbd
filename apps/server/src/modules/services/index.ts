export { type PersonFacts, readFacts } from './facts.js'
export { LOOKBACK_DAYS, QUIET_DAYS } from './proactive.js'
export { servicesRoutes } from './services.routes.js'
export { applicationStatus, createServicesService, type ServicesService } from './services.service.js'
