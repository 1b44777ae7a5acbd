// The part of clipper-lib 6.4 (which ships no types) that lattice.ts uses.
declare module 'clipper-lib' {
  type Path = { X: number; Y: number }[]
  class PolyTree {}
  class Clipper {
    static CleanPolygon(path: Path, distance?: number): Path
    StrictlySimple: boolean
    AddPaths(paths: Path[], type: number, closed: boolean): boolean
    Execute(clipType: number, solution: PolyTree, subjFill: number, clipFill: number): boolean
  }
  const ClipperLib: {
    Clipper: typeof Clipper
    PolyTree: typeof PolyTree
    ClipType: { ctIntersection: number; ctUnion: number; ctDifference: number; ctXor: number }
    PolyType: { ptSubject: number; ptClip: number }
    PolyFillType: { pftEvenOdd: number; pftNonZero: number }
    JS: { PolyTreeToExPolygons(tree: PolyTree): { outer: Path; holes: Path[] }[] }
  }
  export default ClipperLib
}
