export { gridsRoutes } from './grids.routes.js'
export { createGridsService, type GridsService } from './grids.service.js'
