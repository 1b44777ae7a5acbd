// Delivered files as row streams: the encoding probe, chunk boundaries, GBK, xlsx.
import { Readable } from 'node:stream'
import iconv from 'iconv-lite'
import { describe, expect, it } from 'vitest'
import { openTable } from './readers.js'

const rowsOf = async (chunks: Buffer[]) => {
  const { columns, rows } = await openTable(Readable.from(chunks), 'csv')
  const out: unknown[] = []
  for await (const r of rows) out.push(r.values.name)
  return { columns, out }
}

describe('CSV', () => {
  // "name\n" then "张三丰\n" (10 bytes) again and again: byte 65,536 falls inside a character.
  const body = Buffer.from(`name\n${'张三丰\n'.repeat(8000)}`)

  it('is UTF-8 when the first 64 kB are, even if the probe ends inside a character', async () => {
    const { columns, out } = await rowsOf([body.subarray(0, 65536), body.subarray(65536)])
    expect(columns).toEqual(['name'])
    expect(out).toHaveLength(8000)
    expect(new Set(out)).toEqual(new Set(['张三丰']))
  })

  it('is GB18030 when the bytes are not UTF-8', async () => {
    const gbk = iconv.encode(`name\n${'张三丰\n'.repeat(8000)}`, 'gbk')
    const { out } = await rowsOf([gbk.subarray(0, 40000), gbk.subarray(40000)])
    expect(out).toHaveLength(8000)
    expect(new Set(out)).toEqual(new Set(['张三丰']))
  })
})
