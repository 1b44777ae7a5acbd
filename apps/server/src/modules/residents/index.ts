export { createNotifier, logSender, type Notifier, type Sender } from './notifier.js'
export { type ChannelLimits, DEFAULT_LIMITS, residentsRoutes } from './residents.routes.js'
export { createResidentsService, type ResidentsService } from './residents.service.js'
