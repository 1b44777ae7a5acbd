// The API client of both apps: same-origin fetch with the session cookie, the CSRF token on
// writes, and the server's stable error shape `{code, message, details}` as ApiError.
import { errorMessage } from '@wangge/domain/errors'
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message)
  }
}

/** What to tell the user about a failed call: the error catalog's text for its code in the UI's
 *  language (the fields, for invalid input); the server's own English message for a code the
 *  catalog does not know. `withCode` adds the stable code, for administrators' pages. */
export function errorText(e: unknown, withCode = false): string {
  if (!(e instanceof ApiError)) return String(e)
  const lang = typeof localStorage !== 'undefined' && localStorage.getItem('wangge.lang') === 'en' ? 'en' : 'zh'
  const text = errorMessage(e.code, e.details, lang) ?? e.message
  return withCode ? `${text} (${e.code})` : text
}

const CSRF_KEY = 'wangge.csrf'
let csrf: string | null = typeof localStorage === 'undefined' ? null : localStorage.getItem(CSRF_KEY)

export function setCsrf(token: string | null) {
  csrf = token
  if (token) localStorage.setItem(CSRF_KEY, token)
  else localStorage.removeItem(CSRF_KEY)
}

export async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  opts: { raw?: Blob; signal?: AbortSignal } = {},
): Promise<T> {
  const headers: Record<string, string> = {}
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf
  let payload: BodyInit | undefined
  if (opts.raw) {
    headers['content-type'] = opts.raw.type || 'application/octet-stream'
    payload = opts.raw
  } else if (body !== undefined) {
    headers['content-type'] = 'application/json'
    payload = JSON.stringify(body)
  }
  const res = await fetch(`/api/v1${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    ...(payload !== undefined ? { body: payload } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  })
  const text = await res.text()
  const data = text ? JSON.parse(text) : undefined
  if (!res.ok) throw new ApiError(res.status, data?.code ?? 'HTTP_ERROR', data?.message ?? res.statusText, data?.details)
  return data as T
}

export const get = <T>(path: string, signal?: AbortSignal) => api<T>('GET', path, undefined, signal ? { signal } : {})
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, body)
export const patch = <T>(path: string, body: unknown) => api<T>('PATCH', path, body)
export const put = <T>(path: string, body: unknown) => api<T>('PUT', path, body)
export const del = <T>(path: string) => api<T>('DELETE', path)

export interface Me {
  id: number
  username: string
  displayName: string
  department: string | null
  roles: { role: string; scope: string; permissions: string[] }[]
  csrfToken: string | null
}

export async function login(username: string, password: string): Promise<Me> {
  const r = await api<{ csrfToken: string }>('POST', '/auth/login', { username, password })
  setCsrf(r.csrfToken)
  return me()
}

export async function me(): Promise<Me> {
  const m = await get<Me>('/auth/me')
  if (m.csrfToken) setCsrf(m.csrfToken)
  return m
}

export async function logout() {
  await api('POST', '/auth/logout').catch(() => undefined)
  setCsrf(null)
}

/** Whether the user holds a permission anywhere (the server checks the scope of each record). */
export const can = (m: Me | null, permission: string) => !!m?.roles.some((r) => r.permissions.includes(permission))

/** The widest region the user's grants cover (city `4401` for a city-wide role). */
export function homeRegion(m: Me | null, city = '4401'): string {
  const scopes = (m?.roles ?? []).map((r) => r.scope).filter((s) => /^\d+$/.test(s))
  if (!scopes.length) return city
  return scopes.reduce((a, b) => (b.length < a.length ? b : a))
}

export interface Page<T> {
  items: T[]
  total: number
  page: number
  pageSize: number
}
