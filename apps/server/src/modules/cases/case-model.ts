// The case as the loop's code sees it: row types, the columns a step reads and writes, the inputs of
// a report and of a step, and small helpers shared by intake, planning, writing and the views.
import type { CaseStatus } from '@wangge/domain'
import type { Selectable, Transaction } from 'kysely'
import type { CasesTable, DB } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'

export type Row = Selectable<CasesTable>
export type Trx = Transaction<DB>
export type Source = CasesTable['source']

/** The columns a step may change (written back in bulk). */
export const MUTABLE = [
  'status',
  'registered_at',
  'dispatched_at',
  'deadline',
  'return_by',
  'accepted_at',
  'handled_at',
  'verified_at',
  'closed_at',
  'paused_minutes',
  'extension_request',
  'extended_days',
  'escalation_level',
  'supervision',
  'deadline_gen',
  'handled_on_time',
  'closed_on_time',
  'rework_count',
  'dispatch_count',
  'satisfaction',
  'score',
  'duplicate_of',
  'department',
  'routing_basis',
  'version',
  'updated_at',
] as const

/** The columns a step is planned and written on (a bulk step without views reads only these). */
export const PLAN_COLUMNS = [
  'id',
  'number',
  'kind',
  'catalog_code',
  'status',
  'version',
  'grid_code',
  'community_code',
  'component_code',
  'department',
  'reporter',
  'reporter_user_id',
  'limit_amount',
  'limit_unit',
  'deadline',
  'deadline_gen',
  'return_by',
  'registered_at',
  'extension_request',
  'extended_days',
  'paused_minutes',
  'escalation_level',
  'rework_count',
  'dispatch_count',
  'closed_at',
] as const satisfies readonly (keyof Row)[]
export type PlanRow = Pick<Row, (typeof PLAN_COLUMNS)[number]>

/** Escalation (升级督办): the command centres above a case, by the digits of their region code. */
export const ESCALATION_LEVELS = [
  { name: 'street', zh: '街道', digits: 9 },
  { name: 'district', zh: '区', digits: 6 },
  { name: 'city', zh: '市', digits: 4 },
] as const

export const CLOSING = new Set<CaseStatus>(['closed', 'cancelled'])

export interface ReportInput {
  catalog: string
  urgency?: 'normal' | 'urgent' | undefined
  description: string
  lng?: number | undefined
  lat?: number | undefined
  address?: string | undefined
  component?: string | undefined
  photos?: number[] | undefined
  source?: Source | undefined
  reporterName?: string | undefined
  reporterPhone?: string | undefined
  clientId?: string | undefined
}

export interface ActInput {
  action: string
  version: number
  note?: string | undefined
  reason?: string | undefined
  department?: string | undefined
  result?: string | undefined
  photos?: number[] | undefined
  satisfaction?: 'satisfied' | 'basically_satisfied' | 'dissatisfied' | undefined
  days?: number | undefined
  approve?: boolean | undefined
  score?: number | undefined
  target?: number | undefined
}

export interface CaseFilter {
  status?: CaseStatus[] | undefined
  region?: string | undefined
  department?: string | undefined
  catalog?: string | undefined
  /** A class of the catalog: kind letter + class number (`E01`), every subclass in it. */
  class?: string | undefined
  overdue?: boolean | undefined
  supervision?: string | undefined
  escalation?: (typeof ESCALATION_LEVELS)[number]['name'] | undefined
  mine?: boolean | undefined
  q?: string | undefined
  /** The ledger's order: newest first (default), the nearest deadline first, oldest first. */
  sort?: 'newest' | 'deadline' | 'oldest' | undefined
}

export const versionConflict = (current: number, given: number) =>
  new AppError('VERSION_CONFLICT', 'The case was changed by someone else; reload it', { current, given })
export const caseNotFound = (id: number | string) => () => new AppError('NOT_FOUND', `No case ${id}`, { id })
export const codeOf = (r: Pick<Row, 'grid_code' | 'community_code'>) => r.grid_code ?? r.community_code
export const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString())

export const missingRequirement = (path: string, message: string) =>
  new AppError('VALIDATION_FAILED', message, { issues: [{ path, message }] })
