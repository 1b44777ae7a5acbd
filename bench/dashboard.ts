// Benchmark (issue: web app): the first loads of the dashboard, the case ledger and the big screen,
// the map's grid layer and its district → street drill, in a real browser (Debian's Chromium via
// playwright-core) against a running server — e.g. the 越秀 demo of `npm start`. Targets: each first
// load < 2 s from the login's answer to the page shown; the drill < 1 s.
//   npm run bench:dashboard -- [--base http://localhost:3000] [--user leader] [--password …] [--runs 5]
import { cpus } from 'node:os'
import { parseArgs } from 'node:util'
import { chromium, type Page } from 'playwright-core'

const { values } = parseArgs({
  options: {
    base: { type: 'string', default: 'http://localhost:3000' },
    user: { type: 'string', default: 'leader' },
    password: { type: 'string', default: 'Wangge-Demo-2026!grid' },
    runs: { type: 'string', default: '5' },
    chromium: { type: 'string', default: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' },
  },
})
const base = values.base as string
const browser = await chromium.launch({ executablePath: values.chromium as string, args: ['--no-sandbox'] })

/** A first load of a page in a fresh browser (no cache, no cookies): from the login's answer to
 *  `ready` (the login itself — argon2id, ≈ 1 s by design — is not the page's). */
async function firstLoad(path: string, ready: string, then?: (page: Page) => Promise<void>) {
  const ctx = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN' })
  const page = await ctx.newPage()
  await page.goto(`${base}${path}`)
  await page.getByLabel('用户名').fill(values.user as string)
  await page.getByLabel('密码').fill(values.password as string)
  const answered = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'))
  await page.getByRole('button', { name: /登\s*录/ }).click()
  await answered
  const t0 = performance.now()
  await page.waitForSelector(ready, { timeout: 60_000 })
  const ms = performance.now() - t0
  await then?.(page)
  await ctx.close()
  return ms
}

const PAGES = [
  ['dashboard', '/', '[data-testid=dashboard]'],
  ['ledger (台账)', '/cases', '.ant-table-row'],
  ['big screen (大屏)', '/screen', '[data-testid=big-screen]:not([data-refreshed=""])'],
] as const
const loads = new Map<string, number[]>(PAGES.map(([name]) => [name, []]))
let grids = ''
let mapMs = 0
let drillMs = 0
let drilledTo = ''
for (let i = 0; i < Number(values.runs); i++)
  for (const [name, path, ready] of PAGES)
    loads.get(name)?.push(
      await firstLoad(
        path,
        ready,
        i === 0 && path === '/'
          ? async (page) => {
              const t1 = performance.now()
              await page.getByTestId('kpi-residents').click()
              await page.waitForSelector('[data-testid=map][data-loading=false]:not([data-grids="0"])', { timeout: 60_000 })
              mapMs = performance.now() - t1
              grids = (await page.getAttribute('[data-testid=map]', 'data-grids')) ?? ''
              // District → street: a click on the first street drawn, until its layers are shown.
              const street = (await page.evaluate(
                `(() => { const f = wanggeMap.querySourceFeatures('areas').find((f) => f.properties.labelAt); const a = f && f.properties.labelAt; return f && { code: f.properties.code, at: typeof a === 'string' ? JSON.parse(a) : a } })()`,
              )) as { code: string; at: [number, number] } | undefined
              if (!street) return
              const p = (await page.evaluate(`wanggeMap.project(${JSON.stringify(street.at)})`)) as { x: number; y: number }
              const box = await page.locator('[data-testid=map]').boundingBox()
              const t2 = performance.now()
              await page.mouse.click((box?.x ?? 0) + p.x, (box?.y ?? 0) + p.y)
              await page.waitForSelector(`[data-testid=map][data-region="${street.code}"][data-loading=false]`, {
                timeout: 60_000,
              })
              drillMs = performance.now() - t2
              drilledTo = street.code
            }
          : undefined,
      ),
    )
await browser.close()
console.log(`\n## web: first loads in Chromium, ${base} as ${values.user}`)
console.log(
  `machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length}, Node ${process.version}; ${new Date().toISOString().slice(0, 10)}`,
)
for (const [name, ms] of loads) {
  ms.sort((a, b) => a - b)
  const median = ms[Math.floor(ms.length / 2)] as number
  console.log(
    `${name} first load (login answered → shown): median ${median.toFixed(0)} ms, max ${ms.at(-1)?.toFixed(0)} ms over ${ms.length} fresh browsers (target < 2000 ms) ${median < 2000 ? '✔' : '✘'}`,
  )
}
console.log(`map of the user's region: ${grids} grids drawn in ${mapMs.toFixed(0)} ms`)
console.log(`map drill district → street ${drilledTo}: ${drillMs.toFixed(0)} ms (target < 1000 ms) ${drillMs < 1000 ? '✔' : '✘'}`)
