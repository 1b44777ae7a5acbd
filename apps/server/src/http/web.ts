// Serves the built web app (apps/web, Vite): the console at `/`, the grid workers' PWA at `/m/`,
// the residents' page at `/r/`.
// Hashed assets are cached for a year; the HTML, the service worker and the manifest never are,
// so a new build reaches phones on their next visit. Unknown GET paths outside the API (the
// apps' client-side routes) get the page of their app; without a build `/` leads to the API docs.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'
import type { PageFallback } from './error-handler.js'

export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../../web/dist/', import.meta.url))

/** The web app's pages may load only their own scripts, styles, images and workers, and talk only
 *  to their own origin. Ant Design writes its styles at run time (hence inline styles); MapLibre and
 *  the build inline some images and fonts as data: URLs and may start workers from blobs. */
const WEB_CSP_PARTS = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
]
export const WEB_CSP = WEB_CSP_PARTS.join('; ')

/** The policy with a basemap's origin added where the map fetches tiles, styles and images. */
export function webCsp(extraOrigin?: string): string {
  if (!extraOrigin) return WEB_CSP
  return WEB_CSP_PARTS.map((p) => (/^(img-src|connect-src) /.test(p) ? `${p} ${extraOrigin}` : p)).join('; ')
}

/** Registers the static files; returns the page fallback for the not-found handler (or none). */
export async function serveWeb(app: FastifyInstance, dir = DEFAULT_WEB_DIR, csp = WEB_CSP): Promise<PageFallback | undefined> {
  if (!existsSync(join(dir, 'index.html'))) {
    app.get('/', { schema: { hide: true } }, (_req, reply) => reply.redirect('/api/docs'))
    return undefined
  }
  await app.register(fastifyStatic, {
    root: dir,
    wildcard: true,
    index: ['index.html'],
    // The build writes .br and .gz beside each text asset (scripts/build-web.mjs).
    preCompressed: true,
    setHeaders(res, path) {
      const immutable = /[\\/]assets[\\/]/.test(path)
      res.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
      // (The path is the file sent: a page's pre-compressed copy is still the page.)
      if (/\.html(\.br|\.gz)?$/.test(path)) res.header('content-security-policy', csp)
    },
  })
  return (path, reply) => {
    if (/\.[a-z0-9]+$/i.test(path)) return undefined
    return reply
      .header('cache-control', 'no-cache')
      .sendFile(
        path === '/m' || path.startsWith('/m/')
          ? 'm/index.html'
          : path === '/r' || path.startsWith('/r/')
            ? 'r/index.html'
            : 'index.html',
      )
  }
}
