// Grids (单元网格): the service other modules and the routes call — this file wires the use cases:
// partition-run.ts (the automatic partition of a region, a street at a time), community-edits.ts
// (one community re-divided under a policy, or adjusted by hand), grid-queries.ts (pages, a grid,
// the map layer, outlines, neighbours, history) and lookup-cache.ts (point → grid in process).
import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import type { ChangeBus } from '../../kernel/change-bus.js'
import type { Principal } from '../access/index.js'
import { type AdjustOptions, adjust, partitionCommunity } from './community-edits.js'
import { createGridQueries } from './grid-queries.js'
import type { Adjustment } from './grids.adjust.js'
import type { PartitionPolicy } from './grids.partition.js'
import { createGridsRepository } from './grids.repository.js'
import { GridLookup } from './lookup-cache.js'
import { type GridsContext, type PartitionProgress, partition } from './partition-run.js'

export type { AdjustOptions } from './community-edits.js'
export type { PartitionProgress, WriteLog } from './partition-run.js'

export function createGridsService({ db, bus }: { db: Kysely<DB>; bus?: ChangeBus | undefined }) {
  const repo = createGridsRepository(db)
  const lookup = new GridLookup(repo)
  bus?.on('grids', () => lookup.forget())
  const ctx: GridsContext = { db, repo, lookup, bus }
  return {
    ...createGridQueries(db, repo),
    /** See partition-run.ts. */
    partition: (
      region: string,
      policy: Partial<PartitionPolicy> = {},
      onProgress?: (p: PartitionProgress) => void,
      pauseMs = 0,
      writers = 1,
    ) => partition(ctx, region, policy, onProgress, pauseMs, writers),
    partitionCommunity: (p: Principal, community: string, policy: Partial<PartitionPolicy>, apply: boolean) =>
      partitionCommunity(ctx, p, community, policy, apply),
    adjust: (p: Principal, a: Adjustment, opts: AdjustOptions) => adjust(ctx, p, a, opts),
    lookup: (lng: number, lat: number) => lookup.lookup(lng, lat),
    /** The lookup index itself (benchmarks). */
    lookupIndex: () => lookup.indexes(),
  }
}

export type GridsService = ReturnType<typeof createGridsService>
