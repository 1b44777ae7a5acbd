// Three pages, one build: the console at `/`, the grid workers' phone app at `/m/` — an
// installable PWA whose service worker (scope /m/) serves the app shell offline — and the
// residents' report-and-follow page at `/r/` (no login).
import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'
import { VitePWA } from 'vite-plugin-pwa'

const page = (p: string) => fileURLToPath(new URL(p, import.meta.url))

export default defineConfig({
  plugins: [
    react(),
    VitePWA({
      injectRegister: false,
      registerType: 'autoUpdate',
      scope: '/m/',
      filename: 'm/sw.js',
      // The manifest is a static file linked from the phone app's page only (public/m/).
      manifest: false,
      workbox: {
        // The phone app's shell and everything it imports (hashed, fetched once per build).
        globPatterns: ['m/**/*.{html,svg,png,webmanifest}', 'assets/**/*.{js,css}'],
        navigateFallback: '/m/index.html',
        navigateFallbackAllowlist: [/^\/m(\/|$)/],
        maximumFileSizeToCacheInBytes: 6 * 1024 * 1024,
        // The worker lives at /m/sw.js but the files are listed from the build's root: absolute
        // URLs, or they resolve under /m/ (404) and the install fails — no offline start.
        modifyURLPrefix: { '': '/' },
      },
    }),
  ],
  build: {
    chunkSizeWarningLimit: 2500,
    rollupOptions: {
      input: { console: page('./index.html'), mobile: page('./m/index.html'), resident: page('./r/index.html') },
    },
  },
  server: { proxy: { '/api': 'http://localhost:3000' } },
})
