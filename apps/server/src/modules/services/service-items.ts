// The service items (事项) as data: the defaults seeded once, each item with its versions, and an
// administrator's new version (rule, materials, steps…) checked, kept with its reason, audited.
import { checkServiceItem, DEFAULT_DATASETS, DEFAULT_SERVICE_ITEMS, type ServiceItemDefinition } from '@wangge/domain'
import { AppError } from '../../kernel/errors.js'
import { audit, type Principal } from '../access/index.js'
import { iso, itemOut, itemRow, notFound, type ServicesContext } from './services-context.js'

const DATASET_CODES = new Set(DEFAULT_DATASETS.map((d) => d.code))

/** The default items, inserted when missing (edits are kept), each as version 1. */
export async function seed({ db, repo }: ServicesContext) {
  const present = await repo.itemCodes()
  const missing = DEFAULT_SERVICE_ITEMS.filter((i) => !present.has(i.code))
  if (missing.length) await db.transaction().execute((trx) => repo.seedItems(trx, missing))
}

export async function items({ repo }: ServicesContext, p: Principal) {
  p.require('region.read')
  return (await repo.itemRows()).map(itemOut)
}

export async function item(ctx: ServicesContext, p: Principal, code: string) {
  p.require('region.read')
  const r = await itemRow(ctx, code)
  const versions = await ctx.repo.itemVersions(code)
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
}

async function checkDefinition({ repo }: ServicesContext, def: ServiceItemDefinition) {
  const problems = checkServiceItem(def, DATASET_CODES)
  if ((await repo.catalogKind(def.code)) !== 'service') problems.push(`${def.code} is not a service subclass of the catalog`)
  if (problems.length) throw new AppError('INVALID_SERVICE_ITEM', problems.join('; '), { problems })
}

/** A new version of an item (rule, materials, steps…): checked, kept with its reason, audited. */
export async function updateItem(
  ctx: ServicesContext,
  p: Principal,
  code: string,
  input: { definition: ServiceItemDefinition; active: boolean; reason: string; version: number },
) {
  const { db, repo, clock } = ctx
  p.require('service.admin')
  const def = { ...input.definition, code }
  await checkDefinition(ctx, def)
  await db.transaction().execute(async (trx) => {
    const cur = await repo.lockItem(trx, code)
    if (!cur) throw notFound(`service item ${code}`, { code })
    if (cur.version !== input.version)
      throw new AppError('VERSION_CONFLICT', `Service item ${code} is at version ${cur.version}`, { current: cur.version })
    await repo.saveItem(trx, def, {
      active: input.active,
      version: cur.version + 1,
      at: clock(),
      actor: p.actor,
      reason: input.reason,
    })
    ctx.dropItems()
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
  ctx.dropItems()
  return item(ctx, p, code)
}
