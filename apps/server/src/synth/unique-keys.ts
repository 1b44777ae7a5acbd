// A set of non-negative integer keys below 2^52 in one Float64Array (open addressing, linear
// probing, load ≤ 0.8): 8 bytes a slot instead of ~50 for a JS Set of heap numbers, so uniqueness
// of 17 million ID numbers costs ~270 MB rather than gigabytes.
export class UniqueKeys {
  private slots: Float64Array
  private mask: number
  size = 0

  constructor(expected: number) {
    let cap = 1024
    while (cap * 0.75 < expected) cap *= 2
    this.slots = new Float64Array(cap)
    this.mask = cap - 1
  }

  /** Adds the key; false when it was already present. */
  add(key: number): boolean {
    if (this.size >= this.slots.length * 0.8) this.grow()
    const stored = key + 1 // 0 marks an empty slot
    let i = this.hash(key)
    for (;;) {
      const v = this.slots[i] as number
      if (v === 0) {
        this.slots[i] = stored
        this.size++
        return true
      }
      if (v === stored) return false
      i = (i + 1) & this.mask
    }
  }

  private hash(key: number): number {
    const lo = key % 4294967296
    const hi = Math.floor(key / 4294967296)
    return (Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> 0) & this.mask
  }

  private grow() {
    const old = this.slots
    this.slots = new Float64Array(old.length * 2)
    this.mask = this.slots.length - 1
    this.size = 0
    for (const v of old) if (v !== 0) this.add(v - 1)
  }
}
