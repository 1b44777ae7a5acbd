export { organizationsFollowBuildings } from './organizations.repository.js'
export { organizationsRoutes } from './organizations.routes.js'
export { createOrganizationsService } from './organizations.service.js'
export { sharedOrganizations } from './shared-store.js'
