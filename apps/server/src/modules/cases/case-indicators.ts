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
import { CLOCK_RUNNING, codeAt, indicatorGroup, REGION_CODE_LENGTH } from '@wangge/domain'
import { type Kysely, type SqlBool, sql } from 'kysely'
import type { DB } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import type { Principal } from '../access/index.js'

export interface IndicatorQuery {
  region: string
  from: Date
  to: Date
  by: 'department' | 'children' | 'none'
}

export async function caseIndicators(
  db: Kysely<DB>,
  p: Principal,
  visible: (p: Principal) => ReturnType<typeof sql<SqlBool>>,
  q: IndicatorQuery,
  now: Date,
) {
  const region = await db.selectFrom('regions').select(['code', 'level']).where('code', '=', q.region).executeTakeFirst()
  // Inside the caller's scope, or a region containing part of it (then only that part counts).
  const related = p.sees(q.region) || p.grants.some((g) => g.scope.startsWith(q.region))
  if (!region || !related) throw new AppError('REGION_NOT_FOUND', `No region ${q.region}`, { region: q.region })
  const childLen = {
    city: REGION_CODE_LENGTH.district,
    district: REGION_CODE_LENGTH.street,
    street: REGION_CODE_LENGTH.community,
    community: 15,
  }[region.level]
  const key =
    q.by === 'department'
      ? sql<string>`coalesce(c.department, '')`
      : q.by === 'children'
        ? childLen === 15
          ? sql<string>`coalesce(c.grid_code, '')`
          : sql<string>`substr(c.community_code, 1, ${childLen})`
        : sql<string>`${q.region}`
  const running = sql.join(CLOCK_RUNNING.map((s) => sql`${s}`))
  const rows = await db
    .selectFrom('cases as c')
    .where(visible(p))
    .where(sql<SqlBool>`c.community_code like ${`${codeAt(q.region, 'community')}%`}`)
    .where('c.reported_at', '>=', q.from)
    .where('c.reported_at', '<', q.to)
    .select([
      key.as('key'),
      sql<number>`count(*) filter (where c.dispatch_count > 0)`.as('due'),
      sql<number>`count(*) filter (where c.dispatch_count > 0 and c.handled_at is not null)`.as('handled'),
      sql<number>`count(*) filter (where c.dispatch_count > 0 and c.handled_on_time)`.as('handled_on_time'),
      sql<number>`count(*) filter (where c.rework_count > 0)`.as('reworked'),
      sql<number>`count(*) filter (where c.dispatch_count > 0 and c.status = 'closed')`.as('closed'),
      sql<number>`count(*) filter (where c.dispatch_count > 0 and c.closed_on_time)`.as('closed_on_time'),
      sql<number>`count(*) filter (where c.status in (${running}) and c.deadline < ${now})`.as('overdue_pending'),
      sql<number>`count(*) filter (where c.extended_days > 0)`.as('extended'),
      sql<number>`count(*) filter (where c.satisfaction is not null)`.as('called_back'),
      sql<number>`count(*) filter (where c.satisfaction in ('satisfied', 'basically_satisfied'))`.as('satisfied'),
      sql<number>`count(*) filter (where c.dispatch_count = 0 and c.status = 'closed')`.as('self_handled'),
      sql<number>`count(*)`.as('reported'),
    ])
    .groupBy(sql`1`)
    .orderBy(sql`1`)
    .execute()
  const groups = rows.map(indicatorGroup)
  return { region: q.region, from: q.from.toISOString(), to: q.to.toISOString(), by: q.by, groups }
}
