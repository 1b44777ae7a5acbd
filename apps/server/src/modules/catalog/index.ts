export { catalogRoutes } from './catalog.routes.js'
export { type CatalogService, createCatalogService, seedDepartments } from './catalog.service.js'
