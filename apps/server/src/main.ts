// read env once → open db → migrate → load reference data → build app → listen.
// With WANGGE_WORKERS > 1 (PostgreSQL only) this process is the primary: it migrates and seeds,
// then starts that many server processes sharing the port (node:cluster) — one per core — and
// restarts one that dies. Process-local caches stay coherent through the change bus.
import cluster from 'node:cluster'
import { buildApp } from './app.js'
import { boot, continueDemo, partitionDemo, pendingDemoPartition } from './boot.js'
import { type Config, ConfigError, loadConfig } from './config.js'
import { databaseOptions, openDatabase } from './db/database.js'
import { createChangeBus } from './kernel/change-bus.js'
import { createS3Store } from './kernel/object-store.js'

const log = { info: (m: string) => console.log(`[wangge] ${m}`) }

async function main() {
  let config: Config
  try {
    config = loadConfig()
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message)
      process.exit(78) // EX_CONFIG
    }
    throw err
  }
  if (cluster.isWorker) await serve(config, Number(process.env.WANGGE_WORKER_INDEX ?? 0))
  else if (config.workers > 1) await primary(config)
  else await serve(config)
}

/** One server process: alone (`index` undefined: it boots the database itself) or a cluster worker. */
async function serve(config: Config, index?: number) {
  const started = Date.now()
  const database = index === undefined ? await boot(config, log) : await openDatabase(databaseOptions(config))
  const bus = createChangeBus({ db: database.db, databaseUrl: database.primaryUrl, log: { warn: (o, m) => console.warn(m, o) } })
  const objects = config.s3Url ? createS3Store(config.s3Url) : undefined
  // (Jobs and the statistics drain run in one process of a cluster: the first.)
  const app = await buildApp({ config, database, runJobs: !index, bus, objects })
  let closing = false
  const shutdown = async (signal: string) => {
    if (closing) return
    closing = true
    app.log.info(`${signal}: shutting down`)
    await app.close()
    objects?.close()
    await bus.close()
    await database.close()
    process.exit(0)
  }
  process.on('SIGINT', () => void shutdown('SIGINT'))
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  await app.listen({ port: config.port, host: config.host })
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : config.port
  if (index !== undefined) {
    process.send?.({ type: 'listening', port })
    return
  }
  const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host
  log.info(`ready in ${Date.now() - started} ms: http://${shown}:${port}/ (API docs at /api/docs)`)
  const scope = await pendingDemoPartition(database)
  if (scope)
    partitionDemo(database, scope, log, bus).catch((err: unknown) =>
      app.log.error({ err }, 'demo partition failed; run `npx wangge grids partition` to retry'),
    )
  else
    continueDemo(database, log).catch((err: unknown) =>
      app.log.error({ err }, 'the demo’s feeds or windows failed; restart to try again'),
    )
}

/** The primary of a cluster: boots the database, runs the workers, restarts one that dies. */
async function primary(config: Config) {
  const started = Date.now()
  const database = await boot(config, log)
  const bus = createChangeBus({ db: database.db, databaseUrl: database.primaryUrl })
  let closing = false
  let listening = 0
  const start = (index: number) => {
    const worker = cluster.fork({ WANGGE_WORKER_INDEX: String(index) })
    let up = false
    worker.on('message', (m: { type?: string; port?: number }) => {
      if (m?.type !== 'listening' || up) return
      up = true
      if (++listening === config.workers) {
        const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host
        log.info(
          `ready in ${Date.now() - started} ms: http://${shown}:${m.port}/ (${config.workers} server processes; API docs at /api/docs)`,
        )
      }
    })
    worker.on('exit', (code, signal) => {
      if (closing) return
      // A worker that never listened will not do better the next time (configuration, database).
      if (!up) {
        console.error(`[wangge] server process ${index} failed to start (exit ${code ?? signal})`)
        void shutdown('failure', 1)
        return
      }
      log.info(`server process ${index} exited (${code ?? signal}); starting it again`)
      start(index)
    })
  }
  const shutdown = async (signal: string, exitCode = 0) => {
    if (closing) return
    closing = true
    log.info(`${signal}: shutting down ${config.workers} server processes`)
    const workers = Object.values(cluster.workers ?? {})
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (!w || w.isDead()) return resolve()
            w.once('exit', () => resolve())
            w.process.kill('SIGTERM')
          }),
      ),
    )
    await bus.close()
    await database.close()
    process.exit(exitCode)
  }
  process.on('SIGINT', () => void shutdown('SIGINT'))
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  for (let i = 0; i < config.workers; i++) start(i)
  const scope = await pendingDemoPartition(database)
  if (scope)
    partitionDemo(database, scope, log, bus).catch((err: unknown) =>
      console.error('[wangge] demo partition failed; run `npx wangge grids partition` to retry', err),
    )
  else
    continueDemo(database, log).catch((err: unknown) =>
      console.error('[wangge] the demo’s feeds or windows failed; restart to try again', err),
    )
}

main().catch((err) => {
  console.error('[wangge] start-up failed:', err instanceof Error ? err.message : err)
  process.exit(1)
})
