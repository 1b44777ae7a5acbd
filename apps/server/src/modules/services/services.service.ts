// One-window services (一窗通办): the items and their rules as data; the window, where a clerk
// looks a resident up with their consent (every read audited under the visit's number), sees
// which items they are eligible for and why not for the others, and which papers the shared data
// spares; the application, which runs through the loop as a case of the item's subclass (the
// clock, reminders, yellow and red cards, the residents' page are the loop's); the department's
// decision; the proactive offers the night finds (proactive.ts); the figures.

import type { ConditionOutcome } from '@wangge/domain'
import {
  APPLICATION_STATUS,
  type ApplicationStatus,
  ageOn,
  beijingDate,
  checkServiceItem,
  createWorkCalendar,
  DEFAULT_DATASETS,
  DEFAULT_SERVICE_ITEMS,
  departmentDays,
  evaluateItem,
  type MaterialCheck,
  materialsChecklist,
  OFFER_OUTCOMES,
  type OfferOutcome,
  SERVICE_FACTS,
  type ServiceFact,
  type ServiceItemDefinition,
  type WorkCalendar,
} from '@wangge/domain'
import { type Kysely, sql } from 'kysely'
import type { DB } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import { audit, mask, type Principal, scopeSql } from '../access/index.js'
import type { CasesService } from '../cases/index.js'
import { areaExists } from '../stats/index.js'
import { type PersonFacts, readFacts, rulesFacts } from './facts.js'
import { serviceFigures } from './figures.js'
import { createProactive } from './proactive.js'

export interface ServicesDeps {
  db: Kysely<DB>
  cases: CasesService
  /** The work calendar (the case settings'), for working days in the figures. */
  calendar?: () => Promise<WorkCalendar>
  clock?: () => Date
}

interface ItemRow {
  code: string
  definition: ServiceItemDefinition
  active: boolean
  version: number
  updated_at: Date
  updated_by: string
}

export interface MaterialInput {
  code: string
  attachment?: number | undefined
  seen?: boolean | undefined
}

const DATASET_CODES = new Set(DEFAULT_DATASETS.map((d) => d.code))
const iso = (d: unknown) => (d instanceof Date ? d.toISOString() : String(d))

/** An application's status for people, from its case's status and the department's decision. */
export function applicationStatus(caseStatus: string | null, decision: string | null): ApplicationStatus {
  if (caseStatus === null) return 'draft'
  if (caseStatus === 'cancelled' || caseStatus === 'merged') return 'withdrawn'
  if (decision === 'rejected') return 'rejected'
  if (caseStatus === 'verified' || caseStatus === 'closed') return 'delivered'
  if (decision === 'approved') return 'approved'
  if (['accepted', 'rework', 'parked', 'handled'].includes(caseStatus)) return 'reviewing'
  return 'submitted'
}

export function createServicesService(deps: ServicesDeps) {
  const { db, cases } = deps
  const clock = deps.clock ?? (() => new Date())
  const today = () => beijingDate(clock())
  const proactive = createProactive({ db, clock, items: (q) => activeItems(q) })

  const itemRows = async (q: Kysely<DB> = db) =>
    (await q.selectFrom('service_items').selectAll().orderBy('code').execute()) as unknown as ItemRow[]
  // The active items, kept for a few seconds (an edit in this process drops them at once; another
  // process's edit is seen within the TTL): one person's re-evaluation reads no item rows.
  let cachedItems: { at: number; items: Promise<(ServiceItemDefinition & { version: number })[]> } | undefined
  // (`q`: the caller's transaction when in one — the embedded engine has a single connection.)
  const activeItems = (q: Kysely<DB> = db) => {
    if (!cachedItems || Date.now() - cachedItems.at > 5_000) {
      const items = itemRows(q).then((rows) => rows.filter((r) => r.active).map((r) => ({ ...r.definition, version: r.version })))
      items.catch(() => {
        cachedItems = undefined
      })
      cachedItems = { at: Date.now(), items }
    }
    return cachedItems.items
  }
  const notFound = (what: string, details: Record<string, unknown>) => new AppError('NOT_FOUND', `No ${what}`, details)

  const itemOut = (r: ItemRow) => ({
    ...r.definition,
    code: r.code,
    active: r.active,
    version: r.version,
    updatedAt: iso(r.updated_at),
    updatedBy: r.updated_by,
    departmentDays: departmentDays(r.definition),
  })

  async function itemRow(code: string, q: Kysely<DB> = db) {
    const r = (await q.selectFrom('service_items').selectAll().where('code', '=', code).executeTakeFirst()) as unknown as
      | ItemRow
      | undefined
    if (!r) throw notFound(`service item ${code}`, { code })
    return r
  }

  /** A visit to the window, readable by a clerk whose window scope covers the resident. */
  async function visitOf(p: Principal, number: string) {
    const v = await db.selectFrom('window_visits').selectAll().where('number', '=', number).executeTakeFirst()
    const missing = () => notFound(`window visit ${number}`, { number })
    if (!v) throw missing()
    p.check('service.window', v.grid_code ?? v.community_code, missing)
    return v
  }

  /** The resident's facts, audited as a read for this visit (its number is the reason). */
  async function factsFor(
    p: Principal,
    visit: { number: string; person_id: number; community_code: string; grid_code: string | null },
    what: string,
  ) {
    const f = (await readFacts(db, [Number(visit.person_id)], today())).get(Number(visit.person_id))
    if (!f) throw notFound(`person ${visit.person_id}`, { id: Number(visit.person_id) })
    await audit(db, {
      actor: p.actor,
      action: 'service.window.read',
      objectType: 'person',
      objectId: Number(visit.person_id),
      scope: p.scopeOf('service.window', visit.grid_code ?? visit.community_code),
      reason: `一窗受理 ${visit.number}：${what}`,
      requestId: p.requestId,
      clientIp: p.clientIp,
    })
    return f
  }

  function factsView(f: PersonFacts) {
    return (Object.keys(SERVICE_FACTS) as ServiceFact[]).map((name) => {
      const def = SERVICE_FACTS[name] as { zh: string; en: string; type: string; group?: string; dataset?: string }
      const held = def.group
        ? f.evidence.groups[def.group as keyof typeof f.evidence.groups]
        : f.evidence.datasets[def.dataset as string]
      return {
        name,
        zh: def.zh,
        en: def.en,
        type: def.type,
        value: f.facts[name] as unknown,
        dataset: def.dataset ?? null,
        source: held ? ('source' in held ? held.source : held.department) : null,
        asOf: held?.asOf ?? null,
      }
    })
  }

  async function eligibilityView(f: PersonFacts) {
    const day = today()
    return (await activeItems()).map((item) => {
      const e = evaluateItem(item, f.facts)
      const checklist = materialsChecklist(item, f.facts, f.evidence, day)
      return {
        code: item.code,
        name: item.name,
        nameEn: item.nameEn,
        department: item.department,
        eligible: e.eligible,
        conditions: e.conditions,
        materials: checklist.length,
        spared: checklist.filter((m) => m.spared).length,
      }
    })
  }

  async function householdOf(f: PersonFacts) {
    if (f.person.household_id === null) return []
    const rows = await db
      .selectFrom('persons')
      .select(['id', 'name', 'sex', 'birth_date', 'relation_to_head', 'status'])
      .where('household_id', '=', f.person.household_id)
      .orderBy('relation_to_head')
      .orderBy('birth_date')
      .execute()
    const day = today()
    return rows.map((r) => ({
      id: Number(r.id),
      name: r.name,
      sex: r.sex,
      age: ageOn(iso(r.birth_date), day),
      relation: r.relation_to_head,
      status: r.status,
      self: Number(r.id) === f.person.id,
    }))
  }

  async function applicationsOfPerson(personId: number) {
    const rows = await sql<{
      id: number
      item_code: string
      created_at: Date
      number: string | null
      status: string | null
      decision: string | null
    }>`
      select a.id, a.item_code, a.created_at, c.number, c.status, a.decision
      from service_applications a left join cases c on c.id = a.case_id
      where a.person_id = ${personId} order by a.created_at desc limit 20`.execute(db)
    return rows.rows.map((r) => ({
      id: Number(r.id),
      item: r.item_code,
      number: r.number,
      createdAt: iso(r.created_at),
      status: applicationStatus(r.status, r.decision),
    }))
  }

  async function windowView(
    p: Principal,
    visit: { number: string; person_id: number; community_code: string; created_at: Date; notify: boolean },
    f: PersonFacts,
  ) {
    const person = f.person
    return {
      visit: { number: visit.number, createdAt: iso(visit.created_at), notify: visit.notify },
      person: {
        id: person.id,
        name: person.name,
        idNumber: person.id_number,
        sex: person.sex,
        birthDate: person.birth_date.slice(0, 10),
        phone: p.allows('person.unmask', person.grid_code ?? person.community_code) ? person.phone : mask.phone(person.phone),
        address: person.address,
        community: person.community_code,
        grid: person.grid_code,
      },
      facts: factsView(f),
      household: await householdOf(f),
      items: await eligibilityView(f),
      applications: await applicationsOfPerson(person.id),
    }
  }

  async function checkDefinition(def: ServiceItemDefinition) {
    const problems = checkServiceItem(def, DATASET_CODES)
    const catalog = await db.selectFrom('case_catalog').select(['code', 'kind']).where('code', '=', def.code).executeTakeFirst()
    if (catalog?.kind !== 'service') problems.push(`${def.code} is not a service subclass of the catalog`)
    if (problems.length) throw new AppError('INVALID_SERVICE_ITEM', problems.join('; '), { problems })
  }

  return {
    proactive,
    applicationStatus,

    /** The default items, inserted when missing (edits are kept), each as version 1. */
    async seed() {
      const present = new Set((await db.selectFrom('service_items').select('code').execute()).map((r) => r.code))
      const missing = DEFAULT_SERVICE_ITEMS.filter((i) => !present.has(i.code))
      if (!missing.length) return
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('service_items')
          .values(missing.map((i) => ({ code: i.code, definition: JSON.stringify(i), updated_by: 'system' })))
          .onConflict((oc) => oc.column('code').doNothing())
          .execute()
        await trx
          .insertInto('service_item_versions')
          .values(
            missing.map((i) => ({
              item_code: i.code,
              version: 1,
              definition: JSON.stringify(i),
              active: true,
              reason: 'seeded',
              changed_by: 'system',
            })),
          )
          .onConflict((oc) => oc.columns(['item_code', 'version']).doNothing())
          .execute()
      })
    },

    async items(p: Principal) {
      p.require('region.read')
      return (await itemRows()).map(itemOut)
    },

    async item(p: Principal, code: string) {
      p.require('region.read')
      const r = await itemRow(code)
      const versions = await db
        .selectFrom('service_item_versions')
        .select(['version', 'reason', 'changed_by', 'changed_at', 'active'])
        .where('item_code', '=', code)
        .orderBy('version', 'desc')
        .execute()
      return {
        ...itemOut(r),
        versions: versions.map((v) => ({
          version: v.version,
          reason: v.reason,
          changedBy: v.changed_by,
          changedAt: iso(v.changed_at),
          active: v.active,
        })),
      }
    },

    /** A new version of an item (rule, materials, steps…): checked, kept with its reason, audited. */
    async updateItem(
      p: Principal,
      code: string,
      input: { definition: ServiceItemDefinition; active: boolean; reason: string; version: number },
    ) {
      p.require('service.admin')
      const def = { ...input.definition, code }
      await checkDefinition(def)
      await db.transaction().execute(async (trx) => {
        const cur = await trx
          .selectFrom('service_items')
          .select('version')
          .where('code', '=', code)
          .forUpdate()
          .executeTakeFirst()
        if (!cur) throw notFound(`service item ${code}`, { code })
        if (cur.version !== input.version)
          throw new AppError('VERSION_CONFLICT', `Service item ${code} is at version ${cur.version}`, { current: cur.version })
        const version = cur.version + 1
        await trx
          .updateTable('service_items')
          .set({ definition: JSON.stringify(def), active: input.active, version, updated_at: clock(), updated_by: p.actor })
          .where('code', '=', code)
          .execute()
        await trx
          .insertInto('service_item_versions')
          .values({
            item_code: code,
            version,
            definition: JSON.stringify(def),
            active: input.active,
            reason: input.reason,
            changed_by: p.actor,
          })
          .execute()
        cachedItems = undefined
        await audit(trx, {
          actor: p.actor,
          action: 'service.item.update',
          objectType: 'service_item',
          objectId: code,
          scope: null,
          reason: input.reason,
          requestId: p.requestId,
          clientIp: p.clientIp,
        })
      })
      cachedItems = undefined
      return this.item(p, code)
    },

    /**
     * A resident at the window: the clerk gives the ID number and the resident's consent; the
     * visit is recorded and the read audited under its number.
     */
    async lookup(p: Principal, input: { idNumber: string; consent: string; notify: boolean }) {
      const person = await db
        .selectFrom('persons as p')
        .leftJoin('dwellings as d', 'd.id', 'p.dwelling_id')
        .select(['p.id', 'p.community_code', 'd.grid_code'])
        .where('p.id_number', '=', input.idNumber.toUpperCase())
        .executeTakeFirst()
      const missing = () => notFound('resident with this ID number in your area', {})
      if (!person) throw missing()
      p.check('service.window', person.grid_code ?? person.community_code, missing)
      const visit = await db.transaction().execute(async (trx) => {
        const row = await trx
          .insertInto('window_visits')
          .values({
            number: `tmp-${crypto.randomUUID()}`,
            person_id: person.id,
            community_code: person.community_code,
            grid_code: person.grid_code,
            consent_note: input.consent,
            notify: input.notify,
            clerk: p.actor,
            created_at: clock(),
          })
          .returning('id')
          .executeTakeFirstOrThrow()
        const number = `YC${today().replaceAll('-', '')}${String(row.id).padStart(6, '0')}`
        return trx.updateTable('window_visits').set({ number }).where('id', '=', row.id).returningAll().executeTakeFirstOrThrow()
      })
      const f = await factsFor(p, visit, '查询居民共享信息')
      return windowView(p, visit, f)
    },

    /** The visit again (the page reloaded): a new read, audited again. */
    async visit(p: Principal, number: string) {
      const v = await visitOf(p, number)
      return windowView(p, v, await factsFor(p, v, '查询居民共享信息'))
    },

    /** The materials of an item for this resident: 免提交 where the shared data proves them. */
    async checklist(p: Principal, number: string, code: string) {
      const v = await visitOf(p, number)
      const r = await itemRow(code)
      const f = await factsFor(p, v, `核验${r.definition.name}材料`)
      const e = evaluateItem(r.definition, f.facts)
      return {
        item: itemOut(r),
        eligible: e.eligible,
        conditions: e.conditions,
        materials: materialsChecklist(r.definition, f.facts, f.evidence, today()),
      }
    },

    /**
     * Submits an application: eligibility and materials checked, then the case of the item's
     * subclass is reported, registered and dispatched to the department (the window's
     * acceptance), and the application recorded. Each step is idempotent (the case's client id is
     * the visit and item), so a retry after a failure continues rather than duplicates.
     */
    async apply(
      p: Principal,
      number: string,
      input: { item: string; materials: MaterialInput[]; phone?: string | undefined; note?: string | undefined },
    ) {
      const v = await visitOf(p, number)
      p.check('case.report', v.grid_code ?? v.community_code, () => notFound(`window visit ${number}`, { number }))
      const existing = await db
        .selectFrom('service_applications')
        .select('id')
        .where('visit_id', '=', v.id)
        .where('item_code', '=', input.item)
        .executeTakeFirst()
      if (existing) return this.application(p, Number(existing.id))
      const r = await itemRow(input.item)
      if (!r.active) throw new AppError('CATALOG_INACTIVE', `${r.definition.name} is not offered now`, { code: r.code })
      const def = r.definition
      const f = await factsFor(p, v, `受理${def.name}`)
      const e = evaluateItem(def, f.facts)
      if (!e.eligible)
        throw new AppError('NOT_ELIGIBLE', `The applicant does not meet ${def.name}`, {
          failed: e.conditions.filter((c) => !c.ok).map((c) => c.zh),
        })
      const checklist = materialsChecklist(def, f.facts, f.evidence, today())
      const given = new Map(input.materials.map((m) => [m.code, m]))
      const needed = checklist.filter((m) => !m.spared && m.why !== 'not_applicable')
      const missing = needed.filter((m) => {
        const g = given.get(m.code)
        return !g || (g.attachment === undefined && !g.seen)
      })
      if (missing.length)
        throw new AppError('MATERIALS_MISSING', `Missing: ${missing.map((m) => m.code).join(', ')}`, {
          missing: missing.map((m) => ({ code: m.code, zh: m.zh })),
        })
      if (f.person.lng === null || f.person.lat === null)
        throw new AppError('NO_ADDRESS', 'The resident has no dwelling to place the application', { person: f.person.id })
      const photos = [...given.values()].map((m) => m.attachment).filter((a): a is number => a !== undefined)
      const materials: (MaterialCheck & { attachment: number | null; seen: boolean })[] = checklist.map((m) => ({
        ...m,
        attachment: m.spared ? null : (given.get(m.code)?.attachment ?? null),
        seen: !m.spared && !!given.get(m.code)?.seen,
      }))
      const reported = await cases.report(p, {
        catalog: def.code,
        description: `${def.name}（一窗受理 ${v.number}）申请人 ${mask.name(f.person.name)}${input.note ? `：${input.note}` : ''}`,
        lng: f.person.lng,
        lat: f.person.lat,
        address: f.person.address ?? undefined,
        photos,
        source: 'resident',
        reporterName: f.person.name,
        reporterPhone: input.phone ?? f.person.phone ?? undefined,
        clientId: `window:${v.number}:${def.code}`,
      })
      let c: { id: number; status: string; version: number } = reported
      if (c.status === 'reported') c = await cases.act(p, c.id, { action: 'register', version: c.version })
      if (c.status === 'registered')
        c = await cases.act(p, c.id, { action: 'dispatch', version: c.version, department: def.department })
      const row = await db
        .insertInto('service_applications')
        .values({
          visit_id: v.id,
          item_code: def.code,
          item_version: r.version,
          person_id: f.person.id,
          community_code: f.person.community_code,
          grid_code: f.person.grid_code,
          eligibility: JSON.stringify(e.conditions),
          materials: JSON.stringify(materials),
          required: checklist.filter((m) => m.why !== 'not_applicable').length,
          spared: checklist.filter((m) => m.spared).length,
          case_id: c.id,
          created_by: p.actor,
          created_at: clock(),
        })
        .onConflict((oc) => oc.columns(['visit_id', 'item_code']).doNothing())
        .returning('id')
        .executeTakeFirst()
      // An open offer of this item to this resident is now answered: they applied.
      await db
        .updateTable('service_offers')
        .set((eb) => ({
          status: 'applied',
          outcome_at: clock(),
          outcome_by: p.actor,
          outcome_note: `一窗受理 ${v.number}`,
          version: eb('version', '+', 1),
        }))
        .where('person_id', '=', f.person.id)
        .where('item_code', '=', def.code)
        .where('status', '=', 'open')
        .execute()
      const id =
        row?.id ??
        (
          await db
            .selectFrom('service_applications')
            .select('id')
            .where('visit_id', '=', v.id)
            .where('item_code', '=', def.code)
            .executeTakeFirstOrThrow()
        ).id
      return this.application(p, Number(id))
    },

    /** Applications the caller sees (their case's visibility: the area, or the department). */
    async applications(
      p: Principal,
      f: {
        region?: string | undefined
        item?: string | undefined
        status?: ApplicationStatus | undefined
        person?: number | undefined
      },
      page: number,
      pageSize: number,
    ) {
      const where = [cases.visibleSql(p)]
      if (f.region) where.push(sql`a.community_code like ${`${f.region}%`}`)
      if (f.item) where.push(sql`a.item_code = ${f.item}`)
      if (f.person) where.push(sql`a.person_id = ${f.person}`)
      if (f.status) {
        const s = f.status
        where.push(
          s === 'approved'
            ? sql`a.decision = 'approved' and c.status not in ('verified', 'closed', 'cancelled', 'merged')`
            : s === 'rejected'
              ? sql`a.decision = 'rejected' and c.status not in ('cancelled', 'merged')`
              : s === 'delivered'
                ? sql`coalesce(a.decision, '') <> 'rejected' and c.status in ('verified', 'closed')`
                : s === 'withdrawn'
                  ? sql`c.status in ('cancelled', 'merged')`
                  : s === 'reviewing'
                    ? sql`a.decision is null and c.status in ('accepted', 'rework', 'parked', 'handled')`
                    : sql`a.decision is null and c.status in ('reported', 'registered', 'dispatched', 'returned')`,
        )
      }
      const cond = sql.join(where, sql` and `)
      const [rows, total] = await Promise.all([
        sql<ApplicationRow>`${APPLICATION_SELECT} where ${cond} order by a.created_at desc, a.id desc
          limit ${pageSize} offset ${(page - 1) * pageSize}`.execute(db),
        sql<{
          n: number
        }>`select count(*)::int as n from service_applications a join cases c on c.id = a.case_id where ${cond}`.execute(db),
      ])
      return { items: rows.rows.map((r) => applicationOut(p, r, clock())), total: Number(total.rows[0]?.n ?? 0), page, pageSize }
    },

    async application(p: Principal, id: number) {
      const r = (await sql<ApplicationRow>`${APPLICATION_SELECT} where a.id = ${id}`.execute(db)).rows[0]
      const missing = () => notFound(`application ${id}`, { id })
      if (!r) throw missing()
      if (!cases.sees(p, r)) throw cases.unseen(p, r, id)
      return { ...applicationOut(p, r, clock()), materials: r.materials, eligibility: r.eligibility }
    },

    /**
     * The department's decision (审批): the case is accepted if it was not yet, then handled with
     * the decision as its written result; the application keeps the decision.
     */
    async decide(p: Principal, id: number, input: { approve: boolean; reason: string; version: number }) {
      const app = await this.application(p, id)
      if (app.decision)
        throw new AppError('INVALID_TRANSITION', `Application ${id} was already decided`, { decision: app.decision })
      let c: { id: number; number: string; status: string; version: number } = await cases.get(p, app.caseId)
      if (c.version !== input.version)
        throw new AppError('VERSION_CONFLICT', `Case ${c.number} is at version ${c.version}`, { current: c.version })
      if (c.status === 'dispatched') c = await cases.act(p, c.id, { action: 'accept', version: c.version })
      const decision = input.approve ? 'approved' : 'rejected'
      c = await cases.act(p, c.id, {
        action: 'handle',
        version: c.version,
        result: `${input.approve ? '批准' : '不予批准'}：${input.reason}`,
      })
      await db
        .updateTable('service_applications')
        .set({ decision, decided_at: clock(), decided_by: p.actor })
        .where('id', '=', id)
        .where('decision', 'is', null)
        .execute()
      return this.application(p, id)
    },

    /** The proactive offers in the caller's area (grid workers: their grids). */
    async offers(
      p: Principal,
      f: { region?: string | undefined; status?: OfferOutcome | 'open' | undefined; item?: string | undefined },
      page: number,
      pageSize: number,
    ) {
      p.require('service.offer')
      let q = db
        .selectFrom('service_offers as o')
        .innerJoin('persons as p', 'p.id', 'o.person_id')
        .where(scopeSql(p, 'service.offer', { community: 'o.community_code', grid: 'o.grid_code' }))
      if (f.region) q = q.where('o.community_code', 'like', `${f.region}%`)
      if (f.status) q = q.where('o.status', '=', f.status)
      if (f.item) q = q.where('o.item_code', '=', f.item)
      const [rows, total] = await Promise.all([
        q
          .select([
            'o.id',
            'o.item_code',
            'o.person_id',
            'o.household_id',
            'o.grid_code',
            'o.community_code',
            'o.occasion',
            'o.reason',
            'o.created_on',
            'o.status',
            'o.outcome_at',
            'o.outcome_by',
            'o.outcome_note',
            'o.version',
            'o.notified',
            'p.name',
          ])
          .orderBy('o.created_on', 'desc')
          .orderBy('o.id', 'desc')
          .limit(pageSize)
          .offset((page - 1) * pageSize)
          .execute(),
        q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ])
      const names = new Map((await activeItems()).map((i) => [i.code, i]))
      return {
        items: rows.map((o) => ({
          id: Number(o.id),
          item: o.item_code,
          itemName: names.get(o.item_code)?.name ?? o.item_code,
          personId: Number(o.person_id),
          name: mask.name(o.name),
          householdId: o.household_id === null ? null : Number(o.household_id),
          grid: o.grid_code,
          community: o.community_code,
          occasion: iso(o.occasion).slice(0, 10),
          reason: o.reason,
          createdOn: iso(o.created_on).slice(0, 10),
          status: o.status,
          outcomeAt: o.outcome_at ? iso(o.outcome_at) : null,
          outcomeBy: o.outcome_by,
          outcomeNote: o.outcome_note,
          notified: o.notified,
          version: o.version,
        })),
        total: Number(total.n),
        page,
        pageSize,
      }
    },

    /** The grid worker's answer to an offer: applied, declined, not reachable. */
    async offerOutcome(p: Principal, id: number, input: { outcome: OfferOutcome; note?: string | undefined; version: number }) {
      const o = await db.selectFrom('service_offers').selectAll().where('id', '=', id).executeTakeFirst()
      const missing = () => notFound(`offer ${id}`, { id })
      if (!o) throw missing()
      p.check('service.offer', o.grid_code ?? o.community_code, missing)
      if (o.status !== 'open')
        throw new AppError('INVALID_TRANSITION', `Offer ${id} is already ${o.status}`, { status: o.status })
      if (o.version !== input.version)
        throw new AppError('VERSION_CONFLICT', `Offer ${id} is at version ${o.version}`, { current: o.version })
      const r = await db
        .updateTable('service_offers')
        .set({
          status: input.outcome,
          outcome_at: clock(),
          outcome_by: p.actor,
          outcome_note: input.note ?? null,
          version: o.version + 1,
        })
        .where('id', '=', id)
        .where('version', '=', input.version)
        .returning(['id', 'status', 'version'])
        .executeTakeFirst()
      if (!r) throw new AppError('VERSION_CONFLICT', `Offer ${id} changed meanwhile`, {})
      return { id: Number(r.id), status: r.status, version: r.version, label: OFFER_OUTCOMES[input.outcome].zh }
    },

    /** One person's eligibility for every item now (the incremental re-evaluation). */
    async eligibilityOf(personId: number) {
      // (Eligibility only: the facts the rules name, no evidence for the materials.)
      const items = await activeItems()
      const f = (await readFacts(db, [personId], today(), rulesFacts(items))).get(personId)
      if (!f) return []
      return items.map((i) => ({ code: i.code, eligible: evaluateItem(i, f.facts).eligible }))
    },

    /** Figures for leaders over the applications the caller sees (figures.ts). */
    async figures(p: Principal, q: { region: string; from?: string | undefined; to?: string | undefined }) {
      const to = q.to ?? today()
      const from = q.from ?? new Date(Date.parse(to) - 89 * 86_400_000).toISOString().slice(0, 10)
      if (from > to)
        throw new AppError('VALIDATION_FAILED', 'The period ends before it starts', {
          issues: [{ path: 'from', message: 'after to' }],
        })
      // A region outside the caller's scopes answers as one that does not exist (as case statistics
      // do); inside them the figures count only the applications the caller sees.
      const notFound = () => new AppError('NOT_FOUND', `No figures for region ${q.region}`, { region: q.region })
      if (!p.sees(q.region)) throw notFound()
      if (!(await areaExists(db, q.region))) throw notFound() // (regions only: the query takes no grid)
      const calendar = deps.calendar ? await deps.calendar() : createWorkCalendar()
      return serviceFigures(db, p, cases.visibleSql(p), { region: q.region, from, to }, calendar)
    },

    statusLabels: APPLICATION_STATUS,
  }
}

interface ApplicationRow {
  id: number
  item_code: string
  item_version: number
  person_id: number
  community_code: string
  grid_code: string | null
  required: number
  spared: number
  decision: string | null
  decided_at: Date | null
  decided_by: string | null
  created_by: string
  created_at: Date
  visit_number: string | null
  case_id: number
  number: string
  status: string
  department: string | null
  deadline: Date | null
  handled_on_time: boolean | null
  version: number
  reporter_user_id: number | null
  name: string
  item_name: string
  materials: (MaterialCheck & { attachment: number | null; seen: boolean })[]
  eligibility: ConditionOutcome[]
}

const APPLICATION_SELECT = sql`
  select a.id, a.item_code, a.item_version, a.person_id, a.community_code, a.grid_code, a.required, a.spared,
    a.decision, a.decided_at, a.decided_by, a.created_by, a.created_at, a.materials, a.eligibility,
    w.number as visit_number, c.id as case_id, c.number, c.status, c.department, c.deadline, c.handled_on_time,
    c.version, c.reporter_user_id, p.name, k.name as item_name
  from service_applications a
  join cases c on c.id = a.case_id
  join persons p on p.id = a.person_id
  join case_catalog k on k.code = a.item_code
  left join window_visits w on w.id = a.visit_id`

function applicationOut(_p: Principal, r: ApplicationRow, now: Date) {
  const status = applicationStatus(r.status, r.decision)
  return {
    id: Number(r.id),
    item: r.item_code,
    itemName: r.item_name,
    itemVersion: r.item_version,
    personId: Number(r.person_id),
    applicant: mask.name(r.name),
    community: r.community_code,
    grid: r.grid_code,
    visit: r.visit_number,
    caseId: Number(r.case_id),
    number: r.number,
    caseStatus: r.status,
    caseVersion: r.version,
    status,
    statusLabel: APPLICATION_STATUS[status].zh,
    department: r.department,
    deadline: r.deadline ? iso(r.deadline) : null,
    overdue: !!r.deadline && r.decision === null && r.deadline.getTime() < now.getTime(),
    onTime: r.handled_on_time,
    decision: r.decision,
    decidedAt: r.decided_at ? iso(r.decided_at) : null,
    required: r.required,
    spared: r.spared,
    createdAt: iso(r.created_at),
    createdBy: r.created_by,
  }
}

export type ServicesService = ReturnType<typeof createServicesService>
