export { type ChangeEntry, diff, listChanges, recordChange, recordChanges } from './history.service.js'
