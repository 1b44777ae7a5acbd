// The dataset catalog (信息资源目录): the seeded datasets, each dataset's definition and versions,
// who answers for which field group of the base database (谁提供、谁负责), and an administrator's
// new datasets and new versions (with a reason; field groups change owner with their dataset).
import { checkDatasetDefinition, type DatasetDefinition, DEFAULT_DATASETS, SHARED_FIELD_GROUPS } from '@wangge/domain'
import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import { audit, type Principal } from '../access/index.js'
import { toDefinition } from './sharing.repository.js'
import { datasetMissing, iso, ownDepartment, type SharingContext, visibleDataset } from './sharing-context.js'

/** The field groups a definition claims must be free or its own already. */
async function checkOwnership({ repo }: SharingContext, trx: Kysely<DB>, d: DatasetDefinition) {
  const owners = await repo.owners(trx)
  const taken = owners.filter((o) => d.fieldGroups.includes(o.field_group as never) && o.dataset_code !== d.code)
  if (taken.length)
    throw new AppError('FIELD_GROUP_OWNED', 'Another dataset answers for these field groups', {
      groups: taken.map((o) => ({ group: o.field_group, dataset: o.dataset_code, department: o.department })),
    })
}

function checkDefinition(d: DatasetDefinition) {
  const problems = checkDatasetDefinition(d)
  if (problems.length)
    throw new AppError('VALIDATION_FAILED', 'The dataset definition is not consistent', {
      issues: problems.map((message) => ({ path: 'definition', message })),
    })
}

/** The seeded catalog: datasets inserted when missing (an administrator's edits are kept). */
export async function seed({ db, repo, crosschecks }: SharingContext) {
  await crosschecks.seed()
  await db.transaction().execute(async (trx) => {
    for (const d of DEFAULT_DATASETS)
      if (await repo.insertDataset(trx, d, 'seed', 'seeded catalog')) {
        const owners = await repo.owners(trx)
        const free = d.fieldGroups.filter((g) => !owners.some((o) => o.field_group === g))
        await repo.setOwners(trx, d.code, d.department, free)
      }
  })
}

export async function datasets({ repo }: SharingContext, p: Principal) {
  p.require('sharing.read')
  const own = ownDepartment(p)
  return (await repo.datasets(own)).map(toDefinition)
}

export async function dataset(ctx: SharingContext, p: Principal, code: string) {
  const { repo } = ctx
  const row = await visibleDataset(ctx, p, code)
  const versions = await repo.versions(code)
  return {
    ...toDefinition(row),
    versions: versions.map((v) => ({
      version: v.version,
      reason: v.reason,
      changedBy: v.changed_by,
      changedAt: iso(v.changed_at) as string,
    })),
  }
}

/** Who answers for which field group of the base database (谁提供、谁负责). */
export async function ownership({ repo }: SharingContext, p: Principal) {
  p.require('sharing.read')
  const owners = await repo.ownersNamed()
  return Object.entries(SHARED_FIELD_GROUPS).map(([code, g]) => {
    const o = owners.find((x) => x.field_group === code)
    return {
      group: code,
      entity: g.entity,
      name: g.zh,
      nameEn: g.en,
      fields: [...g.fields],
      tags: 'tags' in g ? [...g.tags] : [],
      department: o?.department ?? null,
      dataset: o?.dataset_code ?? null,
      datasetName: o?.name ?? null,
      datasetNameEn: o?.name_en ?? null,
    }
  })
}

export async function createDataset(ctx: SharingContext, p: Principal, d: DatasetDefinition, reason: string) {
  const { db, repo } = ctx
  p.require('sharing.admin')
  checkDefinition(d)
  await db.transaction().execute(async (trx) => {
    await checkOwnership(ctx, trx, d)
    if (!(await repo.insertDataset(trx, d, p.actor, reason)))
      throw new AppError('DUPLICATE', `Dataset ${d.code} exists already`, { dataset: d.code })
    await repo.setOwners(trx, d.code, d.department, d.fieldGroups)
    await audit(trx, {
      actor: p.actor,
      action: 'sharing.dataset.create',
      objectType: 'dataset',
      objectId: d.code,
      reason,
      requestId: p.requestId,
      clientIp: p.clientIp,
    })
  })
  return dataset(ctx, p, d.code)
}

/** A new version of a dataset's definition (with the reason); its field groups change owner with it. */
export async function updateDataset(
  ctx: SharingContext,
  p: Principal,
  code: string,
  input: { definition: Omit<DatasetDefinition, 'code'>; active: boolean; version: number; reason: string },
) {
  const { db, repo } = ctx
  p.require('sharing.admin')
  const d: DatasetDefinition = { ...input.definition, code }
  checkDefinition(d)
  await db.transaction().execute(async (trx) => {
    const row = await repo.dataset(code, trx, true)
    if (!row) throw datasetMissing(code)()
    if (row.version !== input.version)
      throw new AppError('VERSION_CONFLICT', 'The dataset was changed by someone else', {
        current: row.version,
        given: input.version,
      })
    await checkOwnership(ctx, trx, d)
    await repo.updateDataset(trx, d, input.active, row.version + 1, p.actor, input.reason)
    await repo.setOwners(trx, code, d.department, d.fieldGroups)
    await audit(trx, {
      actor: p.actor,
      action: 'sharing.dataset.update',
      objectType: 'dataset',
      objectId: code,
      reason: input.reason,
      requestId: p.requestId,
      clientIp: p.clientIp,
      details: { version: row.version + 1 },
    })
  })
  return dataset(ctx, p, code)
}
