// Synthetic Guangzhou: buildings, dwellings, households, persons, special-group records,
// organizations and city components for every community of a preset's scope.
//
// Determinism: each community draws from its own PRNG seeded with `${seed}:${community}`, and
// communities are processed in code order; global uniqueness (ID numbers, credit codes) is kept by
// registries consulted in that same order. Same seed → the same rows, byte for byte.
// Realism (see profiles.ts): household sizes per district, structures from singles to three
// generations, elderly living alone, migrants from the usual provinces with valid IDs of their
// birthplace, historic district codes in older natives' IDs, urban villages with small rented rooms,
// high-rises in the old core, low-rise village houses outside, rents per m² by district.

import {
  COMPONENT_CLASSES,
  codeAt,
  componentOwner,
  DIVISION_CODES,
  makeIdNumber,
  makeUscc,
  SPECIAL_GROUP_SOURCE,
} from '@wangge/domain'
import {
  type AreaGeometry,
  bboxOf,
  createRng,
  type MultiPolygonCoords,
  type Position,
  pointInMultiPolygon,
  type Rng,
  toMulti,
} from '@wangge/geo'
import type { RegionDataset } from '../modules/regions/index.js'
import { brand, makeForeignName, makeName, makeRoads, type Name, pickSurname } from './names.js'
import {
  DEFAULT_PROFILE,
  type DistrictProfile,
  FOREIGN_NATIONALITIES,
  GUANGZHOU,
  KNOWN_HOUSEHOLDS,
  MIGRANT_ORIGINS,
  type Preset,
  REFERENCE_DATE,
} from './profiles.js'
import type { Batch, Row, TableName } from './rows.js'
import { UniqueKeys } from './unique-keys.js'

const SOURCE = 'generator'
const BY = 'generator'
const REF_YEAR = Number(REFERENCE_DATE.slice(0, 4))
const DAY_MS = 86_400_000
const EPOCH_1880 = Date.UTC(1880, 0, 1)

// ---------- small random helpers ----------
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)] as T
const between = (rng: Rng, lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1))
function weighted<T>(rng: Rng, xs: readonly (readonly [T, number])[]): T {
  let total = 0
  for (const [, w] of xs) total += w
  let r = rng() * total
  for (const [x, w] of xs) {
    r -= w
    if (r < 0) return x
  }
  return (xs[0] as readonly [T, number])[0]
}
function poisson(rng: Rng, mean: number): number {
  const l = Math.exp(-mean)
  let k = 0
  let p = 1
  do {
    k++
    p *= rng()
  } while (p > l)
  return k - 1
}
const round2 = (x: number) => Math.round(x * 100) / 100
const coord = (x: number) => Math.round(x * 1e7) / 1e7

// ISO dates of every day from 1880 to the reference year, formatted once.
const FIRST_YEAR = 1880
const DAYS: string[] = []
for (let t = Date.UTC(FIRST_YEAR, 0, 1); t < Date.UTC(REF_YEAR + 1, 0, 1); t += DAY_MS)
  DAYS.push(new Date(t).toISOString().slice(0, 10))
const YEAR_START: number[] = []
for (let y = FIRST_YEAR, i = 0; y <= REF_YEAR; y++) {
  YEAR_START.push(i)
  i += (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 366 : 365
}

/** Birth date of a person aged `age` on the reference date. */
function birthDate(rng: Rng, age: number): string {
  const year = Math.max(FIRST_YEAR, REF_YEAR - age - 1)
  return DAYS[(YEAR_START[year - FIRST_YEAR] as number) + Math.floor(rng() * 365)] as string
}
const ageOf = (birth: string) => REF_YEAR - Number(birth.slice(0, 4)) - 1

// ---------- plan: households per community ----------
export interface Plan {
  communities: { code: string; district: string; households: number; geometry: MultiPolygonCoords }[]
}

export function plan(preset: Preset, regions: RegionDataset, seed: string): Plan {
  const rng = createRng(`${seed}:plan`)
  const inScope = regions.rows.filter((r) => r.level === 'community' && r.code.startsWith(preset.scope))
  if (!inScope.length) throw new Error(`preset ${preset.name}: no communities under ${preset.scope}`)
  // District weight = households it holds (population / household size); communities vary ±35%.
  const weights = inScope.map((c) => {
    const p = GUANGZHOU[codeAt(c.code, 'district')] ?? DEFAULT_PROFILE
    const village = Number(c.code.slice(9)) >= 200
    const districtCommunities = regions.rows.filter(
      (r) => r.level === 'community' && r.code.startsWith(codeAt(c.code, 'district')),
    ).length
    return (p.population / p.householdSize / districtCommunities) * Math.exp((rng() - 0.5) * 0.7) * (village ? 0.8 : 1)
  })
  calibrate(inScope, weights, regions)
  const total = weights.reduce((a, b) => a + b, 0)
  const exact = weights.map((w) => (w / total) * preset.households)
  const counts = exact.map(Math.floor)
  let rest = preset.households - counts.reduce((a, b) => a + b, 0)
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1])
  for (const [, i] of order) {
    if (rest-- <= 0) break
    counts[i] = (counts[i] as number) + 1
  }
  return {
    communities: inScope.map((c, i) => ({
      code: c.code,
      district: codeAt(c.code, 'district'),
      households: counts[i] as number,
      geometry: toMulti(regions.geometry.get(c.code)?.geometry as AreaGeometry),
    })),
  }
}

/**
 * Gives the places the seed names (KNOWN_HOUSEHOLDS) their share of their parent — a street of its
 * district's households (census population / household size), a community of its street's known
 * households — by scaling their communities' weights up and their siblings' down, the parent's
 * total unchanged. Only where the whole parent is being generated (a preset of one street leaves
 * the street alone, but still places its communities).
 */
function calibrate(communities: { code: string }[], weights: number[], regions: RegionDataset) {
  const known = new Map(KNOWN_HOUSEHOLDS.map((k) => [k.code, k.households]))
  for (const k of [...KNOWN_HOUSEHOLDS].sort((a, b) => a.code.length - b.code.length)) {
    const parent = k.code.slice(0, k.code.length === 12 ? 9 : 6)
    const parentHouseholds =
      known.get(parent) ??
      (GUANGZHOU[parent] ? (GUANGZHOU[parent]?.population as number) / (GUANGZHOU[parent]?.householdSize as number) : 0)
    const all = regions.rows.filter((r) => r.level === 'community' && r.code.startsWith(parent)).length
    const idx = communities.flatMap((c, i) => (c.code.startsWith(parent) ? [i] : []))
    if (!parentHouseholds || idx.length !== all) continue
    const sum = (f: (i: number) => boolean) => idx.filter(f).reduce((a, i) => a + (weights[i] as number), 0)
    const inside = sum((i) => (communities[i] as { code: string }).code.startsWith(k.code))
    const whole = sum(() => true)
    const want = (whole * k.households) / parentHouseholds
    if (!inside || want >= whole) continue
    for (const i of idx)
      weights[i] =
        (weights[i] as number) *
        ((communities[i] as { code: string }).code.startsWith(k.code) ? want / inside : (whole - want) / (whole - inside))
  }
}

// ---------- registries shared across communities ----------
export class Registries {
  readonly ids: UniqueKeys
  readonly uscc = new Set<string>()
  private readonly regionIndex = new Map<string, number>()
  readonly counters = {
    buildings: 0,
    dwellings: 0,
    households: 0,
    persons: 0,
    special_group_records: 0,
    organizations: 0,
    components: 0,
  }
  readonly componentSeq = new Map<string, number>()
  /** The last house number given on each road of a district: a road runs through several
   *  communities of its street, and its numbers go on from one community to the next. */
  readonly roadNumbers = new Map<string, number>()
  readonly originCounties: Map<string, string[]>

  constructor(expectedPersons: number) {
    this.ids = new UniqueKeys(expectedPersons)
    this.originCounties = new Map()
    for (const code of [...DIVISION_CODES].sort()) {
      if (code.endsWith('00') || code.startsWith('4401')) continue
      const prov = code.slice(0, 2)
      const list = this.originCounties.get(prov) ?? []
      list.push(code)
      this.originCounties.set(prov, list)
    }
  }

  /** A unique ID number: region, birth date and sex fixed; the sequence is moved on collision. */
  idNumber(rng: Rng, region: string, birth: string, sex: '1' | '2'): string {
    let ri = this.regionIndex.get(region)
    if (ri === undefined) {
      ri = this.regionIndex.size
      this.regionIndex.set(region, ri)
    }
    const day = Math.round((Date.parse(`${birth}T00:00:00Z`) - EPOCH_1880) / DAY_MS)
    let seq = between(rng, 0, 498)
    seq = seq - (seq % 2) + (sex === '1' ? 1 : 0)
    for (let tries = 0; tries < 500; tries++) {
      if (this.ids.add((ri * 65536 + day) * 1024 + seq)) return makeIdNumber(region, birth, seq)
      seq = (seq + 2) % 1000
    }
    throw new Error(`ID sequence space exhausted for ${region} ${birth}`)
  }
}

// ---------- one community ----------
interface Ctx {
  rng: Rng
  reg: Registries
  community: string
  district: string
  profile: DistrictProfile
  village: boolean
  loadId: number
  registeredHouseholds: number
  rows: Record<TableName, Row[]>
}

interface BuildingKind {
  use: 'residential' | 'urban_village' | 'mixed'
  floors: [number, number]
  units: [number, number]
  perFloor: [number, number]
  area: [number, number]
  rental: number
  built: [number, number]
}
const HIGH: BuildingKind = {
  use: 'residential',
  floors: [12, 33],
  units: [1, 3],
  perFloor: [4, 6],
  area: [70, 140],
  rental: 0.3,
  built: [1995, 2022],
}
const MID: BuildingKind = {
  use: 'residential',
  floors: [5, 9],
  units: [1, 3],
  perFloor: [2, 4],
  area: [50, 95],
  rental: 0.35,
  built: [1978, 2005],
}
const LOW: BuildingKind = {
  use: 'mixed',
  floors: [2, 6],
  units: [1, 1],
  perFloor: [1, 3],
  area: [35, 80],
  rental: 0.4,
  built: [1930, 1995],
}
const URBAN_VILLAGE: BuildingKind = {
  use: 'urban_village',
  floors: [5, 9],
  units: [1, 1],
  perFloor: [3, 8],
  area: [18, 45],
  rental: 0.82,
  built: [1988, 2015],
}
const VILLAGE_HOUSE: BuildingKind = {
  use: 'residential',
  floors: [2, 4],
  units: [1, 1],
  perFloor: [1, 2],
  area: [80, 160],
  rental: 0.15,
  built: [1975, 2020],
}

function buildingMix(p: DistrictProfile, village: boolean): [BuildingKind, number][] {
  // Weights by number of buildings (a tower holds ~40× the dwellings of an arcade house).
  if (village)
    return p.urbanClass === 'outer'
      ? [
          [VILLAGE_HOUSE, 0.75],
          [URBAN_VILLAGE, 0.25],
        ]
      : [
          [URBAN_VILLAGE, 0.85],
          [MID, 0.1],
          [HIGH, 0.05],
        ]
  switch (p.urbanClass) {
    case 'core':
      return [
        [HIGH, 0.08],
        [MID, 0.45],
        [LOW, 0.4],
        [URBAN_VILLAGE, 0.07],
      ]
    case 'urban':
      return [
        [HIGH, 0.1],
        [MID, 0.3],
        [URBAN_VILLAGE, 0.5],
        [LOW, 0.1],
      ]
    case 'suburban':
      return [
        [HIGH, 0.12],
        [MID, 0.3],
        [URBAN_VILLAGE, 0.3],
        [VILLAGE_HOUSE, 0.28],
      ]
    default:
      return [
        [HIGH, 0.06],
        [MID, 0.24],
        [VILLAGE_HOUSE, 0.7],
      ]
  }
}

function pointIn(rng: Rng, geom: MultiPolygonCoords): Position {
  const [minX, minY, maxX, maxY] = bboxOf(geom)
  for (let i = 0; i < 1000; i++) {
    const p: Position = [minX + rng() * (maxX - minX), minY + rng() * (maxY - minY)]
    if (pointInMultiPolygon(p, geom)) return [coord(p[0]), coord(p[1])]
  }
  const first = geom[0]?.[0]?.[0] ?? [0, 0]
  return [first[0], first[1]]
}

function mobile(rng: Rng): string {
  return `1${pick(rng, ['3', '5', '7', '8', '9'])}${String(Math.floor(rng() * 1e9)).padStart(9, '0')}`
}

export function generateCommunity(
  c: { code: string; district: string; households: number; geometry: MultiPolygonCoords },
  reg: Registries,
  seed: string,
  loadId: number,
): Batch {
  const ctx: Ctx = {
    rng: createRng(`${seed}:${c.code}`),
    reg,
    community: c.code,
    district: c.district,
    profile: GUANGZHOU[c.district] ?? DEFAULT_PROFILE,
    village: Number(c.code.slice(9)) >= 200,
    loadId,
    registeredHouseholds: 0,
    rows: {
      buildings: [],
      dwellings: [],
      households: [],
      persons: [],
      special_group_records: [],
      organizations: [],
      components: [],
    },
  }
  const { rng, profile } = ctx
  const roads = makeRoads(rng, Math.max(3, Math.min(12, Math.round(c.households / 300))), c.code)
  const mix = buildingMix(profile, ctx.village)
  const vacancy = 0.06
  const buildings: { id: number; address: string; pos: Position; kind: BuildingKind }[] = []
  let households = 0
  let seqInCommunity = 0
  while (households < c.households) {
    const kind = weighted(rng, mix)
    const id = ++reg.counters.buildings
    const road = pick(rng, roads)
    const key = `${codeAt(c.code, 'district')}:${road}`
    const no = (reg.roadNumbers.get(key) ?? 0) + between(rng, 1, 3)
    reg.roadNumbers.set(key, no)
    const address = `${road}${no}号`
    const pos = pointIn(rng, c.geometry)
    const floors = between(rng, ...kind.floors)
    const units = between(rng, ...kind.units)
    const perFloor = between(rng, ...kind.perFloor)
    seqInCommunity++
    ctx.rows.buildings.push([
      id,
      `${c.code}B${String(seqInCommunity).padStart(4, '0')}`,
      c.code,
      kind.use === 'urban_village' ? `${road}${no}号自建房` : `${road}${no}号楼`,
      address,
      kind.use,
      floors,
      units,
      between(rng, ...kind.built),
      pos[0],
      pos[1],
      SOURCE,
      loadId,
      BY,
    ])
    buildings.push({ id, address, pos, kind })
    for (let u = 1; u <= units && households < c.households; u++)
      for (let f = 1; f <= floors && households < c.households; f++)
        for (let r = 1; r <= perFloor && households < c.households; r++) {
          const dwellingId = ++reg.counters.dwellings
          const room = `${f}${String(r).padStart(2, '0')}`
          const shop = kind.use === 'mixed' && f === 1
          const area = round2(kind.area[0] + rng() * (kind.area[1] - kind.area[0]))
          const vacant = !shop && rng() < vacancy
          const rental = !vacant && (shop || rng() < kind.rental + (profile.migrantShare - 0.35) * 0.5)
          const occupancy = vacant ? 'vacant' : rental ? 'rental' : rng() < 0.03 ? 'lent' : 'owner_occupied'
          const rate = profile.rentPerM2 * (kind.use === 'urban_village' ? 0.65 : 1) * (shop ? 2.5 : 1)
          const rent = occupancy === 'rental' ? Math.round((area * rate * (0.8 + rng() * 0.45)) / 10) * 10 : null
          const landlord = occupancy === 'rental' ? makeName(rng, rng() < 0.6 ? '1' : '2') : null
          const hazard = kind.use === 'urban_village' && rng() < 0.08 ? '01' : rng() < 0.01 ? '02' : '00'
          const dAddress = `${address}${units > 1 ? `${u}梯` : ''}${room}房`
          ctx.rows.dwellings.push([
            dwellingId,
            id,
            c.code,
            u,
            f,
            units > 1 ? `${u}-${room}` : room,
            dAddress,
            area,
            shop ? 'commercial' : 'residential',
            occupancy,
            rent,
            landlord?.name ?? null,
            landlord ? mobile(rng) : null,
            hazard,
            SOURCE,
            loadId,
            BY,
          ])
          if (vacant || shop) continue
          households++
          addHousehold(ctx, dwellingId, dAddress, occupancy === 'rental', kind.use === 'urban_village')
        }
  }
  addOrganizations(ctx, buildings, c.households)
  addComponents(ctx, c.geometry, roads, c.households)
  return { community: c.code, rows: ctx.rows }
}

// ---------- households and persons ----------
type Member = { relation: string; sex: '1' | '2'; age: number; surname?: { s: string; i: string } }

/** People per year of age from 60 by five-year band, relative to 60–64: China's 2020 census
 *  (73.4M aged 60–64, 74.0M 65–69, 47.8M 70–74, 31.2M 75–79, 20.4M 80–84, 11.5M 85–89, 4.1M 90–94,
 *  0.9M 95–99, 0.12M aged 100 and over). */
const ELDER_BANDS = [1.0, 1.01, 0.65, 0.43, 0.28, 0.16, 0.056, 0.012, 0.0016]
const ELDER_MAX = 104
const elderWeight = (age: number) => (ELDER_BANDS[Math.min(8, Math.floor((age - 60) / 5))] as number) / 5
/** An age of 60 or more (between `lo` and `hi`) as many as the census has of each. */
function elderAge(rng: Rng, lo = 60, hi = ELDER_MAX): number {
  const from = Math.max(60, lo)
  const to = Math.min(ELDER_MAX, hi)
  if (to <= from) return from
  let total = 0
  for (let a = from; a <= to; a++) total += elderWeight(a)
  let x = rng() * total
  for (let a = from; a <= to; a++) {
    x -= elderWeight(a)
    if (x < 0) return a
  }
  return to
}
/** Of the old, women outlive men: the share of women among those who live on without a partner
 *  rises with age (about half at 60, three in four past 90). */
const oldSex = (rng: Rng, age: number): '1' | '2' => (rng() < 0.5 + 0.25 * Math.min(1, Math.max(0, (age - 60) / 30)) ? '2' : '1')
/** A parent living with a child aged `childAge`: 22–34 years older, and as rare at each age as the census says. */
const parentAge = (rng: Rng, childAge: number) => {
  const age = childAge + between(rng, 22, 34)
  return age < 60 ? age : elderAge(rng, childAge + 22, childAge + 32)
}

function householdMembers(rng: Rng, size: number, p: DistrictProfile): { members: Member[]; collective: boolean } {
  const headSex: '1' | '2' = rng() < 0.62 ? '1' : '2'
  const other = (s: '1' | '2'): '1' | '2' => (s === '1' ? '2' : '1')
  if (size === 1) {
    const age = weighted(rng, [
      [between(rng, 20, 35), 42],
      [between(rng, 36, 59), 23],
      [elderAge(rng), 35],
    ] as const)
    return { members: [{ relation: '01', sex: age >= 60 ? oldSex(rng, age) : headSex, age }], collective: false }
  }
  if (size === 2) {
    const kind = weighted(rng, [
      ['young', 38],
      ['elderly', 42],
      ['single_parent', 10],
      ['parent', 10],
    ] as const)
    const headAge = kind === 'elderly' ? elderAge(rng, 60, 100) : kind === 'young' ? between(rng, 23, 45) : between(rng, 30, 55)
    if (kind === 'young' || kind === 'elderly')
      return {
        members: [
          { relation: '01', sex: headSex, age: headAge },
          { relation: '02', sex: other(headSex), age: Math.max(20, headAge + between(rng, -5, 4)) },
        ],
        collective: false,
      }
    if (kind === 'single_parent')
      return {
        members: [
          { relation: '01', sex: headSex, age: headAge },
          { relation: rng() < 0.5 ? '10' : '20', sex: rng() < 0.5 ? '1' : '2', age: Math.max(0, headAge - between(rng, 22, 36)) },
        ],
        collective: false,
      }
    const age = parentAge(rng, headAge)
    return {
      members: [
        { relation: '01', sex: headSex, age: headAge },
        { relation: '50', sex: oldSex(rng, age), age },
      ],
      collective: false,
    }
  }
  if (size >= 7 || (size >= 5 && rng() < p.migrantShare * 0.25)) {
    // Collective household: a shop's or workshop's dormitory of unrelated workers.
    return {
      members: Array.from({ length: size + between(rng, 0, 8) }, (_, i) => ({
        relation: i === 0 ? '01' : '99',
        sex: rng() < 0.6 ? '1' : '2',
        age: between(rng, 18, 48),
      })),
      collective: true,
    }
  }
  const headAge = between(rng, 28, 63)
  const members: Member[] = [
    { relation: '01', sex: headSex, age: headAge },
    { relation: '02', sex: other(headSex), age: Math.max(20, headAge + between(rng, -4, 4)) },
  ]
  const threeGen = size >= 5 || (size === 4 && rng() < 0.45)
  const children = size - 2 - (threeGen ? (size >= 6 ? 2 : 1) : 0)
  for (let i = 0; i < children; i++) {
    const sex: '1' | '2' = rng() < 0.52 ? '1' : '2'
    members.push({ relation: sex === '1' ? '10' : '20', sex, age: Math.max(0, headAge - between(rng, 24, 38)) })
  }
  if (threeGen) {
    // One surviving grandparent, or a couple (in a household of six and more).
    const first = parentAge(rng, headAge)
    members.push({ relation: '50', sex: size >= 6 ? '2' : oldSex(rng, first), age: first })
    if (size >= 6)
      members.push({ relation: '50', sex: '1', age: Math.max(first - 5, Math.min(first + 4, parentAge(rng, headAge))) })
  }
  return { members, collective: false }
}

function addHousehold(ctx: Ctx, dwellingId: number, address: string, rental: boolean, urbanVillage: boolean) {
  const { rng, reg, profile } = ctx
  const size = Math.min(9, 1 + poisson(rng, profile.householdSize - 1))
  const { members, collective } = householdMembers(rng, size, profile)
  const migrantP = rental ? Math.min(0.95, profile.migrantShare * (urbanVillage ? 2.2 : 1.5)) : profile.migrantShare * 0.25
  const foreign = !collective && rental && (ctx.district === '440104' || ctx.district === '440106') && rng() < 0.012
  const migrant = collective || foreign || rng() < migrantP
  const leftBehind = !migrant && ctx.village && profile.urbanClass === 'outer' && members.every((m) => m.age >= 55 || m.age < 16)
  const householdId = ++reg.counters.households
  const headId = reg.counters.persons + 1
  ctx.rows.households.push([
    householdId,
    migrant ? null : registeredNumber(ctx),
    dwellingId,
    ctx.community,
    collective ? 'collective' : 'family',
    headId,
    members.length,
    SOURCE,
    ctx.loadId,
    BY,
  ])
  const origin = migrant && !foreign ? weighted(rng, MIGRANT_ORIGINS) : '44'
  const originCounty = migrant && !foreign ? pick(rng, reg.originCounties.get(origin) ?? ['440100']) : ctx.district
  // A foreign family shares a nationality (its permanent-residence IDs carry it) and, mostly, a surname.
  const nationality = foreign ? weighted(rng, FOREIGN_NATIONALITIES) : null
  const headName = nationality ? makeForeignName(rng, nationality, members[0]?.sex ?? '1') : makeName(rng, members[0]?.sex ?? '1')
  const familySurname = { s: headName.surname, i: headName.surnameInitial }
  const arrival = migrant ? birthDate(rng, between(rng, 0, 12)) : null
  for (const [i, m] of members.entries()) {
    const sameSurname =
      !collective && (m.relation === '10' || m.relation === '20' || m.relation === '30') && members[0]?.sex === '1'
    const name: Name =
      i === 0
        ? headName
        : nationality
          ? makeForeignName(rng, nationality, m.sex, sameSurname ? familySurname.s : undefined)
          : makeName(rng, m.sex, sameSurname ? familySurname : collective ? undefined : pickSurname(rng))
    const birth = birthDate(rng, m.age)
    // A foreigner's permanent-residence ID (2023 format): 9, the issuing province, the nationality.
    const region = nationality ? `944${nationality}` : migrant ? originCounty : nativeRegion(ctx, birth)
    const populationType = foreign ? 'foreign' : leftBehind ? 'left_behind' : migrant ? 'migrant' : 'registered'
    addPerson(ctx, {
      id: ++reg.counters.persons,
      idNumber: reg.idNumber(rng, region, birth, m.sex),
      name,
      sex: m.sex,
      birth,
      age: ageOf(birth),
      populationType,
      householdId,
      relation: m.relation,
      dwellingId,
      address,
      livingAlone: members.length === 1,
      elderlyOnly: members.every((x) => x.age >= 60),
      arrival,
      foreign,
      nativePlace: foreign ? null : region,
    })
  }
}

function registeredNumber(ctx: Ctx): string {
  // 户号: district (2) + street (3) + community (3) + sequence (4) → 12 digits, unique per city.
  const seq = ++ctx.registeredHouseholds
  if (seq > 9999) throw new Error(`community ${ctx.community}: more than 9,999 registered households`)
  return `${ctx.community.slice(4, 12)}${String(seq).padStart(4, '0')}`
}

function nativeRegion(ctx: Ctx, birth: string): string {
  const year = Number(birth.slice(0, 4))
  const street = codeAt(ctx.community, 'street')
  const here = ctx.profile.historicCodes?.find(
    (h) => year < h.until && year >= (h.from ?? 0) && (!h.streets || h.streets.includes(street)) && ctx.rng() < h.share,
  )
  if (here) return here.code
  if (ctx.rng() < 0.25) return pick(ctx.rng, Object.keys(GUANGZHOU))
  return ctx.district
}

interface PersonIn {
  id: number
  idNumber: string
  name: Name
  sex: '1' | '2'
  birth: string
  age: number
  populationType: string
  householdId: number
  relation: string
  dwellingId: number
  address: string
  livingAlone: boolean
  elderlyOnly: boolean
  arrival: string | null
  foreign: boolean
  nativePlace: string | null
}

function addPerson(ctx: Ctx, p: PersonIn) {
  const { rng } = ctx
  const migrant = p.populationType === 'migrant' || p.populationType === 'foreign'
  const a = p.age
  const retireAge = p.sex === '1' ? 60 : 55
  const employment =
    a < 6
      ? 'preschool'
      : a < 18 || (a < 23 && rng() < 0.6)
        ? 'student'
        : a >= retireAge
          ? 'retired'
          : rng() < 0.05
            ? 'unemployed'
            : rng() < 0.07
              ? 'homemaker'
              : 'employed'
  const marital =
    a < 20
      ? '10'
      : p.relation === '02' || (p.relation === '01' && !p.livingAlone)
        ? '20'
        : p.livingAlone && a >= 60
          ? weighted(rng, [
              ['30', 70],
              ['40', 20],
              ['10', 10],
            ] as const)
          : a < 30
            ? '10'
            : weighted(rng, [
                ['20', 60],
                ['10', 25],
                ['40', 15],
              ] as const)
  const education =
    a < 7
      ? null
      : a < 13
        ? '80'
        : a < 16
          ? '70'
          : a < 19
            ? '60'
            : weighted(rng, migrant ? EDU_MIGRANT : a >= 60 ? EDU_ELDER : EDU_ADULT)
  const care: string[] = []
  if (a >= 60 && p.livingAlone) care.push('elderly_alone')
  else if (a >= 60 && p.elderlyOnly) care.push('empty_nest')
  if (rng() < (a >= 60 ? 0.09 : 0.03)) care.push('disabled')
  if (!migrant && rng() < (a >= 60 || care.includes('disabled') ? 0.025 : 0.006)) care.push('low_income')
  if (!migrant && a >= 60 && p.livingAlone && rng() < 0.03) care.push('extreme_poverty')
  if (employment === 'unemployed' && !migrant) care.push('unemployed')
  if (p.sex === '1' && a >= 40 && rng() < 0.03) care.push('veteran')
  if (p.populationType === 'left_behind' && a < 16) care.push('left_behind_child')
  const health: string[] = []
  if (a >= 60 && rng() < 0.28) health.push('chronic_disease')
  if (p.sex === '2' && a >= 22 && a <= 38 && rng() < 0.03) health.push('pregnant')
  if (a >= 80 && rng() < 0.06) health.push('bedridden')
  const phone = a < 14 ? null : a >= 80 && rng() < 0.3 ? `020-8${String(Math.floor(rng() * 1e7)).padStart(7, '0')}` : mobile(rng)
  ctx.rows.persons.push([
    p.id,
    p.idNumber,
    p.name.name,
    p.name.initials,
    p.sex,
    p.birth,
    p.foreign ? null : rng() < 0.985 ? '01' : weighted(rng, MINORITIES), // foreigners have no ethnicity
    p.nativePlace,
    p.populationType,
    p.householdId,
    p.relation,
    p.dwellingId,
    ctx.community,
    migrant ? null : p.address,
    migrant ? weighted(rng, p.age < 16 ? [['04', 1]] : MIGRANT_REASONS) : null,
    migrant ? (rng() < 0.7 ? '01' : '02') : null,
    migrant ? (p.relation === '99' ? '03' : '02') : null,
    migrant ? p.arrival : null,
    phone,
    marital,
    education,
    employment,
    employment === 'employed' ? weighted(rng, OCCUPATIONS) : null,
    care,
    health,
    SOURCE,
    ctx.loadId,
    BY,
  ])
  addSpecialGroups(ctx, p)
}

const EDU_ADULT = [
  ['10', 6],
  ['20', 22],
  ['30', 18],
  ['40', 10],
  ['60', 20],
  ['70', 18],
  ['80', 5],
  ['90', 1],
] as const
const EDU_MIGRANT = [
  ['10', 2],
  ['20', 10],
  ['30', 12],
  ['40', 14],
  ['60', 24],
  ['70', 30],
  ['80', 7],
  ['90', 1],
] as const
const EDU_ELDER = [
  ['20', 8],
  ['30', 6],
  ['40', 8],
  ['60', 22],
  ['70', 28],
  ['80', 22],
  ['90', 6],
] as const
const MINORITIES = [
  ['08', 30],
  ['03', 15],
  ['13', 10],
  ['15', 10],
  ['06', 10],
  ['12', 8],
  ['11', 7],
  ['02', 5],
  ['22', 5],
] as const
const MIGRANT_REASONS = [
  ['01', 62],
  ['02', 12],
  ['03', 6],
  ['04', 12],
  ['05', 4],
  ['06', 1],
  ['07', 2],
  ['99', 1],
] as const
const OCCUPATIONS = [
  ['1', 5],
  ['2', 22],
  ['3', 14],
  ['4', 38],
  ['5', 2],
  ['6', 18],
  ['8', 1],
] as const

function addSpecialGroups(ctx: Ctx, p: PersonIn) {
  const { rng } = ctx
  const a = p.age
  const candidates: [string, number][] = [
    ['released_prisoner', a >= 22 && a <= 65 ? (p.sex === '1' ? 0.003 : 0.0004) : 0],
    ['community_correction', a >= 18 && a <= 65 ? 0.0006 : 0],
    ['severe_mental_disorder', a >= 16 ? 0.0045 : 0],
    ['drug_user', a >= 18 && a <= 55 ? (p.sex === '1' ? 0.003 : 0.0006) : 0],
    ['hiv_risk', a >= 18 && a <= 60 ? 0.0002 : 0],
    ['key_youth', a >= 8 && a <= 25 ? 0.003 : 0],
  ]
  for (const [type, prob] of candidates) {
    if (!(rng() < prob)) continue
    const registered = birthDate(rng, between(rng, 0, 8))
    ctx.rows.special_group_records.push([
      ++ctx.reg.counters.special_group_records,
      p.id,
      type,
      weighted(rng, [
        ['low', 60],
        ['medium', 30],
        ['high', 10],
      ] as const),
      registered,
      specialDetails(rng, type, registered),
      SPECIAL_GROUP_SOURCE[type] ?? 'police',
      ctx.community,
      SOURCE,
      ctx.loadId,
      BY,
    ])
  }
}

function specialDetails(rng: Rng, type: string, registered: string): Record<string, unknown> {
  switch (type) {
    case 'released_prisoner':
      return {
        offense: pick(rng, ['theft', 'fraud', 'assault', 'robbery', 'drug_trafficking', 'traffic_offense']),
        sentenceMonths: between(rng, 6, 120),
        releasedOn: registered,
      }
    case 'community_correction':
      return {
        correctionType: pick(rng, ['probation', 'parole', 'temporary_outside', 'surveillance']),
        startOn: registered,
        months: between(rng, 6, 60),
      }
    case 'severe_mental_disorder':
      return {
        diagnosis: pick(rng, [
          'schizophrenia',
          'bipolar',
          'schizoaffective',
          'paranoid',
          'epilepsy_psychosis',
          'intellectual_disability',
        ]),
        riskGrade: between(rng, 0, 5),
        guardianAssigned: rng() < 0.8,
      }
    case 'drug_user':
      return {
        substance: pick(rng, ['heroin', 'methamphetamine', 'ketamine', 'other']),
        control: pick(rng, ['community_rehab', 'community_detox', 'relapse_watch']),
      }
    case 'hiv_risk':
      return { category: pick(rng, ['infected', 'high_risk_behaviour']) }
    default:
      return { category: pick(rng, ['dropout', 'idle', 'left_behind', 'minor_offense']) }
  }
}

// ---------- organizations and components ----------
const INDUSTRIES = [
  ['F', 35],
  ['H', 15],
  ['L', 12],
  ['O', 10],
  ['I', 6],
  ['C', 5],
  ['K', 4],
  ['M', 3],
  ['P', 3],
  ['Q', 3],
  ['R', 2],
  ['E', 2],
] as const
const SHOP_WORDS: Record<string, string[]> = {
  F: ['商行', '百货店', '士多', '五金店', '贸易商行'],
  H: ['粥店', '茶餐厅', '肠粉店', '烧腊店', '酒家', '面馆'],
  O: ['理发店', '洗衣店', '家政服务部', '维修部'],
}

const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY'
const digits = (rng: Rng, n: number) => Array.from({ length: n }, () => Math.floor(rng() * 10)).join('')
/** Legacy organization codes' leading digits by kind (enterprises spread over the old allocations). */
const LEGACY_ENTERPRISE = ['19', '23', '55', '61', '66', '68', '69', '72', '73', '74', '75', '76', '77', '78', '79']

/**
 * The 8-character body of the organization code inside a credit code (GB 11714; makeUscc adds its
 * check character). Bodies registered since the unified codes began — October 2015 for companies
 * and individual businesses (market regulation's `MA…`), 2016 for social organizations (civil
 * affairs' `MJ…`) — get a new code; older ones kept their legacy code: 8 digits for enterprises,
 * `L` + 7 digits for individual businesses; government bodies (`00…`) and public institutions
 * (`45…`) keep theirs whatever their age.
 */
function organizationCodeBody(rng: Rng, type: string, established: string): string {
  if (type === 'government') return `00${digits(rng, 6)}`
  if (type === 'institution') return `45${digits(rng, 6)}`
  const fresh = established >= (type === 'social_org' ? '2016-01-01' : '2015-10-01')
  if (fresh)
    return (
      (type === 'social_org' ? 'MJ' : 'MA') +
      Array.from({ length: 6 }, () => USCC_CHARS[Math.floor(rng() * 31)] as string).join('')
    )
  if (type === 'individual_business') return `L${digits(rng, 7)}`
  if (type === 'social_org') return `50${digits(rng, 6)}`
  return `${pick(rng, LEGACY_ENTERPRISE)}${digits(rng, 6)}`
}

function addOrganizations(ctx: Ctx, buildings: { id: number; address: string; pos: Position }[], households: number) {
  const { rng, reg, profile } = ctx
  const n = Math.round((households / 25) * (profile.urbanClass === 'core' ? 1.6 : 1))
  const districtShort = (GUANGZHOU[ctx.district]?.name ?? '').replace('区', '')
  for (let i = 0; i < n && buildings.length; i++) {
    const b = pick(rng, buildings)
    const type = weighted(rng, [
      ['individual_business', 55],
      ['enterprise', 38],
      ['social_org', 3],
      ['institution', 3],
      ['government', 1],
    ] as const)
    const industry = weighted(rng, INDUSTRIES)
    const [authority, kind] = {
      individual_business: ['9', '2'],
      enterprise: ['9', '1'],
      social_org: ['5', pick(rng, ['1', '2'])],
      institution: ['1', '2'],
      government: ['1', '1'],
    }[type] as [string, string]
    const established = birthDate(rng, between(rng, 0, 25))
    let uscc = ''
    do uscc = makeUscc(authority, kind, ctx.district, organizationCodeBody(rng, type, established))
    while (reg.uscc.has(uscc))
    reg.uscc.add(uscc)
    const brandName = brand(rng)
    const name =
      type === 'individual_business'
        ? `${districtShort}区${brandName}${pick(rng, SHOP_WORDS[industry] ?? ['商店', '工作室'])}`
        : type === 'enterprise'
          ? `广州市${brandName}${pick(rng, ['贸易', '科技', '餐饮', '物业管理', '信息技术', '建材', '服饰', '文化传播'])}有限公司`
          : type === 'social_org'
            ? `${districtShort}区${brandName}${pick(rng, ['社会工作服务中心', '志愿者协会', '养老服务中心', '商会'])}`
            : type === 'institution'
              ? `${districtShort}区${pick(rng, ['第一', '第二', '第三', '实验'])}${pick(rng, ['小学', '幼儿园', '社区卫生服务中心', '图书馆'])}`
              : `${districtShort}区${pick(rng, ['街道办事处', '社区居委会', '司法所', '派出所'])}`
    const employees = type === 'individual_business' ? between(rng, 1, 6) : Math.round(Math.exp(1 + rng() * 4))
    ctx.rows.organizations.push([
      ++reg.counters.organizations,
      uscc,
      name,
      type,
      industry,
      makeName(rng, rng() < 0.6 ? '1' : '2').name,
      mobile(rng),
      employees,
      b.id,
      b.address,
      ctx.community,
      b.pos[0],
      b.pos[1],
      established,
      SOURCE,
      ctx.loadId,
      BY,
    ])
  }
}

const COMPONENT_MIX: [string, string, number][] = [
  ['01', '01', 14],
  ['01', '02', 16],
  ['01', '03', 14],
  ['01', '04', 8],
  ['01', '05', 6],
  ['01', '07', 6],
  ['01', '11', 4],
  ['01', '13', 3],
  ['01', '17', 4],
  ['01', '18', 12],
  ['02', '03', 1],
  ['02', '09', 3],
  ['02', '11', 2],
  ['02', '13', 3],
  ['03', '01', 0.5],
  ['03', '05', 6],
  ['03', '07', 2],
  ['04', '01', 0.3],
  ['04', '02', 9],
  ['04', '07', 1],
  ['05', '01', 1],
]

function addComponents(ctx: Ctx, geometry: MultiPolygonCoords, roads: string[], households: number) {
  const { rng, reg } = ctx
  const n = Math.round(households / 5)
  const mix = COMPONENT_MIX.map(([m, s, w]) => [[m, s] as const, w] as const)
  for (let i = 0; i < n; i++) {
    const [major, sub] = weighted(rng, mix)
    const key = `${ctx.district}${major}${sub}`
    const seq = (reg.componentSeq.get(key) ?? 0) + 1
    reg.componentSeq.set(key, seq)
    const cls = COMPONENT_CLASSES.find((x) => x.code === major)
    const subclass = cls?.subclasses.find((x) => x.code === sub)
    const owner = componentOwner(major, sub)
    const unit = owner.kind === 'territory' ? `${GUANGZHOU[ctx.district]?.name ?? '区'}城市管理和综合执法局` : owner.unit
    const pos = pointIn(rng, geometry)
    const state = weighted(rng, [
      ['normal', 96],
      ['damaged', 3],
      ['missing', 1],
    ] as const)
    ctx.rows.components.push([
      ++reg.counters.components,
      `${key}${String(seq).padStart(6, '0')}`,
      major,
      sub,
      subclass?.zh ?? '部件',
      state,
      owner.department,
      unit,
      unit,
      `${pick(rng, roads)}${between(rng, 1, 200)}号旁`,
      ctx.community,
      pos[0],
      pos[1],
      birthDate(rng, between(rng, 1, 20)),
      SOURCE,
      ctx.loadId,
      BY,
    ])
  }
}

// ---------- whole preset ----------
export function* generate(
  preset: Preset,
  regions: RegionDataset,
  seed: string,
  loadId: number,
): Generator<Batch, void, undefined> {
  const p = plan(preset, regions, seed)
  const reg = new Registries(preset.households * 3.4)
  for (const c of p.communities) yield generateCommunity(c, reg, seed, loadId)
}
