// Residents' channels (issue 20): a resident reports a problem without an account (intake.ts: a
// proof-of-work challenge instead of a third-party captcha, a phone proven by a one-time code
// through the outbox, limits per address and per phone, the open cases of the same class nearby
// offered first), follows the case by its number and a signed token in plain words with an honest
// deadline and confirms the fix or says it is not fixed (following.ts), sees the public map
// (public-map.ts); staff moderate, answer callers at the 12345 desk and read the notices
// (staff-views.ts). Reports become cases like any other through the cases service, acting as a
// principal of the resident's own (`resident:<key>`), never with staff rights. This file wires them.
import { RESIDENT_CLASSES } from '@wangge/domain'
import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import { useCase } from '../../kernel/use-case.js'
import * as following from './following.js'
import * as intake from './intake.js'
import * as publicMap from './public-map.js'
import { createResidentsRepository } from './residents.repository.js'
import {
  type Caller,
  type ChannelOptions,
  type ResidentsContext,
  residentPrincipal,
  residentsContext,
  tokenFor,
} from './residents-context.js'
import * as staff from './staff-views.js'

export { CODES_PER_10_MIN, METOO_DAYS, METOO_METERS, PHONE_REPORTS_PER_DAY, type ReportRequest } from './intake.js'
export { blur } from './public-map.js'
export { type Caller, type ChannelOptions, CODE_TRIES, type PowPayload, residentPrincipal } from './residents-context.js'

export function createResidentsService(deps: {
  db: Kysely<DB>
  /** Point → community (the grids module's in-memory lookup), for the map around a position. */
  lookup?: (lng: number, lat: number) => Promise<{ community: string }>
  cases: ResidentsContext['cases']
  attachments: ResidentsContext['attachments']
  options?: ChannelOptions
  clock?: () => Date
}) {
  const repo = createResidentsRepository(deps.db)
  const ctx = residentsContext({ ...deps, repo })
  return {
    repo,
    file: useCase(ctx, intake.file),
    tokenFor: useCase(ctx, tokenFor),
    classes: () => RESIDENT_CLASSES,
    addresses: useCase(ctx, publicMap.addresses),
    surroundings: useCase(ctx, publicMap.surroundings),
    challenge: useCase(ctx, intake.challenge),
    sendCode: useCase(ctx, intake.sendCode),
    nearby: useCase(ctx, intake.nearby),
    report: useCase(ctx, intake.report),
    metoo: useCase(ctx, intake.metoo),
    follow: useCase(ctx, following.follow),
    photo: useCase(ctx, following.photo),
    confirm: useCase(ctx, following.confirm),
    map: useCase(ctx, publicMap.map),
    flag: useCase(ctx, staff.flag),
    moderate: useCase(ctx, staff.moderate),
    callerCases: useCase(ctx, staff.callerCases),
    /** A photo of the page `c.key` (checked by decoding; the report cites only its own page's photos). */
    uploadPhoto: (bytes: Buffer, c: Caller) => deps.attachments.upload(residentPrincipal(c), bytes),
    flagged: useCase(ctx, staff.flagged),
    inbox: useCase(ctx, staff.inbox),
    notifications: useCase(ctx, staff.notifications),
    optOut: useCase(ctx, intake.optOut),
  }
}

export type ResidentsService = ReturnType<typeof createResidentsService>
