// The in-process point → grid index (grids.lookup.ts) over the active grids and the communities,
// built on first use and forgotten whenever grids change (here or, through the change bus, in
// another process). Concurrent first lookups share one build; a build that started before a
// change keeps its result to itself.
import { codeAt } from '@wangge/domain'
import { type AreaGeometry, toMulti } from '@wangge/geo'
import { AppError } from '../../kernel/errors.js'
import { AreaIndex } from './grids.lookup.js'
import type { GridsRepository } from './grids.repository.js'

type Shape = { code: string; geometry: unknown; min_lng: number; min_lat: number; max_lng: number; max_lat: number }

/** A stored shape as the index and the adjacency take it. */
export const toArea = (g: Shape) => ({
  code: g.code,
  bbox: [g.min_lng, g.min_lat, g.max_lng, g.max_lat] as [number, number, number, number],
  geometry: toMulti(g.geometry as AreaGeometry),
})

export interface Indexes {
  grids: AreaIndex
  communities: AreaIndex
}

export class GridLookup {
  private index: Indexes | undefined
  private building: Promise<Indexes> | undefined
  /** Bumped when grids change. */
  private generation = 0

  constructor(private readonly repo: GridsRepository) {}

  /** The index, built when missing. */
  indexes(): Promise<Indexes> {
    if (this.index) return Promise.resolve(this.index)
    if (!this.building) {
      const started = this.build()
      this.building = started
      started
        .finally(() => {
          if (this.building === started) this.building = undefined
        })
        .catch(() => undefined)
    }
    return this.building
  }

  forget() {
    this.index = undefined
    this.building = undefined
    this.generation++
  }

  /** The grid (null where the community has none) and the regions above a point. */
  async lookup(lng: number, lat: number) {
    const ix = await this.indexes()
    const grid = ix.grids.find(lng, lat)
    const community = grid ? codeAt(grid, 'community') : ix.communities.find(lng, lat)
    if (!community)
      throw new AppError('OUTSIDE_COVERAGE', `(${lng}, ${lat}) is outside every community of this city`, { lng, lat })
    return {
      grid: grid ?? null,
      community,
      street: codeAt(community, 'street'),
      district: codeAt(community, 'district'),
      city: codeAt(community, 'city'),
    }
  }

  private async build() {
    const generation = this.generation
    const grids = await this.repo.activeShapes()
    const communities = await this.repo.communityShapes()
    const built = { grids: new AreaIndex(grids.map(toArea)), communities: new AreaIndex(communities.map(toArea)) }
    if (generation === this.generation) this.index = built
    return built
  }
}
