// Delivered files as streams of rows: CSV (UTF-8, or GBK/GB18030 as Chinese office software writes
// it), xlsx (the first worksheet, read as a stream) and JSON Lines. The first row of a CSV or
// worksheet is the header; JSON Lines' columns are the keys of the first record. Nothing holds
// the whole file.
import { createInterface } from 'node:readline'
import { PassThrough, type Readable } from 'node:stream'
import type { RowValue } from '@wangge/domain'
import { parse } from 'csv-parse'
import ExcelJS from 'exceljs'
import iconv from 'iconv-lite'
import { AppError } from '../../kernel/errors.js'
import type { RawRow } from './delivery.js'
import { parseOp } from './delivery.js'

export type FileFormat = 'csv' | 'xlsx' | 'jsonl'

export function formatOf(fileName: string | undefined, contentType: string | undefined): FileFormat | undefined {
  const name = (fileName ?? '').toLowerCase()
  if (name.endsWith('.xlsx') || contentType?.includes('spreadsheetml')) return 'xlsx'
  if (name.endsWith('.jsonl') || name.endsWith('.ndjson') || contentType?.includes('ndjson') || contentType?.includes('jsonl'))
    return 'jsonl'
  if (name.endsWith('.csv') || name.endsWith('.txt') || contentType?.includes('csv')) return 'csv'
  return undefined
}

const unsupported = (message: string) => new AppError('UNSUPPORTED_FILE', message, {})
const OP_COLUMNS = new Set(['op', '操作'])

/** Reads the header and answers it with the rows that follow. */
export async function openTable(
  stream: Readable,
  format: FileFormat,
): Promise<{ columns: string[]; rows: AsyncIterable<RawRow> }> {
  const source = format === 'csv' ? csvRecords(stream) : format === 'xlsx' ? xlsxRecords(stream) : jsonlRecords(stream)
  const it = source[Symbol.asyncIterator]()
  const first = await it.next()
  if (first.done) throw unsupported('The file is empty')
  if (format === 'jsonl') {
    const record = first.value as Record<string, RowValue>
    const columns = Object.keys(record)
    async function* rows(): AsyncIterable<RawRow> {
      let rowNo = 1
      yield toRawRow(rowNo, record)
      for (let r = await it.next(); !r.done; r = await it.next()) yield toRawRow(++rowNo, r.value as Record<string, RowValue>)
    }
    return { columns, rows: rows() }
  }
  const header = (first.value as RowValue[]).map((c) => String(c ?? '').trim())
  if (!header.some(Boolean)) throw unsupported('The first row holds no column names')
  async function* rows(): AsyncIterable<RawRow> {
    let rowNo = 0
    for (let r = await it.next(); !r.done; r = await it.next()) {
      const cells = r.value as RowValue[]
      if (cells.every((c) => c == null || String(c).trim() === '')) continue
      const values: Record<string, RowValue> = {}
      header.forEach((h, i) => {
        if (h) values[h] = cells[i] ?? null
      })
      yield toRawRow(++rowNo, values)
    }
  }
  return { columns: header.filter(Boolean), rows: rows() }
}

function toRawRow(rowNo: number, record: Record<string, RowValue>): RawRow {
  const values: Record<string, RowValue> = {}
  let opValue: RowValue = null
  for (const [k, v] of Object.entries(record)) {
    if (OP_COLUMNS.has(k)) opValue = v
    else values[k] = v
  }
  const op = parseOp(opValue)
  // An unreadable operation is kept as a value the delivery rejects (field `op`).
  return op ? { rowNo, values, op } : { rowNo, values: { ...values, op: String(opValue) }, op: 'upsert' }
}

/** UTF-8 unless the first 64 kB are not valid UTF-8: then GB18030 (a superset of GBK). */
async function* csvRecords(stream: Readable): AsyncIterable<RowValue[]> {
  const head: Buffer[] = []
  let size = 0
  const reader = stream[Symbol.asyncIterator]()
  let done = false
  while (size < 65536) {
    const r = await reader.next()
    if (r.done) {
      done = true
      break
    }
    const chunk = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value)
    head.push(chunk)
    size += chunk.length
  }
  const start = Buffer.concat(head)
  let utf8 = true
  try {
    // Streaming: a character cut at the end of the probe is not an error (it continues in the next chunk).
    new TextDecoder('utf-8', { fatal: true }).decode(start, { stream: !done })
  } catch {
    utf8 = false
  }
  if (start.includes(0)) throw unsupported('This looks like a binary file, not CSV')
  const raw = new PassThrough()
  void (async () => {
    raw.write(start)
    if (!done) for (let r = await reader.next(); !r.done; r = await reader.next()) if (!raw.write(r.value)) await onceDrain(raw)
    raw.end()
  })().catch((e) => raw.destroy(e))
  const text = utf8 ? raw : raw.pipe(iconv.decodeStream('gb18030'))
  const parser = text.pipe(parse({ bom: true, relax_column_count: true, skip_empty_lines: true, trim: true }))
  try {
    for await (const record of parser) yield record as string[]
  } catch (e) {
    throw unsupported(`The CSV cannot be read: ${(e as Error).message}`)
  }
}

const onceDrain = (s: PassThrough) => new Promise<void>((resolve) => s.once('drain', () => resolve()))

function cellValue(v: ExcelJS.CellValue): RowValue {
  if (v == null) return null
  if (v instanceof Date) return v
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((t) => t.text).join('')
    if ('result' in v) return cellValue(v.result as ExcelJS.CellValue)
    if ('text' in v) return String(v.text)
    if ('error' in v) return null
    return String(v)
  }
  return v as RowValue
}

async function* xlsxRecords(stream: Readable): AsyncIterable<RowValue[]> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(stream, {
    sharedStrings: 'cache',
    worksheets: 'emit',
    // Styles tell dates from numbers.
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  } as ExcelJS.stream.xlsx.WorkbookStreamReaderOptions)
  try {
    for await (const sheet of reader) {
      for await (const row of sheet as unknown as AsyncIterable<ExcelJS.Row>) {
        const values = row.values as ExcelJS.CellValue[]
        // exceljs rows are 1-based: values[0] is empty.
        yield values.slice(1).map(cellValue)
      }
      return // the first worksheet only
    }
  } catch (e) {
    if (e instanceof AppError) throw e
    throw unsupported(`The xlsx file cannot be read: ${(e as Error).message}`)
  }
}

async function* jsonlRecords(stream: Readable): AsyncIterable<Record<string, RowValue>> {
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })
  let n = 0
  for await (const line of lines) {
    n++
    if (!line.trim()) continue
    let v: unknown
    try {
      v = JSON.parse(line)
    } catch {
      throw unsupported(`Line ${n} is not JSON`)
    }
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw unsupported(`Line ${n} is not a JSON object`)
    const out: Record<string, RowValue> = {}
    for (const [k, x] of Object.entries(v as Record<string, unknown>))
      out[k] = x == null || typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean' ? x : JSON.stringify(x)
    yield out
  }
}
