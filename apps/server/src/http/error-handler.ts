// The one place where errors become HTTP responses. Every 4xx/5xx body is {code, message, details}
// (details always an object); nothing returns an HTML page or a stack trace.
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify'
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod'
import { AppError, ERROR_STATUS, type ErrorCode, fromPgError } from '../kernel/errors.js'

export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err
  if (hasZodFastifySchemaValidationErrors(err)) {
    const where = (err as FastifyError).validationContext ?? 'request'
    return new AppError('VALIDATION_FAILED', `Invalid ${where}`, {
      in: where,
      issues: err.validation.map((v) => ({ path: v.instancePath.replace(/^\//, '').replaceAll('/', '.'), message: v.message })),
    })
  }
  if (isResponseSerializationError(err)) return new AppError('INTERNAL', 'Internal server error')
  const pgErr = fromPgError(err)
  if (pgErr) return pgErr
  const fe = err as Partial<FastifyError>
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('MALFORMED_JSON', 'The request body is not valid JSON')
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('PAYLOAD_TOO_LARGE', 'The request body is too large')
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported content type')
  }
  if (err instanceof SyntaxError && fe.statusCode === 400)
    return new AppError('MALFORMED_JSON', 'The request body is not valid JSON')
  if (fe.statusCode === 429) return new AppError('TOO_MANY_REQUESTS', fe.message ?? 'Too many requests')
  if (fe.statusCode === 405) return new AppError('METHOD_NOT_ALLOWED', 'Method not allowed')
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500)
    return new AppError('BAD_REQUEST', fe.message ?? 'Bad request')
  return new AppError('INTERNAL', 'Internal server error')
}

export interface ErrorBody {
  code: ErrorCode
  message: string
  /** Always an object (empty when there is nothing to add). */
  details: Record<string, unknown>
}

/** Status and body for any thrown value. `unknownAs` classifies errors nobody recognised. */
export function errorResponse(err: unknown, unknownAs: ErrorCode = 'INTERNAL'): { status: number; body: ErrorBody } {
  let e = toAppError(err)
  if (e.code === 'INTERNAL' && unknownAs !== 'INTERNAL') e = new AppError(unknownAs, (err as Error).message || 'Bad request')
  return {
    status: ERROR_STATUS[e.code],
    body: { code: e.code, message: e.message, details: e.details ?? {} },
  }
}

/** Answers a GET the API does not know with a page instead (the web app's client-side routes). */
export type PageFallback = (path: string, reply: FastifyReply) => FastifyReply | undefined

export function installErrorHandling(app: FastifyInstance, pages?: PageFallback) {
  app.setErrorHandler((err, req, reply) => {
    const { status, body } = errorResponse(err)
    if (status >= 500) req.log.error({ err }, `request failed: ${body.code}`)
    else req.log.info({ code: body.code, details: body.details }, body.message)
    return reply.status(status).send(body)
  })
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? '/'
    const page = req.method === 'GET' && !path.startsWith('/api/') ? pages?.(path, reply) : undefined
    return page ?? reply.status(404).send({ code: 'ROUTE_NOT_FOUND', message: `No route ${req.method} ${path}`, details: {} })
  })
}
