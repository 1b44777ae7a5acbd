// Configuration: read from the environment once, validated by zod; a bad value stops start-up
// with a message that names every bad key.
import { resolve } from 'node:path'
import { z } from 'zod'

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  DATABASE_READ_URL: z
    .string()
    .regex(
      /^postgres(ql)?:\/\/[^\s,]+(\s*,\s*postgres(ql)?:\/\/[^\s,]+)*$/,
      'one or more postgres:// URLs of hot standbys, separated by commas',
    )
    .optional()
    .or(z.literal('').transform(() => undefined)),
  READ_MAX_LAG_MS: z.coerce.number().int().min(50).max(600_000).default(5_000),
  DATA_DIR: z.string().min(1).default('./var'),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  LOG_PRETTY: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  BODY_LIMIT: z.coerce
    .number()
    .int()
    .min(1024)
    .max(512 * 1024 * 1024)
    .default(1024 * 1024),
  WANGGE_CITY: z
    .string()
    .regex(/^\d{4}$/, 'must be a 4-digit city code such as 4401')
    .default('4401'),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  WANGGE_DEMO: z.enum(['none', 'tiny', 'liurong', 'yuexiu', 'guangzhou']).default('yuexiu'),
  WANGGE_DEMO_SEED: z.string().min(1).max(100).default('wangge'),
  WANGGE_WORKERS: z.coerce.number().int().min(1).max(64).default(1),
  PUBLIC_URL: z
    .url({ protocol: /^https?$/ })
    .optional()
    .or(z.literal('').transform(() => undefined)),
  WANGGE_BASEMAP: z
    .string()
    .regex(/^https:\/\/[^\s]+$/, 'an https XYZ tile template ({z}/{x}/{y}) or a MapLibre style URL (.json)')
    .max(1000)
    .optional()
    .or(z.literal('').transform(() => undefined)),
  WANGGE_BASEMAP_ATTRIBUTION: z.string().max(200).optional(),
  S3_URL: z
    .url({ protocol: /^https?$/ })
    .optional()
    .or(z.literal('').transform(() => undefined)),
  TRUST_PROXY: z
    .string()
    .regex(/^(true|false|\d{1,2}|[0-9a-fA-F.:/,\s]+)$/, 'true, false, a hop count or a list of proxy addresses/CIDRs')
    .default('false'),
})

export type Config = {
  port: number
  host: string
  /** PostgreSQL; several hosts (`postgres://u@db1:5432,db2:5432/wangge`): the one not in recovery is written to. */
  databaseUrl: string | undefined
  /** Hot standbys (DATABASE_READ_URL, comma-separated) for the reads that may lag a little. */
  databaseReadUrls: string[]
  /** A replica further behind than this is out of rotation (READ_MAX_LAG_MS). */
  readMaxLagMs: number
  dataDir: string
  logLevel: (typeof LOG_LEVELS)[number]
  logPretty: boolean
  bodyLimit: number
  city: string
  dbPoolSize: number
  demo: 'none' | 'tiny' | 'liurong' | 'yuexiu' | 'guangzhou'
  demoSeed: string
  /** Server processes sharing the port (PostgreSQL only): one per core on a multi-core machine. */
  workers: number
  /** Where users reach the platform (e.g. https://wangge.gz.gov.cn); HTTPS makes cookies Secure and sends HSTS. */
  publicUrl: string | undefined
  /** Fastify's trustProxy: whom to believe about the client address and protocol (X-Forwarded-*). */
  trustProxy: boolean | string | ((address: string, hop: number) => boolean)
  /** A basemap under the maps (none by default: the platform runs offline). */
  basemap: Basemap | undefined
  /** An S3-compatible object store for photos (`http(s)://KEY:SECRET@host/bucket`); none: in the database. */
  s3Url: string | undefined
}

/** A basemap: an XYZ raster tile template (天地图's WMTS written as one, or any tile server), or a
 *  MapLibre style URL (vector tiles) — the maps draw the platform's layers over it. */
export interface Basemap {
  url: string
  kind: 'raster' | 'style'
  attribution: string
}

/** The origin a basemap's URL draws from, for the Content-Security-Policy (`t{0-7}.host` → `*.host`). */
export function basemapOrigin(url: string): string {
  const m = /^(https:\/\/)([^/?#]+)/.exec(url)
  if (!m) return "'none'"
  const host = (m[2] as string)
    .split('.')
    .map((label) => (/[{}]/.test(label) ? '*' : label))
    .join('.')
  return `${m[1]}${host}`
}

/** `true`/`false`; a number of proxy hops to trust (the nearest ones); or addresses/CIDRs. */
function trustProxyOf(v: string): Config['trustProxy'] {
  if (v === 'true') return true
  if (v === 'false') return false
  if (/^\d+$/.test(v)) {
    const hops = Number(v)
    return (_address, hop) => hop < hops
  }
  return v
}

export class ConfigError extends Error {
  constructor(readonly issues: { key: string; message: string }[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i.key}: ${i.message}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env)
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const key = String(i.path[0] ?? '?')
        // Echo the offending value to help the operator, except where it may carry a password.
        const given = /URL$/.test(key) && key !== 'PUBLIC_URL' ? '' : ` (got ${JSON.stringify(env[key])})`
        return { key, message: `${i.message}${given}` }
      }),
    )
  }
  const c = parsed.data
  if (c.DATABASE_READ_URL && !c.DATABASE_URL)
    throw new ConfigError([
      {
        key: 'DATABASE_READ_URL',
        message: 'replicas need DATABASE_URL (their PostgreSQL primary): the embedded database has none',
      },
    ])
  if (c.WANGGE_WORKERS > 1 && !c.DATABASE_URL)
    throw new ConfigError([
      {
        key: 'WANGGE_WORKERS',
        message: `${c.WANGGE_WORKERS} server processes need DATABASE_URL (PostgreSQL): the embedded database belongs to one process`,
      },
    ])
  return {
    port: c.PORT,
    host: c.HOST,
    databaseUrl: c.DATABASE_URL,
    databaseReadUrls: c.DATABASE_READ_URL ? c.DATABASE_READ_URL.split(',').map((u) => u.trim()) : [],
    readMaxLagMs: c.READ_MAX_LAG_MS,
    dataDir: resolve(c.DATA_DIR),
    logLevel: c.LOG_LEVEL,
    logPretty: c.LOG_PRETTY,
    bodyLimit: c.BODY_LIMIT,
    city: c.WANGGE_CITY,
    dbPoolSize: c.DB_POOL_SIZE,
    demo: c.WANGGE_DEMO,
    demoSeed: c.WANGGE_DEMO_SEED,
    workers: c.WANGGE_WORKERS,
    publicUrl: c.PUBLIC_URL,
    trustProxy: trustProxyOf(c.TRUST_PROXY.trim()),
    basemap: c.WANGGE_BASEMAP
      ? {
          url: c.WANGGE_BASEMAP,
          kind: /\{z\}/.test(c.WANGGE_BASEMAP) ? 'raster' : 'style',
          attribution: c.WANGGE_BASEMAP_ATTRIBUTION ?? '',
        }
      : undefined,
    s3Url: c.S3_URL,
  }
}
