export { type ChangeEntry, diff, listChanges, recordChange, recordChanges } from './history.service.js'
export {
  createSharedStore,
  type FieldValue,
  type SharedBaseRecord,
  type SharedChange,
  type SharedEntityStore,
  type SharedProvenance,
} from './shared-store.js'
