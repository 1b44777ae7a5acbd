import { z } from 'zod'

/** The body of every 4xx/5xx response. */
export const errorBody = z
  .object({
    code: z.string().describe('Stable machine-readable error code, e.g. REGION_NOT_FOUND'),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: 'Error' })

export const errorResponses = { 400: errorBody, 404: errorBody, 500: errorBody }

/** A calendar date, YYYY-MM-DD (2026-02-30 is refused). */
export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((v) => !Number.isNaN(Date.parse(v)) && new Date(v).toISOString().startsWith(v), 'a calendar date')
