// Progress of a long load: a live bar on a terminal, a line every few seconds in logs.
import { SingleBar } from 'cli-progress'
import type { LoadProgress } from './loader.js'

export function progressReporter(label: string, log: { info(msg: string): void }, unit = 'persons') {
  const tty = Boolean(process.stderr.isTTY)
  let bar: SingleBar | undefined
  let last = 0
  const started = Date.now()
  return {
    update(p: LoadProgress) {
      if (tty) {
        if (!bar) {
          bar = new SingleBar({
            format: `${label} {bar} {percentage}% | {value}/{total} communities | {persons} ${unit} | {duration}s`,
            hideCursor: true,
          })
          bar.start(p.totalCommunities, 0, { persons: 0 })
        }
        bar.update(p.communities, { persons: p.persons.toLocaleString('en') })
      } else if (Date.now() - last > 5000 || p.communities === p.totalCommunities) {
        last = Date.now()
        log.info(
          `${label}: ${p.communities}/${p.totalCommunities} communities, ${p.persons.toLocaleString('en')} ${unit}, ${((Date.now() - started) / 1000).toFixed(0)} s`,
        )
      }
    },
    stop() {
      bar?.stop()
    },
  }
}

/** The same for a partition run (communities done, grids so far). */
export function gridProgress(label: string, log: { info(msg: string): void }) {
  const inner = progressReporter(label, log, 'grids')
  return {
    update: (p: { communities: number; total: number; grids: number }) =>
      inner.update({ communities: p.communities, totalCommunities: p.total, persons: p.grids }),
    stop: inner.stop,
  }
}
