// A moment as people in Guangzhou read it: Beijing time, 24-hour clock, in the UI's language.
import type { Lang } from './i18n'

export const beijingTime = (iso: string | null | undefined, lang: Lang) =>
  iso ? new Date(iso).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', { timeZone: 'Asia/Shanghai', hour12: false }) : '—'
