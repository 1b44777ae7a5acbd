// What residents see of the loop: the classes they may report in plain words (with an icon and,
// for the public map, how far a location is blurred), and a case's status in plain words.
import type { CaseStatus } from './case-workflow.js'

/** A question a report of the class may answer (Open311's service attributes). */
export interface ClassAttribute {
  code: string
  zh: string
  en: string
  datatype: 'string' | 'number' | 'singlevaluelist'
  required: boolean
  values?: readonly { key: string; zh: string; en: string }[]
}

export interface ResidentClass {
  /** The catalog subclass a report becomes (E… event, C… component problem). */
  code: string
  zh: string
  en: string
  icon: string
  /** On the public map: blurred to this many metres (a neighbour's complaint must not point at a door), or withheld (null). */
  blurMeters: number | null
  attributes?: readonly ClassAttribute[]
}

/** The resident-visible classes: the problems residents meet most, in their words. */
export const RESIDENT_CLASSES: readonly ResidentClass[] = [
  { code: 'E0102', zh: '路边垃圾没人清', en: 'Rubbish left on the street', icon: '🗑️', blurMeters: 0 },
  { code: 'E0104', zh: '道路脏乱', en: 'Dirty road', icon: '🧹', blurMeters: 0 },
  { code: 'C0305', zh: '垃圾桶坏了或满了', en: 'Litter bin broken or full', icon: '🚮', blurMeters: 0 },
  {
    code: 'C0118',
    zh: '路灯不亮或损坏',
    en: 'Street light out or broken',
    icon: '💡',
    blurMeters: 0,
    attributes: [{ code: 'pole_number', zh: '灯杆编号', en: 'Number on the pole', datatype: 'string', required: false }],
  },
  {
    code: 'C0114',
    zh: '井盖缺失或破损',
    en: 'Manhole cover missing or broken',
    icon: '⚠️',
    blurMeters: 0,
    attributes: [
      {
        code: 'hazard',
        zh: '井盖情况',
        en: 'What is wrong',
        datatype: 'singlevaluelist',
        required: true,
        values: [
          { key: 'missing', zh: '井盖缺失', en: 'Missing' },
          { key: 'broken', zh: '井盖破损', en: 'Broken' },
          { key: 'loose', zh: '井盖松动异响', en: 'Loose, rattling' },
        ],
      },
    ],
  },
  {
    code: 'C0402',
    zh: '树木倒伏或需修剪',
    en: 'Fallen or overgrown tree',
    icon: '🌳',
    blurMeters: 0,
    attributes: [
      {
        code: 'state',
        zh: '树木情况',
        en: 'The tree',
        datatype: 'singlevaluelist',
        required: false,
        values: [
          { key: 'fallen', zh: '倒伏挡路', en: 'Fallen across the way' },
          { key: 'leaning', zh: '倾斜', en: 'Leaning' },
          { key: 'overgrown', zh: '枝叶过密', en: 'Overgrown' },
        ],
      },
    ],
  },
  { code: 'C0301', zh: '公共厕所有问题', en: 'Problem at a public toilet', icon: '🚻', blurMeters: 0 },
  { code: 'C0211', zh: '护栏损坏', en: 'Broken railing', icon: '🚧', blurMeters: 0 },
  { code: 'E0401', zh: '路面塌陷', en: 'Road subsidence', icon: '🕳️', blurMeters: 0 },
  { code: 'E0402', zh: '自来水管爆裂', en: 'Burst water main', icon: '💧', blurMeters: 0 },
  { code: 'E0404', zh: '下水道堵塞、积水', en: 'Blocked drain, standing water', icon: '🌊', blurMeters: 0 },
  { code: 'E0105', zh: '河涌水面脏', en: 'Dirty canal or river', icon: '🏞️', blurMeters: 0 },
  { code: 'E0201', zh: '乱贴小广告', en: 'Illegal flyers', icon: '📄', blurMeters: 0 },
  { code: 'E0503', zh: '占道经营', en: 'Trading on the road', icon: '🛒', blurMeters: 0 },
  { code: 'E0504', zh: '机动车乱停放', en: 'Car parked illegally', icon: '🚗', blurMeters: 0 },
  { code: 'E0107', zh: '废弃车辆', en: 'Abandoned vehicle', icon: '🚙', blurMeters: 0 },
  { code: 'E0301', zh: '施工噪音扰民', en: 'Construction noise', icon: '🔊', blurMeters: 150 },
  { code: 'E0506', zh: '商铺噪音', en: 'Noise from a shop', icon: '📢', blurMeters: 150 },
  { code: 'E0108', zh: '餐饮油烟', en: 'Cooking fumes', icon: '💨', blurMeters: 150 },
]

export const residentClass = (code: string) => RESIDENT_CLASSES.find((c) => c.code === code)

/** A case's status as a resident reads it. */
export type PublicStatus =
  | 'received'
  | 'assigned'
  | 'in_progress'
  | 'awaiting_confirmation'
  | 'closed'
  | 'not_accepted'
  | 'merged'

export const PUBLIC_STATUS: Record<PublicStatus, { zh: string; en: string; open311: 'open' | 'closed' }> = {
  received: { zh: '已受理', en: 'Received', open311: 'open' },
  assigned: { zh: '已派至责任部门', en: 'Assigned', open311: 'open' },
  in_progress: { zh: '处理中', en: 'Being handled', open311: 'open' },
  awaiting_confirmation: { zh: '已处理，待您确认', en: 'Done — awaiting your confirmation', open311: 'open' },
  closed: { zh: '已办结', en: 'Closed', open311: 'closed' },
  not_accepted: { zh: '未予受理', en: 'Not accepted', open311: 'closed' },
  merged: { zh: '已并入同一问题', en: 'Merged with the same problem', open311: 'closed' },
}

export function publicStatus(s: CaseStatus): PublicStatus {
  switch (s) {
    case 'reported':
    case 'registered':
    case 'returned':
      return 'received'
    case 'dispatched':
      return 'assigned'
    case 'accepted':
    case 'handled':
    case 'rework':
    case 'parked':
      return 'in_progress'
    case 'verified':
      return 'awaiting_confirmation'
    case 'closed':
      return 'closed'
    case 'cancelled':
      return 'not_accepted'
    case 'merged':
      return 'merged'
  }
}

/** What a notification says (SMS and WeChat alike), by its template and payload. */
export function notificationText(template: string, payload: Record<string, unknown>, lang: 'zh' | 'en' = 'zh'): string {
  const n = String(payload.number ?? '')
  const zh: Record<string, string> = {
    'resident.received': `【网格】您反映的问题已受理，编号${n}，可凭编号和手机后四位查询进度。`,
    'resident.assigned': `【网格】您反映的问题（${n}）已派至责任部门处理。`,
    'resident.awaiting_confirmation': `【网格】您反映的问题（${n}）已处理完毕，请确认是否解决并评价。`,
    'resident.closed': `【网格】您反映的问题（${n}）已办结，感谢您的参与。`,
    'resident.not_accepted': `【网格】您反映的问题（${n}）未予受理，详情请查询。`,
    'resident.merged': `【网格】您反映的问题（${n}）已并入同一问题${String(payload.mergedInto ?? '')}一并处理。`,
    'resident.code': `【网格】您的验证码是${String(payload.code ?? '')}，10分钟内有效。`,
    'resident.service_offer': `【网格】您可办理“${String(payload.item ?? '')}”（${String(payload.reason ?? '')}），共享数据已核验的材料免提交，网格员将上门协助，也可到街道综合服务窗口办理。`,
    'grid.service_offer': `主动服务：${String(payload.item ?? '')}，请上门告知并协助申请。`,
    'department.dispatched': `新派遣案件${n}，请及时签收办理。`,
    'grid.verify': `案件${n}已处置，请到现场核查。`,
    'grid.visits': `今日走访任务${String(payload.tasks ?? 0)}户${Number(payload.urgent ?? 0) ? `，其中重点人员${String(payload.urgent)}户优先上门` : ''}（${String(payload.day ?? '')}）。`,
  }
  const en: Record<string, string> = {
    'resident.received': `Your report was received: ${n}. Follow it with the number and your phone's last 4 digits.`,
    'resident.assigned': `Your report ${n} was assigned to the responsible department.`,
    'resident.awaiting_confirmation': `Your report ${n} was handled: please confirm it is fixed and rate it.`,
    'resident.closed': `Your report ${n} is closed. Thank you.`,
    'resident.not_accepted': `Your report ${n} was not accepted; see why online.`,
    'resident.merged': `Your report ${n} was merged with ${String(payload.mergedInto ?? '')}, the same problem.`,
    'resident.code': `Your code is ${String(payload.code ?? '')} (valid 10 minutes).`,
    'resident.service_offer': `You may now apply for ${String(payload.itemEn ?? payload.item ?? '')}; papers the shared data proves need not be brought. Your grid worker will help.`,
    'grid.service_offer': `Proactive service: ${String(payload.itemEn ?? payload.item ?? '')} — tell the household and help them apply.`,
    'department.dispatched': `New case ${n} dispatched to you: accept it.`,
    'grid.verify': `Case ${n} was handled: verify it on the spot.`,
    'grid.visits': `Today's visits: ${String(payload.tasks ?? 0)} households${Number(payload.urgent ?? 0) ? `, ${String(payload.urgent)} of them people in care first` : ''} (${String(payload.day ?? '')}).`,
  }
  return (lang === 'zh' ? zh : en)[template] ?? `${template} ${n}`
}
