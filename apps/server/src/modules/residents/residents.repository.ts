// The residents' channels' SQL: the public facts of cases (the ledger read set-based for the
// nearby me-too candidates, the public map and Open311 lists), followers, the notification
// outbox, opt-outs, phone codes, spent challenges and Open311 clients.
import { randomBytes } from 'node:crypto'
import { nearbyCells } from '@wangge/domain'
import { type Kysely, type Selectable, sql, type Transaction } from 'kysely'
import type { DB, NotificationsTable } from '../../db/schema.js'
import { ensureSetting } from '../../kernel/settings.js'

type Db = Kysely<DB> | Transaction<DB>
export type NotificationRow = Selectable<NotificationsTable>

/** A case as the public may know it (no reporter, no phone). */
export interface PublicCaseRow {
  id: string
  number: string
  catalog_code: string
  status: string
  description: string
  address: string | null
  lng: number
  lat: number
  department: string | null
  reported_at: Date
  deadline: Date | null
  closed_at: Date | null
  updated_at: Date
  hidden: boolean | null
  followers: number
}

/** Where a case lies and whose it is: what deciding who may see it needs. */
export interface CasePlaceRow {
  grid_code: string | null
  community_code: string
  reporter_user_id: string | null
}
const CASE_PLACE = sql`c.grid_code, c.community_code, c.reporter_user_id`

const PUBLIC_CASE = sql`c.id, c.number, c.catalog_code, c.status, c.description, c.address, c.lng, c.lat, c.department,
  c.reported_at, c.deadline, c.closed_at, c.updated_at, r.hidden,
  (select count(*)::int from case_followers f where f.case_id = c.id) as followers`

export function createResidentsRepository(db: Kysely<DB>) {
  return {
    db,
    /** The channel's signing secret (tracking links, challenges), made once per database. */
    secret: () => ensureSetting(db, 'residents.secret', randomBytes(32).toString('base64url'), 'system'),
    regionName: async (code: string) =>
      (await db.selectFrom('regions').select('name').where('code', '=', code).executeTakeFirst())?.name,
    departmentNames: async () =>
      new Map((await db.selectFrom('departments').select(['code', 'name']).execute()).map((d) => [d.code, d.name])),

    caseByNumber: async (number: string) =>
      (
        await sql<PublicCaseRow & { reporter_phone: string | null; source: string; version: number; verified_at: Date | null }>`
          select ${PUBLIC_CASE}, c.reporter_phone, c.source, c.version, c.verified_at
          from cases c left join public_reports r on r.case_id = c.id where c.number = ${number}`.execute(db)
      ).rows[0],

    /**
     * Open cases of some classes within `meters` of a point, reported since `since` (nearest first):
     * the H3 cells around the point first (the duplicates index: class, cell, time), then the box
     * and the distance.
     */
    nearby: async (codes: readonly string[], lng: number, lat: number, meters: number, since: Date, limit: number) => {
      // A box first (degrees), then the distance on the sphere's local plane.
      const dLat = meters / 111_320
      const dLng = meters / (111_320 * Math.cos((lat * Math.PI) / 180))
      return (
        await sql<PublicCaseRow & { meters: number }>`
          select * from (
            select ${PUBLIC_CASE},
              sqrt(power((c.lng - ${lng}) * ${111_320 * Math.cos((lat * Math.PI) / 180)}, 2) + power((c.lat - ${lat}) * 111320, 2)) as meters
            from cases c left join public_reports r on r.case_id = c.id
            where c.catalog_code = any(${[...codes]}::text[]) and c.cell = any(${nearbyCells(lng, lat, meters)}::text[])
              and c.closed_at is null
              and c.status not in ('cancelled', 'merged', 'closed')
              and c.reported_at >= ${since}
              and c.lng between ${lng - dLng} and ${lng + dLng} and c.lat between ${lat - dLat} and ${lat + dLat}
          ) x where x.meters <= ${meters} order by x.meters limit ${limit}`.execute(db)
      ).rows
    },

    /** Cases of some classes for the public map and Open311 lists: open, or closed since `closedSince`. */
    publicCases: async (f: {
      codes: readonly string[]
      from?: Date | undefined
      to?: Date | undefined
      closedSince?: Date | undefined
      status?: 'open' | 'closed' | undefined
      numbers?: readonly string[] | undefined
      bbox?: readonly [number, number, number, number] | undefined
      limit: number
      offset: number
    }) =>
      (
        await sql<PublicCaseRow>`
          select ${PUBLIC_CASE} from cases c left join public_reports r on r.case_id = c.id
          where c.catalog_code = any(${[...f.codes]}::text[]) and c.status <> 'merged'
            ${f.numbers ? sql`and c.number = any(${[...f.numbers]}::text[])` : sql``}
            ${f.from ? sql`and c.reported_at >= ${f.from}` : sql``}
            ${f.to ? sql`and c.reported_at <= ${f.to}` : sql``}
            ${f.status === 'open' ? sql`and c.closed_at is null and c.status <> 'cancelled'` : sql``}
            ${f.status === 'closed' ? sql`and (c.closed_at is not null or c.status = 'cancelled')` : sql``}
            ${f.closedSince ? sql`and (c.closed_at is null and c.status <> 'cancelled' or c.closed_at >= ${f.closedSince})` : sql``}
            ${f.bbox ? sql`and c.lng between ${f.bbox[0]} and ${f.bbox[2]} and c.lat between ${f.bbox[1]} and ${f.bbox[3]}` : sql``}
          order by c.reported_at desc, c.id desc limit ${f.limit} offset ${f.offset}`.execute(db)
      ).rows,

    markPublic: (
      trx: Db,
      r: {
        caseId: number
        channel: 'web' | 'open311' | 'hotline'
        anonymous: boolean
        phoneVerified: boolean
        clientId?: number | null
        ip?: string | undefined
      },
    ) =>
      trx
        .insertInto('public_reports')
        .values({
          case_id: r.caseId,
          channel: r.channel,
          anonymous: r.anonymous,
          phone_verified: r.phoneVerified,
          client_id: r.clientId ?? null,
          created_ip: r.ip ?? null,
        })
        .onConflict((oc) => oc.column('case_id').doNothing())
        .execute(),

    /** A follower (me too); false when this phone follows the case already. */
    follow: async (trx: Db, caseId: number, phone: string | null, ip: string | undefined) => {
      const row = await trx
        .insertInto('case_followers')
        .values({ case_id: caseId, phone, created_ip: ip ?? null })
        .onConflict((oc) => oc.columns(['case_id', 'phone']).where('phone', 'is not', null).doNothing())
        .returning('id')
        .executeTakeFirst()
      return row ? Number(row.id) : null
    },
    followerCount: async (caseId: number) =>
      Number(
        (
          await db
            .selectFrom('case_followers')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('case_id', '=', caseId)
            .executeTakeFirstOrThrow()
        ).n,
      ),
    isFollower: async (caseId: number, followerId: number) =>
      !!(await db
        .selectFrom('case_followers')
        .select('id')
        .where('case_id', '=', caseId)
        .where('id', '=', followerId)
        .executeTakeFirst()),

    moderate: (trx: Db, caseId: number, m: { hidden: boolean; reason: string; by: string }) =>
      trx
        .insertInto('public_reports')
        .values({
          case_id: caseId,
          channel: 'web',
          hidden: m.hidden,
          hidden_reason: m.reason,
          hidden_by: m.by,
          hidden_at: sql`now()`,
        })
        .onConflict((oc) =>
          oc.column('case_id').doUpdateSet({ hidden: m.hidden, hidden_reason: m.reason, hidden_by: m.by, hidden_at: sql`now()` }),
        )
        .execute(),
    flag: (caseId: number) =>
      db
        .insertInto('public_reports')
        .values({ case_id: caseId, channel: 'web', flagged: 1 })
        .onConflict((oc) => oc.column('case_id').doUpdateSet({ flagged: sql`public_reports.flagged + 1` }))
        .execute(),
    flagged: (limit: number) =>
      sql<PublicCaseRow & CasePlaceRow & { flagged: number }>`
        select ${PUBLIC_CASE}, ${CASE_PLACE}, r.flagged from cases c join public_reports r on r.case_id = c.id
        where r.flagged > 0 and not r.hidden order by r.flagged desc, c.id desc limit ${limit}`
        .execute(db)
        .then((r) => r.rows),

    /** A caller's cases: reported from the phone, or followed with it (newest first). */
    byPhone: (phone: string, limit: number) =>
      sql<
        PublicCaseRow & CasePlaceRow & { source: string; satisfaction: string | null; followed: boolean }
      >`select ${PUBLIC_CASE},
          ${CASE_PLACE}, c.source, c.satisfaction, coalesce(c.reporter_phone, '') <> ${phone} as followed
        from cases c left join public_reports r on r.case_id = c.id
        where c.reporter_phone = ${phone}
          or c.id in (select f.case_id from case_followers f where f.phone = ${phone})
        order by c.reported_at desc limit ${limit}`
        .execute(db)
        .then((r) => r.rows),

    /** Reports by one phone since `since` (the per-phone limit). */
    reportsByPhone: async (phone: string, since: Date) =>
      Number(
        (
          await sql<{ n: number }>`select count(*)::int as n from cases where reporter_phone = ${phone}
            and reported_at >= ${since} and source = 'resident'`.execute(db)
        ).rows[0]?.n ?? 0,
      ),

    // ---- the outbox
    notify: (
      trx: Db,
      rows: {
        channel: 'sms' | 'wechat' | 'inapp'
        recipient: string
        template: string
        payload: object
        caseId?: number | null
      }[],
    ) =>
      rows.length
        ? trx
            .insertInto('notifications')
            .values(
              rows.map((r) => ({
                channel: r.channel,
                recipient: r.recipient,
                template: r.template,
                payload: JSON.stringify(r.payload),
                case_id: r.caseId ?? null,
              })),
            )
            .execute()
        : Promise.resolve([]),
    /** Claims up to `limit` due notifications (skipping rows another sender holds). */
    due: (trx: Transaction<DB>, limit: number) =>
      sql<NotificationRow>`select * from notifications where status = 'pending' and next_attempt_at <= now()
        order by next_attempt_at, id limit ${limit} for update skip locked`
        .execute(trx)
        .then((r) => r.rows),
    sent: (trx: Db, ids: readonly number[]) =>
      ids.length
        ? trx
            .updateTable('notifications')
            .set({ status: 'sent', sent_at: sql`now()`, attempts: sql`attempts + 1`, last_error: null })
            .where('id', 'in', ids)
            .execute()
        : Promise.resolve([]),
    failed: (trx: Db, id: number, error: string, retryInSeconds: number | null) =>
      trx
        .updateTable('notifications')
        .set({
          attempts: sql`attempts + 1`,
          last_error: error.slice(0, 500),
          status: retryInSeconds === null ? 'failed' : 'pending',
          next_attempt_at: sql`now() + make_interval(secs => ${retryInSeconds ?? 0})`,
        })
        .where('id', '=', id)
        .execute(),
    notifications: async (
      f: { recipient?: string | undefined; status?: string | undefined; caseId?: number | undefined },
      limit: number,
      offset: number,
    ) => {
      let q = db.selectFrom('notifications')
      if (f.recipient) q = q.where('recipient', '=', f.recipient)
      if (f.status) q = q.where('status', '=', f.status as NotificationRow['status'])
      if (f.caseId) q = q.where('case_id', '=', f.caseId)
      const [items, total] = await Promise.all([
        q.selectAll().orderBy('id', 'desc').limit(limit).offset(offset).execute(),
        q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ])
      return { items, total: Number(total.n) }
    },
    /** In-app notifications to any of `recipients`, newest first. */
    inbox: (recipients: readonly string[], limit: number) =>
      db
        .selectFrom('notifications')
        .selectAll()
        .where('channel', '=', 'inapp')
        .where('recipient', 'in', recipients.length ? [...recipients] : [''])
        .orderBy('id', 'desc')
        .limit(limit)
        .execute(),
    optOut: (recipient: string, out: boolean) =>
      out
        ? db
            .insertInto('notification_opt_outs')
            .values({ recipient })
            .onConflict((oc) => oc.column('recipient').doNothing())
            .execute()
        : db.deleteFrom('notification_opt_outs').where('recipient', '=', recipient).execute(),
    /** Of `recipients`, those who opted out of texts. */
    optedOutOf: async (recipients: readonly string[]) =>
      new Set(
        (
          await db
            .selectFrom('notification_opt_outs')
            .select('recipient')
            .where('recipient', 'in', [...recipients])
            .execute()
        ).map((r) => r.recipient),
      ),
    optedOut: async (recipient: string) =>
      !!(await db.selectFrom('notification_opt_outs').select('recipient').where('recipient', '=', recipient).executeTakeFirst()),

    // ---- phone codes and challenges
    codesSince: async (phone: string, since: Date) =>
      Number(
        (
          await db
            .selectFrom('phone_codes')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('phone', '=', phone)
            .where('created_at', '>=', since)
            .executeTakeFirstOrThrow()
        ).n,
      ),
    addCode: (trx: Db, phone: string, codeHash: string, expiresAt: Date, ip: string | undefined) =>
      trx
        .insertInto('phone_codes')
        .values({ phone, code_hash: codeHash, expires_at: expiresAt, created_ip: ip ?? null })
        .execute(),
    /** The newest unused, unexpired code of a phone (locked: one check at a time). */
    liveCode: (trx: Transaction<DB>, phone: string) =>
      trx
        .selectFrom('phone_codes')
        .selectAll()
        .where('phone', '=', phone)
        .where('used_at', 'is', null)
        .where('expires_at', '>', sql<Date>`now()`)
        .orderBy('id', 'desc')
        .limit(1)
        .forUpdate()
        .executeTakeFirst(),
    codeTried: (trx: Db, id: number, used: boolean) =>
      trx
        .updateTable('phone_codes')
        .set(used ? { used_at: sql`now()`, attempts: sql`attempts + 1` } : { attempts: sql`attempts + 1` })
        .where('id', '=', id)
        .execute(),
    /** Spends a challenge; false when it was spent already. */
    spend: async (signature: string, expiresAt: Date) => {
      await db.deleteFrom('pow_spent').where('expires_at', '<', sql<Date>`now()`).execute()
      const row = await db
        .insertInto('pow_spent')
        .values({ signature, expires_at: expiresAt })
        .onConflict((oc) => oc.column('signature').doNothing())
        .returning('signature')
        .executeTakeFirst()
      return !!row
    },

    // ---- Open311 clients
    clients: () => db.selectFrom('open311_clients').selectAll().orderBy('id').execute(),
    addClient: (trx: Db, c: { name: string; prefix: string; hash: string; perMinute: number; by: string }) =>
      trx
        .insertInto('open311_clients')
        .values({ name: c.name, key_prefix: c.prefix, key_hash: c.hash, per_minute: c.perMinute, created_by: c.by })
        .returningAll()
        .executeTakeFirstOrThrow(),
    revokeClient: (trx: Db, id: number) =>
      trx
        .updateTable('open311_clients')
        .set({ revoked_at: sql`now()` })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst(),
    clientByHash: (hash: string) =>
      db
        .selectFrom('open311_clients')
        .selectAll()
        .where('key_hash', '=', hash)
        .where('revoked_at', 'is', null)
        .executeTakeFirst(),
  }
}

export type ResidentsRepository = ReturnType<typeof createResidentsRepository>
