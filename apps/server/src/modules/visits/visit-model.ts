// The visits module's shapes: a visit as the phone sends it (with the record changes made at the
// door), the door-to-door questions and service offers other modules put on a worker's list, and
// what the use cases share.
import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import type { PersonCreate, PersonsService } from '../persons/index.js'
import type { VisitsRepository } from './visits.repository.js'

/** A household not visited for this many days is shown red. */
export const RED_AFTER_DAYS = 30
/** Tasks of this priority or more urgent come before the walking order of the rest. */
export const URGENT = 2

/** A record change made at the door (offline, maybe), based on the version the phone had. */
export type VisitUpdate =
  | { kind: 'person'; personId: number; baseVersion: number; fields: Record<string, unknown> }
  | { kind: 'status'; personId: number; baseVersion: number; status: 'moved_out' | 'deceased' }
  | { kind: 'newResident'; person: Omit<PersonCreate, 'source' | 'householdId'> }

/**
 * A door-to-door question about a place in the worker's grids (共享校核: two sources disagree and
 * the grid worker of the place is to say which is right), given by the sharing module.
 */
export interface DoorQuestion {
  findingId: number
  version: number
  rule: string
  ruleName: string
  question: string
  entity: string
  entityId: number
  grid: string
  householdId: number | null
  about: string
  address: string
  lng: number | null
  lat: number | null
  left: { label: string; value: unknown; codeTable: string | null }
  right: { label: string; value: unknown; codeTable: string | null }
  since: string
}

/**
 * A proactive-service offer (主动服务) to a household in the worker's grids: a resident became
 * eligible for an item and has not applied; the worker tells them and helps (given by the
 * services module).
 */
export interface DoorOffer {
  id: number
  version: number
  item: string
  itemName: string
  householdId: number | null
  grid: string | null
  personId: number
  name: string
  reason: string
  tell: string
  bring: string[]
  spared: string[]
  since: string
}

/** The rule name of a household visited only for its questions. */
export const VERIFICATION_RULE = { code: 'verification', name: '共享校核核实' }
/** The rule name of a household visited only to tell them of a service they may now have. */
export const OFFER_RULE = { code: 'proactive_service', name: '主动服务告知' }

export interface VisitInput {
  clientId: string
  householdId: number
  visitedAt: string
  note?: string | undefined
  updates?: VisitUpdate[] | undefined
}

export interface VisitsContext {
  db: Kysely<DB>
  repo: VisitsRepository
  /** Record changes made at the door go through the persons service (history, provenance, merge). */
  persons?: PersonsService | undefined
  /** The open door-to-door questions in some grids (the sharing module's cross-check findings). */
  questions: (grids: readonly string[]) => Promise<DoorQuestion[]>
  /** The open proactive-service offers in some grids (the services module's 主动服务). */
  offers: (grids: readonly string[]) => Promise<DoorOffer[]>
  clock: () => Date
}
