declare module 'edmonds-blossom-fixed' {
  /** Maximum-weight matching of a general graph; `mate[v]` is v's partner or -1. */
  const blossom: (edges: [number, number, number][], maxCardinality?: boolean) => number[]
  export default blossom
}
