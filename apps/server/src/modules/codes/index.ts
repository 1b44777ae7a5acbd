export { codesRoutes } from './codes.routes.js'
