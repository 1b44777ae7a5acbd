import { describe, expect, it } from 'vitest'
import { ERROR_CATALOG, errorMessage } from './errors.js'

describe('error texts', () => {
  it('says each code in both languages, the invalid fields, and the photos a report lacks', () => {
    for (const e of Object.values(ERROR_CATALOG)) expect(e.zh && e.en).toBeTruthy()
    expect(errorMessage('NO_SUCH_CODE', {}, 'zh')).toBeUndefined()
    expect(errorMessage('VALIDATION_FAILED', { issues: [{ path: 'phone' }, { path: 'phone' }] }, 'zh')).toBe(
      '输入内容有误：phone',
    )
    expect(errorMessage('EVIDENCE_REQUIRED', { required: 2, given: 1 }, 'zh')).toBe('此步骤需要上传照片（需要 2 张，已有 1 张）')
    expect(errorMessage('EVIDENCE_REQUIRED', { required: 1, given: 0 }, 'en')).toBe('This step needs photos (1 needed, 0 given)')
    expect(errorMessage('EVIDENCE_REQUIRED', undefined, 'zh')).toBe('此步骤需要上传照片')
  })
})
