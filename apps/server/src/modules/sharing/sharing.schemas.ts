// The API's shapes for data sharing.
import {
  CODE_TABLES,
  CONFIDENTIALITY,
  FIELD_TYPES,
  PREDICATE_OPS,
  RECORD_KEYS,
  RHYTHMS,
  SHARED_FIELD_GROUPS,
} from '@wangge/domain'
import { z } from 'zod'
import { areaCode, isoDate } from '../../http/schemas.js'

export const datasetCode = z.string().regex(/^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/, 'department.name, lower case')
export const deliveryKey = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,100}$/, 'Letters, digits and . _ : - (at most 100): the same id again applies nothing')

const field = z.object({
  name: z.string().regex(/^[a-z][a-z0-9_]{0,40}$/),
  label: z.string().min(1).max(40),
  type: z.enum(FIELD_TYPES),
  required: z.boolean().optional(),
  codeTable: z.enum(Object.keys(CODE_TABLES) as [keyof typeof CODE_TABLES, ...(keyof typeof CODE_TABLES)[]]).optional(),
  multiple: z.boolean().optional(),
  maxLength: z.number().int().min(1).max(2000).optional(),
  allowFuture: z.boolean().optional(),
  target: z.string().max(40).optional(),
})

export const definition = z.object({
  department: z.string().min(2).max(40),
  name: z.string().min(1).max(100),
  nameEn: z.string().min(1).max(200),
  description: z.string().max(1000),
  entity: z.enum(['person', 'dwelling', 'organization', 'component', 'none']),
  recordKey: z.enum(RECORD_KEYS),
  keyField: z.string().min(1).max(40),
  rhythm: z.enum(RHYTHMS),
  freshnessDays: z.number().int().min(1).max(400),
  confidentiality: z.enum(CONFIDENTIALITY),
  fieldGroups: z.array(z.enum(Object.keys(SHARED_FIELD_GROUPS) as [keyof typeof SHARED_FIELD_GROUPS])).max(20),
  onRemove: z.enum(['clear', 'keep']),
  fields: z.array(field).min(1).max(100),
})

export const datasetOut = definition
  .extend({
    code: z.string(),
    active: z.boolean(),
    version: z.number(),
    updatedAt: z.string(),
    updatedBy: z.string(),
  })
  .meta({ id: 'Dataset' })

export const datasetDetail = datasetOut.extend({
  versions: z.array(z.object({ version: z.number(), reason: z.string(), changedBy: z.string(), changedAt: z.string() })),
})

export const deliveryOut = z
  .object({
    id: z.number(),
    dataset: z.string(),
    datasetVersion: z.number(),
    department: z.string(),
    deliveryKey: z.string(),
    channel: z.enum(['upload', 'push', 'cli', 'simulation']),
    mode: z.enum(['snapshot', 'incremental']),
    policy: z.enum(['all_or_nothing', 'valid_rows']),
    status: z.enum(['applied', 'partially_applied', 'rejected']),
    fileName: z.string().nullable(),
    asOf: z.string(),
    rows: z.object({
      total: z.number(),
      rejected: z.number(),
      changed: z.number(),
      unchanged: z.number(),
      unmatched: z.number(),
      removed: z.number(),
    }),
    receivedAt: z.string(),
    finishedAt: z.string().nullable(),
    createdBy: z.string(),
  })
  .meta({ id: 'Delivery' })

const cell = z.union([z.string().max(2000), z.number(), z.boolean(), z.null()])
export const MAX_PUSH_RECORDS = 10_000

export const pushBody = z.object({
  deliveryKey,
  mode: z.enum(['snapshot', 'incremental']).default('incremental'),
  policy: z.enum(['all_or_nothing', 'valid_rows']).default('all_or_nothing'),
  asOf: isoDate.optional().describe('the day the data describe (default: today)'),
  reason: z.string().max(500).optional(),
  records: z
    .array(z.record(z.string().max(60), cell))
    .max(MAX_PUSH_RECORDS)
    .describe('adds and changes, keyed by the dataset key field'),
  removals: z
    .array(z.string().min(1).max(200))
    .max(MAX_PUSH_RECORDS)
    .default([])
    .describe('keys of records taken away (change sets only)'),
})

export const uploadQuery = z.object({
  mode: z.enum(['snapshot', 'incremental']).default('snapshot'),
  policy: z.enum(['all_or_nothing', 'valid_rows']).default('all_or_nothing'),
  fileName: z.string().min(1).max(200).optional(),
  format: z.enum(['csv', 'xlsx', 'jsonl']).optional().describe('default: from the file name or content type'),
  asOf: isoDate.optional(),
})

export const rejectOut = z.object({
  rowNo: z.number(),
  recordKey: z.string().nullable(),
  field: z.string(),
  problem: z.string(),
  message: z.string(),
  value: z.string().nullable(),
})

export const ownershipOut = z.array(
  z.object({
    group: z.string(),
    entity: z.string(),
    name: z.string(),
    nameEn: z.string(),
    fields: z.array(z.string()),
    tags: z.array(z.string()),
    department: z.string().nullable(),
    dataset: z.string().nullable(),
    datasetName: z.string().nullable(),
    datasetNameEn: z.string().nullable(),
  }),
)

const side = z.object({
  label: z.string(),
  value: z.unknown(),
  codeTable: z.string().nullable().describe('the code table that puts the value in words (GET /codes), if coded'),
})
export const findingOut = z
  .object({
    id: z.number(),
    rule: z.string(),
    ruleName: z.string(),
    ruleNameEn: z.string(),
    question: z.string(),
    entity: z.enum(['person', 'dwelling', 'organization']),
    entityId: z.number(),
    communityCode: z.string(),
    gridCode: z.string().nullable(),
    left: side,
    right: side,
    ownerDepartment: z.string(),
    assignee: z.enum(['department', 'grid_worker']),
    status: z.enum(['open', 'resolved', 'cleared']),
    foundByDelivery: z.number().nullable(),
    firstSeenAt: z.string(),
    lastSeenAt: z.string(),
    resolution: z.enum(['department_right', 'base_right']).nullable(),
    resolutionNote: z.string().nullable(),
    resolvedBy: z.string().nullable(),
    resolvedAt: z.string().nullable(),
    version: z.number(),
  })
  .meta({ id: 'Finding' })

export const findingsQuery = z.object({
  status: z.enum(['open', 'resolved', 'cleared']).optional(),
  rule: z
    .string()
    .regex(/^[a-z][a-z0-9_]{2,60}$/)
    .optional(),
  region: areaCode.optional(),
  assignee: z.enum(['department', 'grid_worker']).optional(),
  department: z.string().max(40).optional(),
})

export const resolveBody = z.object({
  side: z.enum(['department', 'base']).describe("which side was right: the department's data, or the base record"),
  note: z.string().min(2).max(1000),
  version: z.number().int().min(1),
})

export const ruleCode = z.string().regex(/^[a-z][a-z0-9_]{2,60}$/, 'lower case letters, digits and _')
const fieldName = z.string().regex(/^[a-z][a-z0-9_]{0,40}$/)
const predicate = z.strictObject({
  field: fieldName,
  op: z.enum(PREDICATE_OPS),
  value: z.union([z.string().max(200), z.number(), z.array(z.string().max(200)).max(100)]).optional(),
})
const condition = z.union([
  z.strictObject({ base: predicate }),
  z.strictObject({ has: datasetCode, where: z.array(predicate).max(10).optional() }),
  z.strictObject({ lacks: datasetCode }),
  z.strictObject({ empty: z.literal(true) }),
  z.strictObject({ duplicate: z.literal(true) }),
])
const valueRef = z.union([
  z.strictObject({ base: fieldName, label: z.string().min(1).max(40) }),
  z.strictObject({ dataset: datasetCode, field: fieldName, label: z.string().min(1).max(40) }),
])
/** A rule as data (the compiler's whitelist and the catalog are checked by the service). */
export const ruleDefinition = z.object({
  name: z.string().min(2).max(60),
  nameEn: z.string().min(2).max(200),
  subject: z.enum(['person', 'dwelling', 'organization']),
  when: z.array(condition).min(1).max(10),
  left: valueRef,
  right: valueRef,
  owner: z.string().min(2).max(40),
  assignee: z.enum(['department', 'grid_worker']),
  question: z.string().min(4).max(200),
  fix: z.record(fieldName, z.string().min(1).max(100)).optional(),
})

export const ruleOut = z
  .object({
    code: z.string(),
    name: z.string(),
    nameEn: z.string(),
    subject: z.string(),
    when: z.array(z.record(z.string(), z.unknown())),
    left: z.record(z.string(), z.unknown()),
    right: z.record(z.string(), z.unknown()),
    owner: z.string(),
    assignee: z.string(),
    question: z.string(),
    fix: z.record(z.string(), z.string()).optional(),
    active: z.boolean(),
    version: z.number(),
  })
  .meta({ id: 'CheckRule' })

export const boardQuery = z.object({
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'YYYY-MM')
    .optional()
    .describe('Beijing month (default: this month so far)'),
  region: areaCode.optional().describe("findings under this region (default: the caller's widest scope)"),
})

const share = z.number().nullable()
export const boardOut = z
  .object({
    month: z.string(),
    region: z.string(),
    periodEnd: z.string(),
    weights: z.record(z.string(), z.number()),
    riskBelow: z.number(),
    departments: z.array(
      z.object({
        department: z.string(),
        exempt: z.boolean(),
        score: z.number().nullable(),
        atRisk: z.boolean().describe('拨款风险: silent on a due dataset, or a score under riskBelow'),
        reasons: z.array(z.string()),
        due: z.number(),
        delivered: z.number(),
        onTimeRate: share,
        freshShare: share,
        completeness: share,
        rejectedRate: share,
        findingsResolvedShare: share,
        findings: z.object({ opened: z.number(), open: z.number(), resolved: z.number(), medianDaysToResolve: share }),
        datasets: z.array(
          z.object({
            code: z.string(),
            name: z.string(),
            rhythm: z.string(),
            exempt: z.boolean(),
            due: z.number(),
            delivered: z.number(),
            deliveries: z.number(),
            onTimeRate: share,
            newestAsOf: z.string().nullable(),
            ageDays: share,
            freshnessDays: z.number(),
            fresh: z.boolean(),
            completeness: share,
            rows: z.number(),
            rejectedRows: z.number(),
            rejectedRate: share,
            silent: z.boolean(),
          }),
        ),
      }),
    ),
  })
  .meta({ id: 'SharingBoard' })

export const ruleDetail = ruleOut.extend({
  versions: z.array(
    z.object({ version: z.number(), active: z.boolean(), reason: z.string(), changedBy: z.string(), changedAt: z.string() }),
  ),
})
