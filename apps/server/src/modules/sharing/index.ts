export type { DeliveryInput, RawRow } from './delivery.js'
export { formatOf, openTable } from './readers.js'
export { sharingRoutes } from './sharing.routes.js'
export { createSharingService, type SharingService } from './sharing.service.js'
