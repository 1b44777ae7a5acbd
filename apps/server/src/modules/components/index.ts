export { setComponentGrids } from './components.repository.js'
export { componentsRoutes } from './components.routes.js'
export { createComponentsService } from './components.service.js'
export { sharedComponents } from './shared-store.js'
