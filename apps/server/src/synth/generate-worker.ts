// Runs the generator on a second core: serialises each community's rows to COPY text and posts
// chunks to the loader, which writes them to the database meanwhile. At most two chunks are in
// flight (the loader acknowledges each), so memory stays bounded however large the preset.
import { parentPort, workerData } from 'node:worker_threads'
import { readRegionDataset } from '../modules/regions/index.js'
import { type IdBases, toCopyText } from './copy-format.js'
import { generate } from './generator.js'
import type { Preset } from './profiles.js'
import { TABLES, type TableName } from './rows.js'

export interface WorkerInput {
  preset: Preset
  seed: string
  city: string
  loadId: number
  bases: IdBases
  flushRows: number
}

export type WorkerMessage =
  | {
      type: 'chunk'
      texts: Record<TableName, Uint8Array>
      counts: Record<TableName, number>
      communities: number
      persons: number
    }
  | { type: 'done'; totalCommunities: number }
  | { type: 'error'; message: string }

const input = workerData as WorkerInput
const port = parentPort
if (!port) throw new Error('generate-worker must run in a worker thread')

const encoder = new TextEncoder()
let credits = 2
let wake: (() => void) | undefined
port.on('message', (m: { type: 'ack' }) => {
  if (m.type === 'ack') {
    credits++
    wake?.()
  }
})

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.byteLength
  }
  return out
}

async function run() {
  const preset = input.preset
  const regions = readRegionDataset(input.city)
  // Each community's rows become COPY text and then UTF-8 bytes at once, while they are young.
  // Kept as row objects or as strings (ropes of millions of small pieces) until a chunk was full,
  // they filled the old generation, and the worker spent half its time collecting garbage (13.5 of
  // 28.8 s on 越秀); bytes live outside the heap.
  const noParts = () => Object.fromEntries(TABLES.map((t) => [t, [] as Uint8Array[]])) as Record<TableName, Uint8Array[]>
  const noCounts = () => Object.fromEntries(TABLES.map((t) => [t, 0])) as Record<TableName, number>
  let parts = noParts()
  let counts = noCounts()
  let pendingRows = 0
  let communities = 0
  let persons = 0
  const send = async () => {
    while (credits <= 0) await new Promise<void>((r) => (wake = r))
    credits--
    // UTF-8 bytes, handed over without a copy: the loader writes them to COPY as they are.
    const texts = {} as Record<TableName, Uint8Array>
    for (const t of TABLES) texts[t] = concat(parts[t])
    port?.postMessage({ type: 'chunk', texts, counts, communities, persons } satisfies WorkerMessage, [
      ...new Set(TABLES.map((t) => texts[t].buffer as ArrayBuffer)),
    ])
    parts = noParts()
    counts = noCounts()
    pendingRows = 0
  }
  for (const batch of generate(preset, regions, input.seed, input.loadId)) {
    for (const t of TABLES) {
      const rows = batch.rows[t]
      if (!rows.length) continue
      parts[t].push(encoder.encode(toCopyText(t, rows, input.bases)))
      counts[t] += rows.length
      pendingRows += rows.length
    }
    communities++
    persons += batch.rows.persons.length
    if (pendingRows >= input.flushRows) await send()
  }
  await send()
  port?.postMessage({ type: 'done', totalCommunities: communities } satisfies WorkerMessage)
}

run().catch((err: unknown) =>
  port.postMessage({
    type: 'error',
    message: err instanceof Error ? (err.stack ?? err.message) : String(err),
  } satisfies WorkerMessage),
)
