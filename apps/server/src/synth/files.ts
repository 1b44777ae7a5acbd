// Generated data as files: one <table>.tsv per table in PostgreSQL COPY text format, with ids as
// generated (base 0). Returns the sha256 of every file — the same preset and seed give the same hashes.
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { createWriteStream, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { readRegionDataset } from '../modules/regions/index.js'
import { toCopyText } from './copy-format.js'
import { generate } from './generator.js'
import type { Preset } from './profiles.js'
import { TABLES, type TableName } from './rows.js'

export async function writeGenerated(preset: Preset, seed: string, city: string, dir: string): Promise<Record<string, string>> {
  mkdirSync(dir, { recursive: true })
  const outs = Object.fromEntries(TABLES.map((t) => [t, createWriteStream(join(dir, `${t}.tsv`))]))
  const hashes = Object.fromEntries(TABLES.map((t) => [t, createHash('sha256')]))
  for (const batch of generate(preset, readRegionDataset(city), seed, 1)) {
    for (const t of TABLES) {
      const text = toCopyText(t, batch.rows[t])
      hashes[t]?.update(text)
      if (!outs[t]?.write(text)) await once(outs[t] as NodeJS.WritableStream, 'drain')
    }
  }
  await Promise.all(TABLES.map((t) => new Promise((r) => outs[t]?.end(r))))
  return Object.fromEntries(TABLES.map((t: TableName) => [`${t}.tsv`, hashes[t]?.digest('hex') as string]))
}

/** The hash of a preset's whole output, without writing files (tests, determinism checks). */
export function hashGenerated(preset: Preset, seed: string, city: string): string {
  const h = createHash('sha256')
  for (const batch of generate(preset, readRegionDataset(city), seed, 1))
    for (const t of TABLES) h.update(toCopyText(t, batch.rows[t]))
  return h.digest('hex')
}
