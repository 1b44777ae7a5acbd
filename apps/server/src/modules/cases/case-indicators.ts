// Evaluation indicators (DOMAIN.md §5) over the cases dispatched in a period, for a region subtree,
// grouped by department or by the region's children — within the caller's scope.
//   handling rate          = handled / due            (due: dispatched in the period)
//   on-time handling rate  = handled by the deadline / due
//   rework rate            = reworked at least once / due
//   close rate             = closed / due
//   on-time close rate     = closed by the deadline without rework / due
//   overdue-pending rate   = still in handling and past the deadline / due
//   extension rate         = extended / due
//   satisfaction           = (satisfied + basically satisfied) / called back
// Self-handled cases (found and fixed by the worker) are counted apart: they were never dispatched.
import { indicatorGroup, REGION_CODE_LENGTH } from '@wangge/domain'
import type { Kysely, RawBuilder, SqlBool } from 'kysely'
import type { DB } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import type { Principal } from '../access/index.js'
import { indicatorCounts, regionLevel } from './cases.repository.js'

export interface IndicatorQuery {
  region: string
  from: Date
  to: Date
  by: 'department' | 'children' | 'none'
}

export async function caseIndicators(
  db: Kysely<DB>,
  p: Principal,
  visible: (p: Principal) => RawBuilder<SqlBool>,
  q: IndicatorQuery,
  now: Date,
) {
  const region = await regionLevel(db, q.region)
  // Inside the caller's scope, or a region containing part of it (then only that part counts).
  const related = p.sees(q.region) || p.grants.some((g) => g.scope.startsWith(q.region))
  if (!region || !related) throw new AppError('REGION_NOT_FOUND', `No region ${q.region}`, { region: q.region })
  const childLen = {
    city: REGION_CODE_LENGTH.district,
    district: REGION_CODE_LENGTH.street,
    street: REGION_CODE_LENGTH.community,
    community: 15,
  }[region.level]
  const rows = await indicatorCounts(db, visible(p), { ...q, childLen }, now)
  const groups = rows.map(indicatorGroup)
  return { region: q.region, from: q.from.toISOString(), to: q.to.toISOString(), by: q.by, groups }
}
