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
  /** Each phase's end, in ms since the start: copied (generated and written), indexed, analyzed,
   *  checked (references), recounted (the statistics), committed. */
  onPhase?: (phase: string, ms: number) => void
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
      // On a server: memory for the index builds (sorted in memory, and by parallel workers) and
      // for the recount's joins and aggregates, so that none of them spills to disk.
      if (database.engine === 'postgres')
        await client.query(`set local maintenance_work_mem = '1GB'; set local work_mem = '256MB'`)
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
      const freeze = await truncateIfEmpty(client)
      // Every index but the primary keys goes, and comes back after the COPY: building an index
      // over sorted input is far cheaper than inserting 16.8M random ID numbers one by one. The
      // unique constraints are added back the same way (no foreign key references them), so a
      // duplicate still aborts the load.
      const indexes = (
        await client.query<{ indexname: string; indexdef: string }>(
          `select indexname, indexdef from pg_indexes i where schemaname = current_schema() and tablename = any($1)
             and not exists (select 1 from pg_constraint c where c.conindid = format('%I.%I', i.schemaname, i.indexname)::regclass)`,
          [TABLES],
        )
      ).rows
      const uniques = (
        await client.query<{ tablename: string; conname: string; def: string }>(
          `select conrelid::regclass::text as tablename, conname, pg_get_constraintdef(oid) as def
             from pg_constraint where contype = 'u' and conrelid = any($1::regclass[]) order by conname`,
          [TABLES],
        )
      ).rows
      for (const i of indexes) await client.query(`drop index ${i.indexname}`)
      for (const u of uniques) await client.query(`alter table ${u.tablename} drop constraint ${u.conname}`)

      const counts = Object.fromEntries(TABLES.map((t) => [t, 0])) as Record<TableName, number>
      let chunks = 0
      await runWorker(
        { preset: opts.preset, seed: opts.seed, city: opts.city, loadId, bases, flushRows: opts.flushRows ?? 120_000 },
        async (m) => {
          for (const t of TABLES) {
            if (m.counts[t]) await copyIn(t, COLUMNS[t], m.texts[t], { freeze })
            counts[t] += m.counts[t]
          }
          opts.onProgress?.({ communities: m.communities, totalCommunities, persons: m.persons })
          await opts.afterChunk?.(++chunks)
        },
      )
      const phase = (name: string) => {
        opts.onPhase?.(name, Date.now() - t0)
        if (process.env.WANGGE_LOAD_DEBUG) console.log(`[load] ${name} at ${Date.now() - t0} ms`)
      }
      phase('copied')
      const rebuild = [
        ...indexes.map((i) => i.indexdef),
        ...uniques.map((u) => `alter table ${u.tablename} add constraint ${u.conname} ${u.def}`),
      ]
      for (const statement of rebuild) {
        const ti = Date.now()
        await client.query(statement)
        if (process.env.WANGGE_LOAD_DEBUG) console.log(`[load]   ${statement.split(' USING ')[0]} ${Date.now() - ti} ms`)
      }
      phase('indexed')
      // The planner's statistics before the checks and the recount read the new rows (without
      // them, every table of a first load looks empty and the recount runs nested loops).
      for (const t of TABLES) await client.query(`analyze ${t}`)
      phase('analyzed')
      if (fastPath) {
        await client.query('set local session_replication_role = origin')
        await verify(client, loadId, bases, counts)
        phase('checked')
        // The copy ran without triggers: the population rollups are recounted once.
        await client.query('select population_counts_rebuild()')
      }
      phase('recounted')
      for (const t of TABLES)
        await client.query(`select setval(pg_get_serial_sequence('${t}', 'id'), greatest((select max(id) from ${t}), 1))`)
      await client.query(`update data_loads set counts = $1, finished_at = now() where id = $2`, [JSON.stringify(counts), loadId])
      await client.query('commit')
      phase('committed')
      return { loaded: true, loadId, counts, ms: Date.now() - t0, fastPath }
    } catch (err) {
      await client.query('rollback').catch(() => {})
      throw err
    }
  })
}

/**
 * A first load: when the loaded tables and every table that refers to them (transitively) are
 * empty, they are truncated in this transaction, so that COPY may write the rows frozen and
 * all-visible (COPY FREEZE): the index-only scans that count persons and households per dwelling
 * then work at once, where a fresh load's rows needed a VACUUM first (the city's first partition
 * waited 106 s for its streets' reads instead of 25 s), and no later reader rewrites the pages to
 * set hint bits. Nothing else changes: the tables were empty, and the truncation is undone with
 * the load.
 */
async function truncateIfEmpty(client: pg.PoolClient): Promise<boolean> {
  const { rows } = await client.query<{ t: string }>(
    `with recursive refs(t) as (
       select unnest($1::regclass[])
       union
       select c.conrelid::regclass from pg_constraint c join refs on c.confrelid = refs.t where c.contype = 'f'
     ) select t::text from refs`,
    [TABLES],
  )
  for (const { t } of rows) {
    const r = await client.query(`select 1 from ${t} limit 1`)
    if (r.rowCount) return false
  }
  return tryQuery(client, `truncate ${rows.map((r) => r.t).join(', ')}`)
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
      resourceLimits: { maxOldGenerationSizeMb: 1536, maxYoungGenerationSizeMb: 64 },
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
