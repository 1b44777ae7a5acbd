// The default case catalog (DOMAIN.md §3–§4): event classes and subclasses with the department
// that answers for them, time limits per urgency, whether a grid worker may fix the matter on the
// spot, and how many photos a report needs. It seeds the catalog table, which administrators then
// edit (versions apply to new cases). Component problems are catalogued from COMPONENT_CLASSES:
// they go to the component's owner/maintainer first (部件 先属主后属地).
import { COMPONENT_CLASSES, DATA_SOURCE } from './codes.js'
import type { TimeLimit } from './working-time.js'

export interface CatalogEntry {
  /** 'E' + major (2) + sub (2) for events, 'C' + major + sub for component problems. */
  code: string
  kind: 'event' | 'component'
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

/** Component problems: missing or broken, at the component's maintainer; covers are urgent
 *  (a missing manhole cover: 6 hours, day or night). */
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
        department: c.maintainer,
        limits: cover ? { normal: nh(6), urgent: nh(2) } : { normal: wd(3), urgent: wd(1) },
        selfHandle: false,
        photos: 1,
      }
    }),
  )
}

/** The whole default catalog, events then component problems. */
export function defaultCatalog(): CatalogEntry[] {
  const events = EVENT_CLASSES.flatMap((c) =>
    c.subclasses.map(([sub, zh, en, department, normal, urgent, selfHandle]) => ({
      code: `E${c.code}${sub}`,
      kind: 'event' as const,
      major: c.code,
      sub,
      zh,
      en,
      department,
      limits: { normal, urgent },
      selfHandle,
      photos: 1,
    })),
  )
  return [...events, ...componentEntries()]
}

export const DEPARTMENTS = DATA_SOURCE.filter((d) => d.kind === 'department')
