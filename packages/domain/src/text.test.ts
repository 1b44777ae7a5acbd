import { describe, expect, it } from 'vitest'
import { neutralText, parseNeutral } from './text.js'

describe('text shown to people', () => {
  it('drops bidi overrides, isolates and marks, and invisible characters, keeping joiners and line breaks', () => {
    expect(neutralText('photo\u202Egpj.exe')).toBe('photogpj.exe')
    expect(neutralText('\u2067张三\u2069 说')).toBe('张三 说')
    expect(neutralText('a\u200Bb\uFEFFc\u00ADd\u0007e')).toBe('abcde')
    expect(neutralText('第一行\n第二行\t完')).toBe('第一行\n第二行\t完')
    expect(neutralText('👨\u200D👩\u200D👧')).toBe('👨\u200D👩\u200D👧')
  })

  it('neutralises every string of a JSON answer, raw or escaped, and leaves clean JSON as it is', () => {
    expect(parseNeutral('{"d":"x\u202Ey","n":[{"a":"\\u202Eb"}],"k":1}')).toEqual({ d: 'xy', n: [{ a: 'b' }], k: 1 })
    expect(parseNeutral('{"d":"干净的文本","k":[1,2]}')).toEqual({ d: '干净的文本', k: [1, 2] })
  })
})
