// Attachments' SQL: photos kept once by content hash (with a thumbnail), who uploaded each, and the
// cases citing one in their steps (whoever sees such a case may read the photo). Every statement is
// rendered to attachments.repository.sql by its test.
import { type Kysely, type SqlBool, sql } from 'kysely'
import type { DB } from '../../db/schema.js'

export function createAttachmentsRepository(db: Kysely<DB>) {
  return {
    /** The uploader noted (once per attachment and actor). */
    uploaded: (id: number, actor: string) =>
      db
        .insertInto('attachment_uploads')
        .values({ attachment_id: id, uploaded_by: actor })
        .onConflict((oc) => oc.columns(['attachment_id', 'uploaded_by']).doNothing())
        .execute(),
    /** Of these attachments, those the actor uploaded. */
    uploadedBy: async (ids: readonly number[], actor: string) =>
      (
        await db
          .selectFrom('attachment_uploads')
          .select('attachment_id')
          .where('attachment_id', 'in', [...ids])
          .where('uploaded_by', '=', actor)
          .execute()
      ).map((r) => Number(r.attachment_id)),
    bySha: (sha256: string) =>
      db
        .selectFrom('attachments')
        .select(['id', 'sha256', 'mime', 'size', 'width', 'height'])
        .where('sha256', '=', sha256)
        .executeTakeFirst(),
    /** A photo kept (the same content again answers the row it has). */
    insert: (a: {
      sha256: string
      mime: string
      size: number
      width: number | null
      height: number | null
      data: Buffer
      thumbnail: Buffer
      created_by: string
    }) =>
      db
        .insertInto('attachments')
        .values(a)
        .onConflict((oc) => oc.column('sha256').doUpdateSet({ sha256: a.sha256 }))
        .returning(['id', 'sha256', 'mime', 'size', 'width', 'height'])
        .executeTakeFirstOrThrow(),
    /** The photo's bytes, or its thumbnail's. */
    body: (id: number, thumbnail: boolean) =>
      db
        .selectFrom('attachments')
        .select(['id', 'mime', 'sha256', thumbnail ? 'thumbnail as body' : 'data as body'])
        .where('id', '=', id)
        .executeTakeFirst(),
    /** Cases whose steps cite the photo (a few are enough to decide who may read it). */
    citing: (id: number, limit: number) =>
      db
        .selectFrom('cases as c')
        .selectAll('c')
        .where('c.id', 'in', (eb) =>
          eb
            .selectFrom('case_steps as s')
            .select('s.case_id')
            // (Both conditions, so that the partial GIN index on cited photos answers.)
            .where(sql<SqlBool>`s.attachments @> array[${id}]::bigint[] and s.attachments <> '{}'`),
        )
        .limit(limit)
        .execute(),
  }
}
