// City components (部件): 16-digit id = county 6 + major 2 + sub 2 + sequence 6, with the competent
// department, owner and maintainer — who answers when a manhole cover goes missing.
import type { Kysely, Selectable } from 'kysely'
import type { ComponentsTable, DB } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import { startsWith } from '../../kernel/like.js'
import { type Principal, scopeSql } from '../access/index.js'

type Row = Selectable<ComponentsTable>
const out = (c: Row) => ({
  id: Number(c.id),
  code: c.code,
  major: c.major,
  sub: c.sub,
  name: c.name,
  state: c.state,
  competentDepartment: c.competent_department,
  ownerUnit: c.owner_unit,
  maintainerUnit: c.maintainer_unit,
  address: c.address,
  communityCode: c.community_code,
  gridCode: c.grid_code,
  location: [c.lng, c.lat] as [number, number],
  source: c.source,
  version: c.version,
})

export function createComponentsService({ db }: { db: Kysely<DB> }) {
  return {
    async list(
      p: Principal,
      f: { region?: string | undefined; major?: string | undefined; sub?: string | undefined; state?: string | undefined },
      page: number,
      pageSize: number,
    ) {
      p.require('component.read')
      let q = db.selectFrom('components').where(scopeSql(p, 'component.read', { community: 'community_code', grid: 'grid_code' }))
      if (f.region) q = q.where('community_code', 'like', startsWith(f.region))
      if (f.major) q = q.where('major', '=', f.major)
      if (f.sub) q = q.where('sub', '=', f.sub)
      if (f.state) q = q.where('state', '=', f.state as Selectable<ComponentsTable>['state'])
      const [items, total] = await Promise.all([
        q
          .selectAll()
          .orderBy('code')
          .limit(pageSize)
          .offset((page - 1) * pageSize)
          .execute(),
        q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ])
      return { items: items.map(out), total: Number(total.n), page, pageSize }
    },
    async get(p: Principal, code: string) {
      const c = await db.selectFrom('components').selectAll().where('code', '=', code).executeTakeFirst()
      const missing = () => new AppError('NOT_FOUND', `No component ${code}`, { code })
      if (!c) throw missing()
      p.check('component.read', c.grid_code ?? c.community_code, missing)
      return out(c)
    },
  }
}

export type ComponentsService = ReturnType<typeof createComponentsService>
