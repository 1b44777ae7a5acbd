// The five-step closed loop (五步闭合) as one transition table, shared by the server (which
// enforces it) and the web app (which offers only the actions it allows):
//   发现告知 reported → registered (or cancelled as invalid)
//   调度派遣 registered → dispatched → accepted (or returned, within 2 working days, with a reason)
//   事件处理 accepted → handled (result + evidence)
//   跟踪回访 handled → verified on site (fail → rework) → call-back (dissatisfied → rework)
//   评价结案 → closed (and evaluated)
// Side actions keep the status: extension request/decision, escalation, evaluation.
// Parking (挂账) suspends a case with approval; the self-handled fast path closes a case a grid
// worker found and fixed on the spot; a duplicate report is merged into the case it repeats (its
// reporter is told that case's outcome).

export const CASE_STATUSES = [
  'reported',
  'registered',
  'dispatched',
  'accepted',
  'returned',
  'handled',
  'rework',
  'verified',
  'parked',
  'closed',
  'cancelled',
  'merged',
] as const
export type CaseStatus = (typeof CASE_STATUSES)[number]

/** What each status is called, for people (zh-CN, en). */
export const CASE_STATUS_LABELS: Record<CaseStatus, { zh: string; en: string }> = {
  reported: { zh: '已上报', en: 'reported' },
  registered: { zh: '已立案', en: 'registered' },
  dispatched: { zh: '已派遣', en: 'dispatched' },
  accepted: { zh: '已受理', en: 'accepted' },
  returned: { zh: '已退回', en: 'returned' },
  handled: { zh: '已处置', en: 'handled' },
  rework: { zh: '返工', en: 'rework' },
  verified: { zh: '已核查', en: 'verified' },
  parked: { zh: '挂账', en: 'parked' },
  closed: { zh: '已结案', en: 'closed' },
  cancelled: { zh: '已作废', en: 'cancelled' },
  merged: { zh: '已合并', en: 'merged' },
}

/** Minutes of a limit's clock in words: 2天3小时 / 4小时20分 (zh), 2 d 3 h / 4 h 20 min (en). */
export function durationWords(minutes: number, lang: 'zh' | 'en'): string {
  const d = Math.floor(minutes / 1440)
  const h = Math.floor((minutes % 1440) / 60)
  const m = d ? 0 : Math.round(minutes % 60)
  const [dw, hw, mw, sep] = lang === 'zh' ? ['天', '小时', '分', ''] : [' d', ' h', ' min', ' ']
  return [d ? `${d}${dw}` : '', h ? `${h}${hw}` : '', m || (!d && !h) ? `${m}${mw}` : ''].filter(Boolean).join(sep)
}

/** Where a case came from, for people. */
export const CASE_SOURCE_LABELS: Record<'grid_worker' | 'resident' | 'department' | 'hotline', { zh: string; en: string }> = {
  grid_worker: { zh: '网格员上报', en: 'grid worker' },
  resident: { zh: '居民反映', en: 'resident' },
  department: { zh: '部门上报', en: 'department' },
  hotline: { zh: '12345热线', en: '12345 hotline' },
}

/** The supervision a case is under (督办), for people. */
export const SUPERVISION_LABELS: Record<'none' | 'reminded' | 'yellow' | 'red', { zh: string; en: string }> = {
  none: { zh: '无', en: 'none' },
  reminded: { zh: '已催办', en: 'reminded' },
  yellow: { zh: '黄牌督办', en: 'yellow card' },
  red: { zh: '红牌督办', en: 'red card' },
}

export const TERMINAL: ReadonlySet<CaseStatus> = new Set(['closed', 'cancelled', 'merged'])
const OPEN: CaseStatus[] = ['registered', 'dispatched', 'accepted', 'returned', 'handled', 'rework', 'verified']

/**
 * What an action needs in its request besides the case's version. Photos ('evidence', before and
 * after) are asked of events and component problems; a grid service item's evidence is its
 * written result (a certificate issued, an allowance granted), photos being optional.
 */
export type Requirement =
  | 'reason'
  | 'department'
  | 'result'
  | 'evidence'
  | 'beforeAfterPhotos'
  | 'satisfaction'
  | 'days'
  | 'approval'
  | 'score'
  | 'target'

export interface Transition {
  action: string
  zh: string
  from: readonly CaseStatus[]
  /** null: the status does not change (a side action). */
  to: CaseStatus | null
  /** The permission the actor needs (in the case's scope, or as its department). */
  permission: string
  requires: readonly Requirement[]
}

export const CASE_TRANSITIONS: readonly Transition[] = [
  { action: 'register', zh: '立案', from: ['reported'], to: 'registered', permission: 'case.register', requires: [] },
  { action: 'cancel', zh: '作废', from: ['reported'], to: 'cancelled', permission: 'case.register', requires: ['reason'] },
  {
    action: 'merge',
    zh: '合并',
    from: ['reported'],
    to: 'merged',
    permission: 'case.register',
    requires: ['target'],
  },
  {
    action: 'self_handle',
    zh: '自行处置',
    from: ['reported'],
    to: 'closed',
    permission: 'case.self_handle',
    requires: ['result', 'beforeAfterPhotos'],
  },
  {
    action: 'dispatch',
    zh: '派遣',
    from: ['registered', 'returned'],
    to: 'dispatched',
    permission: 'case.dispatch',
    // The department routing finds; naming another one (an override) needs a reason.
    requires: [],
  },
  { action: 'accept', zh: '签收', from: ['dispatched'], to: 'accepted', permission: 'case.handle', requires: [] },
  {
    action: 'return',
    zh: '退回',
    from: ['dispatched', 'accepted'],
    to: 'returned',
    permission: 'case.handle',
    requires: ['reason'],
  },
  {
    action: 'handle',
    zh: '处置反馈',
    from: ['accepted', 'rework'],
    to: 'handled',
    permission: 'case.handle',
    requires: ['result', 'evidence'],
  },
  { action: 'verify_pass', zh: '核查通过', from: ['handled'], to: 'verified', permission: 'case.verify', requires: ['evidence'] },
  {
    action: 'verify_fail',
    zh: '核查不通过',
    from: ['handled'],
    to: 'rework',
    permission: 'case.verify',
    requires: ['reason', 'evidence'],
  },
  {
    action: 'callback_satisfied',
    zh: '回访满意',
    from: ['verified'],
    to: 'closed',
    permission: 'case.callback',
    requires: ['satisfaction'],
  },
  {
    action: 'callback_dissatisfied',
    zh: '回访不满意',
    from: ['verified'],
    to: 'rework',
    permission: 'case.callback',
    requires: ['satisfaction', 'reason'],
  },
  { action: 'close', zh: '结案', from: ['verified'], to: 'closed', permission: 'case.close', requires: ['reason'] },
  // A caller's question answered on the telephone (12345: 直接答复) — closed with the answer.
  { action: 'answer', zh: '直接答复', from: ['reported'], to: 'closed', permission: 'case.register', requires: ['result'] },
  // "Not fixed" after all, within days of the closure: back to the department as rework.
  { action: 'reopen', zh: '重新办理', from: ['closed'], to: 'rework', permission: 'case.callback', requires: ['reason'] },
  {
    action: 'request_extension',
    zh: '申请延期',
    from: ['accepted', 'rework'],
    to: null,
    permission: 'case.handle',
    requires: ['reason', 'days'],
  },
  {
    action: 'decide_extension',
    zh: '延期审批',
    from: ['accepted', 'rework'],
    to: null,
    permission: 'case.supervise',
    requires: ['approval'],
  },
  {
    action: 'park',
    zh: '挂账',
    from: ['dispatched', 'accepted', 'rework'],
    to: 'parked',
    permission: 'case.supervise',
    requires: ['reason'],
  },
  { action: 'unpark', zh: '解除挂账', from: ['parked'], to: 'accepted', permission: 'case.supervise', requires: ['reason'] },
  { action: 'escalate', zh: '升级督办', from: OPEN, to: null, permission: 'case.supervise', requires: ['reason'] },
  { action: 'evaluate', zh: '评价', from: ['closed'], to: null, permission: 'case.close', requires: ['score'] },
]

const BY_ACTION = new Map(CASE_TRANSITIONS.map((t) => [t.action, t]))

/** The actions a case in this status allows (for buttons, and for the server's check). */
export function actionsFrom(status: CaseStatus): Transition[] {
  return CASE_TRANSITIONS.filter((t) => t.from.includes(status))
}

export class InvalidTransition extends Error {
  constructor(
    readonly status: CaseStatus,
    readonly action: string,
  ) {
    super(
      BY_ACTION.has(action)
        ? `A case that is ${status} cannot be ${action}: allowed are ${
            actionsFrom(status)
              .map((t) => t.action)
              .join(', ') || 'none'
          }`
        : `Unknown case action ${action}`,
    )
    this.name = 'InvalidTransition'
  }
}

/** The transition an action takes from a status, or InvalidTransition. */
export function transition(status: CaseStatus, action: string): Transition & { next: CaseStatus } {
  const t = BY_ACTION.get(action)
  if (!t?.from.includes(status)) throw new InvalidTransition(status, action)
  return { ...t, next: t.to ?? status }
}
