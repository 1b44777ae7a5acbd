import '../shared/base.css'
import { createRoot } from 'react-dom/client'
import { I18nProvider } from '../shared/i18n'
import { ResidentApp } from './ResidentApp'

createRoot(document.getElementById('root') as HTMLElement).render(
  <I18nProvider>
    <ResidentApp />
  </I18nProvider>,
)
