// A/B pairing (结对): adjacent grids paired so that their workers cover each other. A maximum
// matching of the adjacency graph (Edmonds' blossom algorithm, `edmonds-blossom-fixed`): as many
// grids paired as the graph allows, nobody in two pairs; among those, pairs inside one community
// first, then the longest shared boundary. Grids worked by the same person are not paired (one
// cannot cover oneself). Run per street (≈ 140 grids): the algorithm is cubic.
import blossom from 'edmonds-blossom-fixed'

export interface PairingGrid {
  code: string
  community: string
  workers: readonly number[]
}
export interface Adjacent {
  a: string
  b: string
  sharedM: number
}
export interface Pair {
  a: string
  b: string
  sharedM: number
}

export function suggestPairs(
  grids: readonly PairingGrid[],
  adjacent: readonly Adjacent[],
): { pairs: Pair[]; unpaired: string[] } {
  const index = new Map(grids.map((g, i) => [g.code, i]))
  const edges: [number, number, number][] = []
  const shared = new Map<string, number>()
  for (const e of adjacent) {
    const i = index.get(e.a)
    const j = index.get(e.b)
    if (i === undefined || j === undefined || i === j) continue
    const [gi, gj] = [grids[i] as PairingGrid, grids[j] as PairingGrid]
    if (gi.workers.some((w) => gj.workers.includes(w))) continue
    // Weights: same community first (a chief's pairs stay in the chief's community), then the
    // shared boundary (a longer one: neighbours in fact, not across a corner of a block).
    const weight = (gi.community === gj.community ? 2_000 : 1_000) + Math.min(999, Math.round(e.sharedM))
    edges.push([i, j, weight])
    shared.set(`${Math.min(i, j)}:${Math.max(i, j)}`, e.sharedM)
  }
  const mate = edges.length ? blossom(edges, true) : []
  const pairs: Pair[] = []
  const paired = new Set<number>()
  mate.forEach((j, i) => {
    if (j < 0 || j <= i) return
    const [a, b] = [grids[i] as PairingGrid, grids[j] as PairingGrid].map((g) => g.code).sort() as [string, string]
    pairs.push({ a, b, sharedM: shared.get(`${i}:${j}`) ?? 0 })
    paired.add(i).add(j)
  })
  pairs.sort((x, y) => (x.a < y.a ? -1 : 1))
  return { pairs, unpaired: grids.filter((_, i) => !paired.has(i)).map((g) => g.code) }
}
