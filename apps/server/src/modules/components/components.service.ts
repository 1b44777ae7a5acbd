// City components (部件): 16-digit id = county 6 + major 2 + sub 2 + sequence 6, with the competent
// department, owner and maintainer — who answers when a manhole cover goes missing.
import type { Kysely, Selectable } from 'kysely'
import type { ComponentsTable, DB } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import { type Principal, scopeSql } from '../access/index.js'
import { type ComponentFilter, findComponent, listComponents } from './components.repository.js'

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
    async list(p: Principal, f: ComponentFilter, page: number, pageSize: number) {
      p.require('component.read')
      const scope = scopeSql(p, 'component.read', { community: 'community_code', grid: 'grid_code' })
      const { items, total } = await listComponents(db, scope, f, pageSize, (page - 1) * pageSize)
      return { items: items.map(out), total, page, pageSize }
    },
    async get(p: Principal, code: string) {
      const c = await findComponent(db, code)
      const missing = () => new AppError('NOT_FOUND', `No component ${code}`, { code })
      if (!c) throw missing()
      p.check('component.read', c.grid_code ?? c.community_code, missing)
      return out(c)
    },
  }
}

export type ComponentsService = ReturnType<typeof createComponentsService>
