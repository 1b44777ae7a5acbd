import { AREA_CODE_PATTERN, GRID_CODE_PATTERN, REGION_CODE_PATTERN } from '@wangge/domain'
import { z } from 'zod'

/** The body of every 4xx/5xx response. */
export const errorBody = z
  .object({
    code: z.string().describe('Stable machine-readable error code, e.g. REGION_NOT_FOUND'),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).describe('Always an object; for invalid input `issues` names the fields'),
  })
  .meta({ id: 'Error' })

export const errorResponses = { 400: errorBody, 404: errorBody, 500: errorBody }

/** A calendar date, YYYY-MM-DD (2026-02-30 is refused). */
export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((v) => !Number.isNaN(Date.parse(v)) && new Date(v).toISOString().startsWith(v), 'a calendar date')

/** A region of any level: 4, 6, 9 or 12 digits. */
export const regionCode = z.string().regex(REGION_CODE_PATTERN, 'A region code has 4, 6, 9 or 12 digits')
/** A region of any level or a grid (15 digits): scopes, filters, statistics. */
export const areaCode = z.string().regex(AREA_CODE_PATTERN, 'A region (4/6/9/12 digits) or grid (15) code')
/** A unit grid: community (12) + sequence (3). */
export const gridCode = z.string().regex(GRID_CODE_PATTERN, 'A grid code has 15 digits: community (12) + sequence (3)')
/** A community or village: 12 digits. */
export const communityCode = z.string().regex(/^\d{12}$/, 'A community code has 12 digits')

/** The error statuses a route can answer, by what the route is: any route may find its input bad
 *  (400), its object absent or out of scope (404), be rate limited (429) or fail (500, 503); a route
 *  behind the login adds 401 and 403; one with a body 413 and 415; a write 409 (versions, states)
 *  and 422 (rules); the login 423 (a locked account). */
export function errorStatusesOf(route: { method: string; public: boolean; hasBody: boolean; locks?: boolean }): number[] {
  const write = route.method !== 'GET' && route.method !== 'HEAD'
  const s = new Set([400, 404, 429, 500, 503])
  if (!route.public) for (const x of [401, 403]) s.add(x)
  if (route.hasBody) for (const x of [413, 415]) s.add(x)
  if (write) for (const x of [409, 422]) s.add(x)
  if (route.locks) s.add(423)
  return [...s].sort((a, b) => a - b)
}
