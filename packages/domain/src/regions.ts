// Region levels and code structure (DOMAIN.md §3). Statistical division codes:
//   city 4 digits (province 2 + city 2) · district 6 (GB/T 2260) · street/town 9 (+3) · community/village 12 (+3)
// Shared by the server (validation, storage) and the web app (labels).
export const REGION_LEVELS = ['city', 'district', 'street', 'community'] as const
export type RegionLevel = (typeof REGION_LEVELS)[number]

export const REGION_CODE_LENGTH: Record<RegionLevel, number> = { city: 4, district: 6, street: 9, community: 12 }

/** 4, 6, 9 or 12 digits. */
export const REGION_CODE_PATTERN = /^(\d{4}|\d{6}|\d{9}|\d{12})$/

/** A unit grid: its community's 12 digits + a 3-digit sequence. */
export const GRID_CODE_LENGTH = 15
export const GRID_CODE_PATTERN = /^\d{15}$/

/** A region of any level or a grid: everything a scope, a filter or a statistic can be about. */
export const AREA_CODE_PATTERN = /^(\d{4}|\d{6}|\d{9}|\d{12}|\d{15})$/
export type AreaLevel = RegionLevel | 'grid'

export const isGridCode = (code: string) => code.length === GRID_CODE_LENGTH

export function areaLevelOf(code: string): AreaLevel | undefined {
  if (GRID_CODE_PATTERN.test(code)) return 'grid'
  return levelOfCode(code)
}

/** The code cut to a coarser level (a grid's community, a community's street …); a code already at
 *  or above that level is answered as it is. */
export function codeAt(code: string, level: RegionLevel): string {
  return code.slice(0, REGION_CODE_LENGTH[level])
}

/** How an area selects rows that carry a community code and a grid code: the community prefix
 *  (`community_code like prefix%`, one range scan at any level) and, for a grid, the grid itself. */
export function areaFilter(code: string): { communityPrefix: string; grid?: string } {
  return isGridCode(code) ? { communityPrefix: codeAt(code, 'community'), grid: code } : { communityPrefix: code }
}

/** The command centres above a community: its street, district and city codes. */
export function ancestorsOf(code: string): { city: string; district: string; street: string; community: string } {
  return {
    city: codeAt(code, 'city'),
    district: codeAt(code, 'district'),
    street: codeAt(code, 'street'),
    community: codeAt(code, 'community'),
  }
}

export function levelOfCode(code: string): RegionLevel | undefined {
  if (!REGION_CODE_PATTERN.test(code)) return undefined
  return REGION_LEVELS.find((l) => REGION_CODE_LENGTH[l] === code.length)
}

export function parentCodeOf(code: string): string | undefined {
  const level = levelOfCode(code)
  if (!level || level === 'city') return undefined
  const parentLevel = REGION_LEVELS[REGION_LEVELS.indexOf(level) - 1] as RegionLevel
  return code.slice(0, REGION_CODE_LENGTH[parentLevel])
}

/** The ltree path of a code: every ancestor code joined by dots, e.g. 4401.440104.440104004. */
export function regionPath(code: string): string {
  const parts: string[] = []
  for (let c: string | undefined = code; c; c = parentCodeOf(c)) parts.unshift(c)
  return parts.join('.')
}

/** Finer kinds encoded in the last three digits (township 001–099 street, 100–199 town, 200–399
 *  township; village 001–199 residents' committee, 200–399 village committee). */
export type RegionKind = 'city' | 'district' | 'subdistrict' | 'town' | 'township' | 'residents_committee' | 'village_committee'

export function kindOfCode(code: string): RegionKind | undefined {
  const level = levelOfCode(code)
  if (!level) return undefined
  if (level === 'city' || level === 'district') return level
  const seq = Number(code.slice(-3))
  if (level === 'street') return seq < 100 ? 'subdistrict' : seq < 200 ? 'town' : 'township'
  return seq < 200 ? 'residents_committee' : 'village_committee'
}

export const REGION_LEVEL_LABELS: Record<RegionLevel, { 'zh-CN': string; en: string }> = {
  city: { 'zh-CN': '市', en: 'City' },
  district: { 'zh-CN': '区', en: 'District' },
  street: { 'zh-CN': '街道/镇', en: 'Street/Town' },
  community: { 'zh-CN': '社区/村', en: 'Community/Village' },
}
