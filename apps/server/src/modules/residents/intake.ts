// A resident's report without an account: a proof-of-work challenge instead of a third-party
// captcha, a phone proven by a one-time code through the outbox, limits per phone; the open cases
// of the same class nearby offered first ("我也遇到了" follows one instead of filing a duplicate);
// the report filed as a case like any other, acting as a principal of the resident's own.
import { randomInt } from 'node:crypto'
import { residentClass } from '@wangge/domain'
import { createChallenge } from 'altcha-lib'
import { deriveKey } from 'altcha-lib/algorithms/sha'
import { AppError } from '../../kernel/errors.js'
import { audit } from '../access/index.js'
import {
  type Caller,
  checkCode,
  checkPow,
  notFound,
  type PowPayload,
  phoneOf,
  publicCase,
  type ResidentsContext,
  residentPrincipal,
  sha,
  tokenFor,
} from './residents-context.js'

/** How near and how recent an open case of the same class must be to be offered as "me too". */
export const METOO_METERS = 250
export const METOO_DAYS = 30
/** A phone's reports per day, codes per 10 minutes. */
export const PHONE_REPORTS_PER_DAY = 5
export const CODES_PER_10_MIN = 3

export interface ReportRequest {
  catalog: string
  description: string
  lng?: number | undefined
  lat?: number | undefined
  address?: string | undefined
  photos?: number[] | undefined
  name?: string | undefined
  phone?: string | undefined
  code?: string | undefined
  anonymous?: boolean | undefined
  clientId?: string | undefined
  pow: PowPayload
}

/** Files a resident's report as a case (after the channel's own checks), marked as public. */
export async function file(
  ctx: ResidentsContext,
  input: Omit<ReportRequest, 'pow' | 'code' | 'anonymous'> & { phone?: string | undefined },
  c: Caller,
  how: { channel: 'web' | 'open311'; anonymous: boolean; phoneVerified: boolean; client?: number },
) {
  const { db, repo, cases } = ctx
  const p = residentPrincipal(c)
  const out = await cases.report(p, {
    catalog: input.catalog,
    description: input.description,
    lng: input.lng,
    lat: input.lat,
    address: input.address,
    photos: input.photos,
    source: 'resident',
    reporterName: input.name,
    reporterPhone: input.phone,
    clientId: input.clientId,
  })
  const replayed = !!(out as { replayed?: boolean }).replayed
  if (!replayed)
    await db.transaction().execute(async (trx) => {
      await repo.markPublic(trx, {
        caseId: out.id,
        channel: how.channel,
        anonymous: how.anonymous,
        phoneVerified: how.phoneVerified,
        clientId: how.client ?? null,
        ip: c.ip,
      })
      await audit(trx, {
        actor: p.actor,
        action: 'resident.report',
        objectType: 'case',
        objectId: out.id,
        requestId: c.requestId,
        clientIp: c.ip,
        details: { number: out.number, catalog: input.catalog, channel: how.channel, phone: !!input.phone },
      })
    })
  return { number: out.number, token: await tokenFor(ctx, out.number, 'r'), replayed, deadline: out.deadline }
}

/** A proof-of-work challenge, signed by the platform; good once, for a few minutes. */
export async function challenge({ options, secret, clock }: ResidentsContext) {
  const c = await createChallenge({
    algorithm: 'SHA-256',
    cost: 1,
    deriveKey,
    keyPrefixLength: options.powDigits,
    hmacSignatureSecret: await secret(),
    expiresAt: new Date(clock().getTime() + options.powSeconds * 1000),
  })
  return { parameters: { ...c.parameters } as Record<string, unknown>, signature: c.signature as string | undefined }
}

/** Sends a one-time code to a phone through the outbox (a few per phone per 10 minutes). */
export async function sendCode(ctx: ResidentsContext, raw: string, pow: PowPayload, c: Caller) {
  const { db, repo, clock, secret } = ctx
  const phone = phoneOf(raw)
  await checkPow(ctx, pow)
  if ((await repo.codesSince(phone, new Date(clock().getTime() - 600_000))) >= CODES_PER_10_MIN)
    throw new AppError('TOO_MANY_REQUESTS', 'Too many codes for this phone; wait a few minutes', { retryAfterSeconds: 600 })
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0')
  const hash = sha(`${await secret()}:${phone}:${code}`)
  await db.transaction().execute(async (trx) => {
    await repo.addCode(trx, phone, hash, new Date(clock().getTime() + 600_000), c.ip)
    // The code goes out even to a phone that opted out of news: the resident asked for it.
    await repo.notify(trx, [{ channel: 'sms', recipient: phone, template: 'resident.code', payload: { code } }])
  })
  return { sent: true, expiresInSeconds: 600 }
}

/** Open cases of the class within 250 m reported in the last 30 days (the me-too offer). */
export async function nearby({ repo, clock }: ResidentsContext, catalog: string, lng: number, lat: number) {
  const cls = residentClass(catalog)
  if (!cls) throw new AppError('NOT_FOUND', `No class ${catalog} for residents`, { catalog })
  const now = clock()
  const [rows, departments] = await Promise.all([
    repo.nearby([catalog], lng, lat, METOO_METERS, new Date(now.getTime() - METOO_DAYS * 86_400_000), 5),
    repo.departmentNames(),
  ])
  return rows.map((r) => ({
    ...publicCase(r, cls, departments, now),
    meters: Math.round(r.meters),
    description: r.hidden ? '' : r.description,
  }))
}

/** A resident's report: checked, placed and routed as any case; answers its number and link token. */
export async function report(ctx: ResidentsContext, input: ReportRequest, c: Caller) {
  const { repo, clock } = ctx
  const cls = residentClass(input.catalog)
  if (!cls) throw new AppError('NOT_FOUND', `No class ${input.catalog} for residents`, { catalog: input.catalog })
  await checkPow(ctx, input.pow)
  const phone = input.phone ? phoneOf(input.phone) : undefined
  if (phone) {
    await checkCode(ctx, phone, input.code)
    if ((await repo.reportsByPhone(phone, new Date(clock().getTime() - 86_400_000))) >= PHONE_REPORTS_PER_DAY)
      throw new AppError('TOO_MANY_REQUESTS', 'This phone reported many problems today; call 12345', {
        retryAfterSeconds: 3600,
      })
  }
  return file(ctx, { ...input, phone, clientId: input.clientId ? `r-${c.key}-${input.clientId}` : undefined }, c, {
    channel: 'web',
    anonymous: input.anonymous ?? true,
    phoneVerified: !!phone,
  })
}

/** "我也遇到了": follows an open case instead of filing the same problem again. */
export async function metoo(
  ctx: ResidentsContext,
  number: string,
  input: { phone?: string | undefined; code?: string | undefined; pow: PowPayload },
  c: Caller,
) {
  const { db, repo } = ctx
  const row = await repo.caseByNumber(number)
  if (!row || !residentClass(row.catalog_code)) throw notFound(number)
  if (row.closed_at || ['cancelled', 'merged', 'closed'].includes(row.status))
    throw new AppError('INVALID_TRANSITION', 'This problem is closed; report it anew if it is back', { status: row.status })
  await checkPow(ctx, input.pow)
  const phone = input.phone ? phoneOf(input.phone) : null
  if (phone) await checkCode(ctx, phone, input.code)
  const id = await db.transaction().execute(async (trx) => {
    const f = await repo.follow(trx, Number(row.id), phone, c.ip)
    if (f !== null)
      await audit(trx, {
        actor: `resident:${c.key}`,
        action: 'resident.metoo',
        objectType: 'case',
        objectId: Number(row.id),
        requestId: c.requestId,
        clientIp: c.ip,
        details: { number, phone: !!phone },
      })
    return f
  })
  if (id === null) throw new AppError('DUPLICATE', 'This phone follows the case already', { number })
  return { number, token: await tokenFor(ctx, number, `f${id}`), followers: await repo.followerCount(Number(row.id)) }
}

/** Stop (or resume) notifications to a phone: proven by a code. */
export async function optOut(ctx: ResidentsContext, raw: string, input: { code?: string | undefined; out: boolean }) {
  const phone = phoneOf(raw)
  await checkCode(ctx, phone, input.code)
  await ctx.repo.optOut(phone, input.out)
  return { phone: `${phone.slice(0, 3)}****${phone.slice(-4)}`, optedOut: input.out }
}
