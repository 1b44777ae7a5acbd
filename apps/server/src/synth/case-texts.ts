// What the demo's reports say (issue 22 §2): class-specific descriptions as a grid worker or a
// caller would write them — a few templates per event subclass with the place (the building's
// road and number), a spot near it, a moment of the day and a detail drawn from small lists, so a
// district's months of reports read as hundreds of different texts, not one. And how often each
// class is reported: street order, garbage and small ads every day, a burst water main now and
// then, a fire rarely (the weights roughly follow the shares in published 城管 case statistics).
import type { Rng } from '@wangge/geo'

/** Reports per 1,000 of each event subclass (major + sub). */
export const EVENT_WEIGHTS: Readonly<Record<string, number>> = {
  '0101': 35,
  '0102': 120,
  '0103': 45,
  '0104': 70,
  '0105': 12,
  '0106': 40,
  '0107': 25,
  '0108': 30,
  '0201': 110,
  '0202': 18,
  '0203': 30,
  '0301': 35,
  '0302': 20,
  '0303': 15,
  '0304': 10,
  '0401': 6,
  '0402': 8,
  '0403': 2,
  '0404': 25,
  '0405': 1,
  '0501': 60,
  '0502': 80,
  '0503': 70,
  '0504': 65,
  '0505': 45,
  '0506': 30,
  '0507': 22,
}

const SPOTS = [
  '门口',
  '路口',
  '巷口',
  '对面',
  '旁边的人行道上',
  '公交站旁',
  '小区大门外',
  '楼下',
  '后巷',
  '转角处',
  '菜市场出入口',
  '学校门口附近',
  '绿化带边',
  '骑楼下',
]
const MOMENTS = ['早上', '上午', '中午', '下午', '傍晚', '晚上', '夜间', '早高峰时']

/** Templates per subclass: {at} the address, {spot}, {when}, {n} a small count, {m} metres. */
const TEMPLATES: Readonly<Record<string, readonly string[]>> = {
  '0101': [
    '{at}{spot}有人在天台加建铁皮房，已搭起框架',
    '{at}首层商户擅自向外扩建雨棚约{m}平方米',
    '{at}{spot}新砌砖墙围占公共通道',
    '住户反映{at}楼顶正在搭建违章阁楼，{when}施工',
  ],
  '0102': [
    '{at}{spot}有{n}袋生活垃圾无人清理',
    '{at}{spot}垃圾桶满溢，周边散落垃圾',
    '{when}巡查发现{at}{spot}堆放装修垃圾',
    '{at}{spot}有人随意丢弃旧家具和垃圾',
    '{at}{spot}地面有暴露垃圾，气味较大',
  ],
  '0103': ['{at}{spot}积存建筑渣土约{n}立方米', '{at}{spot}垃圾长期未清运，已堆积多日', '{at}后巷积存大量杂物和垃圾，影响通行'],
  '0104': [
    '{at}{spot}路面油污明显，行人易滑倒',
    '{at}{spot}路面有大片泥沙未清扫',
    '{when}发现{at}{spot}路面污渍和烟头较多',
    '{at}{spot}人行道有积水和污泥',
  ],
  '0105': ['{at}附近河涌水面漂浮垃圾和泡沫', '{at}附近水域有油污，{when}气味明显', '{at}旁边水面漂浮大量落叶杂物'],
  '0106': ['{at}{spot}绿化带内丢弃垃圾较多', '{at}{spot}绿地被踩踏，黄土裸露', '{at}{spot}绿化带内有人晾晒衣物、堆放杂物'],
  '0107': [
    '{at}{spot}停放一辆无牌摩托车，已积尘多时',
    '{at}{spot}有一辆废弃汽车长期停放，车身破损',
    '{at}{spot}有{n}辆废弃自行车堆放',
  ],
  '0108': ['{at}首层餐饮店油烟直排，住户投诉', '{at}{spot}大排档油烟扰民，{when}尤其严重', '{at}餐馆未安装油烟净化设施'],
  '0201': [
    '{at}{spot}墙面张贴小广告{n}处',
    '{at}{spot}电线杆上有办证小广告',
    '{at}楼道内喷涂开锁小广告',
    '{when}发现{at}{spot}新贴大量小广告',
    '{at}{spot}电箱上贴满疏通管道小广告',
  ],
  '0202': ['{at}外墙新挂广告招牌未见审批，尺寸较大', '{at}{spot}户外广告牌破损，有脱落风险', '{at}楼顶广告架锈蚀严重'],
  '0203': ['{at}{spot}商户摆放落地广告牌占用人行道', '{at}{spot}有{n}块广告牌占道摆放', '{at}{spot}人行道上摆放易拉宝和广告灯箱'],
  '0301': ['{at}{spot}工地{when}施工噪音扰民', '{at}装修施工超时作业，住户投诉', '{at}附近工地夜间打桩，噪音很大'],
  '0302': ['{at}附近工地未洒水降尘，扬尘较大', '{at}{spot}工地裸土未覆盖', '{at}附近拆除作业扬尘明显'],
  '0303': ['{at}{spot}路面有运输车辆遗撒的泥土', '{at}{spot}有渣土车遗撒，长约{m}米', '{when}发现{at}{spot}路面遗撒砂石'],
  '0304': ['{at}{spot}施工现场未设置围挡', '{at}{spot}围挡倒塌，施工区域敞开', '{at}管线开挖未围蔽，行人经过有危险'],
  '0401': ['{at}{spot}路面出现塌陷坑，直径约{n}米', '{at}{spot}人行道地砖下沉形成空洞', '{at}{spot}路面开裂下陷，已设临时警示'],
  '0402': ['{at}{spot}自来水管爆裂，水流满地', '{at}{spot}地面冒水，疑似水管破裂', '{at}楼下供水管漏水，{when}开始'],
  '0403': ['{at}{spot}闻到明显燃气味，疑似管道泄漏', '{at}燃气管道被施工挖破，已疏散行人'],
  '0404': [
    '{at}{spot}下水道堵塞，污水外溢',
    '{at}{spot}雨水井堵塞，下雨积水',
    '{at}后巷化粪池外溢，气味很大',
    '{at}{spot}排水渠被垃圾堵住',
  ],
  '0405': ['{at}{spot}杂物起火，已拨打119', '{at}一楼店铺冒烟，疑似电线起火'],
  '0501': [
    '{at}{spot}有流动商贩{n}人摆卖水果',
    '{at}{spot}{when}有无照游商聚集',
    '{at}{spot}三轮车流动摆卖',
    '{at}{spot}有人摆地摊售卖小商品',
  ],
  '0502': [
    '{at}首层商铺跨门经营，货物摆出店外约{m}米',
    '{at}{spot}店铺在门前人行道堆放货物',
    '{at}{spot}餐馆在店外摆放桌椅经营',
    '{at}{spot}维修店在人行道上作业',
  ],
  '0503': ['{at}{spot}占道摆卖，阻碍行人通行', '{at}{spot}{when}出现夜市占道经营', '{at}{spot}有{n}个摊档占用人行道'],
  '0504': [
    '{at}{spot}机动车违停，堵塞通道',
    '{at}{spot}车辆占用消防通道',
    '{at}{spot}{n}辆小车停在人行道上',
    '{when}发现{at}{spot}车辆乱停放，影响出行',
  ],
  '0505': ['{at}{spot}共享单车乱停放{n}辆', '{at}{spot}电动车停放杂乱，堵住楼道口', '{at}{spot}单车堆放占用盲道'],
  '0506': ['{at}{spot}商铺用高音喇叭招揽顾客', '{at}{spot}酒吧{when}音响声音过大', '{at}{spot}店铺门前播放音乐扰民'],
  '0507': ['{at}{spot}有人露天烧烤，烟雾较大', '{at}{spot}{when}出现烧烤摊点', '{at}{spot}大排档露天烧烤油烟扰民'],
}

/** A description of a report of `code` (a catalog code; its last four digits are major + sub). */
export function describeEvent(rng: Rng, code: string, address: string): string {
  const templates = TEMPLATES[code.slice(-4)] ?? ['{at}{spot}发现问题，需处理']
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rng() * xs.length)] as T
  return pick(templates)
    .replace('{at}', address)
    .replace('{spot}', pick(SPOTS))
    .replace('{when}', pick(MOMENTS))
    .replace('{n}', String(2 + Math.floor(rng() * 9)))
    .replace('{m}', String(2 + Math.floor(rng() * 6)))
}

/** A catalog code drawn by the weights (among the `codes` the catalog has active). */
export function weightedEvent(rng: Rng, codes: readonly string[]): string {
  const total = codes.reduce((n, c) => n + (EVENT_WEIGHTS[c.slice(-4)] ?? 5), 0)
  let r = rng() * total
  for (const c of codes) {
    r -= EVENT_WEIGHTS[c.slice(-4)] ?? 5
    if (r < 0) return c
  }
  return codes[codes.length - 1] as string
}

/** What the handling department writes back, by the class's major group. */
const RESULTS: Readonly<Record<string, readonly string[]>> = {
  '01': ['已安排环卫人员清理完毕', '已清运，现场恢复整洁', '已责令当事人整改并清理', '已拆除并恢复原状'],
  '02': ['已清除小广告', '已拆除违规广告牌', '已责令商户收回广告牌'],
  '03': ['已责令施工单位整改', '已督促洒水降尘并覆盖裸土', '已清扫遗撒路面', '已补设围挡'],
  '04': ['已抢修完毕，恢复正常', '已疏通管道', '已完成临时处置并设置警示，后续修复', '已处置完毕'],
  '05': ['已劝离摊贩，现场恢复', '已责令商户退回店内经营', '已清理乱停放车辆', '已劝导整改，现场恢复秩序'],
}
export function handlingResult(rng: Rng, code: string): string {
  const xs = RESULTS[code.slice(-4, -2)] ?? ['已处置完毕']
  return xs[Math.floor(rng() * xs.length)] as string
}
