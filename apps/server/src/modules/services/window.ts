// The window (一窗受理): a clerk looks a resident up with their consent — the visit recorded, every
// read of the resident's facts audited under the visit's number —, sees which items they are
// eligible for and why not for the others, their household and earlier applications, and for one
// item the materials the shared data spares (免提交).
import { ageOn, evaluateItem, materialsChecklist, SERVICE_FACTS, type ServiceFact } from '@wangge/domain'
import { audit, mask, type Principal } from '../access/index.js'
import { applicationStatus } from './applications.js'
import { type PersonFacts, readFacts } from './facts.js'
import { iso, itemOut, itemRow, notFound, type ServicesContext } from './services-context.js'

type Visit = { id: number; number: string; person_id: number; community_code: string; grid_code: string | null }

/** A visit to the window, readable by a clerk whose window scope covers the resident. */
export async function visitOf({ repo }: ServicesContext, p: Principal, number: string) {
  const v = await repo.visit(number)
  const missing = () => notFound(`window visit ${number}`, { number })
  if (!v) throw missing()
  p.check('service.window', v.grid_code ?? v.community_code, missing)
  return v
}

/** The resident's facts, audited as a read for this visit (its number is the reason). */
export async function factsFor({ db, today }: ServicesContext, p: Principal, visit: Omit<Visit, 'id'>, what: string) {
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

async function eligibilityView({ activeItems, today }: ServicesContext, f: PersonFacts) {
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

async function householdOf({ repo, today }: ServicesContext, f: PersonFacts) {
  if (f.person.household_id === null) return []
  const rows = await repo.householdMembers(f.person.household_id)
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

async function applicationsOfPerson({ repo }: ServicesContext, personId: number) {
  return (await repo.applicationsOfPerson(personId)).map((r) => ({
    id: Number(r.id),
    item: r.item_code,
    number: r.number,
    createdAt: iso(r.created_at),
    status: applicationStatus(r.status, r.decision),
  }))
}

async function windowView(
  ctx: ServicesContext,
  p: Principal,
  visit: { number: string; created_at: Date; notify: boolean },
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
    household: await householdOf(ctx, f),
    items: await eligibilityView(ctx, f),
    applications: await applicationsOfPerson(ctx, person.id),
  }
}

/**
 * A resident at the window: the clerk gives the ID number and the resident's consent; the visit
 * is recorded and the read audited under its number.
 */
export async function lookup(ctx: ServicesContext, p: Principal, input: { idNumber: string; consent: string; notify: boolean }) {
  const { db, repo, clock, today } = ctx
  const person = await repo.personByIdNumber(input.idNumber.toUpperCase())
  const missing = () => notFound('resident with this ID number in your area', {})
  if (!person) throw missing()
  p.check('service.window', person.grid_code ?? person.community_code, missing)
  const visit = await db.transaction().execute((trx) =>
    repo.openVisit(
      trx,
      {
        person_id: person.id,
        community_code: person.community_code,
        grid_code: person.grid_code,
        consent_note: input.consent,
        notify: input.notify,
        clerk: p.actor,
        created_at: clock(),
      },
      (id) => `YC${today().replaceAll('-', '')}${String(id).padStart(6, '0')}`,
    ),
  )
  const f = await factsFor(ctx, p, visit, '查询居民共享信息')
  return windowView(ctx, p, visit, f)
}

/** The visit again (the page reloaded): a new read, audited again. */
export async function visit(ctx: ServicesContext, p: Principal, number: string) {
  const v = await visitOf(ctx, p, number)
  return windowView(ctx, p, v, await factsFor(ctx, p, v, '查询居民共享信息'))
}

/** The materials of an item for this resident: 免提交 where the shared data proves them. */
export async function checklist(ctx: ServicesContext, p: Principal, number: string, code: string) {
  const v = await visitOf(ctx, p, number)
  const r = await itemRow(ctx, code)
  const f = await factsFor(ctx, p, v, `核验${r.definition.name}材料`)
  const e = evaluateItem(r.definition, f.facts)
  return {
    item: itemOut(r),
    eligible: e.eligible,
    conditions: e.conditions,
    materials: materialsChecklist(r.definition, f.facts, f.evidence, ctx.today()),
  }
}
