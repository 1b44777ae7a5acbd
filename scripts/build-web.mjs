#!/usr/bin/env node
// Builds the web app (apps/web → apps/web/dist) when it is missing or older than its sources, so
// `npm start` serves a current console and phone app without a separate step. `--force` always
// builds. Plain Node (no tsx): it runs before anything else.
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'

const web = fileURLToPath(new URL('../apps/web/', import.meta.url))
// (The web app imports several of the domain's modules: any change there rebuilds it.)
const domain = fileURLToPath(new URL('../packages/domain/src/', import.meta.url))
const stamp = join(web, 'dist', 'index.html')

function newest(path) {
  const s = statSync(path)
  if (!s.isDirectory()) return s.mtimeMs
  let m = 0
  for (const e of readdirSync(path)) if (e !== 'dist' && e !== 'node_modules') m = Math.max(m, newest(join(path, e)))
  return m
}

const force = process.argv.includes('--force')
const built = existsSync(stamp) ? statSync(stamp).mtimeMs : 0
const sources = Math.max(newest(web), newest(domain))
if (!force && built >= sources) {
  console.log('web app: up to date (apps/web/dist)')
} else {
  console.log('web app: building with Vite …')
  const started = Date.now()
  execFileSync(
    process.execPath,
    [join(web, '..', '..', 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'],
    {
      cwd: web,
      stdio: 'inherit',
    },
  )
  const packed = compress(join(web, 'dist'))
  console.log(`web app: built in ${((Date.now() - started) / 1000).toFixed(1)} s (${packed} files pre-compressed)`)
}

/** Brotli and gzip copies beside each text asset, served by the server when the browser takes them. */
function compress(dir) {
  let n = 0
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name)
    if (e.isDirectory()) n += compress(path)
    else if (/\.(js|mjs|css|html|svg|json|webmanifest|wasm)$/.test(e.name)) {
      const body = readFileSync(path)
      if (body.length < 1024) continue
      writeFileSync(`${path}.br`, brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 10 } }))
      writeFileSync(`${path}.gz`, gzipSync(body, { level: 9 }))
      n++
    }
  }
  return n
}
