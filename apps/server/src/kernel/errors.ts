// One application error type with stable codes. Services throw AppError; http/error-handler.ts is
// the only place that maps a code to an HTTP status. The web app localises by `code`.
import { ERROR_CATALOG, type ErrorCode } from '@wangge/domain'
import { isConnectionError } from '../db/primary.js'
/** Code → HTTP status, from the error catalog in @wangge/domain (statuses and zh-CN/English texts). */
export const ERROR_STATUS = Object.fromEntries(Object.entries(ERROR_CATALOG).map(([code, e]) => [code, e.status])) as {
  [K in ErrorCode]: (typeof ERROR_CATALOG)[K]['status']
}

export type { ErrorCode }

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message)
    this.name = 'AppError'
  }
}

export const notFound = (code: Extract<ErrorCode, `${string}NOT_FOUND`>, message: string, details?: Record<string, unknown>) =>
  new AppError(code, message, details)

/** PostgreSQL SQLSTATE → application error. Applied once, centrally, in the error handler. */
export function fromPgError(err: unknown): AppError | undefined {
  // The server gone (or, after a failover, no longer the primary): fail fast and say so.
  if (isConnectionError(err)) return new AppError('DATABASE_UNAVAILABLE', 'The database is not reachable', {})
  if (!err || typeof err !== 'object' || !('code' in err) || typeof err.code !== 'string') return undefined
  const e = err as { code: string; detail?: string; constraint?: string; table?: string; column?: string }
  const details = { constraint: e.constraint, table: e.table, column: e.column, detail: e.detail }
  switch (e.code) {
    case '23505':
      return new AppError('DUPLICATE', 'A record with the same unique value already exists', details)
    case '23503':
      return new AppError('REFERENCE_NOT_FOUND', 'A referenced record does not exist or is still referenced', details)
    case '23514':
      return new AppError('CONSTRAINT_VIOLATION', 'A value violates a check constraint', details)
    case '23502':
      return new AppError('CONSTRAINT_VIOLATION', 'A required value is missing', details)
    case '22P02':
    case '22003':
    case '22007':
    case '22008':
      return new AppError('BAD_REQUEST', 'A value has the wrong format or is out of range', details)
    case '40001':
    case '40P01':
      return new AppError('CONFLICT', 'A concurrent change conflicted with this one; retry', details)
    default:
      return undefined
  }
}
