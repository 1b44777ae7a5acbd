// Who is acting. Until authentication lands (issue: users and roles), API writes are attributed
// to the data source named in the request and the anonymous API actor.
export interface Actor {
  id: string
  requestId?: string | undefined
  clientIp?: string | undefined
}

export const ANONYMOUS: Actor = { id: 'api' }
