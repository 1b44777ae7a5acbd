// The API's shapes for the residents' channels.
import { z } from 'zod'

export const caseNumber = z.string().regex(/^[ECS]\d{16,18}$/, 'a tracking number, e.g. E0102202612010001')
export const pageKey = z
  .string()
  .regex(/^[A-Za-z0-9_-]{16,64}$/)
  .describe("the page's own random key (16–64 letters, digits, _ or -): its photos and its report belong together")
const lng = z.coerce.number().min(73).max(136)
const lat = z.coerce.number().min(3).max(54)

export const pow = z
  .object({
    challenge: z.object({ parameters: z.record(z.string(), z.unknown()), signature: z.string().max(200) }),
    solution: z.object({ counter: z.number().int().min(0), derivedKey: z.string().max(200), time: z.number().optional() }),
  })
  .describe('the solved proof-of-work challenge (GET /public/challenge), good once')

export const reportBody = z.object({
  key: pageKey,
  catalog: z.string().regex(/^[EC]\d{4}$/),
  description: z.string().trim().min(4).max(1000),
  lng,
  lat,
  address: z.string().trim().max(200).optional(),
  photos: z.array(z.number().int().positive()).max(3).default([]),
  name: z.string().trim().min(1).max(40).optional(),
  phone: z.string().max(20).optional(),
  code: z
    .string()
    .regex(/^\d{6}$/)
    .optional()
    .describe('the SMS code sent to the phone (needed with a phone)'),
  anonymous: z.boolean().default(true).describe('"anonymous to the public" (staff still see the name for the call-back)'),
  clientId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{8,64}$/)
    .optional()
    .describe('the page makes one per report: a re-sent report is answered as first recorded'),
  pow,
})

export const publicCaseOut = z.object({
  number: z.string(),
  serviceCode: z.string(),
  className: z.string(),
  classNameEn: z.string(),
  icon: z.string(),
  status: z.enum(['received', 'assigned', 'in_progress', 'awaiting_confirmation', 'closed', 'not_accepted', 'merged']),
  statusText: z.string(),
  statusTextEn: z.string(),
  department: z.string().nullable(),
  reportedAt: z.string(),
  deadline: z.string().nullable(),
  overdue: z.boolean(),
  closedAt: z.string().nullable(),
  ageDays: z.number(),
  followers: z.number(),
})

export const followOut = publicCaseOut
  .extend({
    description: z.string(),
    address: z.string().nullable(),
    lng: z.number(),
    lat: z.number(),
    role: z.enum(['reporter', 'follower']),
    canConfirm: z.boolean(),
    canReopen: z.boolean().describe('closed, and the reporter may still say "not fixed" (7 days)'),
    timeline: z.array(
      z.object({
        at: z.string(),
        step: z.string(),
        text: z.string(),
        note: z.string().nullable(),
        photos: z.array(z.object({ id: z.number(), url: z.string() })),
      }),
    ),
  })
  .meta({ id: 'PublicCase' })

export const proofQuery = z.object({
  token: z.string().max(80).optional().describe("the link's token"),
  phone4: z
    .string()
    .regex(/^\d{4}$/)
    .optional()
    .describe("the last four digits of the reporter's phone"),
})

export const notificationOut = z.object({
  id: z.number(),
  channel: z.enum(['sms', 'wechat', 'inapp']),
  recipient: z.string(),
  template: z.string(),
  text: z.string(),
  caseId: z.number().nullable(),
  status: z.enum(['pending', 'sent', 'failed']),
  attempts: z.number(),
  nextAttemptAt: z.string(),
  sentAt: z.string().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
})
