// Persons (实有人口) and households (户).
// Model: a person lives in a household, which lives in a dwelling; community_code (and later
// grid_code) are copied down from the dwelling so region queries are one index range scan.
// Provenance (谁提供、谁负责): each field group (identity, residence, contact, social, care, health)
// keeps its own source and freshness; rows written by a bulk load carry the group's default
// department and the load time until a group is changed. History: every change after a load is in
// change_log with old/new values, actor, reason — written in the same transaction.
// Concurrency: updates name the version they were based on; a stale version is VERSION_CONFLICT.
// This file wires the use cases: person-reads.ts, person-writes.ts, person-view.ts.
import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import type { Principal } from '../access/index.js'
import {
  accessLog,
  getPerson,
  household,
  householdHistory,
  households,
  listPersons,
  type PersonsContext,
  personHistory,
} from './person-reads.js'
import { createPerson, type MergeInput, mergeUpdate, moveHousehold, setStatus, updatePerson } from './person-writes.js'
import { createPersonsRepository, type PersonFilter } from './persons.repository.js'
import type { PersonCreate, PersonPatch } from './persons.schemas.js'

export { initialsOf, type Person, personView, toPerson } from './person-view.js'

export function createPersonsService({ db }: { db: Kysely<DB> }) {
  const ctx: PersonsContext = { db, repo: createPersonsRepository(db) }
  return {
    list: (p: Principal, f: PersonFilter, page: number, pageSize: number) => listPersons(ctx, p, f, page, pageSize),
    get: (p: Principal, id: number, opts: { unmask?: boolean | undefined; reason?: string | undefined } = {}) =>
      getPerson(ctx, p, id, opts),
    history: (p: Principal, id: number, page: number, pageSize: number) => personHistory(ctx, p, id, page, pageSize),
    accessLog: (p: Principal, id: number, page: number, pageSize: number) => accessLog(ctx, p, id, page, pageSize),
    create: (p: Principal, input: PersonCreate) => createPerson(ctx, p, input),
    update: (p: Principal, id: number, patch: PersonPatch) => updatePerson(ctx, p, id, patch),
    mergeUpdate: (p: Principal, id: number, input: MergeInput) => mergeUpdate(ctx, p, id, input),
    setStatus: (
      p: Principal,
      id: number,
      input: { status: 'moved_out' | 'deceased' | 'active'; version: number; source: string; reason: string },
    ) => setStatus(ctx, p, id, input),
    household: (p: Principal, id: number) => household(ctx, p, id),
    households: (p: Principal, region: string | undefined, page: number, pageSize: number) =>
      households(ctx, p, region, page, pageSize),
    moveHousehold: (p: Principal, id: number, input: { dwellingId: number; version: number; source: string; reason: string }) =>
      moveHousehold(ctx, p, id, input),
    householdHistory: (p: Principal, id: number, page: number, pageSize: number) => householdHistory(ctx, p, id, page, pageSize),
  }
}

export type PersonsService = ReturnType<typeof createPersonsService>
