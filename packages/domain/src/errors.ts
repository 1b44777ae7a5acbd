// The error catalog: every stable error code the API answers, its HTTP status and what to tell a
// person in zh-CN and English. The server maps codes to statuses from here (kernel/errors.ts,
// http/error-handler.ts); the web app shows the text for the code (the server's own `message` is
// English detail for developers and logs). `details` carries the parameters.
export const ERROR_CATALOG = {
  VALIDATION_FAILED: { status: 400, zh: '输入内容有误', en: 'Some input is invalid' },
  MALFORMED_JSON: { status: 400, zh: '请求内容不是有效的 JSON', en: 'The request body is not valid JSON' },
  BAD_REQUEST: { status: 400, zh: '请求有误', en: 'Bad request' },
  INVALID_TEXT: { status: 400, zh: '文字中含有无法保存的字符', en: 'The text holds a character that cannot be stored' },
  INVALID_REGION_CODE: { status: 400, zh: '区划代码应为 4、6、9 或 12 位数字', en: 'A region code has 4, 6, 9 or 12 digits' },
  INVALID_GRID_CODE: { status: 400, zh: '网格代码应为 15 位数字', en: 'A grid code has 15 digits' },
  UNAUTHENTICATED: { status: 401, zh: '请先登录', en: 'Please sign in' },
  INVALID_CREDENTIALS: { status: 401, zh: '用户名或密码错误', en: 'Wrong username or password' },
  CSRF_FAILED: { status: 403, zh: '页面已过期，请刷新后重试', en: 'The page has expired; reload and try again' },
  FORBIDDEN: { status: 403, zh: '没有执行此操作的权限', en: 'You are not allowed to do this' },
  FIELD_NOT_OWNED: {
    status: 403,
    zh: '这些字段由其他部门负责提供，不能由本数据集写入',
    en: 'Another department answers for these fields',
  },
  NOT_FOUND: { status: 404, zh: '记录不存在或不在您的管辖范围内', en: 'Not found, or outside your area' },
  ROUTE_NOT_FOUND: { status: 404, zh: '接口不存在', en: 'No such API route' },
  REGION_NOT_FOUND: { status: 404, zh: '区划不存在或不在您的管辖范围内', en: 'No such region in your area' },
  GRID_NOT_FOUND: { status: 404, zh: '网格不存在或不在您的管辖范围内', en: 'No such grid in your area' },
  OUTSIDE_COVERAGE: { status: 404, zh: '该位置不在任何社区范围内', en: 'The place is outside every community' },
  METHOD_NOT_ALLOWED: { status: 405, zh: '不支持此请求方式', en: 'Method not allowed' },
  INVALID_TRANSITION: { status: 409, zh: '案件当前状态下不能执行此操作', en: 'This step is not possible in the case’s state' },
  EXTENSION_PENDING: { status: 409, zh: '已有待审批的延期申请', en: 'An extension request is already pending' },
  CONFLICT: { status: 409, zh: '与同时进行的修改冲突，请重试', en: 'A concurrent change conflicted; try again' },
  VERSION_CONFLICT: { status: 409, zh: '数据已被他人修改，请刷新后重试', en: 'Someone else changed this; reload and try again' },
  DUPLICATE: { status: 409, zh: '已存在相同的记录', en: 'The same record exists already' },
  ROSTER_POLICY: { status: 409, zh: '不符合网格员配备规则', en: 'Against the roster policy' },
  ALREADY_PAIRED: { status: 409, zh: '网格已有 A/B 角搭档', en: 'The grid is paired already' },
  NO_PARTNER: { status: 409, zh: '没有可顶岗的搭档', en: 'No partner to cover' },
  LEAVE_OVERLAP: { status: 409, zh: '与已有的请假时间重叠', en: 'Overlaps another leave' },
  DELIVERY_KEY_REUSED: { status: 409, zh: '该交换批次号已用于其他内容', en: 'This delivery id was used for other content' },
  FIELD_GROUP_OWNED: { status: 409, zh: '该字段组已由其他数据集负责', en: 'Another dataset answers for this field group' },
  REFERENCE_NOT_FOUND: { status: 409, zh: '引用的记录不存在或仍被引用', en: 'A referenced record is missing or still in use' },
  PAYLOAD_TOO_LARGE: { status: 413, zh: '提交的内容过大', en: 'The request is too large' },
  UNSUPPORTED_FILE: {
    status: 415,
    zh: '无法读取该文件（支持 CSV、xlsx、JSON Lines）',
    en: 'The file cannot be read (CSV, xlsx or JSON Lines)',
  },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, zh: '不支持的内容类型', en: 'Unsupported content type' },
  INVALID_ADJUSTMENT: { status: 422, zh: '无法进行此网格调整', en: 'This grid adjustment is not possible' },
  RETURN_WINDOW_CLOSED: { status: 422, zh: '已超过可退回的期限', en: 'Too late to return the case' },
  EXTENSION_TOO_LATE: { status: 422, zh: '延期须在期限届满前申请', en: 'An extension must be asked before the deadline' },
  EVIDENCE_REQUIRED: { status: 422, zh: '此步骤需要上传照片', en: 'This step needs photos' },
  SELF_HANDLE_NOT_ALLOWED: { status: 422, zh: '此类问题不能自行处置', en: 'This class may not be self-handled' },
  CATALOG_INACTIVE: { status: 422, zh: '该事项已停用', en: 'This class is no longer in use' },
  NOT_ELIGIBLE: { status: 422, zh: '申请人不符合该事项的办理条件', en: 'The applicant does not meet this item’s conditions' },
  MATERIALS_MISSING: {
    status: 422,
    zh: '还有材料未提交（共享数据未能核验的材料需上传或核验原件）',
    en: 'Some materials are missing (those the shared data cannot prove must be attached or seen)',
  },
  INVALID_SERVICE_ITEM: { status: 422, zh: '服务事项定义有误', en: 'The service item’s definition is invalid' },
  NO_ADDRESS: { status: 422, zh: '该居民没有登记居住地址', en: 'The resident has no registered dwelling' },
  INVALID_MERGE: { status: 422, zh: '不能合并这两个案件', en: 'These cases cannot be merged' },
  ATTACHMENT_INVALID: { status: 422, zh: '照片文件无效', en: 'The photo is not a valid image' },
  WEAK_PASSWORD: { status: 422, zh: '密码强度不够', en: 'The password is too weak' },
  NOT_ADJACENT: { status: 422, zh: '两个网格不相邻', en: 'The grids are not adjacent' },
  CHALLENGE_FAILED: { status: 422, zh: '人机验证未通过，请重试', en: 'The anti-robot check failed; try again' },
  PHONE_CODE_INVALID: { status: 422, zh: '短信验证码不正确或已过期', en: 'The SMS code is wrong or has expired' },
  CONSTRAINT_VIOLATION: { status: 422, zh: '数据不符合规则', en: 'A value breaks a rule' },
  ACCOUNT_LOCKED: { status: 423, zh: '账号已暂时锁定，请稍后再试', en: 'The account is locked for a while' },
  TOO_MANY_REQUESTS: { status: 429, zh: '操作过于频繁，请稍后再试', en: 'Too many requests; try again later' },
  INTERNAL: { status: 500, zh: '服务器内部错误', en: 'Internal server error' },
  DATABASE_UNAVAILABLE: { status: 503, zh: '数据库暂时不可用', en: 'The database is unavailable' },
  STORE_UNAVAILABLE: { status: 503, zh: '文件存储暂时不可用', en: 'The file store is unavailable' },
} as const satisfies Record<string, { status: number; zh: string; en: string }>

export type ErrorCode = keyof typeof ERROR_CATALOG

export const isErrorCode = (code: string): code is ErrorCode => Object.hasOwn(ERROR_CATALOG, code)

/** The parameters some codes carry in `details`, said in words. */
const DETAIL_TEXT: Partial<Record<ErrorCode, (d: Record<string, unknown>, lang: 'zh' | 'en') => string | undefined>> = {
  EVIDENCE_REQUIRED: (d, lang) =>
    typeof d.required === 'number' && typeof d.given === 'number'
      ? lang === 'zh'
        ? `（需要 ${d.required} 张，已有 ${d.given} 张）`
        : ` (${d.required} needed, ${d.given} given)`
      : undefined,
}

/** What to tell a person about an error answer: the code's text, and for invalid input the fields. */
export function errorMessage(code: string, details: unknown, lang: 'zh' | 'en'): string | undefined {
  if (!isErrorCode(code)) return undefined
  const text = ERROR_CATALOG[code][lang]
  const issues = (details as { issues?: { path?: unknown }[] } | undefined)?.issues
  const fields = Array.isArray(issues) ? [...new Set(issues.map((i) => String(i.path ?? '')).filter(Boolean))] : []
  if (fields.length) return `${text}${lang === 'zh' ? '：' : ': '}${fields.join(', ')}`
  const detail =
    details && typeof details === 'object' ? DETAIL_TEXT[code]?.(details as Record<string, unknown>, lang) : undefined
  return detail ? `${text}${detail}` : text
}
