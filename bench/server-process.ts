// The real server (apps/server/src/main.ts) in a process of its own, for the benchmarks that load
// it over HTTP: no demo, quiet logs, a free port on 127.0.0.1; resolves once it says it is ready.
import { spawn } from 'node:child_process'

export async function startServer(env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/server/src/main.ts'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', WANGGE_DEMO: 'none', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
  let out = ''
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.on('data', (d) => {
      out += d
      const m = /ready in \d+ ms: http:\/\/[^:]+:(\d+)\//.exec(out)
      if (m) resolve(Number(m[1]))
    })
    void exited.then(() => reject(new Error(`server exited: ${out}`)))
  })
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    async stop() {
      child.kill('SIGTERM')
      await exited
    },
  }
}
