// Chinese names by surname frequency (weights: Guangdong-leaning, from public surname rankings)
// and given-name characters, with pinyin initials precomputed once (pinyin-pro) so generating
// millions of names needs no per-name conversion.

import type { Rng } from '@wangge/geo'
import { pinyin } from 'pinyin-pro'

const SURNAMES: [string, number][] = [
  ['陈', 110],
  ['李', 75],
  ['黄', 70],
  ['张', 55],
  ['梁', 48],
  ['林', 45],
  ['刘', 44],
  ['吴', 35],
  ['罗', 30],
  ['何', 29],
  ['郑', 26],
  ['杨', 25],
  ['谢', 24],
  ['郭', 20],
  ['冯', 19],
  ['麦', 17],
  ['曾', 17],
  ['邓', 17],
  ['朱', 16],
  ['周', 16],
  ['许', 15],
  ['卢', 15],
  ['叶', 14],
  ['苏', 14],
  ['潘', 13],
  ['蔡', 13],
  ['钟', 13],
  ['彭', 12],
  ['余', 12],
  ['廖', 12],
  ['王', 30],
  ['赵', 8],
  ['孙', 6],
  ['马', 7],
  ['胡', 9],
  ['高', 7],
  ['徐', 8],
  ['何', 6],
  ['区', 5],
  ['欧阳', 4],
  ['关', 6],
  ['邱', 7],
  ['汤', 5],
  ['温', 6],
  ['邝', 4],
  ['植', 2],
  ['伍', 6],
  ['岑', 4],
  ['骆', 3],
  ['司徒', 2],
  ['江', 6],
  ['谭', 9],
  ['范', 4],
  ['方', 5],
  ['石', 4],
  ['姚', 5],
  ['莫', 6],
  ['古', 3],
  ['韦', 5],
  ['戴', 4],
  ['汪', 3],
  ['田', 3],
  ['任', 3],
  ['姜', 2],
  ['熊', 4],
  ['袁', 5],
  ['唐', 6],
  ['宋', 4],
  ['龙', 4],
  ['易', 3],
]

const MALE =
  '伟 强 军 杰 涛 斌 俊 浩 明 华 建 国 志 勇 文 辉 海 峰 鹏 波 健 宇 晨 轩 锦 荣 家 嘉 俊 永 耀 炳 灿 润 成 泽 铭 宏 博 毅 豪 凯 柏 键 东 坤 昌 亮 兴 达'.split(
    ' ',
  )
const FEMALE =
  '丽 敏 静 燕 芳 娟 霞 玲 婷 慧 颖 欣 怡 琳 雪 莹 萍 梅 兰 凤 嘉 咏 诗 淑 惠 洁 倩 妍 彤 晓 思 雅 秀 翠 月 桂 珍 美 佩 瑜 韵 如 婉 清 悦 凌 晴 琪 然 蕙'.split(
    ' ',
  )
const UNISEX = '子 晓 家 嘉 俊 永 文 志 宇 思 一 天 雨 春 秋 安 乐 正 德 少 宝 金 银 海'.split(' ')

function initialsOf(s: string, surname = false): string {
  return (pinyin(s, { pattern: 'first', toneType: 'none', type: 'array', ...(surname ? { surname: 'head' } : {}) }) as string[])
    .join('')
    .toLowerCase()
}

const surnameTable = SURNAMES.map(([s, w]) => ({ s, w, i: initialsOf(s, true) }))
const surnameTotal = surnameTable.reduce((n, x) => n + x.w, 0)
const charInitial = new Map<string, string>()
for (const c of [...MALE, ...FEMALE, ...UNISEX]) charInitial.set(c, initialsOf(c))

export interface Name {
  name: string
  initials: string
  surname: string
  surnameInitial: string
}

export function pickSurname(rng: Rng): { s: string; i: string } {
  let r = rng() * surnameTotal
  for (const x of surnameTable) {
    r -= x.w
    if (r < 0) return x
  }
  return surnameTable[0] as { s: string; i: string }
}

export function makeName(rng: Rng, sex: '1' | '2', surname?: { s: string; i: string }): Name {
  const sn = surname ?? pickSurname(rng)
  const pool = sex === '1' ? MALE : FEMALE
  const pick = () =>
    rng() < 0.2 ? (UNISEX[Math.floor(rng() * UNISEX.length)] as string) : (pool[Math.floor(rng() * pool.length)] as string)
  const given = rng() < 0.25 ? pick() : pick() + pick()
  let gi = ''
  for (const c of given) gi += charInitial.get(c) ?? ''
  return { name: sn.s + given, initials: sn.i + gi, surname: sn.s, surnameInitial: sn.i }
}

// Road names for synthetic addresses.
const ROAD_A =
  '中山 解放 人民 东风 环市 越秀 德政 北京 盘福 六榕 光孝 诗书 海珠 江南 滨江 天河 黄埔 白云 广园 沙河 恒福 农林 寺右 东湖 明月 朝阳 建设 仓边 文德 惠福 大新 一德 泰康 同福 宝华 多宝 龙津 荔湾 芳村 逢源 华林 康王 站前 流花 三元 下塘 登峰 瘦狗岭 石牌 岗顶 五山 员村 车陂 新港 昌岗 南华 宝岗 工业 赤岗 琶洲 新滘 石溪 沙园 云台 京溪 同和 太和 新市 棠景 三元里 黄石 嘉禾 江夏 龙归 钟落潭 沙湾 市桥 洛溪 大石 新造 石楼 花城 新华 狮岭 炭步 太平 街口 江埔 荔城 新塘 永宁 黄阁 蕉门 金洲'.split(
    ' ',
  )
const ROAD_B = ['路', '北路', '南路', '中路', '东路', '西路', '大道', '街', '大街', '直街', '横街', '巷', '里', '坊', '新村']

export function makeRoads(rng: Rng, n: number): string[] {
  const roads = new Set<string>()
  let guard = 0
  while (roads.size < n && guard++ < n * 50) {
    const a = ROAD_A[Math.floor(rng() * ROAD_A.length)] as string
    const b = ROAD_B[Math.floor(rng() * ROAD_B.length)] as string
    roads.add(a + b)
  }
  return [...roads]
}

const BRAND =
  '盛 达 华 恒 信 昌 隆 兴 泰 鸿 利 福 源 祥 瑞 嘉 宏 宝 金 顺 发 荣 新 丰 富 安 康 乐 和 德 永 益 联 创 展 锦 海 粤 穗 羊 城 珠 江'.split(
    ' ',
  )
export function brand(rng: Rng): string {
  return (BRAND[Math.floor(rng() * BRAND.length)] as string) + (BRAND[Math.floor(rng() * BRAND.length)] as string)
}

/** Names as a foreigner's permanent-residence card prints them (surname, then given names, in
 *  capitals), by nationality (ISO 3166-1 numeric): a few common names of each country. */
const FOREIGN_NAMES: Record<string, { surnames: string[]; male: string[]; female: string[] }> = {
  '566': {
    surnames: ['OKAFOR', 'ADEYEMI', 'OKONKWO', 'EZE', 'BELLO', 'NWOSU', 'ADEBAYO', 'OBI'],
    male: ['CHINEDU', 'EMEKA', 'OLUWASEUN', 'IBRAHIM', 'TUNDE', 'IFEANYI'],
    female: ['NGOZI', 'CHIAMAKA', 'FUNMILAYO', 'AISHA', 'BLESSING', 'ADAEZE'],
  },
  '410': {
    surnames: ['KIM', 'LEE', 'PARK', 'CHOI', 'JUNG', 'KANG', 'YOON'],
    male: ['MINJUN', 'SEOJUN', 'DOYUN', 'JIHO', 'HYUNWOO', 'JUNHO'],
    female: ['SEOYEON', 'JIWOO', 'HAEUN', 'MINSEO', 'SOYEON', 'JIMIN'],
  },
  '392': {
    surnames: ['SATO', 'SUZUKI', 'TAKAHASHI', 'TANAKA', 'WATANABE', 'ITO', 'YAMAMOTO'],
    male: ['HIROSHI', 'TAKESHI', 'KENJI', 'DAISUKE', 'HARUTO', 'SHOTA'],
    female: ['YUKI', 'AYA', 'HARUKA', 'MISAKI', 'NANAMI', 'SAKURA'],
  },
  '704': {
    surnames: ['NGUYEN', 'TRAN', 'LE', 'PHAM', 'HOANG', 'VU', 'DANG'],
    male: ['VAN MINH', 'DUC ANH', 'QUANG HUY', 'THANH TUNG', 'HOANG NAM'],
    female: ['THI LAN', 'THU HA', 'NGOC ANH', 'THI HUONG', 'MINH THU'],
  },
  '840': {
    surnames: ['SMITH', 'JOHNSON', 'WILLIAMS', 'BROWN', 'JONES', 'MILLER', 'DAVIS'],
    male: ['JAMES', 'MICHAEL', 'ROBERT', 'DAVID', 'DANIEL', 'RYAN'],
    female: ['MARY', 'JENNIFER', 'SARAH', 'EMILY', 'JESSICA', 'LAURA'],
  },
  '643': {
    surnames: ['IVANOV', 'SMIRNOV', 'KUZNETSOV', 'POPOV', 'VOLKOV', 'SOKOLOV'],
    male: ['ALEXANDER', 'DMITRY', 'SERGEY', 'ANDREY', 'MAXIM', 'IVAN'],
    female: ['ANNA', 'ELENA', 'OLGA', 'NATALIA', 'TATIANA', 'IRINA'],
  },
  '356': {
    surnames: ['SHARMA', 'PATEL', 'SINGH', 'KUMAR', 'GUPTA', 'REDDY'],
    male: ['RAHUL', 'AMIT', 'VIKRAM', 'ARJUN', 'SANJAY', 'RAVI'],
    female: ['PRIYA', 'ANANYA', 'DEEPIKA', 'KAVYA', 'NEHA', 'POOJA'],
  },
  '004': {
    surnames: ['AHMADI', 'KARIMI', 'RAHIMI', 'HAIDARI', 'NOORI'],
    male: ['AHMAD', 'MOHAMMAD', 'FARID', 'NASIR', 'JAWAD'],
    female: ['FARIDA', 'MARYAM', 'ZAHRA', 'NADIA', 'SHABNAM'],
  },
  '818': {
    surnames: ['HASSAN', 'MOHAMED', 'IBRAHIM', 'MAHMOUD', 'ALI', 'SAYED'],
    male: ['AHMED', 'MOSTAFA', 'OMAR', 'KHALED', 'YOUSSEF'],
    female: ['FATMA', 'MONA', 'NOUR', 'SALMA', 'HEBA'],
  },
  '180': {
    surnames: ['MUKENDI', 'KABILA', 'TSHISEKEDI', 'MBUYI', 'ILUNGA', 'KASONGO'],
    male: ['JEAN-PIERRE', 'PATRICK', 'CEDRIC', 'PAPY', 'GLODI'],
    female: ['GRACE', 'CHANTAL', 'ESTHER', 'RUTH', 'NADINE'],
  },
  '826': {
    surnames: ['TAYLOR', 'WILSON', 'EVANS', 'THOMAS', 'ROBERTS', 'WALKER'],
    male: ['OLIVER', 'GEORGE', 'HARRY', 'JACK', 'THOMAS'],
    female: ['OLIVIA', 'AMELIA', 'ISLA', 'EMILY', 'SOPHIE'],
  },
  '276': {
    surnames: ['MULLER', 'SCHMIDT', 'SCHNEIDER', 'FISCHER', 'WEBER', 'MEYER'],
    male: ['LUKAS', 'MAXIMILIAN', 'FELIX', 'JONAS', 'PAUL'],
    female: ['ANNA', 'LENA', 'LEONIE', 'HANNAH', 'MARIE'],
  },
}

/** A foreigner's name for the nationality (ISO numeric); initials are the words' first letters. */
export function makeForeignName(rng: Rng, nationality: string, sex: '1' | '2', surname?: string): Name {
  const pool = FOREIGN_NAMES[nationality] ?? (FOREIGN_NAMES['840'] as (typeof FOREIGN_NAMES)[string])
  const sn = surname ?? (pool.surnames[Math.floor(rng() * pool.surnames.length)] as string)
  const givens = sex === '1' ? pool.male : pool.female
  const name = `${sn} ${givens[Math.floor(rng() * givens.length)] as string}`
  const initials = name
    .split(/[\s-]+/)
    .map((w) => w[0] ?? '')
    .join('')
    .toLowerCase()
  return { name, initials, surname: sn, surnameInitial: (sn[0] ?? '').toLowerCase() }
}
