import { describe, expect, it } from 'vitest'
import {
  idCheckChar,
  makeIdNumber,
  makeUscc,
  orgCodeCheckChar,
  parseIdNumber,
  parsePhone,
  parseUscc,
  usccCheckChar,
} from './identity.js'

const TODAY = new Date('2026-11-27T00:00:00Z')

describe('parseIdNumber (GB 11643)', () => {
  it('should accept the standard example and derive birth date and sex', () => {
    // 11010519491231002X is the example printed in GB 11643-1999.
    expect(parseIdNumber('11010519491231002X', TODAY)).toEqual({
      ok: true,
      idNumber: '11010519491231002X',
      regionCode: '110105',
      birthDate: '1949-12-31',
      sex: 2,
      converted: false,
    })
  })

  it('should produce every check character 0–9 and X correctly', () => {
    const seen = new Set<string>()
    for (let seq = 0; seq < 400 && seen.size < 11; seq++) {
      const id = makeIdNumber('440104', '1985-06-15', seq)
      seen.add(id[17] as string)
      expect(parseIdNumber(id, TODAY).ok, id).toBe(true)
      // Any other check character is rejected.
      for (const c of '0123456789X')
        if (c !== id[17]) expect(parseIdNumber(id.slice(0, 17) + c, TODAY)).toMatchObject({ ok: false, problem: 'check_char' })
    }
    expect([...seen].sort().join('')).toBe('0123456789X')
  })

  it('should normalise a lower-case x and surrounding spaces', () => {
    expect(parseIdNumber(' 11010519491231002x ', TODAY)).toMatchObject({ ok: true, idNumber: '11010519491231002X' })
  })

  it('should convert a 15-digit legacy number', () => {
    const r = parseIdNumber('440104850615123', TODAY)
    expect(r).toMatchObject({ ok: true, birthDate: '1985-06-15', sex: 1, converted: true })
    if (r.ok) expect(r.idNumber).toBe(`44010419850615123${idCheckChar('44010419850615123')}`)
  })

  it('should accept 29 February in a leap year and reject it otherwise', () => {
    expect(parseIdNumber(makeIdNumber('440104', '2000-02-29', 11), TODAY).ok).toBe(true)
    expect(parseIdNumber(makeIdNumber('440104', '1900-02-29', 11), TODAY)).toMatchObject({ ok: false, problem: 'birth_date' })
    expect(parseIdNumber(makeIdNumber('440104', '2023-02-29', 11), TODAY)).toMatchObject({ ok: false, problem: 'birth_date' })
    expect(parseIdNumber(makeIdNumber('440104', '1990-13-01', 11), TODAY)).toMatchObject({ ok: false, problem: 'birth_date' })
  })

  it('should reject a future birth date and an unknown region', () => {
    expect(parseIdNumber(makeIdNumber('440104', '2026-11-28', 11), TODAY)).toMatchObject({
      ok: false,
      problem: 'future_birth_date',
    })
    expect(parseIdNumber(makeIdNumber('440104', '2026-11-27', 11), TODAY).ok).toBe(true)
    expect(parseIdNumber(makeIdNumber('449999', '1990-01-01', 11), TODAY)).toMatchObject({ ok: false, problem: 'region' })
    expect(parseIdNumber(makeIdNumber('440102', '1970-01-01', 11), TODAY).ok).toBe(true) // 东山区, abolished 2005
    expect(parseIdNumber(makeIdNumber('944566', '1990-01-01', 11), TODAY).ok).toBe(true) // foreign permanent resident, Guangdong, Nigeria
    expect(parseIdNumber(makeIdNumber('999566', '1990-01-01', 11), TODAY)).toMatchObject({ ok: false, problem: 'region' })
  })

  it('should reject malformed input', () => {
    for (const bad of ['', '1234', '11010519491231002Y', '1101051949123100X2', '１１０１０５１９４９１２３１００２Ｘ'])
      expect(parseIdNumber(bad, TODAY)).toMatchObject({ ok: false, problem: 'format' })
  })
})

describe('parseUscc (GB 32100)', () => {
  it('should accept valid codes and compute the check character', () => {
    const code = makeUscc('9', '1', '440104', 'MA59C8K2')
    expect(parseUscc(code)).toEqual({ ok: true, uscc: code, regionCode: '440104' })
    expect(parseUscc(code.toLowerCase())).toMatchObject({ ok: true, uscc: code })
    // A published code: 91350100M000100Y43.
    expect(usccCheckChar('91350100M000100Y4')).toBe('3')
    expect(parseUscc('91350100M000100Y43').ok).toBe(true)
  })

  it('should check the embedded organization code (GB 11714)', () => {
    // 'M000100Y' → 4, as in the published code 91350100M000100Y43; '00000001': 1 × 2 = 2, 11 − 2 = 9.
    expect(orgCodeCheckChar('M000100Y')).toBe('4')
    expect(orgCodeCheckChar('00000001')).toBe('9')
    // A remainder of 1 gives X, of 0 gives 0.
    const bodies = ['D2143569', '12345678', 'MA5CXXXX'.replaceAll('X', '1')]
    for (const b of bodies) expect(orgCodeCheckChar(b)).toMatch(/^[0-9X]$/)
    // Right GB 32100 check character over a wrong organization-code check character: refused, with the reason.
    const first16 = '91440104MA5CK1L2'
    const wrongOrg = first16 + (orgCodeCheckChar('MA5CK1L2') === '0' ? '1' : '0')
    const code = wrongOrg + usccCheckChar(wrongOrg)
    expect(parseUscc(code)).toMatchObject({ ok: false, message: expect.stringMatching(/GB 11714/) })
    expect(parseUscc(makeUscc('9', '1', '440104', 'MA5CK1L2')).ok).toBe(true)
  })

  it('should reject a wrong check character, forbidden letters and bad lengths', () => {
    expect(parseUscc('91350100M000100Y44')).toMatchObject({ ok: false, message: 'Wrong check character' })
    expect(parseUscc('91350100M000100I43').ok).toBe(false)
    expect(parseUscc('91350100M000100Y4').ok).toBe(false)
  })
})

describe('parsePhone', () => {
  it('should normalise mobiles and landlines', () => {
    expect(parsePhone('138 0013 8000')).toEqual({ ok: true, phone: '13800138000' })
    expect(parsePhone('+86 13800138000')).toEqual({ ok: true, phone: '13800138000' })
    expect(parsePhone('020-83331234')).toEqual({ ok: true, phone: '020-83331234' })
    expect(parsePhone('02083331234')).toEqual({ ok: true, phone: '020-83331234' })
    expect(parsePhone('020-83331234-801')).toEqual({ ok: true, phone: '020-83331234-801' })
  })

  it('should reject junk', () => {
    for (const bad of ['12800138000', '1380013800', 'abc', '020-123'] as const) expect(parsePhone(bad).ok, bad).toBe(false)
  })
})
