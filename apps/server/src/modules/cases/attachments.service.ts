// Photos and evidence: stored once per content (sha256), the type decided by the bytes (sharp's
// decoder) rather than by what the client claims, limited in size and pixels, with a 320-pixel
// JPEG thumbnail for lists and phones. Who may fetch one: its uploader, or anyone who sees a case
// whose timeline cites it.
import { createHash } from 'node:crypto'
import { type Kysely, type Selectable, type SqlBool, sql } from 'kysely'
import sharp, { type Metadata } from 'sharp'
import type { CasesTable, DB } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import type { Principal } from '../access/index.js'

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

export function createAttachmentsService({
  db,
  cases,
}: {
  db: Kysely<DB>
  /** Whether the principal sees a case, and the error when not (403 in scope, 404 outside). */
  cases: {
    sees(p: Principal, r: Selectable<CasesTable>): boolean
    unseen(p: Principal, r: Selectable<CasesTable>, id: number): AppError
  }
}) {
  const uploaded = (id: number, actor: string) =>
    db
      .insertInto('attachment_uploads')
      .values({ attachment_id: id, uploaded_by: actor })
      .onConflict((oc) => oc.columns(['attachment_id', 'uploaded_by']).doNothing())
      .execute()
  const isUploader = async (id: number, actor: string) =>
    !!(await db
      .selectFrom('attachment_uploads')
      .select('attachment_id')
      .where('attachment_id', '=', id)
      .where('uploaded_by', '=', actor)
      .executeTakeFirst())

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
      const existing = await db
        .selectFrom('attachments')
        .select(['id', 'sha256', 'mime', 'size', 'width', 'height'])
        .where('sha256', '=', sha256)
        .executeTakeFirst()
      if (existing) {
        await uploaded(Number(existing.id), p.actor)
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
      const row = await db
        .insertInto('attachments')
        .values({
          sha256,
          mime,
          size: bytes.length,
          width: meta.width ?? null,
          height: meta.height ?? null,
          data: bytes,
          thumbnail,
          created_by: p.actor,
        })
        .onConflict((oc) => oc.column('sha256').doUpdateSet({ sha256 }))
        .returning(['id', 'sha256', 'mime', 'size', 'width', 'height'])
        .executeTakeFirstOrThrow()
      await uploaded(Number(row.id), p.actor)
      return out(row)
    },

    async read(p: Principal, id: number, thumbnail: boolean) {
      const row = await db
        .selectFrom('attachments')
        .select(['id', 'mime', 'sha256', thumbnail ? 'thumbnail as body' : 'data as body'])
        .where('id', '=', id)
        .executeTakeFirst()
      const missing = new AppError('NOT_FOUND', `No attachment ${id}`, { id })
      if (!row) throw missing
      if (!(await isUploader(id, p.actor))) {
        const citing = await db
          .selectFrom('cases as c')
          .selectAll('c')
          .where('c.id', 'in', (eb) =>
            eb
              .selectFrom('case_steps as s')
              .select('s.case_id')
              // (Both conditions, so that the partial GIN index on cited photos answers.)
              .where(sql<SqlBool>`s.attachments @> array[${id}]::bigint[] and s.attachments <> '{}'`),
          )
          .limit(50)
          .execute()
        if (!citing.some((c) => cases.sees(p, c))) {
          const why = citing[0] && cases.unseen(p, citing[0], id)
          throw why && why.code !== 'NOT_FOUND' ? why : missing
        }
      }
      return {
        mime: thumbnail ? 'image/jpeg' : row.mime,
        body: row.body as Buffer,
        etag: `"${row.sha256}${thumbnail ? '-t' : ''}"`,
      }
    },

    /** Throws unless every id is an attachment the caller uploaded (nobody cites another's photo to read it). */
    async requireOwn(p: Principal, ids: number[]) {
      if (!ids.length) return
      const found = await db
        .selectFrom('attachment_uploads')
        .select('attachment_id')
        .where('attachment_id', 'in', ids)
        .where('uploaded_by', '=', p.actor)
        .execute()
      const have = new Set(found.map((r) => Number(r.attachment_id)))
      const missing = ids.filter((i) => !have.has(i))
      if (missing.length)
        throw new AppError('REFERENCE_NOT_FOUND', `No attachment ${missing.join(', ')} uploaded by you`, { missing })
    },
  }
}

export type AttachmentsService = ReturnType<typeof createAttachmentsService>
