// What the roster's use cases share (assignments.ts, pairs.ts, leaves.ts).
import { beijingDate } from '@wangge/domain'
import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import type { RosterRepository } from './roster.repository.js'

export interface RosterContext {
  db: Kysely<DB>
  repo: RosterRepository
  /** Grants changed: cached principals must be rebuilt. */
  invalidate: () => void
  clock: () => Date
}

export const notFound = (what: string, code: string | number) => () =>
  new AppError('NOT_FOUND', `No ${what} ${code}`, { [what]: code })

/** Today's date in Beijing. */
export const today = (ctx: RosterContext) => beijingDate(ctx.clock())
