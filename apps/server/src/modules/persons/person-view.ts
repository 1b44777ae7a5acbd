// How a person and a household are shown: the API's names, masking (ID number, phone and
// addresses unless unmasked; health flags only with person.special) and masked history values.
import { pinyin } from 'pinyin-pro'
import { mask, type Principal } from '../access/index.js'
import type { PersonRow } from './persons.repository.js'

export const iso = (d: Date | string) => (d instanceof Date ? d.toISOString() : new Date(d).toISOString())
const dateOnly = (d: unknown) => (d == null ? null : d instanceof Date ? d.toISOString().slice(0, 10) : String(d).slice(0, 10))

export function initialsOf(name: string): string {
  return (pinyin(name, { pattern: 'first', toneType: 'none', type: 'array', surname: 'head' }) as string[]).join('').toLowerCase()
}

export function toPerson(r: PersonRow) {
  return {
    id: Number(r.id),
    idNumber: r.id_number,
    name: r.name,
    nameInitials: r.name_initials,
    sex: r.sex,
    birthDate: dateOnly(r.birth_date) as string,
    ethnicity: r.ethnicity,
    // ISO 3166-1 numeric: a foreigner's permanent-residence ID (2023 format) carries it in
    // characters 4–6; 156 (China) for everyone else.
    nationality: r.id_number.startsWith('9') ? r.id_number.slice(3, 6) : '156',
    nativePlace: r.native_place,
    populationType: r.population_type,
    householdId: r.household_id == null ? null : Number(r.household_id),
    relationToHead: r.relation_to_head,
    dwellingId: r.dwelling_id == null ? null : Number(r.dwelling_id),
    address: r.address,
    communityCode: r.community_code,
    gridCode: r.grid_code,
    registeredAddress: r.registered_address,
    migrantReason: r.migrant_reason,
    permitType: r.permit_type,
    residenceType: r.residence_type,
    arrivalDate: dateOnly(r.arrival_date),
    phone: r.phone,
    maritalStatus: r.marital_status,
    education: r.education,
    employment: r.employment,
    occupation: r.occupation,
    employer: r.employer,
    careTags: r.care_tags,
    healthFlags: r.health_flags,
    status: r.status,
    source: r.source,
    version: r.version,
    updatedAt: iso(r.updated_at),
    updatedBy: r.updated_by,
  }
}
export type Person = ReturnType<typeof toPerson>

/** What the caller may see of a person: ID number, phone and addresses masked unless unmasked;
 *  health flags only with person.special. */
export function personView(p: Principal, r: PersonRow, unmasked = false) {
  const person = toPerson(r)
  const special = p.allows('person.special', r.grid_code ?? r.community_code)
  return {
    ...person,
    idNumber: unmasked ? person.idNumber : (mask.idNumber(person.idNumber) as string),
    phone: unmasked ? person.phone : mask.phone(person.phone),
    address: unmasked ? person.address : mask.address(person.address),
    registeredAddress: unmasked ? person.registeredAddress : mask.address(person.registeredAddress),
    healthFlags: special ? person.healthFlags : [],
    masked: !unmasked,
    specialVisible: special,
  }
}

const SENSITIVE = new Set(['idNumber', 'phone', 'address', 'registeredAddress', 'healthFlags'])
/** History values of sensitive fields are always masked (the full record is `?unmask=true`). */
export function maskChanges<T extends { changes: Record<string, { old: unknown; new: unknown }> }>(items: T[]): T[] {
  return items.map((c) => ({
    ...c,
    changes: Object.fromEntries(
      Object.entries(c.changes).map(([k, v]) => [
        k,
        SENSITIVE.has(k) ? { old: v.old == null ? null : '****', new: v.new == null ? null : '****' } : v,
      ]),
    ),
  }))
}

export interface HouseholdRow {
  id: number
  household_number: string | null
  kind: string
  dwelling_id: number | null
  address: string | null
  community_code: string
  grid_code: string | null
  head_person_id: number | null
  source: string
  version: number
  updated_at: Date
}

export function householdOut(h: HouseholdRow, p: Principal) {
  return {
    id: Number(h.id),
    householdNumber: h.household_number,
    kind: h.kind,
    dwellingId: h.dwelling_id == null ? null : Number(h.dwelling_id),
    address: p.allows('person.unmask', h.grid_code ?? h.community_code) ? h.address : mask.address(h.address),
    communityCode: h.community_code,
    gridCode: h.grid_code,
    headPersonId: h.head_person_id == null ? null : Number(h.head_person_id),
    source: h.source,
    version: h.version,
    updatedAt: iso(h.updated_at),
  }
}
