// Grid codes (DOMAIN.md §3): community code (12) + sequence (3), numbered north→south in bands
// and west→east within a band. Re-partitioning keeps the code of every grid whose membership is
// unchanged; new grids take sequence numbers after the highest ever used (codes are never reused).
import { createHash } from 'node:crypto'
import { orderNorthWest, type Position } from '@wangge/geo'
import type { Item } from './grids.partition.js'

export function signatureOf(items: Item[]): string {
  const keys = items
    .map((i) => (i.dwellingIds ? `b${i.buildingId}:${[...i.dwellingIds].sort((a, b) => a - b).join(',')}` : `b${i.buildingId}`))
    .sort()
  return createHash('sha1').update(keys.join('|')).digest('hex')
}

export interface Existing {
  code: string
  seq: number
  signature: string
  status: string
}

/** Codes for new shapes (given with a representative point), keeping unchanged grids' codes.
 *  A shape may carry the code it must keep (a manual adjustment keeps the adjusted grids' codes). */
export function assignCodes(
  community: string,
  shapes: { signature: string; site: Position; code?: string | undefined }[],
  existing: Existing[],
): string[] {
  const fixed = new Set(shapes.map((s) => s.code).filter(Boolean))
  const active = new Map(existing.filter((e) => e.status === 'active' && !fixed.has(e.code)).map((e) => [e.signature, e.code]))
  let next = existing.reduce((m, e) => Math.max(m, e.seq), 0)
  const ordered = orderNorthWest(shapes.map((s, i) => ({ ...s, i })))
  const codes = new Array<string>(shapes.length)
  for (const s of ordered) {
    const kept = s.code ?? active.get(s.signature)
    if (kept) {
      codes[s.i] = kept
      active.delete(s.signature)
    }
  }
  for (const s of ordered) {
    if (codes[s.i]) continue
    next++
    if (next > 999) throw new Error(`community ${community}: more than 999 grid codes used`)
    codes[s.i] = `${community}${String(next).padStart(3, '0')}`
  }
  return codes
}
