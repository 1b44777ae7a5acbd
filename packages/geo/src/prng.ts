// Deterministic pseudo-random numbers from a string or numeric seed. Reproducibility (same seed →
// byte-identical data files) matters more here than statistical quality; mulberry32 is the
// well-known 32-bit generator with good enough equidistribution for sampling points.
export type Rng = () => number

export function hashSeed(seed: string | number): number {
  // FNV-1a over the string form of the seed.
  const s = String(seed)
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

export function createRng(seed: string | number): Rng {
  let a = hashSeed(seed)
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
