// One person's eligibility for every item (issue 21: "incremental re-evaluation of one changed
// person < 10 ms"), alone, on a database the services benchmark already prepared (no records laid
// down again). Each round: 1,000 random persons as they are (cold pages on a city that does not fit
// in memory), then 1,000 random persons each re-evaluated right after a change to their record
// (what the incremental re-evaluation is: the person just written).
//   WANGGE_TEST_DATABASE_URL=… npx tsx bench/services-person.ts [--people 1000] [--rounds 2]
import { parseArgs } from 'node:util'
import { sql } from 'kysely'
import { createCaseServices } from '../apps/server/src/modules/cases/index.js'
import { createServicesService } from '../apps/server/src/modules/services/index.js'
import { openBenchDatabase } from './bench-db.js'

const { values } = parseArgs({
  options: {
    people: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '2' },
    'data-dir': { type: 'string' },
  },
})
const database = await openBenchDatabase(values['data-dir'])
const db = database.db
const { cases, settings } = await createCaseServices({ db, clock: () => new Date() })
const services = createServicesService({ db, cases, calendar: async () => (await settings.current()).calendar })
await services.seed()
for (let round = 1; round <= Number(values.rounds); round++) {
  // Spread over the whole table (not one sampled block of pages): random ids below the largest.
  const max = Number((await sql<{ m: string }>`select max(id) as m from persons`.execute(db)).rows[0]?.m)
  const ids = Array.from({ length: Number(values.people) }, () => 1 + Math.floor(Math.random() * max))
  for (const changed of [false, true]) {
    const times: number[] = []
    for (const id of ids.map((x) => (changed ? ((x * 7919) % max) + 1 : x))) {
      if (changed) await sql`update persons set updated_at = now() where id = ${id}`.execute(db)
      const s = performance.now()
      await services.eligibilityOf(id).catch(() => undefined)
      times.push(performance.now() - s)
    }
    times.sort((a, b) => a - b)
    const q = (f: number) => (times[Math.min(times.length - 1, Math.floor(f * times.length))] as number).toFixed(2)
    console.log(
      `round ${round}: one person's eligibility, ${times.length} random persons ${changed ? 'just changed' : 'as they are'}: p50 ${q(0.5)} ms, p99 ${q(0.99)} ms`,
    )
  }
}
await database.close()
