export { createCaseServices } from './case-services.js'
export { casesRoutes } from './cases.routes.js'
export type { ActInput, CasesService } from './cases.service.js'
export { REOPEN_DAYS } from './step-plan.js'
