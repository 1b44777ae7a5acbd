// The roster of grid workers (issue: grid workers): who works which grid (a `grid_worker` grant at
// the grid), the grid chief of each community (`grid_chief` at the community), A/B pairs of
// adjacent grids, and leave cover. This file wires the use cases: assignments.ts (the roster,
// holders within the policy, profiles), pairs.ts, leaves.ts, evaluation.ts.
import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import type { Principal } from '../access/index.js'
import { type ProfileInput, roster, rosterPolicy, setChiefs, setProfiles, setWorkers } from './assignments.js'
import { evaluateWorkers } from './evaluation.js'
import { decideLeave, type LeaveInput, leaves, requestLeave } from './leaves.js'
import { pair, pairs, suggestPairs, unpair } from './pairs.js'
import { createRosterRepository } from './roster.repository.js'
import type { RosterContext } from './roster-context.js'

export type { RosterPolicy } from './assignments.js'
export { coveredUsersSql } from './roster.repository.js'

export function createRosterService({
  db,
  invalidate,
  clock = () => new Date(),
}: {
  db: Kysely<DB>
  /** Grants changed: cached principals must be rebuilt. */
  invalidate: () => void
  clock?: () => Date
}) {
  const ctx: RosterContext = { db, repo: createRosterRepository(db), invalidate, clock }
  return {
    policy: () => rosterPolicy(db),
    /** The monthly evaluation of the grid workers under a region (evaluation.ts). */
    evaluate: (p: Principal, q: { region: string; month: string }) => evaluateWorkers(db, p, q),
    roster: (p: Principal, region: string) => roster(ctx, p, region),
    setProfiles: (p: Principal, profiles: readonly ProfileInput[]) => setProfiles(ctx, p, profiles),
    setWorkers: (p: Principal, grid: string, userIds: number[]) => setWorkers(ctx, p, grid, userIds),
    setChiefs: (p: Principal, community: string, userIds: number[]) => setChiefs(ctx, p, community, userIds),
    pairs: (p: Principal, region: string) => pairs(ctx, p, region),
    suggestPairs: (p: Principal, region: string, apply: boolean) => suggestPairs(ctx, p, region, apply),
    pair: (p: Principal, a: string, b: string) => pair(ctx, p, a, b),
    unpair: (p: Principal, id: number) => unpair(ctx, p, id),
    requestLeave: (p: Principal, input: LeaveInput) => requestLeave(ctx, p, input),
    decideLeave: (p: Principal, id: number, input: { decision: 'approve' | 'reject' | 'cancel'; version: number }) =>
      decideLeave(ctx, p, id, input),
    leaves: (p: Principal, region: string, q: { running?: boolean | undefined }) => leaves(ctx, p, region, q),
  }
}

export type RosterService = ReturnType<typeof createRosterService>
