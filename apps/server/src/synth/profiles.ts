// Calibration of the synthetic city (DOMAIN.md §2). Figures: 2020 census district populations;
// household sizes and migrant/rental shares are plausible values chosen so that the whole city
// gives ≈16M persons in ≈5M households (the seed article's figures) and 越秀 alone ≈1.04M in ≈385k.
export type UrbanClass = 'core' | 'urban' | 'suburban' | 'outer'

export interface DistrictProfile {
  name: string
  population: number // 2020 census
  householdSize: number // mean persons per household
  migrantShare: number // share of residents who are migrants (来穗人员)
  rentPerM2: number // monthly rent, yuan per m²
  urbanClass: UrbanClass
  /** Abolished codes that still appear in natives' ID numbers: the code of the place where they
   *  were first registered, for births before the year it ended (and from the year it began), in
   *  the streets that belonged to it (the whole district when none are named). `share`: of the
   *  natives born there then, those first registered there (the rest came from elsewhere). */
  historicCodes?: { code: string; until: number; from?: number; share: number; streets?: string[] }[]
}

/** Households of places the seed names (the 2014 article): 六榕街 has 175 grids of about 200
 *  households, and 盘福社区 12 of them. The plan gives these places these shares of their parent
 *  (district → street → community), whatever the preset's total. */
export const KNOWN_HOUSEHOLDS: { code: string; households: number }[] = [
  { code: '440104004', households: 175 * 200 },
  { code: '440104004107', households: 12 * 200 },
]

/** Street codes `district` + 3 digits from `first` to `last`. */
const streets = (district: string, first: number, last: number) =>
  Array.from({ length: last - first + 1 }, (_, i) => `${district}${String(first + i).padStart(3, '0')}`)

export const GUANGZHOU: Record<string, DistrictProfile> = {
  '440103': {
    name: '荔湾区',
    population: 1.24e6,
    householdSize: 2.9,
    migrantShare: 0.33,
    rentPerM2: 55,
    urbanClass: 'core',
    // 芳村区 (440107) joined 荔湾 in 2005: its nine streets.
    historicCodes: [{ code: '440107', until: 2005, share: 0.85, streets: streets('440103', 14, 22) }],
  },
  '440104': {
    name: '越秀区',
    population: 1.04e6,
    householdSize: 2.7,
    migrantShare: 0.25,
    rentPerM2: 75,
    urbanClass: 'core',
    // 东山区 (440102) joined 越秀 in 2005 (its eleven streets, 东山 to 登峰), and 白云区's 矿泉街 with it.
    historicCodes: [
      { code: '440102', until: 2005, share: 0.85, streets: streets('440104', 11, 21) },
      { code: '440111', until: 2005, share: 0.85, streets: ['440104022'] },
    ],
  },
  '440105': { name: '海珠区', population: 1.82e6, householdSize: 3.0, migrantShare: 0.4, rentPerM2: 60, urbanClass: 'core' },
  '440106': { name: '天河区', population: 2.24e6, householdSize: 3.0, migrantShare: 0.5, rentPerM2: 85, urbanClass: 'core' },
  '440111': { name: '白云区', population: 3.74e6, householdSize: 3.4, migrantShare: 0.6, rentPerM2: 42, urbanClass: 'urban' },
  '440112': {
    name: '黄埔区',
    population: 1.26e6,
    householdSize: 3.3,
    migrantShare: 0.5,
    rentPerM2: 40,
    urbanClass: 'urban',
    // 萝岗区 (440116, 2005–2014) joined 黄埔: 夏港 to 龙湖 and 新龙.
    historicCodes: [
      { code: '440116', from: 2005, until: 2014, share: 0.85, streets: [...streets('440112', 11, 18), '440112101'] },
    ],
  },
  '440113': {
    name: '番禺区',
    population: 2.66e6,
    householdSize: 3.3,
    migrantShare: 0.45,
    rentPerM2: 40,
    urbanClass: 'suburban',
    historicCodes: [{ code: '440181', until: 2000, share: 0.85 }], // 番禺市 until 2000
  },
  '440114': {
    name: '花都区',
    population: 1.64e6,
    householdSize: 3.4,
    migrantShare: 0.4,
    rentPerM2: 28,
    urbanClass: 'suburban',
    historicCodes: [{ code: '440182', until: 2000, share: 0.85 }], // 花都市 until 2000
  },
  '440115': { name: '南沙区', population: 0.85e6, householdSize: 3.3, migrantShare: 0.4, rentPerM2: 30, urbanClass: 'outer' },
  '440117': {
    name: '从化区',
    population: 0.72e6,
    householdSize: 3.3,
    migrantShare: 0.15,
    rentPerM2: 20,
    urbanClass: 'outer',
    historicCodes: [{ code: '440184', until: 2014, share: 0.85 }], // 从化市 until 2014
  },
  '440118': {
    name: '增城区',
    population: 1.47e6,
    householdSize: 3.4,
    migrantShare: 0.35,
    rentPerM2: 25,
    urbanClass: 'outer',
    historicCodes: [{ code: '440183', until: 2014, share: 0.85 }], // 增城市 until 2014
  },
}

export const DEFAULT_PROFILE: DistrictProfile = {
  name: '',
  population: 1e6,
  householdSize: 3.0,
  migrantShare: 0.35,
  rentPerM2: 35,
  urbanClass: 'urban',
}

export interface Preset {
  name: string
  /** Region whose communities are generated: the city, a district or a street. */
  scope: string
  households: number
  description: string
}

export const PRESETS: Record<string, Preset> = {
  liurong: { name: 'liurong', scope: '440104004', households: 35_000, description: '六榕街 only, for quick demos and tests' },
  yuexiu: { name: 'yuexiu', scope: '440104', households: 385_000, description: '越秀区 at full density (≈1.04M persons)' },
  guangzhou: { name: 'guangzhou', scope: '4401', households: 5_000_000, description: 'all 11 districts (≈16M persons)' },
  // Small enough for unit tests: two communities' worth.
  tiny: { name: 'tiny', scope: '440104004', households: 1_200, description: 'a few hundred households in 六榕街 (tests)' },
}

/** Reference date of generated data (ages, dates): fixed so that output is reproducible. */
export const REFERENCE_DATE = '2026-01-01'

/** Provinces migrants to Guangzhou come from, with weights (Guangdong's other cities first). */
export const MIGRANT_ORIGINS: [string, number][] = [
  ['44', 30], // other Guangdong cities
  ['43', 18], // Hunan
  ['45', 12], // Guangxi
  ['36', 8], // Jiangxi
  ['42', 7], // Hubei
  ['51', 5], // Sichuan
  ['41', 5], // Henan
  ['50', 3], // Chongqing
  ['52', 3], // Guizhou
  ['35', 3], // Fujian
  ['34', 2], // Anhui
  ['37', 2], // Shandong
  ['13', 1], // Hebei
  ['61', 1], // Shaanxi
]

/** Nationalities (ISO 3166 numeric) of foreign residents, with weights. */
export const FOREIGN_NATIONALITIES: [string, number][] = [
  ['566', 20], // Nigeria
  ['410', 12], // Korea
  ['392', 8], // Japan
  ['704', 10], // Viet Nam
  ['840', 6], // USA
  ['643', 6], // Russia
  ['356', 6], // India
  ['004', 4], // Afghanistan
  ['818', 4], // Egypt
  ['180', 6], // DR Congo
  ['826', 4], // UK
  ['276', 4], // Germany
]
