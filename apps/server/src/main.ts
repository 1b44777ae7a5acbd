// read env once → open db → migrate → load reference data → build app → listen
import { buildApp } from './app.js'
import { boot, partitionDemo, pendingDemoPartition } from './boot.js'
import { ConfigError, loadConfig } from './config.js'

async function main() {
  let config: ReturnType<typeof loadConfig>
  try {
    config = loadConfig()
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message)
      process.exit(78) // EX_CONFIG
    }
    throw err
  }
  const started = Date.now()
  const database = await boot(config, { info: (m) => console.log(`[wangge] ${m}`) })
  const app = await buildApp({ config, database, runJobs: true })
  let closing = false
  const shutdown = async (signal: string) => {
    if (closing) return
    closing = true
    app.log.info(`${signal}: shutting down`)
    await app.close()
    await database.close()
    process.exit(0)
  }
  process.on('SIGINT', () => void shutdown('SIGINT'))
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  await app.listen({ port: config.port, host: config.host })
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : config.port
  const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host
  console.log(`[wangge] ready in ${Date.now() - started} ms: http://${shown}:${port}/ (API docs at /api/docs)`)
  const scope = await pendingDemoPartition(database)
  if (scope)
    partitionDemo(database, scope, { info: (m) => console.log(`[wangge] ${m}`) }).catch((err: unknown) =>
      app.log.error({ err }, 'demo partition failed; run `npx wangge grids partition` to retry'),
    )
}

main().catch((err) => {
  console.error('[wangge] start-up failed:', err instanceof Error ? err.message : err)
  process.exit(1)
})
