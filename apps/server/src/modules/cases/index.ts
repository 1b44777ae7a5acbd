export { createCaseServices } from './case-services.js'
export { casesRoutes } from './cases.routes.js'
export type { ActInput } from './cases.service.js'
export { REOPEN_DAYS } from './step-plan.js'
