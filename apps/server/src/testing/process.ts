// The server as a separate process (`node --import tsx main.ts`), for tests of the real entry point:
// its output kept, `ready` resolving with the port it listens on.
import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'
import { REPO_ROOT } from '../kernel/paths.js'

const MAIN = join(REPO_ROOT, 'apps/server/src/main.ts')

export interface ServerProcess {
  child: ChildProcess
  ready: Promise<string>
  exited: Promise<number | null>
  output(): string
}

/** Starts the server with the test's environment on top of this process's (PORT 0: any free port). */
export function startServer(env: Record<string, string>): ServerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: REPO_ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', PORT: '0', WANGGE_DEMO: 'tiny', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout?.on('data', (d) => {
    out += d
  })
  child.stderr?.on('data', (d) => {
    err += d
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /ready in (\d+) ms: http:\/\/[^:]+:(\d+)\//.exec(out)
      if (m) {
        clearInterval(timer)
        resolve(m[2] as string)
      }
    }, 50)
    void exited.then((code) => {
      clearInterval(timer)
      reject(new Error(`exited with ${code}: ${err || out}`))
    })
  })
  return { child, ready, exited, output: () => out + err }
}

/** Stops it as an operator would (SIGTERM) and answers its exit code. */
export async function stopServer(p: Pick<ServerProcess, 'child' | 'exited'>) {
  p.child.kill('SIGTERM')
  return p.exited
}
