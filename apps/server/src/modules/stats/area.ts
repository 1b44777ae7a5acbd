// Whether a statistics area exists: a region (district, street, community) or a grid — the two
// tables the figures of a region subtree can be asked for.
import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import { statsRepository } from './stats.repository.js'

export const areaExists = (db: Kysely<DB>, code: string): Promise<boolean> => statsRepository.areaExists(db, code)
