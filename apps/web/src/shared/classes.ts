// The catalog's classes by the key the statistics and the case filter use: kind letter + class
// number (`E01` 市容环境, `C01` 公用设施, `S01` …), named in both languages.
import { COMPONENT_CLASSES } from '@wangge/domain/codes'
import { EVENT_CLASSES, SERVICE_CLASSES } from '@wangge/domain/event-catalog'

export const CLASS_NAMES = new Map<string, { zh: string; en: string }>([
  ...EVENT_CLASSES.map((c) => [`E${c.code}`, c] as const),
  ...COMPONENT_CLASSES.map((c) => [`C${c.code}`, c] as const),
  ...SERVICE_CLASSES.map((c) => [`S${c.code}`, c] as const),
])
