// Manual adjustment of grids (网格调整): move a building or some dwellings to an adjacent grid of
// the same community, split a grid in two, merge two adjacent grids. The current membership is
// read back from the dwellings' grid codes, changed as asked, and the community's geometry is
// recomputed from it exactly as a partition would (grids.plan.ts). The adjustment is refused —
// INVALID_ADJUSTMENT, nothing written — when the result would not be what was asked: a grid left
// empty, a grid in several pieces (the geometry step would have had to hand ground and buildings
// to another grid), grids of different communities, grids that do not touch. Grids not involved
// keep their codes, shapes and versions; the adjusted ones keep their codes (a split creates one
// new code, a merge retires one), their versions go up, and each gets a history entry with the
// household counts before and after.
import { AppError } from '../../kernel/errors.js'
import { signatureOf } from './grids.codes.js'
import { type BuildingIn, bisect, type Item, normalizeGroups, pieceItem, wholeItem } from './grids.partition.js'
import type { CommunityInput, CommunityPlan } from './grids.plan.js'

export type Adjustment =
  | { kind: 'move'; buildingId: number; to: string }
  | { kind: 'move'; dwellingIds: number[]; to: string }
  | { kind: 'split'; grid: string; buildingIds?: number[] | undefined }
  | { kind: 'merge'; grids: [string, string] }

const invalid = (reason: string, message: string, details: Record<string, unknown> = {}) =>
  new AppError('INVALID_ADJUSTMENT', message, { reason, ...details })

/** The community's grids as they are: code → items (whole buildings, or a building's dwellings
 *  in that grid). */
export function currentGroups(input: CommunityInput): Map<string, Item[]> {
  const codes = input.existing.filter((e) => e.status === 'active').map((e) => e.code)
  const raw = new Map<string, Item[]>(codes.map((c) => [c, []]))
  const add = (code: string | null | undefined, item: Item) => {
    if (!code) throw invalid('NOT_PARTITIONED', `Community ${input.code} has not been divided into grids yet`)
    const g = raw.get(code)
    if (!g) throw invalid('STALE_MEMBERSHIP', `Building ${item.buildingId} refers to grid ${code}, which is not active`)
    g.push(item)
  }
  for (const b of input.buildings.values()) {
    if (!b.dwellings.length) {
      add(b.grid, wholeItem(b))
      continue
    }
    for (const d of b.dwellings) add(d.grid, pieceItem(b, [d.id]))
  }
  const normal = normalizeGroups([...raw.values()], input.buildings)
  return new Map([...raw.keys()].map((code, i) => [code, normal[i] as Item[]]))
}

export interface AdjustedGroups {
  /** In the order the plan gets them; `codes[i]` is the code group i keeps (undefined: new). */
  groups: Item[][]
  codes: (string | undefined)[]
  /** Grid codes whose membership changes. */
  touched: string[]
}

/** Applies an adjustment to the current membership. `adjacent(a, b)` says whether two grids share an edge. */
export function applyAdjustment(
  input: CommunityInput,
  groups: Map<string, Item[]>,
  a: Adjustment,
  adjacent: (x: string, y: string) => boolean,
  attempt = 0,
): AdjustedGroups {
  const need = (code: string) => {
    const g = groups.get(code)
    if (!g) throw new AppError('GRID_NOT_FOUND', `No active grid ${code} in community ${input.code}`, { code })
    return g
  }
  const touched = new Set<string>()
  if (a.kind === 'move') {
    const target = need(a.to)
    const moving: Item[] = []
    if ('buildingId' in a) {
      for (const [code, items] of groups)
        for (const it of items.filter((x) => x.buildingId === a.buildingId)) {
          if (code === a.to) continue
          touched.add(code)
          items.splice(items.indexOf(it), 1)
          moving.push(it)
        }
      if (!input.buildings.has(a.buildingId))
        throw invalid('NOT_IN_COMMUNITY', `Building ${a.buildingId} is not in community ${input.code}`, {
          buildingId: a.buildingId,
        })
      if (!moving.length) throw invalid('NO_CHANGE', `Building ${a.buildingId} is already in grid ${a.to}`)
      // The building becomes one item again (its pieces, if any, rejoin).
      const b = input.buildings.get(a.buildingId) as BuildingIn
      const rest = target.filter((x) => x.buildingId !== a.buildingId)
      target.length = 0
      target.push(...rest, wholeItem(b))
    } else {
      const wanted = new Set(a.dwellingIds)
      const byBuilding = new Map<number, number[]>()
      for (const b of input.buildings.values())
        for (const d of b.dwellings) if (wanted.has(d.id)) byBuilding.set(b.id, [...(byBuilding.get(b.id) ?? []), d.id])
      const found = [...byBuilding.values()].flat()
      if (found.length !== wanted.size) {
        const missing = a.dwellingIds.filter((id) => !found.includes(id))
        throw invalid('NOT_IN_COMMUNITY', `Dwellings ${missing.join(', ')} are not in community ${input.code}`, { missing })
      }
      for (const [bid, ids] of byBuilding) {
        const b = input.buildings.get(bid) as BuildingIn
        const idSet = new Set(ids)
        for (const [code, items] of groups) {
          if (code === a.to) continue
          for (const it of [...items].filter((x) => x.buildingId === bid)) {
            const own = it.dwellingIds ?? b.dwellings.map((d) => d.id)
            const leaving = own.filter((id) => idSet.has(id))
            if (!leaving.length) continue
            touched.add(code)
            items.splice(items.indexOf(it), 1)
            const staying = own.filter((id) => !idSet.has(id))
            if (staying.length) items.push(pieceItem(b, staying))
          }
        }
        const there = target.find((x) => x.buildingId === bid)
        const merged = [...(there ? (there.dwellingIds ?? b.dwellings.map((d) => d.id)) : []), ...ids]
        if (there) target.splice(target.indexOf(there), 1)
        target.push(merged.length === b.dwellings.length ? wholeItem(b) : pieceItem(b, merged))
      }
      if (!touched.size) throw invalid('NO_CHANGE', `The dwellings are already in grid ${a.to}`)
    }
    for (const code of touched)
      if (!adjacent(code, a.to))
        throw invalid('NOT_ADJACENT', `Grid ${a.to} does not share an edge with grid ${code}`, { from: code, to: a.to })
    for (const code of touched)
      if (!groups.get(code)?.length)
        throw invalid('WOULD_EMPTY_GRID', `Grid ${code} would be left empty: merge it instead`, { grid: code })
    touched.add(a.to)
    return finish(groups, [...touched], new Map())
  }
  if (a.kind === 'split') {
    const items = need(a.grid)
    let parts: Item[][]
    if (a.buildingIds?.length) {
      const chosen = new Set(a.buildingIds)
      const missing = a.buildingIds.filter((id) => !items.some((it) => it.buildingId === id))
      if (missing.length) throw invalid('NOT_IN_GRID', `Buildings ${missing.join(', ')} are not in grid ${a.grid}`, { missing })
      parts = [items.filter((it) => !chosen.has(it.buildingId)), items.filter((it) => chosen.has(it.buildingId))]
    } else {
      if (items.length < 2) throw invalid('TOO_SMALL', `Grid ${a.grid} has a single building and cannot be split`)
      const candidates = splitCandidates(items)
      const pick = candidates[attempt]
      if (!pick) throw new NoMoreCandidates()
      parts = pick
    }
    if (parts.some((p) => !p.length))
      throw invalid('WOULD_EMPTY_GRID', 'Both parts of a split must hold at least one building', { grid: a.grid })
    // The part with more households keeps the code.
    const hh = (p: Item[]) => p.reduce((s, i) => s + i.households, 0)
    const [keep, fresh] = hh(parts[0] as Item[]) >= hh(parts[1] as Item[]) ? parts : [parts[1], parts[0]]
    groups.set(a.grid, keep as Item[])
    return finish(groups, [a.grid], new Map([['new', fresh as Item[]]]))
  }
  const [x, y] = a.grids
  if (x === y) throw invalid('SAME_GRID', 'Merge needs two different grids')
  const gx = need(x)
  const gy = need(y)
  if (!adjacent(x, y)) throw invalid('NOT_ADJACENT', `Grids ${x} and ${y} do not share an edge`, { grids: a.grids })
  // The grid with more households keeps its code; the other is retired.
  const hx = gx.reduce((s, i) => s + i.households, 0)
  const hy = gy.reduce((s, i) => s + i.households, 0)
  const [keep, gone] = hx >= hy ? [x, y] : [y, x]
  groups.set(keep, [...gx, ...gy])
  groups.delete(gone)
  return finish(groups, [keep, gone], new Map())
}

/** Thrown when every automatic split of a grid has been tried. */
export class NoMoreCandidates extends Error {}

/** Ways to cut a grid in two, best first: the balanced cut along the longer axis, then along the
 *  other, then less balanced cuts (45/55, 40/60, 35/65) along both — the first whose halves are
 *  each one connected piece wins. */
export function splitCandidates(items: Item[]): Item[][][] {
  const first = bisect(items, 2)
  const out: Item[][][] = [first]
  const total = items.reduce((s, i) => s + i.households, 0)
  for (const share of [0.5, 0.45, 0.55, 0.4, 0.6, 0.35, 0.65])
    for (const axis of [0, 1]) {
      const sorted = [...items].sort(
        (p, q) => (p.point[axis] as number) - (q.point[axis] as number) || p.key.localeCompare(q.key),
      )
      let acc = 0
      let cut = 1
      for (let i = 0; i < sorted.length - 1; i++) {
        acc += (sorted[i] as Item).households
        cut = i + 1
        if (acc >= total * share) break
      }
      const parts = [sorted.slice(0, cut), sorted.slice(cut)]
      const key = (g: Item[]) =>
        g
          .map((i) => i.key)
          .sort()
          .join()
      if (
        parts.every((p) => p.length) &&
        !out.some((o) => key(o[0] as Item[]) === key(parts[0] as Item[]) || key(o[1] as Item[]) === key(parts[0] as Item[]))
      )
        out.push(parts)
    }
  return out
}

function finish(groups: Map<string, Item[]>, touched: string[], extra: Map<string, Item[]>): AdjustedGroups {
  const entries = [...groups.entries()]
  return {
    groups: [...entries.map(([, items]) => items), ...extra.values()],
    codes: [...entries.map(([code]) => code), ...[...extra.keys()].map(() => undefined)],
    touched,
  }
}

/** The plan must be exactly what was asked: every group as given (nothing handed to another grid
 *  by the contiguity step) and every grid one piece. */
export function checkPlan(plan: CommunityPlan, adjusted: AdjustedGroups) {
  const wanted = new Map(adjusted.groups.map((g, i) => [signatureOf(g), adjusted.codes[i]]))
  for (const g of plan.grids) {
    if (!wanted.has(g.signature))
      throw invalid(
        'NOT_CONTIGUOUS',
        `The adjustment would leave grid ${g.code} in pieces (its buildings do not form one connected area)`,
        { grid: g.code },
      )
    if (!g.contiguous) throw invalid('NOT_CONTIGUOUS', `Grid ${g.code} would not be one connected piece`, { grid: g.code })
  }
}
