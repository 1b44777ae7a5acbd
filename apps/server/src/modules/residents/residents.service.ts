// Residents' channels (issue 20): a resident reports a problem without an account (a proof-of-work
// challenge instead of a third-party captcha, a phone proven by a one-time code through the
// outbox, limits per address and per phone), is offered the open cases of the same class nearby
// ("我也遇到了" follows one instead of filing a duplicate), follows the case by its number and a
// signed token (or the phone's last four digits) in plain words with an honest deadline, and
// confirms the fix or says it is not fixed — the loop's call-back (回访) answered online.
// Reports become cases like any other (routed, deadlined, closed) through the cases service,
// acting as a principal of the resident's own (`resident:<key>`), never with staff rights.
import { createHash, createHmac, randomInt, timingSafeEqual } from 'node:crypto'
import {
  type CaseStatus,
  notificationText,
  PUBLIC_STATUS,
  parsePhone,
  publicStatus,
  RESIDENT_CLASSES,
  type ResidentClass,
  residentClass,
} from '@wangge/domain'
import { createChallenge, verifySolution } from 'altcha-lib'
import { deriveKey } from 'altcha-lib/algorithms/sha'
import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import { audit, forbidden, type Principal, Principal as PrincipalClass } from '../access/index.js'
import { type createCaseServices, REOPEN_DAYS } from '../cases/index.js'
import { publicAddresses, publicBuildingsOf, someBuiltCommunity } from '../housing/index.js'
import { type CasePlaceRow, createResidentsRepository, type PublicCaseRow } from './residents.repository.js'

type CaseServices = Awaited<ReturnType<typeof createCaseServices>>

/** How near and how recent an open case of the same class must be to be offered as "me too". */
export const METOO_METERS = 250
export const METOO_DAYS = 30
/** A phone's reports per day, codes per 10 minutes, wrong tries per code. */
export const PHONE_REPORTS_PER_DAY = 5
export const CODES_PER_10_MIN = 3
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

export interface Caller {
  /** The page's own random key: its photos and its report are one resident's. */
  key: string
  ip?: string | undefined
  requestId?: string | undefined
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex')
const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b))
const iso = (d: Date | string | null | undefined) => (d == null ? null : new Date(d).toISOString())

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

export function createResidentsService({
  db,
  cases,
  attachments,
  options = { powDigits: 4, powSeconds: 600 },
  clock = () => new Date(),
  lookup,
}: {
  db: Kysely<DB>
  /** Point → community (the grids module's in-memory lookup), for the map around a position. */
  lookup?: (lng: number, lat: number) => Promise<{ community: string }>
  cases: CaseServices['cases']
  attachments: CaseServices['attachments']
  options?: ChannelOptions
  clock?: () => Date
}) {
  const repo = createResidentsRepository(db)
  let secretP: Promise<string> | undefined
  const secret = () => {
    secretP ??= repo.secret().catch((e) => {
      secretP = undefined
      throw e
    })
    return secretP
  }
  const mac = async (s: string) =>
    createHmac('sha256', await secret())
      .update(s)
      .digest('base64url')
      .slice(0, 22)

  /** The token of a case's link: the reporter's (`r`) or a follower's (`f<id>`). */
  const tokenFor = async (number: string, who: string) => `${who}.${await mac(`${number}:${who}`)}`
  const notFound = (number: string) => new AppError('NOT_FOUND', `No report ${number}`, { number })

  /** Who the caller is for this case: the reporter, a follower, or nobody (→ 404, never a hint). */
  async function holder(
    c: NonNullable<Awaited<ReturnType<typeof repo.caseByNumber>>>,
    proof: { token?: string | undefined; phone4?: string | undefined },
  ): Promise<'reporter' | 'follower'> {
    if (proof.token) {
      const [who] = proof.token.split('.')
      if (who && /^(r|f\d{1,18})$/.test(who) && same(proof.token, await tokenFor(c.number, who))) {
        if (who === 'r') return 'reporter'
        if (await repo.isFollower(Number(c.id), Number(who.slice(1)))) return 'follower'
      }
    } else if (proof.phone4 && c.reporter_phone && /^\d{4}$/.test(proof.phone4) && c.reporter_phone.endsWith(proof.phone4))
      return 'reporter'
    throw notFound(c.number)
  }

  async function checkPow(pow: PowPayload) {
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
  async function checkCode(phone: string, code: string | undefined) {
    const ok = await db.transaction().execute(async (trx) => {
      const live = await repo.liveCode(trx, phone)
      if (!live || live.attempts >= CODE_TRIES || !code) return false
      const right = same(live.code_hash, sha(`${await secret()}:${phone}:${code}`))
      await repo.codeTried(trx, Number(live.id), right)
      return right
    })
    if (!ok) throw new AppError('PHONE_CODE_INVALID', 'The code is wrong, used or expired; ask for a new one', { phone: 'code' })
  }

  const phoneOf = (raw: string) => {
    const p = parsePhone(raw)
    if (!p.ok || !/^1\d{10}$/.test(p.phone))
      throw new AppError('VALIDATION_FAILED', 'A mobile number (11 digits) is needed', {
        issues: [{ path: 'phone', message: 'not a mobile number' }],
      })
    return p.phone
  }

  /** The public face of a case: class, plain status, place, age; no reporter, no phone. */
  const publicCase = (c: PublicCaseRow, cls: ResidentClass | undefined, departments: Map<string, string>, now: Date) => {
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
  const seenBy = (p: Principal, r: CasePlaceRow & { department: string | null }) =>
    cases.sees(p, {
      grid_code: r.grid_code,
      community_code: r.community_code,
      reporter_user_id: r.reporter_user_id === null ? null : Number(r.reporter_user_id),
      department: r.department,
    })

  /** Files a resident's report as a case (after the channel's own checks), marked as public. */
  async function file(
    input: Omit<ReportRequest, 'pow' | 'code' | 'anonymous'> & { phone?: string | undefined },
    c: Caller,
    how: { channel: 'web' | 'open311'; anonymous: boolean; phoneVerified: boolean; client?: number },
  ) {
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
    return { number: out.number, token: await tokenFor(out.number, 'r'), replayed, deadline: out.deadline }
  }

  return {
    file,
    repo,
    tokenFor,

    classes: () => RESIDENT_CLASSES,

    /** Street addresses starting with what the resident typed (buildings only: no flat, no name). */
    async addresses(q: string) {
      const prefix = q.trim()
      if (prefix.length < 2) return []
      return (await publicAddresses(db, prefix, 10)).map((b) => ({ address: b.address, lng: b.lng, lat: b.lat }))
    },

    /**
     * The buildings of the community at a position (or of some community, before the page knows
     * where it is), to place a pin on a map without tiles: points and street addresses only.
     */
    async surroundings(lng: number | undefined, lat: number | undefined) {
      const community =
        lng !== undefined && lat !== undefined && lookup ? (await lookup(lng, lat)).community : await someBuiltCommunity(db)
      if (!community) return { community: null, name: null, buildings: [] }
      const [buildings, region] = await Promise.all([
        publicBuildingsOf(db, community, 800),
        db.selectFrom('regions').select('name').where('code', '=', community).executeTakeFirst(),
      ])
      return {
        community,
        name: region?.name ?? null,
        buildings: buildings.map((b) => ({ address: b.address, lng: b.lng, lat: b.lat })),
      }
    },

    /** A proof-of-work challenge, signed by the platform; good once, for a few minutes. */
    async challenge(): Promise<{ parameters: Record<string, unknown>; signature?: string | undefined }> {
      const c = await createChallenge({
        algorithm: 'SHA-256',
        cost: 1,
        deriveKey,
        keyPrefixLength: options.powDigits,
        hmacSignatureSecret: await secret(),
        expiresAt: new Date(clock().getTime() + options.powSeconds * 1000),
      })
      return { parameters: { ...c.parameters }, signature: c.signature }
    },

    /** Sends a one-time code to a phone through the outbox (a few per phone per 10 minutes). */
    async sendCode(raw: string, pow: PowPayload, c: Caller) {
      const phone = phoneOf(raw)
      await checkPow(pow)
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
    },

    /** Open cases of the class within 250 m reported in the last 30 days (the me-too offer). */
    async nearby(catalog: string, lng: number, lat: number) {
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
    },

    /** A resident's report: checked, placed and routed as any case; answers its number and link token. */
    async report(input: ReportRequest, c: Caller) {
      const cls = residentClass(input.catalog)
      if (!cls) throw new AppError('NOT_FOUND', `No class ${input.catalog} for residents`, { catalog: input.catalog })
      await checkPow(input.pow)
      const phone = input.phone ? phoneOf(input.phone) : undefined
      if (phone) {
        await checkCode(phone, input.code)
        if ((await repo.reportsByPhone(phone, new Date(clock().getTime() - 86_400_000))) >= PHONE_REPORTS_PER_DAY)
          throw new AppError('TOO_MANY_REQUESTS', 'This phone reported many problems today; call 12345', {
            retryAfterSeconds: 3600,
          })
      }
      return file({ ...input, phone, clientId: input.clientId ? `r-${c.key}-${input.clientId}` : undefined }, c, {
        channel: 'web',
        anonymous: input.anonymous ?? true,
        phoneVerified: !!phone,
      })
    },

    /** "我也遇到了": follows an open case instead of filing the same problem again. */
    async metoo(number: string, input: { phone?: string | undefined; code?: string | undefined; pow: PowPayload }, c: Caller) {
      const row = await repo.caseByNumber(number)
      if (!row || !residentClass(row.catalog_code)) throw notFound(number)
      if (row.closed_at || ['cancelled', 'merged', 'closed'].includes(row.status))
        throw new AppError('INVALID_TRANSITION', 'This problem is closed; report it anew if it is back', { status: row.status })
      await checkPow(input.pow)
      const phone = input.phone ? phoneOf(input.phone) : null
      if (phone) await checkCode(phone, input.code)
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
      return { number, token: await tokenFor(number, `f${id}`), followers: await repo.followerCount(Number(row.id)) }
    },

    /**
     * The case as its reporter or a follower sees it: the plain status, the deadline honestly,
     * the public steps, the handler's after-photos; whether they may confirm it now.
     */
    async follow(number: string, proof: { token?: string | undefined; phone4?: string | undefined }) {
      const row = await repo.caseByNumber(number)
      if (!row) throw notFound(number)
      const who = await holder(row, proof)
      const now = clock()
      const p = residentPrincipal({ key: 'follow' })
      const [steps, departments] = await Promise.all([cases.timeline(p, Number(row.id)), repo.departmentNames()])
      const PUBLIC_STEPS: Record<string, string> = {
        report: '提交反映',
        register: '受理立案',
        dispatch: '派至责任部门',
        accept: '部门已签收',
        return: '重新派遣中',
        handle: '部门处置完毕',
        verify_pass: '网格员现场核查通过',
        verify_fail: '核查未通过，返工',
        callback_satisfied: '确认已解决',
        callback_dissatisfied: '反映未解决，返工',
        close: '办结',
        cancel: '未予受理',
        merge: '并入同一问题',
        self_handle: '网格员现场处置',
        park: '暂缓处理',
        unpark: '恢复处理',
      }
      const token = proof.token ?? (await tokenFor(number, 'r'))
      const cls = residentClass(row.catalog_code)
      return {
        ...publicCase(row, cls, departments, now),
        description: row.hidden ? '' : row.description,
        address: row.hidden ? null : row.address,
        lng: row.lng,
        lat: row.lat,
        role: who,
        canConfirm: who === 'reporter' && row.status === 'verified',
        canReopen: who === 'reporter' && reopenable(row, now),
        timeline: steps
          .filter((s) => s.action in PUBLIC_STEPS)
          .map((s) => ({
            at: s.at,
            step: s.action,
            text: PUBLIC_STEPS[s.action] as string,
            // The handler's result, and the photos of the report and of the fix (not the staff's notes).
            note: s.action === 'handle' || s.action === 'self_handle' || s.action === 'cancel' ? s.note : null,
            photos: row.hidden
              ? []
              : ['report', 'handle', 'self_handle', 'verify_pass'].includes(s.action)
                ? s.attachments.map((a) => ({
                    id: a.id,
                    url: `/api/v1/public/reports/${number}/photos/${a.id}?token=${encodeURIComponent(token)}`,
                  }))
                : [],
          })),
      }
    },

    /** A photo of a public step of the case, for its reporter or follower. */
    async photo(number: string, id: number, proof: { token?: string | undefined }, thumbnail: boolean) {
      const view = await this.follow(number, proof)
      if (!view.timeline.some((s) => s.photos.some((x) => x.id === id))) throw new AppError('NOT_FOUND', `No photo ${id}`, { id })
      return attachments.read(residentPrincipal({ key: 'follow' }), id, thumbnail)
    },

    /** The resident's answer to "is it fixed?": satisfied (closes) or not fixed (back to rework). */
    async confirm(
      number: string,
      input: {
        token?: string | undefined
        phone4?: string | undefined
        fixed: boolean
        satisfaction: 'satisfied' | 'basically_satisfied' | 'dissatisfied'
        comment?: string | undefined
      },
      c: Caller,
    ) {
      const row = await repo.caseByNumber(number)
      if (!row) throw notFound(number)
      if ((await holder(row, input)) !== 'reporter') throw notFound(number)
      const p = residentPrincipal(c)
      // Closed, and "not fixed" after all within the days allowed: back to the department.
      if (!input.fixed && reopenable(row, clock())) {
        await cases.act(p, Number(row.id), {
          action: 'reopen',
          version: row.version,
          reason: input.comment?.trim() || '居民反映问题未解决',
        })
        return this.follow(number, input)
      }
      if (row.status !== 'verified')
        throw new AppError('INVALID_TRANSITION', 'Only a case awaiting your confirmation can be confirmed', {
          status: publicStatus(row.status as CaseStatus),
        })
      await cases.act(
        p,
        Number(row.id),
        input.fixed && input.satisfaction !== 'dissatisfied'
          ? { action: 'callback_satisfied', version: row.version, satisfaction: input.satisfaction, note: input.comment }
          : {
              action: 'callback_dissatisfied',
              version: row.version,
              satisfaction: 'dissatisfied',
              reason: input.comment?.trim() || '居民反映问题未解决',
            },
      )
      return this.follow(number, input)
    },

    /** Open and recently closed cases of the residents' classes; no personal data, sensitive places blurred. */
    async map(bbox: readonly [number, number, number, number] | undefined) {
      const now = clock()
      const rows = await repo.publicCases({
        codes: RESIDENT_CLASSES.filter((x) => x.blurMeters !== null).map((x) => x.code),
        closedSince: new Date(now.getTime() - 30 * 86_400_000),
        bbox,
        limit: 2000,
        offset: 0,
      })
      const departments = await repo.departmentNames()
      return {
        type: 'FeatureCollection' as const,
        features: rows.map((r) => {
          const cls = residentClass(r.catalog_code)
          const [lng, lat] = blur(r.lng, r.lat, cls?.blurMeters ?? 0)
          const pc = publicCase(r, cls, departments, now)
          return {
            type: 'Feature' as const,
            geometry: { type: 'Point' as const, coordinates: [lng, lat] as [number, number] },
            properties: {
              number: pc.number,
              className: pc.className,
              icon: pc.icon,
              status: pc.status,
              statusText: pc.statusText,
              ageDays: pc.ageDays,
              followers: pc.followers,
              blurred: (cls?.blurMeters ?? 0) > 0,
            },
          }
        }),
      }
    },

    /** Marks a report as inappropriate (anyone; the moderators see the count). */
    async flag(number: string) {
      const row = await repo.caseByNumber(number)
      if (!row) throw notFound(number)
      await repo.flag(Number(row.id))
      return { flagged: true }
    },

    /** Hides (or shows again) a report's public text and photos; nothing is lost. */
    async moderate(p: Principal, number: string, input: { hidden: boolean; reason: string }) {
      const row = await repo.caseByNumber(number)
      if (!row) throw notFound(number)
      const view = await cases.get(p, Number(row.id)) // (404 out of scope, as for any case)
      p.check('resident.moderate', view.gridCode ?? view.communityCode, () => notFound(number))
      await db.transaction().execute(async (trx) => {
        await repo.moderate(trx, Number(row.id), { hidden: input.hidden, reason: input.reason, by: p.actor })
        await audit(trx, {
          actor: p.actor,
          action: input.hidden ? 'resident.hide' : 'resident.show',
          objectType: 'case',
          objectId: Number(row.id),
          reason: input.reason,
          requestId: p.requestId,
          clientIp: p.clientIp,
          details: { number },
        })
      })
      return { number, hidden: input.hidden }
    },

    /**
     * A caller's earlier cases (12345 desk): reported from the phone or followed with it, those in
     * the operator's scope, with the class and status; the operator sees the phone anyway.
     */
    async callerCases(p: Principal, raw: string) {
      if (!p.has('case.register') && !p.has('case.callback')) throw forbidden('case.register')
      const phone = phoneOf(raw)
      const now = clock()
      const [rows, departments] = await Promise.all([repo.byPhone(phone, 100), repo.departmentNames()])
      return rows
        .filter((r) => seenBy(p, r))
        .map((r) => ({
          id: Number(r.id),
          ...publicCase(r, residentClass(r.catalog_code), departments, now),
          catalog: r.catalog_code,
          caseStatus: r.status,
          description: r.description,
          address: r.address,
          source: r.source,
          satisfaction: r.satisfaction,
          followed: r.followed,
        }))
    },

    /** A photo of the page `c.key` (checked by decoding; the report cites only its own page's photos). */
    uploadPhoto: (bytes: Buffer, c: Caller) => attachments.upload(residentPrincipal(c), bytes),

    /** Flagged public reports not hidden yet, in the moderator's scope. */
    async flagged(p: Principal) {
      p.require('resident.moderate')
      const now = clock()
      const [rows, departments] = await Promise.all([repo.flagged(200), repo.departmentNames()])
      return rows
        .filter((r) => seenBy(p, r) && p.allows('resident.moderate', r.grid_code ?? r.community_code))
        .map((r) => ({
          ...publicCase(r, residentClass(r.catalog_code), departments, now),
          description: r.description,
          flagged: r.flagged,
        }))
    },

    /**
     * The caller's in-app notifications: to their department (new cases), to the grids they work
     * (fixes to verify), to themselves.
     */
    async inbox(p: Principal) {
      const recipients = [
        `user:${p.user.id}`,
        ...(p.user.department ? [`dept:${p.user.department}`] : []),
        ...p.grants.filter((g) => g.role === 'grid_worker' || g.role === 'grid_chief').map((g) => `grid:${g.scope}`),
      ]
      return (await repo.inbox(recipients, 50)).map((n) => ({
        id: Number(n.id),
        template: n.template,
        text: notificationText(n.template, (n.payload ?? {}) as Record<string, unknown>),
        caseId: n.case_id === null ? null : Number(n.case_id),
        createdAt: iso(n.created_at) as string,
      }))
    },

    /** The outbox, newest first (notification.read; phones and codes masked). */
    async notifications(
      p: Principal,
      q: { page: number; pageSize: number; recipient?: string | undefined; status?: 'pending' | 'sent' | 'failed' | undefined },
    ) {
      p.require('notification.read')
      const { items, total } = await repo.notifications(
        { recipient: q.recipient, status: q.status },
        q.pageSize,
        (q.page - 1) * q.pageSize,
      )
      return {
        items: items.map((n) => {
          const payload = (n.payload ?? {}) as Record<string, unknown>
          const phone = /^1\d{10}$/.test(n.recipient)
          return {
            id: Number(n.id),
            channel: n.channel,
            // (The call-back has the reporter's phone in the case; the outbox need not show it.)
            recipient: phone ? `${n.recipient.slice(0, 3)}****${n.recipient.slice(-4)}` : n.recipient,
            template: n.template,
            // A code is for the phone's owner alone.
            text: notificationText(n.template, n.template === 'resident.code' ? { ...payload, code: '******' } : payload),
            caseId: n.case_id === null ? null : Number(n.case_id),
            status: n.status,
            attempts: n.attempts,
            nextAttemptAt: iso(n.next_attempt_at) as string,
            sentAt: iso(n.sent_at),
            lastError: n.last_error,
            createdAt: iso(n.created_at) as string,
          }
        }),
        total,
        page: q.page,
        pageSize: q.pageSize,
      }
    },

    /** Stop (or resume) notifications to a phone: proven by a code. */
    async optOut(raw: string, input: { code?: string | undefined; out: boolean }) {
      const phone = phoneOf(raw)
      await checkCode(phone, input.code)
      await repo.optOut(phone, input.out)
      return { phone: `${phone.slice(0, 3)}****${phone.slice(-4)}`, optedOut: input.out }
    },
  }
}

/** Closed after a department's handling, within the days a resident may still say "not fixed". */
function reopenable(row: PublicCaseRow, now: Date) {
  return (
    row.status === 'closed' &&
    row.department !== null &&
    row.closed_at !== null &&
    now.getTime() - new Date(row.closed_at).getTime() <= REOPEN_DAYS * 86_400_000
  )
}

/** A position snapped to a grid of `meters` (its cell's centre), so it points at no door. */
export function blur(lng: number, lat: number, meters: number): [number, number] {
  if (meters <= 0) return [Math.round(lng * 1e5) / 1e5, Math.round(lat * 1e5) / 1e5]
  const dLat = meters / 111_320
  const dLng = meters / (111_320 * Math.cos((lat * Math.PI) / 180))
  return [(Math.floor(lng / dLng) + 0.5) * dLng, (Math.floor(lat / dLat) + 0.5) * dLat]
}

export type ResidentsService = ReturnType<typeof createResidentsService>
