import { describe, expect, it } from 'vitest'
import {
  actionsFrom,
  CASE_STATUSES,
  CASE_TRANSITIONS,
  type CaseStatus,
  durationWords,
  InvalidTransition,
  TERMINAL,
  transition,
} from './case-workflow.js'

describe('the case transition table', () => {
  it('reaches every status from "reported", and leaves every open status', () => {
    const seen = new Set<CaseStatus>(['reported'])
    for (let changed = true; changed; ) {
      changed = false
      for (const t of CASE_TRANSITIONS)
        if (t.to && t.from.some((f) => seen.has(f)) && !seen.has(t.to)) {
          seen.add(t.to)
          changed = true
        }
    }
    expect([...seen].sort()).toEqual([...CASE_STATUSES].sort())
    for (const s of CASE_STATUSES)
      if (!TERMINAL.has(s))
        expect(
          actionsFrom(s).some((t) => t.to && t.to !== s),
          s,
        ).toBe(true)
  })

  it('walks the five steps, with a return, a failed verification and a dissatisfied call-back', () => {
    const path: [string, CaseStatus][] = [
      ['register', 'registered'],
      ['dispatch', 'dispatched'],
      ['return', 'returned'],
      ['dispatch', 'dispatched'],
      ['accept', 'accepted'],
      ['request_extension', 'accepted'],
      ['handle', 'handled'],
      ['verify_fail', 'rework'],
      ['handle', 'handled'],
      ['verify_pass', 'verified'],
      ['callback_dissatisfied', 'rework'],
      ['handle', 'handled'],
      ['verify_pass', 'verified'],
      ['callback_satisfied', 'closed'],
      ['evaluate', 'closed'],
    ]
    let s: CaseStatus = 'reported'
    for (const [action, expected] of path) {
      s = transition(s, action).next
      expect(s, action).toBe(expected)
    }
  })

  it('refuses illegal transitions with the allowed ones named', () => {
    expect(() => transition('reported', 'handle')).toThrow(InvalidTransition)
    expect(() => transition('closed', 'dispatch')).toThrow(/allowed are reopen, evaluate/)
    expect(() => transition('cancelled', 'register')).toThrow(/allowed are none/)
    expect(() => transition('accepted', 'fly')).toThrow(/Unknown case action/)
    // The self-handled fast path only for a case nobody has registered yet.
    expect(transition('reported', 'self_handle').next).toBe('closed')
    expect(() => transition('dispatched', 'self_handle')).toThrow(InvalidTransition)
  })

  it('asks for what each step needs', () => {
    expect(transition('reported', 'cancel').requires).toContain('reason')
    expect(transition('registered', 'dispatch').requires).toEqual([])
    expect(transition('reported', 'merge')).toMatchObject({ next: 'merged', requires: ['target'] })
    expect(transition('accepted', 'handle').requires).toEqual(['result', 'evidence'])
    expect(transition('reported', 'self_handle').requires).toContain('beforeAfterPhotos')
  })
})

describe('time left in words', () => {
  it('says days and hours, or hours and minutes', () => {
    expect(durationWords(0, 'zh')).toBe('0分')
    expect(durationWords(45, 'zh')).toBe('45分')
    expect(durationWords(240, 'zh')).toBe('4小时')
    expect(durationWords(260, 'en')).toBe('4 h 20 min')
    expect(durationWords(3 * 1440 + 125, 'zh')).toBe('3天2小时')
    expect(durationWords(1440, 'en')).toBe('1 d')
  })
})
