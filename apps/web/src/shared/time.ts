// A moment as people in Guangzhou read it: Beijing time, 24-hour clock, in the UI's language.
import type { Lang } from './i18n'

export const beijingTime = (iso: string | null | undefined, lang: Lang) =>
  iso ? new Date(iso).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', { timeZone: 'Asia/Shanghai', hour12: false }) : '—'

/** Today's date in Beijing (YYYY-MM-DD): at 05:20 Beijing the UTC date is still yesterday. */
export const beijingToday = (now = new Date()) => new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10)
