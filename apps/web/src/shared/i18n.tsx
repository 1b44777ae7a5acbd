// zh-CN first, English second: one dictionary, a context, and Ant Design's locale to match.
import { CASE_STATUS_LABELS, CASE_TRANSITIONS, type CaseStatus } from '@wangge/domain/case-workflow'
import enUS from 'antd/locale/en_US'
import zhCN from 'antd/locale/zh_CN'
import { createContext, type ReactNode, useContext, useMemo, useState } from 'react'

export type Lang = 'zh' | 'en'

const DICT = {
  appName: ['网格化服务管理平台', 'Grid service management'],
  mobileName: ['网格员工作台', 'Grid worker'],
  login: ['登录', 'Log in'],
  logout: ['退出', 'Log out'],
  username: ['用户名', 'Username'],
  password: ['密码', 'Password'],
  loginFailed: ['用户名或密码错误', 'Wrong username or password'],
  dashboard: ['综合态势', 'Dashboard'],
  map: ['网格地图', 'Map'],
  cases: ['事件办理', 'Cases'],
  residents: ['实有人口', 'Residents'],
  households: ['户数', 'Households'],
  casesReported: ['本期上报事件', 'Cases reported'],
  overdue: ['超期未办', 'Overdue'],
  onTimeHandling: ['按期处置率', 'On-time handling'],
  satisfaction: ['满意率', 'Satisfaction'],
  closeRate: ['结案率', 'Close rate'],
  byType: ['人口类型', 'Population by type'],
  byChildren: ['下级区域人口', 'Residents by area'],
  casesByStatus: ['事件状态', 'Cases by status'],
  casesByClass: ['事件大类', 'Cases by class'],
  casesTrend: ['每日上报趋势', 'Reports per day'],
  region: ['区域', 'Region'],
  up: ['返回上级', 'Up one level'],
  colourBy: ['着色', 'Colour by'],
  grid: ['网格', 'Grid'],
  community: ['社区', 'Community'],
  number: ['编号', 'Number'],
  status: ['状态', 'Status'],
  description: ['描述', 'Description'],
  department: ['责任部门', 'Department'],
  deadline: ['处置时限', 'Deadline'],
  reportedAt: ['上报时间', 'Reported'],
  actions: ['可执行操作', 'Actions'],
  timeline: ['办理过程', 'Timeline'],
  reason: ['理由', 'Reason'],
  result: ['处置结果', 'Result'],
  note: ['备注', 'Note'],
  submit: ['提交', 'Submit'],
  cancel: ['取消', 'Cancel'],
  done: ['已完成', 'Done'],
  all: ['全部', 'All'],
  search: ['搜索', 'Search'],
  noActions: ['当前无可执行操作', 'Nothing to do here now'],
  conflict: ['该事件已被他人处理，已刷新', 'Someone else acted on this case first; reloaded'],
  today: ['今日任务', "Today's tasks"],
  report: ['上报事件', 'Report'],
  verify: ['核查', 'Verify'],
  outbox: ['待同步', 'To sync'],
  synced: ['已同步', 'Synced'],
  offline: ['离线', 'Offline'],
  online: ['在线', 'Online'],
  syncNow: ['立即同步', 'Sync now'],
  catalog: ['事件类型', 'Event type'],
  photo: ['现场照片', 'Photo'],
  location: ['位置', 'Location'],
  address: ['地址', 'Address'],
  locate: ['定位', 'Locate'],
  queued: ['已保存，联网后自动上报', 'Saved; it will be sent when online'],
  sent: ['已上报', 'Sent'],
  visited: ['已走访', 'Visited'],
  visit: ['走访', 'Visit'],
  lastVisited: ['上次走访', 'Last visited'],
  never: ['从未', 'never'],
  dueOn: ['应访日期', 'Due'],
  pass: ['通过', 'Pass'],
  fail: ['不通过', 'Fail'],
  verifyTasks: ['待核查事件', 'Cases to verify'],
  nothing: ['暂无', 'Nothing'],
  records: ['实有人口', 'Residents'],
  personSearch: ['姓名、拼音首字母或身份证号', 'Name, pinyin initials or ID number'],
  name: ['姓名', 'Name'],
  idNumber: ['身份证号', 'ID number'],
  birthDate: ['出生日期', 'Born'],
  phone: ['电话', 'Phone'],
  masked: ['已脱敏', 'Masked'],
  unmask: ['查看完整信息', 'Show full data'],
  unmaskWhy: [
    '查看身份证号、电话和详细地址须说明理由，本次查看将记入审计日志。',
    'Seeing ID numbers, phones and exact addresses needs a reason; it is written to the audit log.',
  ],
  unmaskedAudited: ['完整信息（已记录审计）', 'Full data (audited)'],
  accessLog: ['查阅记录', 'Access log'],
  split: ['拆分网格', 'Split'],
  conflictsTab: ['走访冲突', 'Visit conflicts'],
  record: ['记录', 'Record'],
  keptValue: ['现值（较晚修改）', 'Kept (later change)'],
  otherValue: ['另一修改', 'Other change'],
  keepKept: ['保留现值', 'Keep'],
  keepOther: ['改用另一值', 'Use the other'],
  leaveTab: ['请假', 'Leave'],
  from: ['开始', 'From'],
  to: ['结束', 'To'],
  leaveSent: ['已提交，等待审批', 'Sent; waiting for approval'],
  admin: ['事件目录与派遣规则', 'Catalog and routing'],
  routingRules: ['派遣规则', 'Routing rules'],
  workingHours: ['工作小时', 'working hours'],
  workingDays: ['工作日', 'working days'],
  naturalHours: ['自然小时', 'natural hours'],
  limitNormal: ['一般时限', 'Limit (normal)'],
  limitUrgent: ['紧急时限', 'Limit (urgent)'],
  selfHandle: ['可自行处置', 'Self-handling'],
  inactive: ['已停用', 'inactive'],
  activeEntry: ['启用', 'Active'],
  appliesToNew: [
    '修改对之后受理的事件生效，并记入版本历史。',
    'Changes apply to cases opened afterwards and are kept in the history.',
  ],
  add: ['新增', 'Add'],
  remove: ['删除', 'Remove'],
  living: ['在住', 'living here'],
  movedOut: ['已迁出', 'moved out'],
  deceased: ['已死亡', 'deceased'],
  roster: ['网格员', 'Grid workers'],
  rosterTab: ['网格员配置', 'Roster'],
  leavesTab: ['请假与顶岗', 'Leave and cover'],
  evaluationTab: ['月度考核', 'Monthly evaluation'],
  worker: ['网格员', 'Worker'],
  vacant: ['空缺', 'vacant'],
  partner: ['AB岗', 'A/B partner'],
  cover: ['顶岗至', 'Covered until'],
  requestedBy: ['申请人', 'Requested by'],
  period: ['期间', 'Period'],
  approve: ['批准', 'Approve'],
  reject: ['驳回', 'Reject'],
  leave_requested: ['待审批', 'requested'],
  leave_approved: ['已批准', 'approved'],
  leave_rejected: ['已驳回', 'rejected'],
  leave_cancelled: ['已取消', 'cancelled'],
  month: ['月份', 'Month'],
  exportXlsx: ['导出 Excel', 'Export xlsx'],
  visitsOnTime: ['按时走访', 'Visits on time'],
  verifiedOnTime: ['按时核查率', 'Verified on time'],
  score: ['综合得分', 'Score'],
  grade: ['等级', 'Grade'],
  rank: ['社区/街道排名', 'Rank (community / street)'],
  mergeWith: ['与相邻网格合并', 'Merge with a neighbour'],
  neighbour: ['相邻网格', 'Neighbouring grid'],
  preview: ['预览', 'Preview'],
  apply: ['确认调整', 'Apply'],
} as const satisfies Record<string, readonly [string, string]>

export type Key = keyof typeof DICT

interface I18n {
  lang: Lang
  setLang(l: Lang): void
  t(k: Key): string
  status(s: string): string
  action(a: string): string
  antdLocale: typeof zhCN
}

const ACTION_EN: Record<string, string> = Object.fromEntries(CASE_TRANSITIONS.map((t) => [t.action, t.action.replace(/_/g, ' ')]))

const Ctx = createContext<I18n | null>(null)

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(() => (localStorage.getItem('wangge.lang') === 'en' ? 'en' : 'zh'))
  const value = useMemo<I18n>(() => {
    const i = lang === 'zh' ? 0 : 1
    return {
      lang,
      setLang(l) {
        localStorage.setItem('wangge.lang', l)
        document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en'
        setLangState(l)
      },
      t: (k) => DICT[k][i],
      status: (s) => CASE_STATUS_LABELS[s as CaseStatus]?.[lang] ?? s,
      action: (a) => (lang === 'zh' ? (CASE_TRANSITIONS.find((t) => t.action === a)?.zh ?? a) : (ACTION_EN[a] ?? a)),
      antdLocale: lang === 'zh' ? zhCN : enUS,
    }
  }, [lang])
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>
}

export function useI18n(): I18n {
  const v = useContext(Ctx)
  if (!v) throw new Error('useI18n outside I18nProvider')
  return v
}
