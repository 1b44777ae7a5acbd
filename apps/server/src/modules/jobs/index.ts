export { analyzeAll, createMaintenance } from './maintenance.js'
export {
  type BatchJobHandler,
  cancelPendingJobs,
  createScheduler,
  type Job,
  type NewJob,
  type Scheduler,
  schedule,
} from './scheduler.js'
