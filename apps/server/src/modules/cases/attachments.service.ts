// Photos and evidence: stored once per content (sha256), the type decided by the bytes (sharp's
// decoder) rather than by what the client claims, limited in size and pixels, with a 320-pixel
// JPEG thumbnail for lists and phones. Who may fetch one: its uploader, or anyone who sees a case
// whose timeline cites it.
import { createHash } from 'node:crypto'
import type { Readable } from 'node:stream'
import type { Kysely, Selectable } from 'kysely'
import sharp, { type Metadata } from 'sharp'
import type { CasesTable, DB } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import type { ObjectStore } from '../../kernel/object-store.js'
import type { Principal } from '../access/index.js'
import { createAttachmentsRepository } from './attachments.repository.js'

export const MAX_ATTACHMENT_BYTES = 8 * 1024 * 1024
const MAX_PIXELS = 40_000_000
const TYPES: Record<string, string> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' }
export const ATTACHMENT_TYPES = Object.values(TYPES)
const THUMB = 320

export interface AttachmentOut {
  id: number
  sha256: string
  mime: string
  size: number
  width: number | null
  height: number | null
  url: string
  thumbnailUrl: string
}

const out = (r: { id: number; sha256: string; mime: string; size: number; width: number | null; height: number | null }) => ({
  id: Number(r.id),
  sha256: r.sha256,
  mime: r.mime,
  size: r.size,
  width: r.width,
  height: r.height,
  url: `/api/v1/attachments/${r.id}`,
  thumbnailUrl: `/api/v1/attachments/${r.id}/thumbnail`,
})

const invalid = (message: string, details: Record<string, unknown> = {}) => new AppError('ATTACHMENT_INVALID', message, details)

/** An attachment's key in the object store: by content, so the same bytes are one object. */
const objectKey = (sha256: string) => `attachments/${sha256.slice(0, 2)}/${sha256}`
const thumbKey = (key: string) => `${key}.thumb`

/**
 * Moves the photos kept in rows to the object store (`wangge attachments to-s3`): each photo's bytes
 * and thumbnail put, then its row forgets them; a run stopped halfway goes on where it stopped.
 * Answers how many moved.
 */
export async function moveAttachmentsToStore(
  db: Kysely<DB>,
  objects: ObjectStore,
  onProgress?: (moved: number, total: number) => void,
) {
  const repo = createAttachmentsRepository(db)
  const total = await repo.rowsLeft()
  let moved = 0
  for (let after = 0; ; ) {
    const rows = await repo.inRows(after, 100)
    if (!rows.length) break
    for (const r of rows) {
      const key = objectKey(r.sha256)
      await objects.put(key, r.data as Buffer, r.mime)
      if (r.thumbnail) await objects.put(thumbKey(key), r.thumbnail, 'image/jpeg')
      await repo.movedToStore(Number(r.id), key)
      after = Number(r.id)
      onProgress?.(++moved, total)
    }
  }
  return moved
}

export function createAttachmentsService({
  db,
  cases,
  objects,
}: {
  db: Kysely<DB>
  /** Where the bytes go when configured (S3_URL); otherwise they stay in the row. */
  objects?: ObjectStore | undefined
  /** Whether the principal sees a case, and the error when not (403 in scope, 404 outside). */
  cases: {
    sees(p: Principal, r: Selectable<CasesTable>): boolean
    unseen(p: Principal, r: Selectable<CasesTable>, id: number): AppError
  }
}) {
  const repo = createAttachmentsRepository(db)

  return {
    async upload(p: Principal, bytes: Buffer): Promise<AttachmentOut> {
      if (!p.has('case.report') && !p.has('case.handle') && !p.has('case.verify'))
        throw new AppError('FORBIDDEN', 'Uploading evidence needs a case permission', { permission: 'case.report' })
      if (!bytes.length) throw invalid('The upload is empty')
      if (bytes.length > MAX_ATTACHMENT_BYTES)
        throw new AppError('PAYLOAD_TOO_LARGE', `A photo may have at most ${MAX_ATTACHMENT_BYTES} bytes`, {
          limit: MAX_ATTACHMENT_BYTES,
        })
      let meta: Metadata
      try {
        meta = await sharp(bytes, { limitInputPixels: MAX_PIXELS }).metadata()
      } catch (err) {
        throw invalid('Not a readable image', { reason: err instanceof Error ? err.message : String(err) })
      }
      const mime = meta.format ? TYPES[meta.format] : undefined
      if (!mime) throw invalid(`Images must be JPEG, PNG or WebP, not ${meta.format ?? 'unknown'}`, { format: meta.format })
      const sha256 = createHash('sha256').update(bytes).digest('hex')
      const existing = await repo.bySha(sha256)
      if (existing) {
        await repo.uploaded(Number(existing.id), p.actor)
        return out(existing)
      }
      let thumbnail: Buffer
      try {
        thumbnail = await sharp(bytes, { limitInputPixels: MAX_PIXELS })
          .rotate() // honour EXIF orientation from phones
          .resize(THUMB, THUMB, { fit: 'inside', withoutEnlargement: true })
          .jpeg({ quality: 70 })
          .toBuffer()
      } catch (err) {
        throw invalid('The image could not be decoded', { reason: err instanceof Error ? err.message : String(err) })
      }
      // In the store first: a row never points at bytes that are not there (an object without a
      // row — a failure in between — is overwritten by the same bytes next time).
      const key = objects ? objectKey(sha256) : null
      if (objects && key) {
        await objects.put(key, bytes, mime)
        await objects.put(thumbKey(key), thumbnail, 'image/jpeg')
      }
      const row = await repo.insert({
        sha256,
        mime,
        size: bytes.length,
        width: meta.width ?? null,
        height: meta.height ?? null,
        data: key ? null : bytes,
        thumbnail: key ? null : thumbnail,
        object_key: key,
        created_by: p.actor,
      })
      await repo.uploaded(Number(row.id), p.actor)
      return out(row)
    },

    async read(p: Principal, id: number, thumbnail: boolean) {
      const row = await repo.body(id, thumbnail)
      const missing = new AppError('NOT_FOUND', `No attachment ${id}`, { id })
      if (!row) throw missing
      if (!(await repo.uploadedBy([id], p.actor)).length) {
        const citing = await repo.citing(id, 50)
        if (!citing.some((c) => cases.sees(p, c))) {
          const why = citing[0] && cases.unseen(p, citing[0], id)
          throw why && why.code !== 'NOT_FOUND' ? why : missing
        }
      }
      let body: Buffer | Readable | null | undefined = row.body as Buffer | null
      if (row.object_key) {
        if (!objects) throw new AppError('STORE_UNAVAILABLE', 'The photo is in the object store, which is not configured', { id })
        body = await objects.get(thumbnail ? thumbKey(row.object_key) : row.object_key)
      }
      if (!body) throw missing // (an upload from before thumbnails, or an object lost from the store)
      return {
        mime: thumbnail ? 'image/jpeg' : row.mime,
        body,
        etag: `"${row.sha256}${thumbnail ? '-t' : ''}"`,
      }
    },

    /** Throws unless every id is an attachment the caller uploaded (nobody cites another's photo to read it). */
    async requireOwn(p: Principal, ids: number[]) {
      if (!ids.length) return
      const have = new Set(await repo.uploadedBy(ids, p.actor))
      const missing = ids.filter((i) => !have.has(i))
      if (missing.length)
        throw new AppError('REFERENCE_NOT_FOUND', `No attachment ${missing.join(', ')} uploaded by you`, { missing })
    },
  }
}

export type AttachmentsService = ReturnType<typeof createAttachmentsService>
