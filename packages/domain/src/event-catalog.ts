// The default case catalog (DOMAIN.md §3–§4): event classes and subclasses with the department
// that answers for them, time limits per urgency, whether a grid worker may fix the matter on the
// spot, and how many photos a report needs. It seeds the catalog table, which administrators then
// edit (versions apply to new cases). Component problems are catalogued from COMPONENT_CLASSES:
// they go to the component's owner/maintainer first (部件 先属主后属地). Grid service items (网格服务
// 事项) are what residents ask their grid worker for — the seed's 10 major / 78 minor social-service
// items (senior citizen card, family-planning certificate, unemployment registration …); the worker
// takes the request at the door and the competent department delivers ("no certificates to carry").
import { COMPONENT_CLASSES, componentOwner, DATA_SOURCE } from './codes.js'
import type { TimeLimit } from './working-time.js'

export type CatalogKind = 'event' | 'component' | 'service'
export const CATALOG_PREFIX: Record<CatalogKind, string> = { event: 'E', component: 'C', service: 'S' }
/** A catalog code: kind letter + major (2) + sub (2). */
export const CATALOG_CODE = /^[ECS]\d{4}$/

export interface CatalogEntry {
  /** 'E' + major (2) + sub (2) for events, 'C' + … for component problems, 'S' + … for service items. */
  code: string
  kind: CatalogKind
  major: string
  sub: string
  zh: string
  en: string
  /** The department a case goes to by default (routing rules may override per region). */
  department: string
  limits: { normal: TimeLimit; urgent: TimeLimit }
  /** A grid worker may fix it on the spot and close it (自处理) with before/after photos. */
  selfHandle: boolean
  /** Photos required with a report. */
  photos: number
}

const wh = (amount: number): TimeLimit => ({ amount, unit: 'working_hours' })
const wd = (amount: number): TimeLimit => ({ amount, unit: 'working_days' })
const nh = (amount: number): TimeLimit => ({ amount, unit: 'natural_hours' })

type Row = [sub: string, zh: string, en: string, department: string, normal: TimeLimit, urgent: TimeLimit, selfHandle: boolean]

export const EVENT_CLASSES: readonly { code: string; zh: string; en: string; subclasses: readonly Row[] }[] = [
  {
    code: '01',
    zh: '市容环境',
    en: 'city appearance',
    subclasses: [
      ['01', '私搭乱建', 'illegal building', 'city_mgmt', wh(4), wh(2), false],
      ['02', '暴露垃圾', 'exposed garbage', 'city_mgmt', wh(4), wh(2), true],
      ['03', '积存垃圾渣土', 'accumulated garbage or muck', 'city_mgmt', wd(1), wh(4), false],
      ['04', '道路不洁', 'dirty road', 'city_mgmt', wh(4), wh(2), true],
      ['05', '水域不洁', 'dirty water surface', 'water', wd(1), wh(4), false],
      ['06', '绿地脏乱', 'littered green space', 'greening', wd(1), wh(4), true],
      ['07', '废弃车辆', 'abandoned vehicle', 'police', wd(5), wd(2), false],
      ['08', '油烟污染', 'cooking fume pollution', 'city_mgmt', wd(3), wd(1), false],
    ],
  },
  {
    code: '02',
    zh: '宣传广告',
    en: 'advertising',
    subclasses: [
      ['01', '非法小广告', 'illegal small ads', 'city_mgmt', wh(4), wh(2), true],
      ['02', '违规户外广告', 'non-compliant outdoor advertising', 'city_mgmt', wd(5), wd(2), false],
      ['03', '占道广告牌', 'advertising board on the road', 'city_mgmt', wd(1), wh(4), false],
    ],
  },
  {
    code: '03',
    zh: '施工管理',
    en: 'construction',
    subclasses: [
      ['01', '施工扰民', 'construction noise', 'city_mgmt', wh(8), wh(2), false],
      ['02', '工地扬尘', 'construction dust', 'housing', wd(1), wh(4), false],
      ['03', '道路遗撒', 'spillage on the road', 'city_mgmt', wh(4), wh(2), false],
      ['04', '施工工地未围挡', 'construction site not fenced', 'housing', wd(1), wh(4), false],
    ],
  },
  {
    code: '04',
    zh: '突发事件',
    en: 'emergencies',
    subclasses: [
      ['01', '路面塌陷', 'road subsidence', 'transport', nh(6), nh(2), false],
      ['02', '自来水管破裂', 'burst water main', 'water', nh(6), nh(2), false],
      ['03', '燃气管道破裂', 'gas pipe rupture', 'housing', nh(2), nh(1), false],
      ['04', '下水道堵塞', 'blocked sewer', 'water', nh(24), nh(6), false],
      ['05', '火灾', 'fire', 'police', nh(1), nh(1), false],
    ],
  },
  {
    code: '05',
    zh: '街面秩序',
    en: 'street order',
    subclasses: [
      ['01', '无照经营游商', 'unlicensed street vending', 'city_mgmt', wh(4), wh(2), false],
      ['02', '店外经营', 'trading outside the shop', 'city_mgmt', wh(4), wh(2), true],
      ['03', '占道经营', 'trading on the road', 'city_mgmt', wh(4), wh(2), false],
      ['04', '机动车乱停放', 'illegal car parking', 'police', wh(4), wh(2), false],
      ['05', '非机动车乱停放', 'illegal bicycle parking', 'city_mgmt', wh(8), wh(4), true],
      ['06', '商业噪音', 'commercial noise', 'city_mgmt', wh(8), wh(2), false],
      ['07', '露天烧烤', 'open-air barbecue', 'city_mgmt', wh(4), wh(2), false],
    ],
  },
]

/**
 * Grid service items: what a resident asks the grid worker for, delivered by the competent
 * department (limits in working days; a consultation the worker answers on the spot). No photo is
 * required — a copy of a document may be attached.
 */
export const SERVICE_CLASSES: readonly { code: string; zh: string; en: string; subclasses: readonly Row[] }[] = [
  {
    code: '01',
    zh: '老年人服务',
    en: 'services for the elderly',
    subclasses: [
      ['01', '老年人优待证办理', 'senior citizen card', 'civil_affairs', wd(5), wd(2), false],
      ['02', '高龄津贴申领', 'old-age allowance', 'civil_affairs', wd(10), wd(5), false],
      ['03', '居家养老服务申请', 'home care for the elderly', 'civil_affairs', wd(10), wd(3), false],
    ],
  },
  {
    code: '02',
    zh: '计划生育服务',
    en: 'family planning',
    subclasses: [
      ['01', '生育登记', 'birth registration', 'health', wd(5), wd(2), false],
      ['02', '独生子女父母光荣证办理', 'single-child parents’ certificate', 'health', wd(10), wd(5), false],
      ['03', '计划生育奖励扶助申请', 'family-planning reward', 'health', wd(15), wd(5), false],
      ['04', '新生儿入户登记', 'registering a newborn', 'police', wd(5), wd(2), false],
    ],
  },
  {
    code: '03',
    zh: '就业服务',
    en: 'employment',
    subclasses: [
      ['01', '失业登记', 'unemployment registration', 'hrss', wd(5), wd(2), false],
      ['02', '就业困难人员认定', 'recognition as hard to employ', 'hrss', wd(10), wd(5), false],
      ['03', '就业创业咨询', 'employment advice', 'hrss', wd(2), wd(1), true],
    ],
  },
  {
    code: '04',
    zh: '社会保障',
    en: 'social security',
    subclasses: [
      ['01', '最低生活保障申请', 'minimum living allowance', 'civil_affairs', wd(20), wd(10), false],
      ['02', '城乡居民医保参保', 'residents’ medical insurance', 'hrss', wd(5), wd(2), false],
      ['03', '临时救助申请', 'temporary assistance', 'civil_affairs', wd(5), wd(1), false],
      ['04', '特困人员供养申请', 'extreme-poverty support', 'civil_affairs', wd(20), wd(10), false],
      ['05', '殡葬补贴申领', 'funeral subsidy', 'civil_affairs', wd(10), wd(5), false],
    ],
  },
  {
    code: '05',
    zh: '残疾人服务',
    en: 'disability services',
    subclasses: [
      ['01', '残疾人证办理', 'disability card', 'cdpf', wd(15), wd(5), false],
      ['02', '残疾人两项补贴申请', 'disability allowances', 'cdpf', wd(15), wd(5), false],
    ],
  },
  {
    code: '06',
    zh: '来穗人员服务',
    en: 'migrant services',
    subclasses: [
      ['01', '居住登记', 'residence registration', 'migrant', wd(3), wd(1), false],
      ['02', '居住证办理', 'residence permit', 'migrant', wd(10), wd(5), false],
      ['03', '积分制服务咨询', 'points-system advice', 'migrant', wd(2), wd(1), true],
      ['04', '居住证签注', 'residence permit renewal', 'migrant', wd(5), wd(2), false],
    ],
  },
  {
    code: '07',
    zh: '优抚服务',
    en: 'veterans and entitled groups',
    subclasses: [
      ['01', '优待证办理', 'preferential treatment card', 'veterans', wd(10), wd(5), false],
      ['02', '优抚对象困难帮扶', 'hardship support for entitled groups', 'veterans', wd(10), wd(3), false],
    ],
  },
  {
    code: '08',
    zh: '住房保障',
    en: 'housing support',
    subclasses: [
      ['01', '公共租赁住房申请', 'public rental housing', 'housing', wd(20), wd(10), false],
      ['02', '出租屋登记', 'rental registration', 'migrant', wd(3), wd(1), false],
    ],
  },
  {
    code: '09',
    zh: '法律服务',
    en: 'legal services',
    subclasses: [
      ['01', '法律援助申请', 'legal aid', 'justice', wd(7), wd(3), false],
      ['02', '人民调解申请', 'people’s mediation', 'justice', wd(10), wd(3), false],
      ['03', '法律咨询', 'legal advice', 'justice', wd(2), wd(1), true],
    ],
  },
  {
    code: '10',
    zh: '证明开具',
    en: 'certificates',
    subclasses: [
      ['01', '居住证明', 'proof of residence', 'police', wd(3), wd(1), false],
      ['02', '家庭经济状况证明', 'proof of household income', 'civil_affairs', wd(5), wd(2), false],
    ],
  },
]

/** Component problems: missing or broken, at the subclass's owner (the territory's city
 *  management where the territory owns it); covers are urgent (a missing manhole cover: 6 hours,
 *  day or night). */
function componentEntries(): CatalogEntry[] {
  return COMPONENT_CLASSES.flatMap((c) =>
    c.subclasses.map((s) => {
      const cover = /井盖|箅子/.test(s.zh)
      return {
        code: `C${c.code}${s.code}`,
        kind: 'component' as const,
        major: c.code,
        sub: s.code,
        zh: `${s.zh}损坏或缺失`,
        en: `${s.en} damaged or missing`,
        department: componentOwner(c.code, s.code).department,
        limits: cover ? { normal: nh(6), urgent: nh(2) } : { normal: wd(3), urgent: wd(1) },
        selfHandle: false,
        photos: 1,
      }
    }),
  )
}

const fromClasses = (kind: 'event' | 'service', classes: typeof EVENT_CLASSES, photos: number): CatalogEntry[] =>
  classes.flatMap((c) =>
    c.subclasses.map(([sub, zh, en, department, normal, urgent, selfHandle]) => ({
      code: `${CATALOG_PREFIX[kind]}${c.code}${sub}`,
      kind,
      major: c.code,
      sub,
      zh,
      en,
      department,
      limits: { normal, urgent },
      selfHandle,
      photos,
    })),
  )

/** The whole default catalog: events, component problems, grid service items. */
export function defaultCatalog(): CatalogEntry[] {
  return [...fromClasses('event', EVENT_CLASSES, 1), ...componentEntries(), ...fromClasses('service', SERVICE_CLASSES, 0)]
}

export const DEPARTMENTS = DATA_SOURCE.filter((d) => d.kind === 'department')
