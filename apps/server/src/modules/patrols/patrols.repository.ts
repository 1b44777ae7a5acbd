// Patrols' SQL: the patrol rows, the track's points (idempotent by point number), the grid's
// buildings a patrol is measured against, and the cases the worker reported on the way. Every
// statement is rendered to patrols.repository.sql by its test.
import type { Kysely } from 'kysely'
import { sql } from 'kysely'
import type { DB } from '../../db/schema.js'

export interface PointRow {
  seq: number
  at: string
  lng: number
  lat: number
  accuracy_m: number | null
}

export function createPatrolsRepository(db: Kysely<DB>) {
  return {
    patrol: (id: number) => db.selectFrom('patrols').selectAll().where('id', '=', id).executeTakeFirst(),
    pointCount: async (id: number) =>
      Number(
        (await sql<{ n: number }>`select count(*)::int as n from patrol_points where patrol_id = ${id}`.execute(db)).rows[0]?.n ??
          0,
      ),
    /** The cases a worker reported in a grid between two times. */
    casesFound: (userId: number, grid: string, from: Date | string, to: Date | string) =>
      db
        .selectFrom('cases')
        .select(['id', 'number', 'catalog_code', 'status'])
        .where('reporter_user_id', '=', userId)
        .where('grid_code', '=', grid)
        .where('reported_at', '>=', new Date(from))
        .where('reported_at', '<=', new Date(to))
        .orderBy('id')
        .execute(),
    activeGrid: async (code: string) =>
      !!(await db.selectFrom('grids').select('code').where('code', '=', code).where('status', '=', 'active').executeTakeFirst()),
    /** A patrol started (nothing when its client id is known: the phone sent it again). */
    start: (p: { client_id: string; user_id: number; grid_code: string; started_at: string }) =>
      db
        .insertInto('patrols')
        .values(p)
        .onConflict((oc) => oc.column('client_id').doNothing())
        .execute(),
    byClientId: (clientId: string) =>
      db.selectFrom('patrols').select(['id', 'user_id', 'grid_code']).where('client_id', '=', clientId).executeTakeFirstOrThrow(),
    /** Points added; those already there (same number) ignored. Answers how many were added. */
    addPoints: async (id: number, points: PointRow[]) =>
      Number(
        (
          await sql`
            insert into patrol_points (patrol_id, seq, at, lng, lat, accuracy_m)
            select ${id}, x.seq, x.at, x.lng, x.lat, x.accuracy_m
            from jsonb_to_recordset(${JSON.stringify(points)}::jsonb)
              as x(seq integer, at timestamptz, lng double precision, lat double precision, accuracy_m real)
            on conflict do nothing`.execute(db)
        ).numAffectedRows ?? 0,
      ),
    track: (id: number) =>
      db.selectFrom('patrol_points').select(['lng', 'lat']).where('patrol_id', '=', id).orderBy('seq').execute(),
    buildingsOf: (grid: string) => db.selectFrom('buildings').select(['lng', 'lat']).where('grid_code', '=', grid).execute(),
    /** The patrol's summary, once (a second end changes nothing). */
    end: (id: number, s: { ended_at: string; distance_m: number; buildings: number; buildings_passed: number }) =>
      db.updateTable('patrols').set(s).where('id', '=', id).where('ended_at', 'is', null).execute(),
    /** Patrols under a region since a time, newest first. */
    under: (region: string, since: Date, limit: number) =>
      db
        .selectFrom('patrols')
        .select('id')
        .where('grid_code', 'like', `${region}%`)
        .where('started_at', '>=', since)
        .orderBy('started_at', 'desc')
        .limit(limit)
        .execute(),
  }
}
