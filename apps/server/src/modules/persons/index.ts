export { listConflicts, resolveConflict } from './conflicts.js'
export { activeResidentsOf, markHouseholdsVisited } from './persons.repository.js'
export { personsRoutes } from './persons.routes.js'
export {
  historyOut,
  idParam,
  type PersonCreate,
  personCreate,
  personFieldsPatch,
  personOut,
  phone,
  sourceCode,
  unmaskQuery,
} from './persons.schemas.js'
export { createPersonsService, type PersonsService, personView } from './persons.service.js'
export { sharedPersons } from './shared-store.js'
