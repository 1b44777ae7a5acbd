export { analyze, analyzeAll, createMaintenance } from './maintenance.js'
export {
  type BatchJobHandler,
  cancelPendingJobs,
  createScheduler,
  type Job,
  type NewJob,
  nightly,
  type Scheduler,
  schedule,
} from './scheduler.js'
