// A table of figures as a file: xlsx (exceljs) or csv (UTF-8 with a byte-order mark, so
// spreadsheet programs read the Chinese right). Used by every export (statistics, evaluations).
import ExcelJS from 'exceljs'

export interface Column {
  key: string
  header: string
  /** A share (0…1), shown as a percentage. */
  percent?: boolean
}
/** A titled table of rows keyed by column. */
export interface StatsTable {
  title: string
  columns: Column[]
  rows: Record<string, string | number | null>[]
}

const csvField = (v: string | number | null | undefined) => {
  if (v === null || v === undefined) return ''
  const s = String(v)
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/** CSV (RFC 4180, CRLF, UTF-8 with BOM); shares as fractions, as the API gives them. */
export function toCsv(t: StatsTable): string {
  const lines = [t.columns.map((c) => csvField(c.header)).join(',')]
  for (const r of t.rows) lines.push(t.columns.map((c) => csvField(r[c.key])).join(','))
  return `\uFEFF${lines.join('\r\n')}\r\n`
}

/** An xlsx workbook of one sheet: a bold frozen header, numbers as numbers, shares as percentages. */
export async function toXlsx(t: StatsTable): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  wb.creator = 'wangge'
  const ws = wb.addWorksheet('stats', { views: [{ state: 'frozen', ySplit: 1 }] })
  ws.columns = t.columns.map((c) => ({
    header: c.header,
    key: c.key,
    width: Math.max(10, c.header.length * 2 + 2),
    ...(c.percent ? { style: { numFmt: '0.0%' } } : {}),
  }))
  ws.getRow(1).font = { bold: true }
  for (const r of t.rows) ws.addRow(r)
  return Buffer.from(await wb.xlsx.writeBuffer())
}

/** A table as a file: its content type and bytes. */
export async function tableFile(t: StatsTable, format: 'xlsx' | 'csv') {
  return format === 'csv'
    ? { type: 'text/csv; charset=utf-8', body: toCsv(t) as string | Buffer }
    : { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', body: (await toXlsx(t)) as string | Buffer }
}
