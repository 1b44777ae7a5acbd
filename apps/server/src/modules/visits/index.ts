export { visitsRoutes } from './visits.routes.js'
export { createVisitsService, type DoorOffer, walkingOrder } from './visits.service.js'
