// Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2): the residents' classes as
// services, requests as cases like any other (routed, deadlined, closed) whose status, notes,
// responsible agency and expected time come from the loop. Clients that file requests hold an API
// key issued in the console (open311-clients.ts: only its hash kept), limited in rate; reading is open.
import { type CaseStatus, PUBLIC_STATUS, publicStatus, RESIDENT_CLASSES, residentClass } from '@wangge/domain'
import { AppError, ERROR_STATUS } from '../../kernel/errors.js'
import type { Principal } from '../access/index.js'
import { clientOf, clientRate, issueClient, listClients, revokeClient } from './open311-clients.js'
import { Open311Error } from './open311-error.js'
import type { PublicCaseRow } from './residents.repository.js'
import { blur, type ResidentsService } from './residents.service.js'

export { Open311Error }

/** Beijing time with its offset, as Open311 clients expect (ISO 8601, +08:00). */
export function beijingIso(d: Date | string | null | undefined): string | null {
  if (d == null) return null
  const t = new Date(d)
  return `${new Date(t.getTime() + 8 * 3_600_000).toISOString().slice(0, 19)}+08:00`
}

/** Longest window of a requests query (the issue: ≤ 90 days). */
export const MAX_WINDOW_DAYS = 90

interface RequestsQuery {
  service_request_id?: string | undefined
  service_code?: string | undefined
  start_date?: string | undefined
  end_date?: string | undefined
  status?: string | undefined
  page?: number | undefined
  page_size?: number | undefined
}

/** A residents' class as an Open311 service. */
const service = (c: (typeof RESIDENT_CLASSES)[number]) => ({
  service_code: c.code,
  service_name: c.zh,
  description: c.en,
  metadata: !!c.attributes?.length,
  type: 'realtime',
  keywords: c.en
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter(Boolean)
    .join(','),
  group: c.code.startsWith('C') ? '城市部件' : '城市事件',
})

/** A case as an Open311 request (its place blurred as its class says; hidden text left out). */
function request(r: PublicCaseRow, departments: Map<string, string>) {
  const cls = residentClass(r.catalog_code)
  const status = publicStatus(r.status as CaseStatus)
  const [lng, lat] = blur(r.lng, r.lat, cls?.blurMeters ?? 0)
  return {
    service_request_id: r.number,
    status: PUBLIC_STATUS[status].open311,
    status_notes: PUBLIC_STATUS[status].zh,
    service_name: cls?.zh ?? r.catalog_code,
    service_code: r.catalog_code,
    description: r.hidden ? '' : r.description,
    agency_responsible: r.department ? (departments.get(r.department) ?? r.department) : '',
    service_notice: '',
    requested_datetime: beijingIso(r.reported_at),
    updated_datetime: beijingIso(r.updated_at),
    expected_datetime: beijingIso(r.deadline),
    address: r.hidden || (cls?.blurMeters ?? 0) > 0 ? '' : (r.address ?? ''),
    address_id: '',
    zipcode: '',
    lat,
    long: lng,
    media_url: '',
  }
}

/** A requests query's window (at most 90 days, default the last 90), classes and page, checked. */
function requestsQuery(q: RequestsQuery, now: Date) {
  const date = (s: string | undefined, name: string) => {
    if (s === undefined) return undefined
    const d = new Date(s)
    if (Number.isNaN(d.getTime())) throw new Open311Error(400, `${name} is not an ISO 8601 date`)
    return d
  }
  const end = date(q.end_date, 'end_date') ?? now
  const start = date(q.start_date, 'start_date') ?? new Date(end.getTime() - MAX_WINDOW_DAYS * 86_400_000)
  if (end < start) throw new Open311Error(400, 'end_date is before start_date')
  if (end.getTime() - start.getTime() > MAX_WINDOW_DAYS * 86_400_000)
    throw new Open311Error(400, `start_date and end_date may be at most ${MAX_WINDOW_DAYS} days apart`)
  if (q.status && !['open', 'closed'].includes(q.status)) throw new Open311Error(400, 'status is open or closed')
  const codes = q.service_code ? q.service_code.split(',') : RESIDENT_CLASSES.map((c) => c.code)
  const unknown = codes.filter((c) => !residentClass(c))
  if (unknown.length) throw new Open311Error(400, `service_code ${unknown.join(',')} not found`)
  const size = Math.min(Math.max(q.page_size ?? 50, 1), 200)
  const page = Math.max(q.page ?? 1, 1)
  return { start, end, codes, size, page }
}

export function createOpen311(residents: ResidentsService, clock: () => Date = () => new Date()) {
  const repo = residents.repo

  /** A request of the residents' classes by its number. */
  const byNumber = async (id: string) =>
    (await repo.publicCases({ codes: RESIDENT_CLASSES.map((c) => c.code), numbers: [id], limit: 1, offset: 0 }))[0]

  return {
    discovery: (base: string) => ({
      changeset: '2026-12-02T00:00:00+08:00',
      contact: '12345 政务服务便民热线',
      key_service: '向网格化服务管理中心申请 API key',
      endpoints: [
        {
          specification: 'http://wiki.open311.org/GeoReport_v2',
          url: `${base}/open311/v2`,
          changeset: '2026-12-02T00:00:00+08:00',
          type: 'production',
          formats: ['application/json', 'text/xml'],
        },
      ],
    }),

    services: () => RESIDENT_CLASSES.map(service),

    definition(code: string) {
      const c = residentClass(code)
      if (!c) throw new Open311Error(404, `service_code ${code} not found`)
      return {
        service_code: c.code,
        attributes: (c.attributes ?? []).map((a, i) => ({
          variable: true,
          code: a.code,
          datatype: a.datatype,
          required: a.required,
          datatype_description: a.en,
          order: i + 1,
          description: a.zh,
          ...(a.values ? { values: a.values.map((v) => ({ key: v.key, name: v.zh })) } : {}),
        })),
      }
    },

    /** Requests by id, or in a window of at most 90 days (default: the last 90), newest first. */
    async requests(q: RequestsQuery) {
      const { start, end, codes, size, page } = requestsQuery(q, clock())
      const ids = q.service_request_id?.split(',').filter(Boolean)
      const rows = await repo.publicCases({
        codes,
        ...(ids ? { numbers: ids } : { from: start, to: end }),
        status: q.status as 'open' | 'closed' | undefined,
        limit: size,
        offset: (page - 1) * size,
      })
      const departments = await repo.departmentNames()
      return rows.map((r) => request(r, departments))
    },

    async request(id: string) {
      const r = await byNumber(id)
      if (!r) throw new Open311Error(404, `service_request_id ${id} not found`)
      return [request(r, await repo.departmentNames())]
    },

    /** A token is the request id itself: requests are created at once (no queue). */
    async token(token: string) {
      if (!(await byNumber(token))) throw new Open311Error(404, `token ${token} not found`)
      return [{ service_request_id: token, token }]
    },

    /** The client of an API key (403 without a valid one). */
    client: (key: string | undefined) => clientOf(repo, key),

    /** Files a request for a client: a case like any other. */
    async create(
      key: string | undefined,
      f: Record<string, string | undefined>,
      attributes: Record<string, string>,
      ip: string | undefined,
    ) {
      const client = await this.client(key)
      const code = f.service_code ?? ''
      const cls = residentClass(code)
      if (!cls) throw new Open311Error(404, `service_code ${code || '(none)'} not found`)
      for (const a of cls.attributes ?? []) {
        const v = attributes[a.code]
        if (a.required && !v) throw new Open311Error(400, `attribute[${a.code}] is required`)
        if (v && a.values && !a.values.some((x) => x.key === v))
          throw new Open311Error(400, `attribute[${a.code}] is one of ${a.values.map((x) => x.key).join(', ')}`)
      }
      const lat = f.lat === undefined ? undefined : Number(f.lat)
      const lng = f.long === undefined ? undefined : Number(f.long)
      if ((lat === undefined) !== (lng === undefined) || (lat !== undefined && (!Number.isFinite(lat) || !Number.isFinite(lng))))
        throw new Open311Error(400, 'lat and long are numbers, given together')
      if (lat === undefined && !f.address_string) throw new Open311Error(400, 'lat and long, or address_string, are required')
      if (lat === undefined) throw new Open311Error(400, 'address_string alone cannot be placed yet: give lat and long')
      const description = (f.description ?? '').trim()
      if (description.length < 4 || description.length > 1000) throw new Open311Error(400, 'description is 4–1000 characters')
      const answered = (cls.attributes ?? [])
        .filter((a) => attributes[a.code])
        .map((a) => `${a.zh}：${a.values?.find((v) => v.key === attributes[a.code])?.zh ?? attributes[a.code]}`)
      const name = [f.last_name, f.first_name].filter(Boolean).join('') || undefined
      try {
        const out = await residents.file(
          {
            catalog: code,
            description: [description, ...answered, ...(f.media_url ? [`照片：${f.media_url}`] : [])].join('\n').slice(0, 2000),
            lng,
            lat,
            address: f.address_string?.slice(0, 200),
            name: name?.slice(0, 40),
            phone: f.phone && /^1\d{10}$/.test(f.phone) ? f.phone : undefined,
            clientId: f.device_id ? `o311-${client.id}-${f.device_id}`.slice(0, 100) : undefined,
          },
          { key: `open311-${client.id}`, ip },
          { channel: 'open311', anonymous: true, phoneVerified: false, client: Number(client.id) },
        )
        return [{ service_request_id: out.number, token: out.number, service_notice: '', account_id: f.account_id ?? '' }]
      } catch (e) {
        if (e instanceof AppError && e.code === 'NOT_FOUND') throw new Open311Error(400, 'The place is outside the city')
        if (e instanceof AppError && ERROR_STATUS[e.code] < 500) throw new Open311Error(400, e.message)
        throw e
      }
    },

    // ---- the console: API keys (open311-clients.ts)
    clients: (p: Principal) => listClients(repo, p),
    issue: (p: Principal, input: { name: string; perMinute: number }) => issueClient(repo, p, input),
    revoke: (p: Principal, id: number) => revokeClient(repo, p, id),
    /** A client's rate per minute (for the limiter). */
    perMinute: (key: string | undefined) => clientRate(repo, key),
  }
}

export type Open311 = ReturnType<typeof createOpen311>
