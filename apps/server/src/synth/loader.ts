// Bulk loader for generated data: one transaction, all or nothing.
//  - The generator runs in a worker thread (generate-worker.ts) and streams COPY text; this thread
//    writes it — generation and database work overlap on the two cores.
//  - Inside the transaction, foreign-key triggers are off (session_replication_role = replica,
//    where the role may set it) and the non-unique indexes of the loaded tables are dropped and
//    rebuilt at the end: an order of magnitude faster than row-by-row checks. Integrity is then
//    verified by anti-joins before COMMIT, so a broken reference still aborts the whole load.
//  - Killing the process mid-load leaves nothing behind: the transaction, with its data_loads row,
//    never commits. Rerunning with the same preset and seed finds the committed load and skips;
//    `replace` deletes earlier generated data in the same transaction.
import { Worker } from 'node:worker_threads'
import { sql } from 'kysely'
import type pg from 'pg'
import type { Database } from '../db/database.js'
import { readRegionDataset } from '../modules/regions/index.js'
import type { WorkerInput, WorkerMessage } from './generate-worker.js'
import { plan } from './generator.js'
import type { Preset } from './profiles.js'
import { COLUMNS, TABLES, type TableName } from './rows.js'

export interface LoadProgress {
  communities: number
  totalCommunities: number
  persons: number
}

export interface LoadOptions {
  preset: Preset
  seed: string
  city: string
  replace?: boolean
  onProgress?: (p: LoadProgress) => void
  /** Test hook: called after each chunk is written, e.g. to simulate a crash mid-load. */
  afterChunk?: (chunks: number) => void | Promise<void>
  flushRows?: number
}

export interface LoadResult {
  loaded: boolean
  loadId: number
  counts: Record<TableName, number>
  ms: number
  fastPath: boolean
}

export async function findLoad(database: Database, preset: string, seed: string) {
  return database.db
    .selectFrom('data_loads')
    .select(['id', 'counts', 'finished_at'])
    .where('kind', '=', 'generator')
    .where(sql<boolean>`params ->> 'preset' = ${preset}`)
    .where(sql<boolean>`params ->> 'seed' = ${seed}`)
    .executeTakeFirst()
}

/** References the loader vouches for before COMMIT (the FK triggers were off): generated rows
 *  only reference rows of the same load, whose ids are the dense range base+1 … base+count. */
const CHECKS = [
  ['dwellings', 'building_id', 'buildings'],
  ['households', 'dwelling_id', 'dwellings'],
  ['households', 'head_person_id', 'persons'],
  ['persons', 'household_id', 'households'],
  ['persons', 'dwelling_id', 'dwellings'],
  ['special_group_records', 'person_id', 'persons'],
  ['organizations', 'building_id', 'buildings'],
] as const

async function verify(
  client: pg.PoolClient,
  loadId: number,
  bases: Record<TableName, number>,
  counts: Record<TableName, number>,
) {
  for (const t of TABLES) {
    const r = await client.query<{ n: number; lo: string | null; hi: string | null }>(
      `select count(*)::int as n, min(id) as lo, max(id) as hi from ${t} where load_id = $1`,
      [loadId],
    )
    const row = r.rows[0]
    if (row?.n !== counts[t] || (counts[t] && (Number(row.lo) !== bases[t] + 1 || Number(row.hi) !== bases[t] + counts[t])))
      throw new Error(`load ${loadId}: ${t} ids are not the dense range the generator assigned`)
    const orphanRegions = await client.query(
      `select distinct community_code from ${t} where load_id = $1 except select code from regions`,
      [loadId],
    )
    if (orphanRegions.rowCount) throw new Error(`load ${loadId}: ${t} references unknown communities`)
  }
  for (const [table, column, target] of CHECKS) {
    const r = await client.query<{ n: number }>(
      `select count(*)::int as n from ${table} where load_id = $1 and ${column} is not null and ${column} not between $2 and $3`,
      [loadId, bases[target] + 1, bases[target] + counts[target]],
    )
    if (r.rows[0]?.n)
      throw new Error(`load ${loadId}: ${r.rows[0].n} rows of ${table}.${column} reference no ${target} of this load`)
  }
}

export async function loadSynthetic(database: Database, opts: LoadOptions): Promise<LoadResult> {
  const t0 = Date.now()
  const existing = await findLoad(database, opts.preset.name, opts.seed)
  if (existing && !opts.replace)
    return {
      loaded: false,
      loadId: Number(existing.id),
      counts: existing.counts as Record<TableName, number>,
      ms: 0,
      fastPath: false,
    }
  const totalCommunities = plan(opts.preset, readRegionDataset(opts.city), opts.seed).communities.length
  return database.withClient(async (client, copyIn) => {
    await client.query('begin')
    try {
      if (opts.replace) {
        for (const t of [...TABLES].reverse())
          await client.query(`delete from ${t} where load_id in (select id from data_loads where kind = 'generator')`)
        await client.query(`delete from data_loads where kind = 'generator'`)
        // Run the deferred checks the deletes queued: indexes cannot be rebuilt with events pending.
        await client.query('set constraints all immediate')
        await client.query('set constraints all deferred')
      }
      const { rows } = await client.query<{ id: string }>(
        `insert into data_loads (source, kind, params) values ('generator', 'generator', $1) returning id`,
        [
          JSON.stringify({
            preset: opts.preset.name,
            scope: opts.preset.scope,
            households: opts.preset.households,
            seed: opts.seed,
          }),
        ],
      )
      const loadId = Number(rows[0]?.id)
      const bases = {} as Record<TableName, number>
      for (const t of TABLES)
        bases[t] = Number((await client.query<{ m: string | null }>(`select max(id) as m from ${t}`)).rows[0]?.m ?? 0)

      const fastPath = await tryQuery(client, 'set local session_replication_role = replica')
      const indexes = (
        await client.query<{ indexname: string; indexdef: string }>(
          `select indexname, indexdef from pg_indexes where schemaname = current_schema() and tablename = any($1) and indexdef not like 'CREATE UNIQUE%'`,
          [TABLES],
        )
      ).rows
      for (const i of indexes) await client.query(`drop index ${i.indexname}`)

      const counts = Object.fromEntries(TABLES.map((t) => [t, 0])) as Record<TableName, number>
      let chunks = 0
      await runWorker(
        { preset: opts.preset, seed: opts.seed, city: opts.city, loadId, bases, flushRows: opts.flushRows ?? 120_000 },
        async (m) => {
          for (const t of TABLES) {
            if (m.counts[t]) await copyIn(t, COLUMNS[t], m.texts[t])
            counts[t] += m.counts[t]
          }
          opts.onProgress?.({ communities: m.communities, totalCommunities, persons: m.persons })
          await opts.afterChunk?.(++chunks)
        },
      )
      const phase = (name: string) => process.env.WANGGE_LOAD_DEBUG && console.log(`[load] ${name} at ${Date.now() - t0} ms`)
      phase('copied')
      for (const i of indexes) {
        const ti = Date.now()
        await client.query(i.indexdef)
        if (process.env.WANGGE_LOAD_DEBUG) console.log(`[load]   ${i.indexdef.split(' ON ')[0]} ${Date.now() - ti} ms`)
      }
      phase('indexed')
      if (fastPath) {
        await client.query('set local session_replication_role = origin')
        await verify(client, loadId, bases, counts)
        phase('references verified')
        // The copy ran without triggers: the population rollups are recounted once.
        await client.query('select population_counts_rebuild()')
      }
      phase('verified')
      for (const t of TABLES)
        await client.query(`select setval(pg_get_serial_sequence('${t}', 'id'), greatest((select max(id) from ${t}), 1))`)
      await client.query(`update data_loads set counts = $1, finished_at = now() where id = $2`, [JSON.stringify(counts), loadId])
      await client.query('commit')
      phase('committed')
      for (const t of TABLES) await client.query(`analyze ${t}`)
      phase('analyzed')
      return { loaded: true, loadId, counts, ms: Date.now() - t0, fastPath }
    } catch (err) {
      await client.query('rollback').catch(() => {})
      throw err
    }
  })
}

/** Runs a statement inside a savepoint; false (and the transaction intact) when it is refused. */
async function tryQuery(client: pg.PoolClient, text: string): Promise<boolean> {
  await client.query('savepoint try_query')
  try {
    await client.query(text)
    await client.query('release savepoint try_query')
    return true
  } catch {
    await client.query('rollback to savepoint try_query')
    return false
  }
}

function runWorker(input: WorkerInput, onChunk: (m: Extract<WorkerMessage, { type: 'chunk' }>) => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./generate-worker.boot.mjs', import.meta.url), {
      workerData: input,
      // The live set is the ID registry (~270 MB for the whole city) and one chunk: a bounded heap
      // makes V8 collect garbage early instead of growing the process past 2 GB.
      resourceLimits: { maxOldGenerationSizeMb: 1536 },
    })
    let queue = Promise.resolve()
    let failed = false
    const fail = (err: unknown) => {
      if (failed) return
      failed = true
      void worker.terminate()
      reject(err)
    }
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'error') return fail(new Error(`generator: ${m.message}`))
      queue = queue
        .then(async () => {
          if (failed) return
          if (m.type === 'chunk') {
            await onChunk(m)
            worker.postMessage({ type: 'ack' })
          } else {
            failed = true // settled: the exit that terminate() causes is expected
            await worker.terminate()
            resolve()
          }
        })
        .catch(fail)
    })
    worker.on('error', fail)
    worker.on('exit', (code) => {
      if (code !== 0 && !failed) fail(new Error(`generator worker exited with ${code}`))
    })
  })
}
