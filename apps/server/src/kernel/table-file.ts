// A table of figures as a file: xlsx (exceljs), csv (UTF-8 with a byte-order mark, so
// spreadsheet programs read the Chinese right) or a printable PDF (pdfkit, landscape A4, in an
// embedded CJK font). Used by every export (statistics, evaluations, the sharing board).
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import ExcelJS from 'exceljs'
import PDFDocument from 'pdfkit'

const require = createRequire(import.meta.url)
let font: Buffer | undefined
/** Noto Sans SC (regular), for PDFs with Chinese text. */
export function cjkFont(): Buffer {
  font ??= readFileSync(require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf'))
  return font
}

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

const cell = (v: string | number | null | undefined, percent?: boolean) =>
  v === null || v === undefined ? '—' : percent && typeof v === 'number' ? `${(v * 100).toFixed(1)}%` : String(v)

/** The table printed: its title, a note, a header row repeated on every page, shares as percentages. */
export function toPdf(t: StatsTable & { note?: string }): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', layout: 'landscape', margin: 36, info: { Title: t.title, Creator: 'wangge' } })
  doc.registerFont('cjk', cjkFont())
  doc.font('cjk')
  const chunks: Buffer[] = []
  doc.on('data', (c: Buffer) => chunks.push(c))
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))))
  const width = doc.page.width - 72
  const w = width / t.columns.length
  doc.fontSize(16).text(t.title)
  if (t.note) doc.fontSize(9).fillColor('#555').text(t.note).fillColor('#000')
  doc.moveDown(0.5)
  const row = (cells: string[], bold = false) => {
    if (doc.y > doc.page.height - 60) {
      doc.addPage()
      if (!bold)
        row(
          t.columns.map((c) => c.header),
          true,
        )
    }
    const y = doc.y
    doc.fontSize(8).fillColor(bold ? '#333' : '#000')
    cells.forEach((s, i) => {
      doc.text(s, 36 + i * w, y, { width: w - 4, lineBreak: false, ellipsis: true })
    })
    doc.x = 36
    doc.y = y + 14
  }
  row(
    t.columns.map((c) => c.header),
    true,
  )
  for (const r of t.rows) row(t.columns.map((c) => cell(r[c.key], c.percent)))
  doc.end()
  return done
}

export type TableFormat = 'xlsx' | 'csv' | 'pdf'

/** A table as a file: its content type and bytes. */
export async function tableFile(t: StatsTable & { note?: string }, format: TableFormat) {
  if (format === 'pdf') return { type: 'application/pdf', body: (await toPdf(t)) as string | Buffer }
  return format === 'csv'
    ? { type: 'text/csv; charset=utf-8', body: toCsv(t) as string | Buffer }
    : { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', body: (await toXlsx(t)) as string | Buffer }
}
