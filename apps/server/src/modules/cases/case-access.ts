// Who sees a case and who may act on it: `case.read` at its grid/community; the department it is
// dispatched to (within `case.handle` scope); the reporter. Not visible: 403 inside the caller's
// scope, 404 outside (like every other object).
import { type SqlBool, sql } from 'kysely'
import { forbidden, type Permission, type Principal, scopeSql } from '../access/index.js'
import { caseNotFound, codeOf, type Row } from './case-model.js'

/** Cases the principal sees: in a case.read scope; dispatched to their department (in a case.handle scope); their own reports. */
export function visibleSql(p: Principal) {
  const cols = { community: 'c.community_code', grid: 'c.grid_code' }
  const parts = [scopeSql(p, 'case.read', cols), sql<SqlBool>`c.reporter_user_id = ${p.user.id}`]
  if (p.user.department && p.has('case.handle'))
    parts.push(sql<SqlBool>`(c.department = ${p.user.department} and ${scopeSql(p, 'case.handle', cols)})`)
  return sql<SqlBool>`(${sql.join(parts, sql` or `)})`
}

export function sees(p: Principal, r: Pick<Row, 'grid_code' | 'community_code' | 'reporter_user_id' | 'department'>): boolean {
  const code = codeOf(r)
  if (p.allows('case.read', code) || (r.reporter_user_id !== null && r.reporter_user_id === p.user.id)) return true
  return !!p.user.department && r.department === p.user.department && p.allows('case.handle', code)
}

/** Not visible: 403 inside the caller's scope (like every other object), else 404. */
export const unseen = (p: Principal, r: Pick<Row, 'grid_code' | 'community_code'> | undefined, id: number | string) =>
  r && p.sees(codeOf(r)) ? forbidden('case.read') : caseNotFound(id)()

/** Whether the principal may take a step needing `perm` on this case. */
export function mayAct(p: Principal, perm: string, r: Pick<Row, 'grid_code' | 'community_code' | 'department'>): boolean {
  const code = codeOf(r)
  if (!p.allows(perm as Permission, code)) return false
  // Handling is for the department the case is dispatched to (or a supervisor without one).
  if (perm === 'case.handle') return p.user.department ? r.department === p.user.department : p.allows('case.dispatch', code)
  return true
}
