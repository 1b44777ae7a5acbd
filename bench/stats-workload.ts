// A randomized population workload for the statistics benchmark: births and new migrants (into
// existing households), deaths, moves to another household in another grid or community, care-tag
// changes — in statements of 20 changes each (the triggers run per statement, as for a batch of
// door-to-door updates), each in its own transaction. Deterministic for a given seed.
import { makeIdNumber } from '@wangge/domain'
import { createRng } from '@wangge/geo'
import { type Kysely, sql } from 'kysely'
import type { DB } from '../apps/server/src/db/schema.js'

const KINDS = [
  ['birth', 0.2],
  ['death', 0.15],
  ['move', 0.35],
  ['migrant', 0.15],
  ['tag', 0.15],
] as const
type Kind = (typeof KINDS)[number][0]
const BATCH = 20

export async function populationWorkload(db: Kysely<DB>, changes: number, seed = 20261127) {
  const rng = createRng(seed)
  const max = async (table: 'persons' | 'households') =>
    Number((await sql<{ m: string }>`select max(id) as m from ${sql.table(table)}`.execute(db)).rows[0]?.m ?? 0)
  const maxPerson = await max('persons')
  const maxHousehold = await max('households')
  const ids = (n: number, top: number) => Array.from({ length: n }, () => 1 + Math.floor(rng() * top))
  const kinds: Record<Kind, number> = { birth: 0, death: 0, move: 0, migrant: 0, tag: 0 }
  let seq = 0
  const t0 = performance.now()
  for (let done = 0; done < changes; done += BATCH) {
    const n = Math.min(BATCH, changes - done)
    // A kind by its weight: the first whose cumulative weight passes the draw.
    const draw = rng()
    let cumulative = 0
    const kind = (KINDS.find(([, w]) => {
      cumulative += w
      return draw < cumulative
    }) ?? KINDS[0])[0]
    kinds[kind] += n
    switch (kind) {
      case 'birth':
      case 'migrant': {
        const households = ids(n, maxHousehold)
        const numbers = households.map(() => {
          seq++
          const day = new Date(Date.UTC(kind === 'birth' ? 2026 : 1990, 0, 1) + (seq % 300) * 86_400_000)
          return makeIdNumber('449900', day.toISOString().slice(0, 10), Math.floor(seq / 300) % 1000)
        })
        await sql`
          insert into persons (id_number, name, name_initials, sex, birth_date, ethnicity, population_type,
            household_id, dwelling_id, community_code, grid_code, source, updated_by)
          select m.id_number, '新生', 'XS', case when m.i % 2 = 0 then '1' else '2' end,
            (substr(m.id_number, 7, 4) || '-' || substr(m.id_number, 11, 2) || '-' || substr(m.id_number, 13, 2))::date,
            '01', ${kind === 'birth' ? 'registered' : 'migrant'}, h.id, h.dwelling_id, h.community_code, h.grid_code,
            'bench', 'bench'
          from unnest(${households}::bigint[], ${numbers}::text[]) with ordinality m(household_id, id_number, i)
          join households h on h.id = m.household_id
          on conflict (id_number) do nothing`.execute(db)
        break
      }
      case 'death':
        await sql`update persons set status = 'deceased', version = version + 1
          where id = any(${ids(n, maxPerson)}::bigint[]) and status = 'active'`.execute(db)
        break
      case 'move':
        await sql`
          update persons p set household_id = h.id, dwelling_id = h.dwelling_id, community_code = h.community_code,
            version = p.version + 1
          from unnest(${ids(n, maxPerson)}::bigint[], ${ids(n, maxHousehold)}::bigint[]) m(person_id, household_id)
          join households h on h.id = m.household_id
          where p.id = m.person_id`.execute(db)
        break
      case 'tag':
        await sql`update persons set version = version + 1,
            care_tags = case when care_tags = '{}' then array['elderly_alone'] else '{}' end
          where id = any(${ids(n, maxPerson)}::bigint[])`.execute(db)
        break
    }
  }
  return { changes, kinds, ms: performance.now() - t0 }
}
