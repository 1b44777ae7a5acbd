// Code tables as data (DOMAIN.md §3), shared by server validation and web labels. Codes follow the
// national standards where one exists (GB/T 2261.1 sex, GB/T 3304 ethnicity, GB/T 2261.2 marital
// status, GB/T 4658 education, GB/T 4761 family relation, GB/T 31000 population fields); the rest
// are wangge's own lowercase identifiers.
export interface CodeEntry {
  code: string
  zh: string
  en: string
}
type Table = readonly CodeEntry[]
const t = (rows: [string, string, string][]): Table => rows.map(([code, zh, en]) => ({ code, zh, en }))

export const SEX = t([
  ['0', '未知的性别', 'unknown'],
  ['1', '男', 'male'],
  ['2', '女', 'female'],
  ['9', '未说明的性别', 'unspecified'],
])

const ETHNIC_NAMES =
  '汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 哈尼族 哈萨克族 傣族 黎族 傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 柯尔克孜族 土族 达斡尔族 仫佬族 羌族 布朗族 撒拉族 毛南族 仡佬族 锡伯族 阿昌族 普米族 塔吉克族 怒族 乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族 京族 塔塔尔族 独龙族 鄂伦春族 赫哲族 门巴族 珞巴族 基诺族'.split(
    ' ',
  )
export const ETHNICITY: Table = ETHNIC_NAMES.map((zh, i) => ({ code: String(i + 1).padStart(2, '0'), zh, en: zh }))

export const POPULATION_TYPE = t([
  ['registered', '户籍人口', 'registered resident'],
  ['migrant', '来穗人员', 'migrant'],
  ['foreign', '境外人员', 'foreign national'],
  ['left_behind', '留守人员', 'left-behind'],
])

export const RELATION_TO_HEAD = t([
  ['01', '户主', 'head'],
  ['02', '配偶', 'spouse'],
  ['10', '子', 'son'],
  ['20', '女', 'daughter'],
  ['30', '孙子女', 'grandchild'],
  ['50', '父母', 'parent'],
  ['60', '祖父母', 'grandparent'],
  ['70', '兄弟姐妹', 'sibling'],
  ['80', '其他亲属', 'other relative'],
  ['99', '非亲属', 'non-relative'],
])

export const MARITAL_STATUS = t([
  ['10', '未婚', 'single'],
  ['20', '已婚', 'married'],
  ['30', '丧偶', 'widowed'],
  ['40', '离婚', 'divorced'],
  ['90', '未说明', 'unspecified'],
])

export const EDUCATION = t([
  ['10', '研究生', 'postgraduate'],
  ['20', '大学本科', 'bachelor'],
  ['30', '大学专科', 'college'],
  ['40', '中等职业教育', 'vocational secondary'],
  ['60', '普通高中', 'senior high school'],
  ['70', '初中', 'junior high school'],
  ['80', '小学', 'primary school'],
  ['90', '其他', 'other / none'],
])

export const EMPLOYMENT = t([
  ['employed', '在业', 'employed'],
  ['unemployed', '失业', 'unemployed'],
  ['retired', '离退休', 'retired'],
  ['student', '在校学生', 'student'],
  ['preschool', '学龄前', 'pre-school child'],
  ['homemaker', '料理家务', 'homemaker'],
])

export const MIGRANT_REASON = t([
  ['01', '务工', 'work'],
  ['02', '经商', 'business'],
  ['03', '学习培训', 'study'],
  ['04', '随迁家属', 'accompanying family'],
  ['05', '投亲靠友', 'joining relatives'],
  ['06', '就医', 'medical care'],
  ['07', '婚嫁', 'marriage'],
  ['99', '其他', 'other'],
])

export const PERMIT_TYPE = t([
  ['01', '居住证', 'residence permit'],
  ['02', '居住登记凭证', 'residence registration'],
  ['99', '无', 'none'],
])

export const RESIDENCE_TYPE = t([
  ['01', '自购房', 'own home'],
  ['02', '租赁房屋', 'rented'],
  ['03', '单位内部', 'employer housing'],
  ['04', '工地现场', 'construction site'],
  ['05', '借住', 'staying with others'],
  ['99', '其他', 'other'],
])

/** Care targets ("X" items of GB/T 31000) with the department answerable for each tag. */
export const CARE_TAG = [
  { code: 'elderly_alone', zh: '独居老人', en: 'elderly living alone', source: 'civil_affairs' },
  { code: 'empty_nest', zh: '空巢老人', en: 'empty-nest elderly', source: 'civil_affairs' },
  { code: 'disabled', zh: '残疾人', en: 'disabled', source: 'cdpf' },
  { code: 'low_income', zh: '低保对象', en: 'minimum living allowance', source: 'civil_affairs' },
  { code: 'extreme_poverty', zh: '特困人员', en: 'extreme poverty support', source: 'civil_affairs' },
  { code: 'unemployed', zh: '失业人员', en: 'registered unemployed', source: 'hrss' },
  { code: 'veteran', zh: '退役军人', en: 'veteran', source: 'veterans' },
  { code: 'left_behind_child', zh: '留守儿童', en: 'left-behind child', source: 'civil_affairs' },
] as const

export const PERSON_STATUS = t([
  ['active', '在册', 'active'],
  ['moved_out', '迁出', 'moved out'],
  ['deceased', '死亡', 'deceased'],
])

export const SPECIAL_GROUP = t([
  ['released_prisoner', '刑满释放人员', 'released prisoner'],
  ['community_correction', '社区矫正对象', 'community correction'],
  ['severe_mental_disorder', '严重精神障碍患者', 'serious mental disorder'],
  ['drug_user', '吸毒人员', 'drug user'],
  ['hiv_risk', '艾滋病危险人员', 'HIV risk'],
  ['key_youth', '重点青少年', 'key youth'],
])

export const SPECIAL_GROUP_SOURCE: Record<string, string> = {
  released_prisoner: 'justice',
  community_correction: 'justice',
  severe_mental_disorder: 'health',
  drug_user: 'police',
  hiv_risk: 'health',
  key_youth: 'youth_league',
}

export const RISK_LEVEL = t([
  ['low', '低', 'low'],
  ['medium', '中', 'medium'],
  ['high', '高', 'high'],
])

export const BUILDING_USE = t([
  ['residential', '住宅', 'residential'],
  ['urban_village', '城中村自建房', 'urban-village self-built'],
  ['mixed', '商住混合', 'mixed residential/commercial'],
  ['commercial', '商业', 'commercial'],
  ['office', '办公', 'office'],
  ['industrial', '工业', 'industrial'],
  ['public', '公共服务', 'public service'],
])

/** A household as registered: a family (家庭户) or a collective one (集体户: a dormitory, a home). */
export const HOUSEHOLD_KIND = t([
  ['family', '家庭户', 'family'],
  ['collective', '集体户', 'collective'],
])

export const DWELLING_USE = t([
  ['residential', '住宅', 'residential'],
  ['commercial', '商铺', 'shop'],
  ['office', '办公', 'office'],
  ['storage', '仓储', 'storage'],
])

export const OCCUPANCY = t([
  ['owner_occupied', '自住', 'owner-occupied'],
  ['rental', '出租', 'rented out'],
  ['vacant', '空置', 'vacant'],
  ['lent', '借住', 'lent'],
])

export const HAZARD_TYPE = t([
  ['00', '无', 'none'],
  ['01', '消防隐患', 'fire'],
  ['02', '治安隐患', 'public security'],
  ['03', '结构安全隐患', 'structural'],
  ['99', '其他', 'other'],
])

export const ORG_TYPE = t([
  ['enterprise', '企业', 'enterprise'],
  ['individual_business', '个体工商户', 'individual business'],
  ['social_org', '社会组织', 'social organization'],
  ['institution', '事业单位', 'public institution'],
  ['government', '机关', 'government agency'],
])

export const ORG_STATUS = t([
  ['active', '存续', 'active'],
  ['closed', '注销', 'deregistered'],
])

export const COMPONENT_STATE = t([
  ['normal', '完好', 'normal'],
  ['damaged', '损坏', 'damaged'],
  ['missing', '丢失', 'missing'],
  ['removed', '已拆除', 'removed'],
])

/** Who provides data (谁提供、谁负责): departments, grid workers, systems. */
export const DATA_SOURCE = [
  { code: 'police', zh: '公安局', en: 'Public Security Bureau', kind: 'department' },
  { code: 'civil_affairs', zh: '民政局', en: 'Civil Affairs Bureau', kind: 'department' },
  { code: 'hrss', zh: '人力资源和社会保障局', en: 'Human Resources & Social Security', kind: 'department' },
  { code: 'health', zh: '卫生健康委员会', en: 'Health Commission', kind: 'department' },
  { code: 'migrant', zh: '来穗人员服务管理局', en: 'Migrant Services Bureau', kind: 'department' },
  { code: 'housing', zh: '住房和城乡建设局', en: 'Housing & Urban-Rural Development', kind: 'department' },
  { code: 'land', zh: '规划和自然资源局', en: 'Planning & Natural Resources', kind: 'department' },
  { code: 'city_mgmt', zh: '城市管理和综合执法局', en: 'City Management', kind: 'department' },
  { code: 'market', zh: '市场监督管理局', en: 'Market Regulation', kind: 'department' },
  { code: 'cdpf', zh: '残疾人联合会', en: 'Disabled Persons’ Federation', kind: 'department' },
  { code: 'veterans', zh: '退役军人事务局', en: 'Veterans Affairs', kind: 'department' },
  { code: 'justice', zh: '司法局', en: 'Justice Bureau', kind: 'department' },
  { code: 'youth_league', zh: '共青团', en: 'Youth League', kind: 'department' },
  { code: 'water', zh: '水务局', en: 'Water Authority', kind: 'department' },
  { code: 'power', zh: '供电局', en: 'Power Supply Bureau', kind: 'department' },
  { code: 'telecom', zh: '通信运营商', en: 'Telecom operators', kind: 'department' },
  { code: 'transport', zh: '交通运输局', en: 'Transport Bureau', kind: 'department' },
  { code: 'greening', zh: '林业和园林局', en: 'Forestry & Gardens', kind: 'department' },
  { code: 'weather', zh: '气象局', en: 'Meteorological Bureau', kind: 'department' },
  // The enterprises and services that own city components (权属单位) and so answer for them.
  { code: 'water_supply', zh: '自来水公司', en: 'Water supply company', kind: 'department' },
  { code: 'drainage', zh: '排水公司', en: 'Drainage company', kind: 'department' },
  { code: 'gas', zh: '燃气公司', en: 'Gas company', kind: 'department' },
  { code: 'post', zh: '邮政公司', en: 'Postal company', kind: 'department' },
  { code: 'fire', zh: '消防救援支队', en: 'Fire and rescue', kind: 'department' },
  { code: 'grid_worker', zh: '网格员', en: 'grid worker', kind: 'grid_worker' },
  { code: 'generator', zh: '合成数据生成器', en: 'synthetic data generator', kind: 'system' },
] as const
export type DataSourceCode = (typeof DATA_SOURCE)[number]['code']

/** Person field groups: each keeps its own source and freshness (谁提供、谁负责). */
export const PERSON_FIELD_GROUPS = {
  identity: { fields: ['idNumber', 'name', 'sex', 'birthDate', 'ethnicity', 'nativePlace'], defaultSource: 'police' },
  residence: {
    fields: ['populationType', 'registeredAddress', 'migrantReason', 'permitType', 'residenceType', 'arrivalDate'],
    defaultSource: 'police',
  },
  contact: { fields: ['phone'], defaultSource: 'grid_worker' },
  social: { fields: ['maritalStatus', 'education', 'employment', 'occupation', 'employer'], defaultSource: 'hrss' },
  care: { fields: ['careTags'], defaultSource: 'civil_affairs' },
  health: { fields: ['healthFlags'], defaultSource: 'health' },
} as const
export type PersonFieldGroup = keyof typeof PERSON_FIELD_GROUPS

export const HEALTH_FLAG = t([
  ['chronic_disease', '慢性病', 'chronic disease'],
  ['pregnant', '孕产妇', 'pregnant / postpartum'],
  ['bedridden', '失能', 'bedridden'],
])

/** City components (部件), CJ/T 214 family: major class → subclasses. Ids: county 6 + major 2 + sub 2 + seq 6. */
export const COMPONENT_CLASSES: readonly { code: string; zh: string; en: string; subclasses: Table; maintainer: string }[] = [
  {
    code: '01',
    zh: '公用设施',
    en: 'public utilities',
    maintainer: 'water',
    subclasses: t([
      ['01', '上水井盖', 'water supply manhole cover'],
      ['02', '污水井盖', 'sewage manhole cover'],
      ['03', '雨水井盖', 'storm drain manhole cover'],
      ['04', '雨水箅子', 'storm drain grate'],
      ['05', '电力井盖', 'power manhole cover'],
      ['06', '路灯井盖', 'street light manhole cover'],
      ['07', '电信井盖', 'telecom manhole cover'],
      ['11', '燃气井盖', 'gas manhole cover'],
      ['13', '消防设施', 'fire hydrant'],
      ['14', '不明井盖', 'unidentified manhole cover'],
      ['16', '电力设施', 'power facility'],
      ['17', '电杆', 'utility pole'],
      ['18', '路灯', 'street light'],
      ['21', '报刊亭', 'newsstand'],
      ['22', '电话亭', 'phone booth'],
      ['23', '邮筒', 'mailbox'],
    ]),
  },
  {
    code: '02',
    zh: '道路交通',
    en: 'roads and traffic',
    maintainer: 'transport',
    subclasses: t([
      ['01', '停车场', 'car park'],
      ['03', '公交站亭', 'bus shelter'],
      ['05', '过街天桥', 'footbridge'],
      ['06', '地下通道', 'underpass'],
      ['09', '交通标志牌', 'traffic sign'],
      ['11', '交通护栏', 'traffic barrier'],
      ['13', '路名牌', 'street name sign'],
      ['14', '交通信号灯', 'traffic light'],
    ]),
  },
  {
    code: '03',
    zh: '市容环境',
    en: 'city appearance',
    maintainer: 'city_mgmt',
    subclasses: t([
      ['01', '公共厕所', 'public toilet'],
      ['04', '垃圾间', 'refuse room'],
      ['05', '垃圾箱', 'litter bin'],
      ['06', '灯箱霓虹灯', 'light box / neon'],
      ['07', '广告牌匾', 'billboard'],
    ]),
  },
  {
    code: '04',
    zh: '园林绿化',
    en: 'greening',
    maintainer: 'greening',
    subclasses: t([
      ['01', '古树名木', 'heritage tree'],
      ['02', '行道树', 'street tree'],
      ['05', '绿地', 'green space'],
      ['06', '雕塑', 'sculpture'],
      ['07', '街头座椅', 'street bench'],
    ]),
  },
  {
    code: '05',
    zh: '房屋土地',
    en: 'houses and land',
    maintainer: 'housing',
    subclasses: t([
      ['01', '宣传栏', 'notice board'],
      ['02', '人防工事', 'civil air defence works'],
    ]),
  },
  { code: '06', zh: '其他设施', en: 'other facilities', maintainer: 'city_mgmt', subclasses: t([['01', '其他', 'other']]) },
  { code: '07', zh: '扩展部件', en: 'extensions', maintainer: 'city_mgmt', subclasses: t([['01', '扩展', 'extension']]) },
]

/**
 * Who owns a component subclass (权属单位, CJ/T 214's owner type) and so answers for it: an
 * enterprise (the utilities: water, drainage, power, gas, telecom, post), a department (street
 * lighting, traffic signs, trees …), or the territory (属地: litter bins, notice boards, a cover
 * nobody claims) — where the territory's routing rules decide. `unit` names the owner in the data.
 */
export interface ComponentOwner {
  kind: 'enterprise' | 'department' | 'territory'
  department: DataSourceCode
  unit: string
}
const owner = (kind: ComponentOwner['kind'], department: DataSourceCode, unit: string): ComponentOwner => ({
  kind,
  department,
  unit,
})
const TERRITORY = owner('territory', 'city_mgmt', '区城市管理和综合执法局')
export const COMPONENT_OWNERS: Readonly<Record<string, ComponentOwner>> = {
  '0101': owner('enterprise', 'water_supply', '广州市自来水有限公司'),
  '0102': owner('enterprise', 'drainage', '广州市城市排水有限公司'),
  '0103': owner('enterprise', 'drainage', '广州市城市排水有限公司'),
  '0104': owner('enterprise', 'drainage', '广州市城市排水有限公司'),
  '0105': owner('enterprise', 'power', '广州供电局'),
  '0106': owner('department', 'city_mgmt', '广州市城市照明管理所'),
  '0107': owner('enterprise', 'telecom', '中国电信广州分公司'),
  '0111': owner('enterprise', 'gas', '广州燃气集团'),
  '0113': owner('department', 'fire', '广州市消防救援支队'),
  '0114': TERRITORY,
  '0116': owner('enterprise', 'power', '广州供电局'),
  '0117': owner('enterprise', 'power', '广州供电局'),
  '0118': owner('department', 'city_mgmt', '广州市城市照明管理所'),
  '0121': owner('enterprise', 'post', '中国邮政广州市分公司'),
  '0122': owner('enterprise', 'telecom', '中国电信广州分公司'),
  '0123': owner('enterprise', 'post', '中国邮政广州市分公司'),
  '0201': owner('department', 'transport', '广州市交通运输局'),
  '0203': owner('department', 'transport', '广州市交通运输局'),
  '0205': owner('department', 'city_mgmt', '广州市市政设施维修中心'),
  '0206': owner('department', 'city_mgmt', '广州市市政设施维修中心'),
  '0209': owner('department', 'police', '广州市公安局交通警察支队'),
  '0211': owner('department', 'police', '广州市公安局交通警察支队'),
  '0213': owner('department', 'land', '广州市规划和自然资源局'),
  '0214': owner('department', 'police', '广州市公安局交通警察支队'),
  '0401': owner('department', 'greening', '广州市林业和园林局'),
  '0402': owner('department', 'greening', '广州市林业和园林局'),
  '0405': owner('department', 'greening', '广州市林业和园林局'),
  '0406': owner('department', 'greening', '广州市林业和园林局'),
  '0407': owner('department', 'greening', '广州市林业和园林局'),
  '0502': owner('department', 'housing', '广州市人民防空办公室'),
}
/** The owner of a component subclass; subclasses without a named owner belong to the territory. */
export const componentOwner = (major: string, sub: string): ComponentOwner => COMPONENT_OWNERS[`${major}${sub}`] ?? TERRITORY

export function codesOf(table: readonly { code: string }[]): string[] {
  return table.map((r) => r.code)
}

export function isCode(table: readonly { code: string }[], code: string): boolean {
  return table.some((r) => r.code === code)
}

export function componentSubclass(major: string, sub: string) {
  return COMPONENT_CLASSES.find((c) => c.code === major)?.subclasses.find((s) => s.code === sub)
}

/** All code tables by name, for GET /api/v1/codes. */
/** GB/T 4754 industry sections A–T. */
export const INDUSTRY_SECTIONS = [
  'A',
  'B',
  'C',
  'D',
  'E',
  'F',
  'G',
  'H',
  'I',
  'J',
  'K',
  'L',
  'M',
  'N',
  'O',
  'P',
  'Q',
  'R',
  'S',
  'T',
] as const

/** The sections named (GB/T 4754-2017 门类). */
export const INDUSTRY = t([
  ['A', '农、林、牧、渔业', 'agriculture, forestry, animal husbandry and fishery'],
  ['B', '采矿业', 'mining'],
  ['C', '制造业', 'manufacturing'],
  ['D', '电力、热力、燃气及水生产和供应业', 'electricity, heat, gas and water'],
  ['E', '建筑业', 'construction'],
  ['F', '批发和零售业', 'wholesale and retail'],
  ['G', '交通运输、仓储和邮政业', 'transport, storage and post'],
  ['H', '住宿和餐饮业', 'accommodation and catering'],
  ['I', '信息传输、软件和信息技术服务业', 'information and software services'],
  ['J', '金融业', 'finance'],
  ['K', '房地产业', 'real estate'],
  ['L', '租赁和商务服务业', 'leasing and business services'],
  ['M', '科学研究和技术服务业', 'research and technical services'],
  ['N', '水利、环境和公共设施管理业', 'water, environment and public facilities'],
  ['O', '居民服务、修理和其他服务业', 'residents’ services and repair'],
  ['P', '教育', 'education'],
  ['Q', '卫生和社会工作', 'health and social work'],
  ['R', '文化、体育和娱乐业', 'culture, sports and entertainment'],
  ['S', '公共管理、社会保障和社会组织', 'public administration and social organizations'],
  ['T', '国际组织', 'international organizations'],
])

export const CODE_TABLES = {
  sex: SEX,
  ethnicity: ETHNICITY,
  populationType: POPULATION_TYPE,
  relationToHead: RELATION_TO_HEAD,
  maritalStatus: MARITAL_STATUS,
  education: EDUCATION,
  employment: EMPLOYMENT,
  migrantReason: MIGRANT_REASON,
  permitType: PERMIT_TYPE,
  residenceType: RESIDENCE_TYPE,
  personStatus: PERSON_STATUS,
  careTag: CARE_TAG,
  healthFlag: HEALTH_FLAG,
  specialGroup: SPECIAL_GROUP,
  riskLevel: RISK_LEVEL,
  buildingUse: BUILDING_USE,
  householdKind: HOUSEHOLD_KIND,
  dwellingUse: DWELLING_USE,
  occupancy: OCCUPANCY,
  hazardType: HAZARD_TYPE,
  orgType: ORG_TYPE,
  orgStatus: ORG_STATUS,
  componentState: COMPONENT_STATE,
  dataSource: DATA_SOURCE,
  industry: INDUSTRY,
} as const
