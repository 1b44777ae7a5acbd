import 'maplibre-gl/dist/maplibre-gl.css'
import '../shared/base.css'
import '../shared/map.css'
import { createRoot } from 'react-dom/client'
import { I18nProvider } from '../shared/i18n'
import { App } from './App'

createRoot(document.getElementById('root') as HTMLElement).render(
  <I18nProvider>
    <App />
  </I18nProvider>,
)
