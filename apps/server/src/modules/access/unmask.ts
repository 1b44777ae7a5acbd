// Unmasking personal data (a person's ID number, phone and address; an organization's phone and an
// individual business's representative): person.unmask at the place — otherwise the object's own
// not-found (or 403 inside the caller's scope) — a reason, or an open emergency window, and an audit
// entry `<objectType>.unmask` naming the object and the window.
import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import { audit } from './audit.service.js'
import type { Principal } from './principal.js'

export async function unmask(
  db: Kysely<DB>,
  p: Principal,
  o: { code: string; objectType: string; objectId: number; reason?: string | undefined; notFound: () => AppError },
) {
  p.check('person.unmask', o.code, o.notFound)
  const reason = o.reason?.trim() || (p.breakGlass ? `emergency: ${p.breakGlass.reason}` : '')
  if (reason.length < 2)
    throw new AppError('VALIDATION_FAILED', 'Unmasking needs a reason', { issues: [{ path: 'reason', message: 'required' }] })
  await audit(db, {
    actor: p.actor,
    action: `${o.objectType}.unmask`,
    objectType: o.objectType,
    objectId: o.objectId,
    scope: p.scopeOf('person.unmask', o.code),
    reason,
    requestId: p.requestId,
    clientIp: p.clientIp,
    details: p.breakGlass ? { breakGlassId: p.breakGlass.id } : {},
  })
}
