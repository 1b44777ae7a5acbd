// Request and response shapes of the one-window services API.
import { APPLICATION_STATUS, OFFER_OUTCOMES, parseIdNumber } from '@wangge/domain'
import { z } from 'zod'

/** A GB 11643 ID number (check character verified), upper-cased. */
const idNumber = z
  .string()
  .max(18)
  .transform((v, ctx) => {
    const r = parseIdNumber(v)
    if (!r.ok) {
      ctx.addIssue({ code: 'custom', message: r.message, params: { problem: r.problem } })
      return z.NEVER
    }
    return r.idNumber
  })

export const itemCode = z.string().regex(/^S\d{4}$/, 'A service item code is S + 4 digits')
export const visitNumber = z.string().regex(/^YC\d{14}$/, 'A window visit number is YC + date + 6 digits')
const reason = z.string().trim().min(2).max(500)

const condition = z.object({ zh: z.string().min(1).max(100), en: z.string().min(1).max(200), rule: z.unknown() })
const trigger = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('birthday'), years: z.number().int().min(1).max(120) }),
  z.object({ kind: z.literal('record'), dataset: z.string().min(1).max(60), who: z.enum(['self', 'parent', 'household']) }),
  z.object({ kind: z.literal('expiry'), withinDays: z.number().int().min(1).max(365) }),
  z.object({ kind: z.literal('residence'), days: z.number().int().min(1).max(3650) }),
])
export const itemDefinition = z.object({
  name: z.string().trim().min(2).max(60),
  nameEn: z.string().trim().min(2).max(120),
  department: z.string().min(1).max(40),
  conditions: z.array(condition).min(1).max(20),
  materials: z.array(z.string().max(40)).max(20),
  steps: z.object({
    accept: z.number().int().min(0).max(60),
    review: z.number().int().min(0).max(60),
    decide: z.number().int().min(0).max(60),
    deliver: z.number().int().min(0).max(60),
  }),
  fee: z.string().max(100),
  legalBasis: z.string().max(300),
  proactive: z.object({ trigger, reason: z.string().min(2).max(60), tell: z.string().min(2).max(300) }).optional(),
})

export const itemOut = itemDefinition.extend({
  code: z.string(),
  active: z.boolean(),
  version: z.number().int(),
  updatedAt: z.string(),
  updatedBy: z.string(),
  departmentDays: z.number().int(),
})
export const itemDetail = itemOut.extend({
  versions: z.array(
    z.object({
      version: z.number().int(),
      reason: z.string(),
      changedBy: z.string(),
      changedAt: z.string(),
      active: z.boolean(),
    }),
  ),
})
export const itemUpdate = z.object({ definition: itemDefinition, active: z.boolean(), reason, version: z.number().int().min(1) })

export const lookupBody = z.object({
  idNumber,
  /** What the resident agreed to (e.g. "本人到场，口头同意查询共享信息"). */
  consent: z.string().trim().min(2).max(200),
  notify: z.boolean().default(false),
})

const conditionOut = z.object({ zh: z.string(), en: z.string(), ok: z.boolean() })
const statusEnum = z.enum(Object.keys(APPLICATION_STATUS) as [keyof typeof APPLICATION_STATUS])

export const windowOut = z.object({
  visit: z.object({ number: z.string(), createdAt: z.string(), notify: z.boolean() }),
  person: z.object({
    id: z.number().int(),
    name: z.string(),
    idNumber: z.string(),
    sex: z.string(),
    birthDate: z.string(),
    phone: z.string().nullable(),
    address: z.string().nullable(),
    community: z.string(),
    grid: z.string().nullable(),
  }),
  facts: z.array(
    z.object({
      name: z.string(),
      zh: z.string(),
      en: z.string(),
      type: z.string(),
      value: z.unknown(),
      dataset: z.string().nullable(),
      source: z.string().nullable(),
      asOf: z.string().nullable(),
    }),
  ),
  household: z.array(
    z.object({
      id: z.number().int(),
      name: z.string(),
      sex: z.string(),
      age: z.number().int(),
      relation: z.string().nullable(),
      status: z.string(),
      self: z.boolean(),
    }),
  ),
  items: z.array(
    z.object({
      code: z.string(),
      name: z.string(),
      nameEn: z.string(),
      department: z.string(),
      eligible: z.boolean(),
      conditions: z.array(conditionOut),
      materials: z.number().int(),
      spared: z.number().int(),
    }),
  ),
  applications: z.array(
    z.object({
      id: z.number().int(),
      item: z.string(),
      number: z.string().nullable(),
      createdAt: z.string(),
      status: statusEnum,
    }),
  ),
})

const materialOut = z.object({
  code: z.string(),
  zh: z.string(),
  en: z.string(),
  spared: z.boolean(),
  source: z.string().nullable(),
  asOf: z.string().nullable(),
  why: z.enum(['not_provable', 'not_held', 'stale', 'not_applicable']).nullable(),
})
export const checklistOut = z.object({
  item: itemOut,
  eligible: z.boolean(),
  conditions: z.array(conditionOut),
  materials: z.array(materialOut),
})

export const applyBody = z.object({
  item: itemCode,
  materials: z
    .array(
      z.object({ code: z.string().max(40), attachment: z.number().int().positive().optional(), seen: z.boolean().optional() }),
    )
    .max(20)
    .default([]),
  phone: z
    .string()
    .regex(/^1\d{10}$/, 'A mobile number has 11 digits')
    .optional(),
  note: z.string().trim().max(300).optional(),
})

export const applicationOut = z.object({
  id: z.number().int(),
  item: z.string(),
  itemName: z.string(),
  itemVersion: z.number().int(),
  personId: z.number().int(),
  applicant: z.string().nullable(),
  community: z.string(),
  grid: z.string().nullable(),
  visit: z.string().nullable(),
  caseId: z.number().int(),
  number: z.string(),
  caseStatus: z.string(),
  caseVersion: z.number().int(),
  status: statusEnum,
  statusLabel: z.string(),
  department: z.string().nullable(),
  deadline: z.string().nullable(),
  overdue: z.boolean(),
  onTime: z.boolean().nullable(),
  decision: z.string().nullable(),
  decidedAt: z.string().nullable(),
  required: z.number().int(),
  spared: z.number().int(),
  createdAt: z.string(),
  createdBy: z.string(),
})
export const applicationDetail = applicationOut.extend({
  materials: z.array(materialOut.extend({ attachment: z.number().int().nullable(), seen: z.boolean() })),
  eligibility: z.array(conditionOut),
})
export const applicationsQuery = z.object({
  region: z
    .string()
    .regex(/^\d{4,15}$/)
    .optional(),
  item: itemCode.optional(),
  status: statusEnum.optional(),
  person: z.coerce.number().int().positive().optional(),
})
export const decideBody = z.object({ approve: z.boolean(), reason, version: z.number().int().min(1) })

const outcomeEnum = z.enum(Object.keys(OFFER_OUTCOMES) as [keyof typeof OFFER_OUTCOMES])
export const offersQuery = z.object({
  region: z
    .string()
    .regex(/^\d{4,15}$/)
    .optional(),
  status: z.enum(['open', ...(Object.keys(OFFER_OUTCOMES) as (keyof typeof OFFER_OUTCOMES)[])]).optional(),
  item: itemCode.optional(),
})
export const offerOut = z.object({
  id: z.number().int(),
  item: z.string(),
  itemName: z.string(),
  personId: z.number().int(),
  name: z.string().nullable(),
  householdId: z.number().int().nullable(),
  grid: z.string().nullable(),
  community: z.string(),
  occasion: z.string(),
  reason: z.string(),
  createdOn: z.string(),
  status: z.string(),
  outcomeAt: z.string().nullable(),
  outcomeBy: z.string().nullable(),
  outcomeNote: z.string().nullable(),
  notified: z.boolean(),
  version: z.number().int(),
})
export const outcomeBody = z.object({
  outcome: outcomeEnum,
  note: z.string().trim().max(300).optional(),
  version: z.number().int().min(1),
})

export const runOut = z.object({
  day: z.string(),
  since: z.string(),
  candidates: z.number().int(),
  eligible: z.number().int(),
  offers: z.number().int(),
  notified: z.number().int(),
  ms: z.number().int(),
  byItem: z.record(
    z.string(),
    z.object({ candidates: z.number().int(), offers: z.number().int(), findMs: z.number().int(), ms: z.number().int() }),
  ),
})

const figure = {
  applications: z.number().int(),
  decided: z.number().int(),
  onTimeRate: z.number().nullable(),
  avgWorkingDays: z.number().nullable(),
  spared: z.number().int(),
  sparedPerApplication: z.number().nullable(),
  offers: z.number().int(),
  offersApplied: z.number().int(),
  uptake: z.number().nullable(),
}
export const figuresQuery = z.object({
  region: z.string().regex(/^\d{4}(\d{2}(\d{3}(\d{3})?)?)?$/, 'A region code has 4, 6, 9 or 12 digits'),
  from: z.iso.date().optional(),
  to: z.iso.date().optional(),
})
export const figuresOut = z.object({
  region: z.string(),
  from: z.string(),
  to: z.string(),
  total: z.object(figure),
  items: z.array(z.object({ code: z.string(), name: z.string(), ...figure })),
  areas: z.array(z.object({ code: z.string(), name: z.string(), ...figure })),
})
