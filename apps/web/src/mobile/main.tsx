import '../shared/base.css'
import { registerSW } from 'virtual:pwa-register'
import { createRoot } from 'react-dom/client'
import { I18nProvider } from '../shared/i18n'
import { MobileApp } from './MobileApp'

// The service worker (scope /m/) keeps the app shell for offline starts; updates apply on reload.
if ('serviceWorker' in navigator) registerSW({ immediate: true })

createRoot(document.getElementById('root') as HTMLElement).render(
  <I18nProvider>
    <MobileApp />
  </I18nProvider>,
)
