export {
  analyzeGridCodes,
  dwellingsFollowBuildings,
  publicAddresses,
  publicBuildingsOf,
  setBuildingGrids,
  setDwellingGrids,
  someBuiltCommunity,
} from './housing.repository.js'
export { housingRoutes } from './housing.routes.js'
export { createHousingService } from './housing.service.js'
export { sharedDwellings } from './shared-store.js'
