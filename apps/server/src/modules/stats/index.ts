export { areaExists } from './area.js'
export { createCaseStats } from './case-stats.js'
export { statsRoutes } from './stats.routes.js'
export { createStatsService } from './stats.service.js'
