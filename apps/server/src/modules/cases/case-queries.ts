// The read side of the loop: one case (with duplicate suggestions and the reports merged into it),
// the ledger with its filters, the open cases as map points, a case's timeline with its photos.
import { CLOCK_RUNNING, codeAt, isGridCode, TERMINAL } from '@wangge/domain'
import { type Kysely, type SqlBool, sql } from 'kysely'
import type { DB } from '../../db/schema.js'
import type { Principal } from '../access/index.js'
import { sees, unseen, visibleSql } from './case-access.js'
import { type CaseFilter, ESCALATION_LEVELS, iso } from './case-model.js'
import type { CaseSettingsService } from './case-settings.service.js'
import { caseView } from './case-view.js'
import { caseById } from './cases.repository.js'
import type { Intake } from './intake.js'

export function createCaseQueries({
  db,
  settings,
  intake,
  clock,
}: {
  db: Kysely<DB>
  settings: CaseSettingsService
  intake: Intake
  clock: () => Date
}) {
  async function get(p: Principal, id: number) {
    const r = await caseById(db, id)
    if (!r || !sees(p, r)) throw unseen(p, r, id)
    const cur = await settings.current()
    const duplicates = r.status === 'reported' ? ((await intake.duplicatesOfMany([r], cur.settings))[0] ?? []) : []
    const merged = await db.selectFrom('cases').select(['id', 'number']).where('duplicate_of', '=', id).orderBy('id').execute()
    return {
      ...caseView(p, r, clock(), cur.calendar),
      duplicates,
      merged: merged.map((m) => ({ id: Number(m.id), number: m.number })),
    }
  }

  /** The cases of the ledger's filter the caller may see (not yet ordered). */
  function filtered(p: Principal, f: CaseFilter, now: Date) {
    let q = db.selectFrom('cases as c').where(visibleSql(p))
    if (f.status?.length) q = q.where('c.status', 'in', f.status)
    // Open cases only: said so the open-queue indexes (`closed_at is null`) serve the query.
    if ((f.status?.length && f.status.every((x) => !TERMINAL.has(x))) || f.overdue) q = q.where('c.closed_at', 'is', null)
    if (f.region) q = q.where(sql<SqlBool>`c.community_code like ${`${codeAt(f.region, 'community')}%`}`)
    if (f.region && isGridCode(f.region)) q = q.where('c.grid_code', '=', f.region)
    if (f.department) q = q.where('c.department', '=', f.department)
    if (f.catalog) q = q.where('c.catalog_code', '=', f.catalog)
    if (f.class) q = q.where('c.catalog_code', 'like', `${f.class}%`)
    if (f.supervision) q = q.where('c.supervision', '=', f.supervision as 'none')
    // Escalated at least to this level (a centre's supervision queue).
    if (f.escalation) q = q.where('c.escalation_level', '>=', ESCALATION_LEVELS.findIndex((l) => l.name === f.escalation) + 1)
    if (f.mine) q = q.where('c.reporter_user_id', '=', p.user.id)
    if (f.q)
      q = q.where((eb) =>
        eb.or([
          eb('c.number', '=', f.q as string),
          eb('c.description', 'like', `%${(f.q as string).replace(/[\\%_]/g, '\\$&')}%`),
        ]),
      )
    if (f.overdue !== undefined)
      q = f.overdue
        ? q.where('c.status', 'in', [...CLOCK_RUNNING]).where('c.deadline', '<', now)
        : q.where((eb) => eb.or([eb('c.status', 'not in', [...CLOCK_RUNNING]), eb('c.deadline', '>=', now)]))
    return q
  }

  function ordered(q: ReturnType<typeof filtered>, sort: CaseFilter['sort']) {
    const rows = q.selectAll('c')
    // The nearest deadline first among the cases whose clock runs (a closed case's deadline is
    // history), then the others, newest first.
    if (sort === 'deadline')
      return rows
        .orderBy(sql`(c.status = any(${[...CLOCK_RUNNING]}::text[]) and c.deadline is not null)`, 'desc')
        .orderBy(sql`c.deadline asc nulls last`)
        .orderBy('c.id', 'desc')
    return rows.orderBy('c.id', sort === 'oldest' ? 'asc' : 'desc')
  }

  async function list(p: Principal, f: CaseFilter, page: number, pageSize: number) {
    const now = clock()
    const q = filtered(p, f, now)
    const [items, total] = await Promise.all([
      ordered(q, f.sort)
        .limit(pageSize)
        .offset((page - 1) * pageSize)
        .execute(),
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ])
    const cur = await settings.current()
    return { items: items.map((r) => caseView(p, r, now, cur.calendar)), total: Number(total.n), page, pageSize }
  }

  /** The whole filtered ledger (at most `limit` rows, in the ledger's order) with the names of
   *  the classes and departments, for an export; `total` says how many matched. */
  async function ledger(p: Principal, f: CaseFilter, limit: number) {
    const now = clock()
    const q = filtered(p, f, now)
    const [rows, total, catalog, departments] = await Promise.all([
      ordered(q, f.sort).limit(limit).execute(),
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      db.selectFrom('case_catalog').select(['code', 'name', 'name_en']).execute(),
      db.selectFrom('departments').select(['code', 'name', 'name_en']).execute(),
    ])
    const cur = await settings.current()
    return {
      items: rows.map((r) => caseView(p, r, now, cur.calendar)),
      total: Number(total.n),
      catalog: new Map(catalog.map((c) => [c.code, { zh: c.name, en: c.name_en }])),
      departments: new Map(departments.map((d) => [d.code, { zh: d.name, en: d.name_en }])),
    }
  }

  /**
   * The open cases under a region the caller may see, as one GeoJSON FeatureCollection text built
   * by the database (the map clusters them): id, number, status, subclass, overdue — at most
   * `limit`, the most urgent first (overdue, then the nearest deadline), with the total said.
   */
  async function points(p: Principal, region: string, limit: number) {
    const now = clock()
    const r = await sql<{ features: string | null; total: number }>`
      with open as (
        select c.id, c.number, c.status, c.catalog_code, c.lng, c.lat,
          (c.status = any(${[...CLOCK_RUNNING]}::text[]) and c.deadline < ${now}) as overdue, c.deadline
        from cases c
        where c.closed_at is null and c.community_code like ${`${codeAt(region, 'community')}%`}
          ${isGridCode(region) ? sql`and c.grid_code = ${region}` : sql``} and ${visibleSql(p)}
      ), shown as (
        select * from open order by overdue desc, deadline nulls last, id limit ${limit}
      )
      select (select count(*)::int from open) as total,
        (select string_agg(json_build_object('type', 'Feature', 'id', id, 'properties',
            json_build_object('id', id, 'number', number, 'status', status, 'catalog', catalog_code, 'overdue', overdue),
            'geometry', json_build_object('type', 'Point', 'coordinates', json_build_array(lng, lat)))::text, ',')
         from shown) as features`.execute(db)
    const row = r.rows[0]
    return `{"type":"FeatureCollection","total":${row?.total ?? 0},"features":[${row?.features ?? ''}]}`
  }

  async function timeline(p: Principal, id: number) {
    const r = await caseById(db, id)
    if (!r || !sees(p, r)) throw unseen(p, r, id)
    const steps = await db.selectFrom('case_steps').selectAll().where('case_id', '=', id).orderBy('id').execute()
    const ids = [...new Set(steps.flatMap((s) => s.attachments.map(Number)))]
    const files = ids.length
      ? await db
          .selectFrom('attachments')
          .select(['id', 'sha256', 'mime', 'size', 'width', 'height'])
          .where('id', 'in', ids)
          .execute()
      : []
    const byId = new Map(files.map((f) => [Number(f.id), f]))
    return steps.map((s) => ({
      id: Number(s.id),
      at: iso(s.at) as string,
      action: s.action,
      fromStatus: s.from_status,
      toStatus: s.to_status,
      actor: s.actor,
      note: s.note,
      details: s.details as Record<string, unknown>,
      attachments: s.attachments.map(Number).map((a) => {
        const f = byId.get(a)
        return {
          id: a,
          sha256: f?.sha256 ?? '',
          mime: f?.mime ?? '',
          size: f?.size ?? 0,
          url: `/api/v1/attachments/${a}`,
          thumbnailUrl: `/api/v1/attachments/${a}/thumbnail`,
        }
      }),
    }))
  }

  return { get, list, ledger, points, timeline }
}
