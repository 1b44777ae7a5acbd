// What the residents' channel's use cases share (intake.ts, following.ts, public-map.ts,
// staff-views.ts): the database and repository, the loop's cases and attachments, the channel's
// signing secret (tracking links, proof-of-work challenges, phone codes), the checks of a proof of
// work and of a phone's code, and the public face of a case (class, plain status, place, age; no
// reporter, no phone).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import { type CaseStatus, PUBLIC_STATUS, parsePhone, publicStatus, type ResidentClass } from '@wangge/domain'
import { verifySolution } from 'altcha-lib'
import { deriveKey } from 'altcha-lib/algorithms/sha'
import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import { type Principal, Principal as PrincipalClass } from '../access/index.js'
import { type createCaseServices, REOPEN_DAYS } from '../cases/index.js'
import type { CasePlaceRow, PublicCaseRow, ResidentsRepository } from './residents.repository.js'

type CaseServices = Awaited<ReturnType<typeof createCaseServices>>

/** A phone's wrong tries per code. */
export const CODE_TRIES = 5

export interface ChannelOptions {
  /** Leading zero hex digits of the proof of work (each one ×16 the work): 4 ≈ 65,000 hashes. */
  powDigits: number
  /** How long a challenge may be solved and used. */
  powSeconds: number
}

export interface PowPayload {
  challenge: { parameters: Record<string, unknown>; signature?: string | undefined }
  solution: { counter: number; derivedKey: string; time?: number | undefined }
}

export interface Caller {
  /** The page's own random key: its photos and its report are one resident's. */
  key: string
  ip?: string | undefined
  requestId?: string | undefined
}

export interface ResidentsContext {
  db: Kysely<DB>
  repo: ResidentsRepository
  cases: CaseServices['cases']
  attachments: CaseServices['attachments']
  options: ChannelOptions
  clock: () => Date
  /** Point → community (the grids module's in-memory lookup), for the map around a position. */
  lookup?: ((lng: number, lat: number) => Promise<{ community: string }>) | undefined
  /** The channel's signing secret, read once. */
  secret: () => Promise<string>
}

export function residentsContext(
  deps: Omit<ResidentsContext, 'secret' | 'options' | 'clock'> & {
    options?: ChannelOptions | undefined
    clock?: (() => Date) | undefined
  },
): ResidentsContext {
  let secretP: Promise<string> | undefined
  return {
    ...deps,
    options: deps.options ?? { powDigits: 4, powSeconds: 600 },
    clock: deps.clock ?? (() => new Date()),
    secret: () => {
      secretP ??= deps.repo.secret().catch((e) => {
        secretP = undefined
        throw e
      })
      return secretP
    },
  }
}

export const sha = (s: string) => createHash('sha256').update(s).digest('hex')
export const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b))
export const iso = (d: Date | string | null | undefined) => (d == null ? null : new Date(d).toISOString())
export const notFound = (number: string) => new AppError('NOT_FOUND', `No report ${number}`, { number })

/** A principal acting for one resident of the public channel (report, read and confirm only). */
export function residentPrincipal(c: Caller): Principal {
  return new PrincipalClass(
    { id: 0, username: `resident:${c.key}`, displayName: '居民', department: null },
    [{ role: 'resident', scope: '', permissions: new Set(['case.report', 'case.read', 'case.callback']) }],
    'system',
    undefined,
    undefined,
    c.requestId,
    c.ip,
  )
}

/** The token of a case's link: the reporter's (`r`) or a follower's (`f<id>`). */
export async function tokenFor({ secret }: ResidentsContext, number: string, who: string) {
  const mac = createHmac('sha256', await secret())
    .update(`${number}:${who}`)
    .digest('base64url')
    .slice(0, 22)
  return `${who}.${mac}`
}

/** A proof of work checked against the platform's signature, and spent (good once). */
export async function checkPow({ repo, secret }: ResidentsContext, pow: PowPayload) {
  const parameters = pow.challenge.parameters as unknown as Parameters<typeof verifySolution>[0]['challenge']['parameters']
  let ok = false
  try {
    const r = await verifySolution({
      challenge: { parameters, signature: pow.challenge.signature },
      solution: pow.solution,
      deriveKey,
      hmacSignatureSecret: await secret(),
    })
    ok = r.verified
  } catch {
    ok = false
  }
  if (!ok) throw new AppError('CHALLENGE_FAILED', 'The proof of work is wrong, expired or not for this platform', {})
  const expires = new Date(Number(parameters.expiresAt ?? 0) * 1000)
  if (!(await repo.spend(pow.challenge.signature as string, expires)))
    throw new AppError('CHALLENGE_FAILED', 'This proof of work was used already; ask for a new challenge', {})
}

/** Checks a phone's one-time code (and spends it). */
export async function checkCode({ db, repo, secret }: ResidentsContext, phone: string, code: string | undefined) {
  const ok = await db.transaction().execute(async (trx) => {
    const live = await repo.liveCode(trx, phone)
    if (!live || live.attempts >= CODE_TRIES || !code) return false
    const right = same(live.code_hash, sha(`${await secret()}:${phone}:${code}`))
    await repo.codeTried(trx, Number(live.id), right)
    return right
  })
  if (!ok) throw new AppError('PHONE_CODE_INVALID', 'The code is wrong, used or expired; ask for a new one', { phone: 'code' })
}

/** A mobile number as the platform keeps it, or a 400. */
export function phoneOf(raw: string) {
  const p = parsePhone(raw)
  if (!p.ok || !/^1\d{10}$/.test(p.phone))
    throw new AppError('VALIDATION_FAILED', 'A mobile number (11 digits) is needed', {
      issues: [{ path: 'phone', message: 'not a mobile number' }],
    })
  return p.phone
}

/** The public face of a case: class, plain status, place, age; no reporter, no phone. */
export function publicCase(c: PublicCaseRow, cls: ResidentClass | undefined, departments: Map<string, string>, now: Date) {
  const status = publicStatus(c.status as CaseStatus)
  return {
    number: c.number,
    serviceCode: c.catalog_code,
    className: cls?.zh ?? c.catalog_code,
    classNameEn: cls?.en ?? c.catalog_code,
    icon: cls?.icon ?? '📍',
    status,
    statusText: PUBLIC_STATUS[status].zh,
    statusTextEn: PUBLIC_STATUS[status].en,
    department: c.department ? (departments.get(c.department) ?? c.department) : null,
    reportedAt: iso(c.reported_at) as string,
    deadline: iso(c.deadline),
    overdue: !!c.deadline && !c.closed_at && new Date(c.deadline) < now && status !== 'awaiting_confirmation',
    closedAt: iso(c.closed_at),
    ageDays: Math.floor((now.getTime() - new Date(c.reported_at).getTime()) / 86_400_000),
    followers: c.followers,
  }
}

/** Whether the caller may see the case (the cases module's rule, on the row's place and owner). */
export const seenBy = ({ cases }: ResidentsContext, p: Principal, r: CasePlaceRow & { department: string | null }) =>
  cases.sees(p, {
    grid_code: r.grid_code,
    community_code: r.community_code,
    reporter_user_id: r.reporter_user_id === null ? null : Number(r.reporter_user_id),
    department: r.department,
  })

/** Closed after a department's handling, within the days a resident may still say "not fixed". */
export function reopenable(row: PublicCaseRow, now: Date) {
  return (
    row.status === 'closed' &&
    row.department !== null &&
    row.closed_at !== null &&
    now.getTime() - new Date(row.closed_at).getTime() <= REOPEN_DAYS * 86_400_000
  )
}
