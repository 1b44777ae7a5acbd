// Where the demo's background work stands (the first start's history simulation), for the health
// answer and the dashboard's banner: one setting, rewritten at each tenth of each phase.
import type { Kysely } from 'kysely'
import type { DB } from '../db/schema.js'
import { writeSetting } from './settings.js'

export const DEMO_PROGRESS = 'demo.progress'
export interface DemoProgress {
  phase: 'partition' | 'staff' | 'cases' | 'feeds' | 'services' | 'visits' | 'done'
  done: number
  total: number
}

/** Records a phase's progress (fire and forget: a failed write only leaves an older figure). */
export function reportDemoProgress(db: Kysely<DB>, p: DemoProgress): Promise<void> {
  return writeSetting(db, DEMO_PROGRESS, { ...p, at: new Date().toISOString() }, 'demo').then(
    () => undefined,
    () => undefined,
  )
}
