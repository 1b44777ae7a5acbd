export { rosterRoutes } from './roster.routes.js'
export { coveredUsersSql, createRosterService } from './roster.service.js'
