export { visitsRoutes } from './visits.routes.js'
export { createVisitsService, type DoorOffer } from './visits.service.js'
