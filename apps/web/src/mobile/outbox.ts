// The phone's outbox: reports and visits made without signal wait in IndexedDB (Dexie) with the
// photos as blobs, and are sent when the network returns — each with its client-generated id, so
// a send whose answer was lost is answered "already recorded" instead of creating a second case.
import Dexie, { type EntityTable } from 'dexie'
import { ApiError, api, post, type Res } from '../shared/api'

export interface OutboxItem {
  clientId: string
  kind: 'case' | 'visit' | 'answer' | 'outcome'
  body: Record<string, unknown>
  photos: Blob[]
  /** Attachment ids of photos already uploaded (a retry does not upload them again). */
  photoIds: number[]
  state: 'queued' | 'failed'
  /** Why the server refused it: the stable code and its parameters (shown in the UI's language),
   *  and the server's English message for a code the phone does not know. */
  error?: string
  errorCode?: string
  errorDetails?: unknown
  createdAt: number
}

export interface SentItem {
  clientId: string
  kind: OutboxItem['kind']
  label: string
  ref: string
  sentAt: number
}

class MobileDb extends Dexie {
  outbox!: EntityTable<OutboxItem, 'clientId'>
  sent!: EntityTable<SentItem, 'clientId'>
  cache!: EntityTable<{ key: string; value: unknown }, 'key'>
  constructor() {
    super('wangge-m')
    this.version(1).stores({ outbox: 'clientId, createdAt, state, kind', sent: 'clientId, sentAt', cache: 'key' })
  }
}

export const db = new MobileDb()

export const newClientId = () => `m-${crypto.randomUUID()}`

export async function enqueue(kind: OutboxItem['kind'], body: Record<string, unknown>, photos: Blob[] = []) {
  const item: OutboxItem = { clientId: newClientId(), kind, body, photos, photoIds: [], state: 'queued', createdAt: Date.now() }
  await db.outbox.add(item)
  return item
}

let running: Promise<{ sent: number; failed: number }> | null = null

/** Sends what waits, oldest first; stops at the first network failure (still offline). */
export function sync(): Promise<{ sent: number; failed: number }> {
  running ??= (async () => {
    let sent = 0
    let failed = 0
    try {
      for (const item of await db.outbox.where('state').equals('queued').sortBy('createdAt')) {
        try {
          while (item.photoIds.length < item.photos.length) {
            const photo = item.photos[item.photoIds.length] as Blob
            const r = await api<{ id: number }>('POST', '/attachments', undefined, { raw: photo })
            item.photoIds.push(r.id)
            await db.outbox.update(item.clientId, { photoIds: item.photoIds })
          }
          if (item.kind === 'case') {
            const body = { ...item.body, clientId: item.clientId, ...(item.photoIds.length ? { photos: item.photoIds } : {}) }
            const r = await post<Res<'/cases', 'post'>>('/cases', body)
            await db.sent.put({
              clientId: item.clientId,
              kind: 'case',
              label: String(item.body.description),
              ref: r.number,
              sentAt: Date.now(),
            })
          } else if (item.kind === 'answer' || item.kind === 'outcome') {
            // A door-to-door question's answer, or a proactive offer's outcome. Answered already (a
            // re-send) or settled meanwhile: nothing is left to say, so it is done — not a failure.
            const { findingId, offerId, side, note, outcome, version } = item.body
            try {
              if (item.kind === 'answer') await post(`/sharing/findings/${findingId}/resolve`, { side, note, version })
              else await post(`/services/offers/${offerId}/outcome`, { outcome, version, ...(note ? { note } : {}) })
            } catch (e) {
              if (!(e instanceof ApiError && (e.code === 'INVALID_TRANSITION' || e.code === 'VERSION_CONFLICT'))) throw e
            }
            await db.sent.put({
              clientId: item.clientId,
              kind: item.kind,
              label: String(item.body.label ?? ''),
              ref: String(item.kind === 'answer' ? findingId : offerId),
              sentAt: Date.now(),
            })
          } else {
            await post('/visits', { items: [{ ...item.body, clientId: item.clientId }] })
            await db.sent.put({
              clientId: item.clientId,
              kind: 'visit',
              label: String(item.body.label ?? ''),
              ref: '',
              sentAt: Date.now(),
            })
          }
          await db.outbox.delete(item.clientId)
          sent++
        } catch (e) {
          if (
            e instanceof ApiError &&
            e.status >= 400 &&
            e.status < 500 &&
            e.status !== 401 &&
            e.status !== 408 &&
            e.status !== 429
          ) {
            await db.outbox.update(item.clientId, {
              state: 'failed',
              error: e.message,
              errorCode: e.code,
              errorDetails: e.details,
            })
            failed++
            continue
          }
          break // offline, the server away or the session expired: try again later
        }
      }
    } finally {
      running = null
    }
    return { sent, failed }
  })()
  return running
}

/** A refused item is sent again as it is (the refusal was temporary, or it was fixed elsewhere). */
export async function retry(clientId: string) {
  await db.outbox.update(clientId, { state: 'queued', error: undefined, errorCode: undefined, errorDetails: undefined })
}

/** A refused item with what it lacked: another photo, or a corrected class or description. It goes
 *  back to the queue; the photos already uploaded are kept (a retry does not upload them again). */
export async function amend(clientId: string, change: { photo?: Blob; body?: Record<string, unknown> }) {
  await db.transaction('rw', db.outbox, async () => {
    const item = await db.outbox.get(clientId)
    if (!item) return
    await db.outbox.update(clientId, {
      photos: change.photo ? [...item.photos, change.photo] : item.photos,
      body: { ...item.body, ...change.body },
      state: 'queued',
      error: undefined,
      errorCode: undefined,
      errorDetails: undefined,
    })
  })
}

/** The worker gives up on an item: it is deleted from the phone, never sent. */
export async function discard(clientId: string) {
  await db.outbox.delete(clientId)
}

/** What a report still lacks by its class's requirements (the cached catalog), before it is queued. */
export function reportLacks(entry: { photos: number } | undefined, photos: number): { required: number; given: number } | null {
  return entry && photos < entry.photos ? { required: entry.photos, given: photos } : null
}

/** Read-through cache for lists the phone needs offline (the catalog, today's tasks). */
export async function cached<T>(key: string, load: () => Promise<T>): Promise<T> {
  try {
    const v = await load()
    await db.cache.put({ key, value: v })
    return v
  } catch (e) {
    const hit = await db.cache.get(key)
    if (hit) return hit.value as T
    throw e
  }
}
