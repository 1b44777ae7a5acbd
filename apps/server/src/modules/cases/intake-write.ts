// Intake's grouped write: reports arriving while a write is in flight go together in the next
// transaction (numbers for every subclass-day in one upsert, multi-row inserts, one audit append,
// one duplicate query), so the database sees a few statements per batch instead of per report.
import { caseNumber } from '@wangge/domain'
import type { Insertable, Kysely } from 'kysely'
import type { CasesTable, DB } from '../../db/schema.js'
import { audit } from '../access/index.js'
import type { Row } from './case-model.js'
import type { CaseSettings } from './case-settings.service.js'
import { insertCases, insertSteps, reserveNumbers } from './cases.repository.js'
import { type Duplicate, duplicatesOfMany } from './duplicates.js'

/** A checked report waiting for its batch. */
export interface Pending {
  values: Insertable<CasesTable>
  photos: number[]
  audit: { actor: string; scope: string; requestId: string | undefined; clientIp: string | undefined }
  settings: CaseSettings
}

/** A written report (`row` undefined: its client id was committed meanwhile) and its duplicates to come. */
export type Written = { row: Row | undefined; duplicates: Promise<Duplicate[]> }

const prefixOf = (v: Insertable<CasesTable>) => caseNumber(v.catalog_code, new Date(v.reported_at as Date), 1).slice(0, 13)

/** Numbers first, in a statement of their own (a failed write leaves a gap in the numbers, never a
 *  duplicate); then the cases numbered in arrival order. */
async function numbered(db: Kysely<DB>, items: readonly Pending[]) {
  const counts = new Map<string, number>()
  for (const prefix of items.map((it) => prefixOf(it.values))) counts.set(prefix, (counts.get(prefix) ?? 0) + 1)
  const seqs = await reserveNumbers(db, counts)
  const next = new Map(seqs.map((r) => [r.prefix, r.last - (counts.get(r.prefix) ?? 0)]))
  return items.map((it) => {
    const prefix = prefixOf(it.values)
    const n = (next.get(prefix) ?? 0) + 1
    next.set(prefix, n)
    return { ...it.values, number: caseNumber(it.values.catalog_code, new Date(it.values.reported_at as Date), n) }
  })
}

/** One batch of reports: the cases, their first steps and audit entries in one transaction. */
export async function writeReports(db: Kysely<DB>, items: readonly Pending[]): Promise<Written[]> {
  const values = await numbered(db, items)
  const rows = await db.transaction().execute(async (trx) => {
    const byNumber = new Map((await insertCases(trx, values)).map((r) => [r.number, r]))
    const ordered = values.map((v) => byNumber.get(v.number) as Row)
    await insertSteps(
      trx,
      ordered.map((r, i) => ({
        case_id: Number(r.id),
        at: r.reported_at,
        action: 'report',
        from_status: null,
        to_status: 'reported',
        actor: r.reporter,
        note: r.description,
        details: { source: r.source },
        attachments: items[i]?.photos ?? [],
      })),
    )
    await audit(
      trx,
      ordered.map((r, i) => ({
        actor: items[i]?.audit.actor as string,
        action: 'case.report',
        objectType: 'case',
        objectId: Number(r.id),
        scope: items[i]?.audit.scope,
        requestId: items[i]?.audit.requestId,
        clientIp: items[i]?.audit.clientIp,
        details: { number: r.number, catalog: r.catalog_code, source: r.source },
      })),
    )
    return ordered
  })
  // The duplicate query runs after the write has given its slot to the next batch.
  const dups = duplicatesOfMany(db, rows, items[0]?.settings as CaseSettings)
  dups.catch(() => undefined)
  return rows.map((row, i) => ({ row, duplicates: dups.then((d) => d[i] ?? []) }))
}
