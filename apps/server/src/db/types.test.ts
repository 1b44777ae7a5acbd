import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEmptyTestDatabase, type TestDatabase } from '../testing/test-db.js'
import { migrate } from './migrate.js'
import { databaseTypes, TYPES_FILE } from './types.generate.js'

let t: TestDatabase
beforeAll(async () => {
  t = await createEmptyTestDatabase()
  await migrate(t.db)
})
afterAll(() => t.destroy())

describe('database types (generated)', () => {
  it('should be exactly what the migrations produce (run `npm run db:types` after a migration)', async () => {
    const fresh = await databaseTypes(t.db)
    expect(fresh).toBe(readFileSync(TYPES_FILE, 'utf8'))
  })

  it('should type a status column by its CHECK constraint', async () => {
    const fresh = await databaseTypes(t.db)
    expect(fresh).toMatch(/status: "reported" \| "registered" \| "dispatched"/)
    expect(fresh).toMatch(/status: Generated<"active" \| "moved_out" \| "deceased">/)
  })
})
