// Runs the generator on a second core: serialises each community's rows to COPY text and posts
// chunks to the loader, which writes them to the database meanwhile. At most two chunks are in
// flight (the loader acknowledges each), so memory stays bounded however large the preset.
import { parentPort, workerData } from 'node:worker_threads'
import { readRegionDataset } from '../modules/regions/index.js'
import { type IdBases, toCopyText } from './copy-format.js'
import { generate } from './generator.js'
import type { Preset } from './profiles.js'
import { type Row, TABLES, type TableName } from './rows.js'

export interface WorkerInput {
  preset: Preset
  seed: string
  city: string
  loadId: number
  bases: IdBases
  flushRows: number
}

export type WorkerMessage =
  | { type: 'chunk'; texts: Record<TableName, string>; counts: Record<TableName, number>; communities: number; persons: number }
  | { type: 'done'; totalCommunities: number }
  | { type: 'error'; message: string }

const input = workerData as WorkerInput
const port = parentPort
if (!port) throw new Error('generate-worker must run in a worker thread')

let credits = 2
let wake: (() => void) | undefined
port.on('message', (m: { type: 'ack' }) => {
  if (m.type === 'ack') {
    credits++
    wake?.()
  }
})

async function run() {
  const preset = input.preset
  const regions = readRegionDataset(input.city)
  let pending = Object.fromEntries(TABLES.map((t) => [t, [] as Row[]])) as Record<TableName, Row[]>
  let pendingRows = 0
  let communities = 0
  let persons = 0
  const send = async () => {
    while (credits <= 0) await new Promise<void>((r) => (wake = r))
    credits--
    const texts = {} as Record<TableName, string>
    const counts = {} as Record<TableName, number>
    for (const t of TABLES) {
      texts[t] = toCopyText(t, pending[t], input.bases)
      counts[t] = pending[t].length
    }
    port?.postMessage({ type: 'chunk', texts, counts, communities, persons } satisfies WorkerMessage)
    pending = Object.fromEntries(TABLES.map((t) => [t, [] as Row[]])) as Record<TableName, Row[]>
    pendingRows = 0
  }
  for (const batch of generate(preset, regions, input.seed, input.loadId)) {
    for (const t of TABLES) for (const r of batch.rows[t]) pending[t].push(r)
    for (const t of TABLES) pendingRows += batch.rows[t].length
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
