import { fileURLToPath } from 'node:url'

/** Repository root (apps/server/src/kernel → ../../../..). Reference data lives in <root>/data. */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url))
export const DATA_ROOT = fileURLToPath(new URL('../../../../data/', import.meta.url))
