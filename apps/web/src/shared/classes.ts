// The catalog's classes by the key the statistics and the case filter use: kind letter + class
// number (`E01` 市容环境, `C01` 公用设施, `S01` …), named in both languages.
import { COMPONENT_CLASSES } from '@wangge/domain/codes'
import { EVENT_CLASSES, SERVICE_CLASSES } from '@wangge/domain/event-catalog'

export const CLASS_NAMES = new Map<string, { zh: string; en: string }>([
  ...EVENT_CLASSES.map((c) => [`E${c.code}`, c] as const),
  ...COMPONENT_CLASSES.map((c) => [`C${c.code}`, c] as const),
  ...SERVICE_CLASSES.map((c) => [`S${c.code}`, c] as const),
])

/** Population types (实有人口 by type), as the statistics key them. */
export const TYPE_LABELS: Record<string, [string, string]> = {
  registered: ['户籍人口', 'registered'],
  migrant: ['流动人口', 'migrant'],
  foreign: ['境外人员', 'foreign'],
  left_behind: ['留守人员', 'left behind'],
}
