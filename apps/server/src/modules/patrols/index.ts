export { patrolsRoutes } from './patrols.routes.js'
export { createPatrolsService } from './patrols.service.js'
