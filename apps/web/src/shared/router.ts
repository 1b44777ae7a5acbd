// The smallest router that serves: the path is the state, links push history.
import { useSyncExternalStore } from 'react'

const subscribe = (fn: () => void) => {
  window.addEventListener('popstate', fn)
  return () => window.removeEventListener('popstate', fn)
}

export function usePath(): string {
  return useSyncExternalStore(subscribe, () => location.pathname + location.search)
}

export function navigate(to: string) {
  history.pushState(null, '', to)
  window.dispatchEvent(new PopStateEvent('popstate'))
}

export const query = (path: string) => new URLSearchParams(path.split('?')[1] ?? '')
