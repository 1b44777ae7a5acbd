import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { API_TYPES_FILE, apiTypes, openApiDocument } from './api-types.generate.js'

describe("the web app's API types (generated)", () => {
  it('should be exactly what the routes declare (run `npm run api:types` after changing a route schema)', async () => {
    const text = await apiTypes(await openApiDocument())
    expect(text).toContain('"/api/v1/cases/{id}"')
    expect(text === readFileSync(API_TYPES_FILE, 'utf8'), 'apps/web/src/shared/api.types.ts is stale').toBe(true)
  })
})
