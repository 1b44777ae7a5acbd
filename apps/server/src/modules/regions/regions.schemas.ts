import { REGION_LEVELS } from '@wangge/domain'
import { z } from 'zod'
import { pageOf, pagingQuery } from '../../kernel/paging.js'

export const regionCodeParam = z.object({
  code: z
    .string()
    .max(32)
    .describe('Statistical division code: 4 (city), 6 (district), 9 (street/town) or 12 (community/village) digits'),
})

const level = z.enum(REGION_LEVELS)

export const regionSummary = z
  .object({ code: z.string(), name: z.string(), level, kind: z.string() })
  .meta({ id: 'RegionSummary' })

export const regionDetail = z
  .object({
    code: z.string(),
    name: z.string(),
    level,
    kind: z.string(),
    path: z.string().describe('ltree path of ancestor codes, e.g. 4401.440104.440104004'),
    parentCode: z.string().nullable(),
    pinyin: z.string(),
    initials: z.string(),
    centroid: z.tuple([z.number(), z.number()]).nullable(),
    source: z.string(),
    version: z.number().int(),
    parents: z.array(regionSummary).describe('Ancestors from the city down'),
    children: z.array(regionSummary),
    descendantCounts: z.object({
      district: z.number().int(),
      street: z.number().int(),
      community: z.number().int(),
      grid: z.number().int(),
    }),
  })
  .meta({ id: 'Region' })

const geometry = z.object({ type: z.enum(['Polygon', 'MultiPolygon']), coordinates: z.unknown() })
export const regionFeature = z
  .object({
    type: z.literal('Feature'),
    id: z.string(),
    bbox: z.array(z.number()),
    properties: z.object({
      code: z.string(),
      name: z.string(),
      level,
      synthetic: z.boolean().describe('true when the boundary is generated, not surveyed'),
      source: z.string(),
      areaM2: z.number(),
      labelAt: z.tuple([z.number(), z.number()]).nullable().describe('where a map writes the name (the centroid)'),
    }),
    geometry,
  })
  .meta({ id: 'RegionFeature' })

export const regionFeatureCollection = z.object({ type: z.literal('FeatureCollection'), features: z.array(regionFeature) })

export const geometryQuery = z.object({
  children: z
    .enum(['0', '1', 'true', 'false'])
    .optional()
    .transform((v) => v === '1' || v === 'true')
    .describe('1 → a FeatureCollection of the children instead of the region itself'),
})

export const searchQuery = pagingQuery.extend({
  q: z.string().max(50).optional().describe('Name fragment, pinyin or pinyin initials (e.g. lrj → 六榕街道), or code prefix'),
  level: level.optional(),
  within: z
    .string()
    .regex(/^\d{4,12}$/)
    .optional()
    .describe('Only regions inside this region (inclusive)'),
})

export const searchResult = pageOf(
  z.object({ code: z.string(), name: z.string(), level, kind: z.string(), parentCode: z.string().nullable(), path: z.string() }),
)
