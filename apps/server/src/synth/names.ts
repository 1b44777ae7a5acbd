// Chinese names by surname frequency (weights: Guangdong-leaning, from public surname rankings)
// and given-name characters, with pinyin initials precomputed once (pinyin-pro) so generating
// millions of names needs no per-name conversion.

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { codeAt } from '@wangge/domain'
import type { Rng } from '@wangge/geo'
import { pinyin } from 'pinyin-pro'
import { DATA_ROOT } from '../kernel/paths.js'

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

// Road names for synthetic addresses (issue 22 §5): data/roads/<city>.json lists, per street, the
// roads that run through it where they are known (越秀's 18 streets), per district the name stems
// of that district's places, and neutral stems; a community takes a few of its street's roads, or
// synthetic names from its district's stems and the neutral ones — never another district's roads.
interface RoadData {
  source: string
  streets: Record<string, string[]>
  districts: Record<string, string[]>
  neutral: string[]
  suffixes: string[]
}
const ROADS: RoadData = JSON.parse(readFileSync(join(DATA_ROOT, 'roads', '4401.json'), 'utf8'))

/** The known roads of a street (empty where the data has none). */
export const knownRoads = (street: string): readonly string[] => ROADS.streets[street] ?? []

export function makeRoads(rng: Rng, n: number, community: string): string[] {
  const known = knownRoads(codeAt(community, 'street'))
  const roads = new Set<string>()
  let guard = 0
  if (known.length) {
    // A community lies along a few of its street's roads (all of them when it needs more).
    const want = Math.min(n, known.length)
    while (roads.size < want && guard++ < want * 50) roads.add(known[Math.floor(rng() * known.length)] as string)
    return [...roads]
  }
  const stems = [...(ROADS.districts[codeAt(community, 'district')] ?? []), ...ROADS.neutral]
  while (roads.size < n && guard++ < n * 50) {
    const a = stems[Math.floor(rng() * stems.length)] as string
    const b = ROADS.suffixes[Math.floor(rng() * ROADS.suffixes.length)] as string
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
