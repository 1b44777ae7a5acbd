export * from './codes.js'
export * from './data/division-codes.js'
export * from './identity.js'
export * from './regions.js'
