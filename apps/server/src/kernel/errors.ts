// One application error type with stable codes. Services throw AppError; http/error-handler.ts is
// the only place that maps a code to an HTTP status. The web app localises by `code`.
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  BAD_REQUEST: 400,
  INVALID_REGION_CODE: 400,
  INVALID_GRID_CODE: 400,
  INVALID_ADJUSTMENT: 422,
  INVALID_TRANSITION: 409,
  RETURN_WINDOW_CLOSED: 422,
  EXTENSION_TOO_LATE: 422,
  EXTENSION_PENDING: 409,
  EVIDENCE_REQUIRED: 422,
  SELF_HANDLE_NOT_ALLOWED: 422,
  CATALOG_INACTIVE: 422,
  INVALID_MERGE: 422,
  ATTACHMENT_INVALID: 422,
  WEAK_PASSWORD: 422,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  CSRF_FAILED: 403,
  ACCOUNT_LOCKED: 423,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  REGION_NOT_FOUND: 404,
  GRID_NOT_FOUND: 404,
  OUTSIDE_COVERAGE: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  VERSION_CONFLICT: 409,
  DUPLICATE: 409,
  ROSTER_POLICY: 409,
  ALREADY_PAIRED: 409,
  NOT_ADJACENT: 422,
  NO_PARTNER: 409,
  LEAVE_OVERLAP: 409,
  REFERENCE_NOT_FOUND: 409,
  CONSTRAINT_VIOLATION: 422,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  TOO_MANY_REQUESTS: 429,
  INTERNAL: 500,
  DATABASE_UNAVAILABLE: 503,
} as const satisfies Record<string, number>

export type ErrorCode = keyof typeof ERROR_STATUS

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
    case '57P01':
    case '08006':
    case '08001':
    case '08003':
      return new AppError('DATABASE_UNAVAILABLE', 'The database is not reachable', {})
    default:
      return undefined
  }
}
