import { describe, expect, it } from 'vitest'
import { retryConflicts } from './retry.js'

const failing = (codes: string[]) => {
  let calls = 0
  const f = async () => {
    const code = codes[calls++]
    if (code) throw Object.assign(new Error(code), { code })
    return calls
  }
  return { f, calls: () => calls }
}

describe('retryConflicts', () => {
  it('runs a deadlock victim or a serialization failure again', async () => {
    const g = failing(['40P01', '40001'])
    expect(await retryConflicts(g.f)).toBe(3)
  })
  it('gives up after the tries allowed, with the last error', async () => {
    const g = failing(['40P01', '40P01', '40P01', '40P01'])
    await expect(retryConflicts(g.f, 3)).rejects.toMatchObject({ code: '40P01' })
    expect(g.calls()).toBe(3)
  })
  it('does not repeat other errors', async () => {
    const g = failing(['23505'])
    await expect(retryConflicts(g.f)).rejects.toMatchObject({ code: '23505' })
    expect(g.calls()).toBe(1)
  })
})
