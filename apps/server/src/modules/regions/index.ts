export { loadRegionDataset, type RegionDataset, readRegionDataset } from './regions.loader.js'
export { regionsRoutes } from './regions.routes.js'
export { createRegionsService } from './regions.service.js'
