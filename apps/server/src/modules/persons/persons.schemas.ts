import {
  CARE_TAG,
  codesOf,
  DATA_SOURCE,
  EDUCATION,
  EMPLOYMENT,
  ETHNICITY,
  HEALTH_FLAG,
  MARITAL_STATUS,
  MIGRANT_REASON,
  PERMIT_TYPE,
  POPULATION_TYPE,
  parseIdNumber,
  parsePhone,
  RELATION_TO_HEAD,
  RESIDENCE_TYPE,
  SEX,
} from '@wangge/domain'
import { z } from 'zod'
import { regionCode } from '../../http/schemas.js'
import { pageOf, pagingQuery } from '../../kernel/paging.js'

const code = (table: readonly { code: string }[]) => z.enum(codesOf(table) as [string, ...string[]])
const isoDate = z.iso.date()

export const idNumber = z.string().transform((v, ctx) => {
  const r = parseIdNumber(v)
  if (!r.ok) {
    ctx.addIssue({ code: 'custom', message: r.message, params: { problem: r.problem } })
    return z.NEVER
  }
  return r.idNumber
})

export const phone = z.string().transform((v, ctx) => {
  const r = parsePhone(v)
  if (!r.ok) {
    ctx.addIssue({ code: 'custom', message: r.message })
    return z.NEVER
  }
  return r.phone
})

export const sourceCode = code(DATA_SOURCE).describe('Who provides this data (谁提供、谁负责): a department or grid_worker')

/** Fields a department or grid worker may set; grouped for provenance (identity, residence, …). */
const personFields = {
  name: z.string().trim().min(1).max(60),
  sex: code(SEX),
  ethnicity: code(ETHNICITY),
  nativePlace: z
    .string()
    .regex(/^\d{6}$/)
    .nullable(),
  populationType: code(POPULATION_TYPE),
  registeredAddress: z.string().max(200).nullable(),
  migrantReason: code(MIGRANT_REASON).nullable(),
  permitType: code(PERMIT_TYPE).nullable(),
  residenceType: code(RESIDENCE_TYPE).nullable(),
  arrivalDate: isoDate.nullable(),
  phone: phone.nullable(),
  maritalStatus: code(MARITAL_STATUS).nullable(),
  education: code(EDUCATION).nullable(),
  employment: code(EMPLOYMENT).nullable(),
  occupation: z.string().max(20).nullable(),
  employer: z.string().max(200).nullable(),
  careTags: z.array(code(CARE_TAG)).max(20),
  healthFlags: z.array(code(HEALTH_FLAG)).max(20),
}

export const personCreate = z.object({
  idNumber,
  ...personFields,
  nativePlace: personFields.nativePlace.optional(),
  registeredAddress: personFields.registeredAddress.optional(),
  migrantReason: personFields.migrantReason.optional(),
  permitType: personFields.permitType.optional(),
  residenceType: personFields.residenceType.optional(),
  arrivalDate: personFields.arrivalDate.optional(),
  phone: personFields.phone.optional(),
  maritalStatus: personFields.maritalStatus.optional(),
  education: personFields.education.optional(),
  employment: personFields.employment.optional(),
  occupation: personFields.occupation.optional(),
  employer: personFields.employer.optional(),
  careTags: personFields.careTags.default([]),
  healthFlags: personFields.healthFlags.default([]),
  ethnicity: personFields.ethnicity.default('01'),
  householdId: z.number().int().positive(),
  relationToHead: code(RELATION_TO_HEAD),
  source: sourceCode,
  reason: z.string().max(500).optional(),
})
export type PersonCreate = z.output<typeof personCreate>

/** Any of the fields a change may carry (a door-to-door change: merged field by field). */
export const personFieldsPatch = z
  .object(Object.fromEntries(Object.entries(personFields).map(([k, v]) => [k, v.optional()])))
  .strict()
  .refine((o) => Object.keys(o).length > 0, 'at least one field')

export const personPatch = z
  .object({
    ...Object.fromEntries(Object.entries(personFields).map(([k, v]) => [k, v.optional()])),
    idNumber: idNumber.optional(),
    version: z.number().int().positive().describe('The version the change is based on (optimistic concurrency)'),
    source: sourceCode,
    reason: z.string().trim().min(1).max(500),
  })
  .strict() as unknown as z.ZodType<
  Partial<{ [K in keyof typeof personFields]: z.output<(typeof personFields)[K]> }> & {
    idNumber?: string
    version: number
    source: string
    reason: string
  }
>
export type PersonPatch = z.output<typeof personPatch>

export const statusChange = z.object({
  status: z.enum(['moved_out', 'deceased', 'active']),
  version: z.number().int().positive(),
  source: sourceCode,
  reason: z.string().trim().min(1).max(500),
})

export const personListQuery = pagingQuery.extend({
  region: regionCode.optional().describe('Persons living under this region (city, district, street or community)'),
  idNumber: z.string().max(18).optional(),
  name: z.string().max(60).optional().describe('Name prefix'),
  q: z.string().max(60).optional().describe('Name prefix or pinyin initials prefix (e.g. cwm)'),
  householdId: z.coerce.number().int().positive().optional(),
  address: z.string().max(100).optional().describe('Address prefix of the dwelling'),
  tag: code(CARE_TAG).optional(),
  populationType: code(POPULATION_TYPE).optional(),
  status: z.enum(['active', 'moved_out', 'deceased']).optional(),
})

const provenance = z.object({ source: z.string(), updatedAt: z.string(), updatedBy: z.string() })

export const personOut = z
  .object({
    id: z.number(),
    idNumber: z.string(),
    name: z.string(),
    nameInitials: z.string(),
    sex: z.string(),
    birthDate: z.string(),
    ethnicity: z.string().nullable().describe('null for a foreign national'),
    nationality: z.string().describe('ISO 3166-1 numeric (156: China; a foreigner’s from their permanent-residence ID)'),
    nativePlace: z.string().nullable(),
    populationType: z.string(),
    householdId: z.number().nullable(),
    relationToHead: z.string().nullable(),
    dwellingId: z.number().nullable(),
    address: z.string().nullable(),
    communityCode: z.string(),
    gridCode: z.string().nullable(),
    registeredAddress: z.string().nullable(),
    migrantReason: z.string().nullable(),
    permitType: z.string().nullable(),
    residenceType: z.string().nullable(),
    arrivalDate: z.string().nullable(),
    phone: z.string().nullable(),
    maritalStatus: z.string().nullable(),
    education: z.string().nullable(),
    employment: z.string().nullable(),
    occupation: z.string().nullable(),
    employer: z.string().nullable(),
    careTags: z.array(z.string()),
    healthFlags: z.array(z.string()),
    status: z.string(),
    source: z.string(),
    version: z.number(),
    updatedAt: z.string(),
    updatedBy: z.string(),
    masked: z.boolean().describe('ID number, phone and addresses are masked'),
    specialVisible: z.boolean().describe('health flags are shown (person.special)'),
    provenance: z.record(z.string(), provenance).optional().describe('Per field group: who provided it and when'),
  })
  .meta({ id: 'Person' })

export const personPage = pageOf(personOut)

export const historyOut = pageOf(
  z.object({
    id: z.number(),
    version: z.number(),
    action: z.string(),
    changes: z.record(z.string(), z.object({ old: z.unknown(), new: z.unknown() })),
    reason: z.string().nullable(),
    actor: z.string(),
    source: z.string(),
    requestId: z.string().nullable(),
    at: z.string(),
  }),
)

export const idParam = z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) })

/** `?unmask=true&reason=…`: the full personal data, with the reason audited. */
export const unmaskQuery = z.object({
  unmask: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true'),
  reason: z.string().trim().max(500).optional().describe('why the full data is needed (audited)'),
})
