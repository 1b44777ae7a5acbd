// Department data sharing (信息共享, issue 19): the dataset catalog and its ownership map,
// deliveries (file upload, push API, command line) and what came of them, the cross-checks and the
// compliance board. A department's own user sees and delivers its department's datasets only;
// leaders and dispatchers see every dataset. This file wires the use cases: dataset-catalog.ts,
// delivery-views.ts (delivery.ts applies a delivery), board-views.ts, crosschecks.ts.
import { type DatasetDefinition, ruleDatasetFacts } from '@wangge/domain'
import type { Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import type { Principal } from '../access/index.js'
import type { SharedEntityStore } from '../history/index.js'
import { nightly, schedule } from '../jobs/index.js'
import { board, boardTable } from './board-views.js'
import { createCrosschecks } from './crosschecks.js'
import { createDataset, dataset, datasets, ownership, seed, updateDataset } from './dataset-catalog.js'
import { deliver, deliveries, delivery, rejects, rejectsTable, unmatched } from './delivery-views.js'
import { createSharingRepository, toDefinition } from './sharing.repository.js'
import { ownDepartment, type SharingContext } from './sharing-context.js'

export interface SharingDeps {
  db: SharingContext['db']
  stores: Partial<Record<DatasetDefinition['entity'], SharedEntityStore>>
  clock?: () => Date
  /** See DeliveryDeps (PostgreSQL: true). */
  readsBeside?: boolean | undefined
}

/** The nightly cross-checks, at 02:00 Beijing (a scheduled job, once per day). */
const nightlyJob = (now: Date) => nightly('sharing.crosschecks', '02:00', now)

type Q = { month?: string | undefined; region?: string | undefined }

export function createSharingService({ db, stores, clock = () => new Date(), readsBeside }: SharingDeps) {
  const repo = createSharingRepository(db)
  const crosschecks = createCrosschecks({
    db,
    stores,
    ownDepartment: (p) => ownDepartment(p),
    datasetFacts: async () =>
      new Map(
        (await repo.datasets()).map((row) => {
          const d = toDefinition(row)
          return [d.code, { ...ruleDatasetFacts(d), department: d.department }]
        }),
      ),
  })
  const ctx: SharingContext = { db, repo, stores, crosschecks, clock, readsBeside }
  return {
    crosschecks,
    /** Runs the cross-checks every night (over everything, in the job's transaction). */
    jobHandlers: {
      'sharing.crosschecks': async (trx: Transaction<DB>, jobs: unknown[], now: Date) => {
        const r = await crosschecks.runAll(trx)
        await schedule(trx, nightlyJob(now))
        return jobs.map(() => r)
      },
    },
    startDaily: (now: Date) => schedule(db, nightlyJob(now)),
    /** The seeded catalog: datasets inserted when missing (an administrator's edits are kept). */
    seed: () => seed(ctx),
    datasets: (p: Principal) => datasets(ctx, p),
    dataset: (p: Principal, code: string) => dataset(ctx, p, code),
    ownership: (p: Principal) => ownership(ctx, p),
    createDataset: (p: Principal, d: DatasetDefinition, reason: string) => createDataset(ctx, p, d, reason),
    updateDataset: (p: Principal, code: string, input: Parameters<typeof updateDataset>[3]) => updateDataset(ctx, p, code, input),
    deliver: (p: Principal, code: string, input: Parameters<typeof deliver>[3]) => deliver(ctx, p, code, input),
    deliveries: (
      p: Principal,
      f: { dataset?: string | undefined; department?: string | undefined },
      page: number,
      pageSize: number,
    ) => deliveries(ctx, p, f, page, pageSize),
    delivery: (p: Principal, id: number) => delivery(ctx, p, id),
    rejects: (p: Principal, id: number, page: number, pageSize: number) => rejects(ctx, p, id, page, pageSize),
    rejectsTable: (p: Principal, id: number) => rejectsTable(ctx, p, id),
    unmatched: (p: Principal, id: number, page: number, pageSize: number) => unmatched(ctx, p, id, page, pageSize),
    board: (p: Principal, q: Q) => board(ctx, p, q),
    boardTable: (p: Principal, q: Q) => boardTable(ctx, p, q),
  }
}

export type SharingService = ReturnType<typeof createSharingService>
