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
      /** The bytes in the row — or none, when they are in the object store under `object_key`. */
      data: Buffer | null
      thumbnail: Buffer | null
      object_key: string | null
      created_by: string
    }) =>
      db
        .insertInto('attachments')
        .values(a)
        .onConflict((oc) => oc.column('sha256').doUpdateSet({ sha256: a.sha256 }))
        .returning(['id', 'sha256', 'mime', 'size', 'width', 'height'])
        .executeTakeFirstOrThrow(),
    /** The photo's bytes, or its thumbnail's — or where they are in the object store. */
    body: (id: number, thumbnail: boolean) =>
      db
        .selectFrom('attachments')
        .select(['id', 'mime', 'sha256', 'object_key', thumbnail ? 'thumbnail as body' : 'data as body'])
        .where('id', '=', id)
        .executeTakeFirst(),
    /** The next photos kept in rows, after `after` (moving them to the object store). */
    inRows: (after: number, limit: number) =>
      db
        .selectFrom('attachments')
        .select(['id', 'sha256', 'mime', 'data', 'thumbnail'])
        .where('object_key', 'is', null)
        .where('id', '>', after)
        .orderBy('id')
        .limit(limit)
        .execute(),
    /** A photo's bytes now in the object store: the row forgets them. */
    movedToStore: (id: number, key: string) =>
      db
        .updateTable('attachments')
        .set({ object_key: key, data: null, thumbnail: null })
        .where('id', '=', id)
        .where('object_key', 'is', null)
        .execute(),
    rowsLeft: async () =>
      Number(
        (
          await db
            .selectFrom('attachments')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('object_key', 'is', null)
            .executeTakeFirstOrThrow()
        ).n,
      ),
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
