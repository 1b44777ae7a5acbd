// Calling the app in tests: status and parsed body (null for 204).
import type { App } from '../app.js'

export const caller = (app: () => App) => async (who: Record<string, string>, method: string, url: string, payload?: unknown) => {
  const r = await app().inject({
    method: method as 'GET',
    url,
    headers: who,
    ...(payload === undefined ? {} : { payload: payload as object }),
  })
  return { status: r.statusCode, body: r.statusCode === 204 ? null : r.json() }
}
