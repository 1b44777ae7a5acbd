export { visitsRoutes } from './visits.routes.js'
export { createVisitsService } from './visits.service.js'
