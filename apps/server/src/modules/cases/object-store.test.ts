// Photos in an S3-compatible object store (issue 25 §4), against a real S3 server on this machine
// (s3rver, from npm): uploads go to the store and the row keeps hash, type, size and key; reads
// stream from the store, authorised exactly as before; rows kept in the database move with one
// command and read the same afterwards; without the store configured such a photo is a 503.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import S3rver from 's3rver'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type App, buildApp } from '../../app.js'
import { createS3Store, type ObjectStore, parseS3Url } from '../../kernel/object-store.js'
import { createTestDatabase, type TestDatabase } from '../../testing/test-db.js'
import { userWithToken } from '../../testing/users.js'
import { moveAttachmentsToStore } from './index.js'

let t: TestDatabase
let s3: S3rver
let dir: string
let objects: ObjectStore
let withStore: App
let withoutStore: App
let url: string
type Headers = Record<string, string>
let worker: Headers
let stranger: Headers

const image = (background: string) =>
  sharp({ create: { width: 800, height: 600, channels: 3, background } })
    .jpeg()
    .toBuffer()
const upload = async (app: App, who: Headers, bytes: Buffer) => {
  const r = await app.inject({
    method: 'POST',
    url: '/api/v1/attachments',
    headers: { ...who, 'content-type': 'image/jpeg' },
    payload: bytes,
  })
  expect(r.statusCode).toBe(201)
  return r.json().id as number
}
const get = (app: App, who: Headers, path: string) =>
  app.inject({ method: 'GET', url: `/api/v1/attachments/${path}`, headers: who })
const row = async (id: number) =>
  (
    await sql<{ object_key: string | null; has_data: boolean; has_thumb: boolean; size: number; sha256: string }>`
      select object_key, data is not null as has_data, thumbnail is not null as has_thumb, size, sha256
      from attachments where id = ${id}`.execute(t.db)
  ).rows[0]

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wangge-s3-'))
  s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir, configureBuckets: [{ name: 'wangge' }] })
  const { port } = (await s3.run()) as { port: number }
  url = `http://S3RVER:S3RVER@127.0.0.1:${port}/wangge/photos?region=cn-south-1`
  objects = createS3Store(url)
  t = await createTestDatabase()
  const config = { bodyLimit: 8 << 20, logLevel: 'silent' as const, logPretty: false }
  withStore = await buildApp({ config, database: t, webDir: false, objects })
  withoutStore = await buildApp({ config, database: t, webDir: false })
  worker = (await userWithToken(t.db, 's3-worker', [{ role: 'grid_worker', scope: '440104004107001' }])).headers
  stranger = (await userWithToken(t.db, 's3-stranger', [{ role: 'grid_worker', scope: '440104004107002' }])).headers
}, 120_000)
afterAll(async () => {
  await withStore?.close()
  await withoutStore?.close()
  objects?.close()
  await t?.destroy()
  await s3?.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('S3_URL', () => {
  it('names endpoint, bucket, prefix, region and credentials; refuses a URL without a bucket or a key', () => {
    expect(parseS3Url('https://AK%2B1:s%2Fcret@oss.example.cn:9000/city-photos/wangge?region=cn-south-1')).toEqual({
      endpoint: 'https://oss.example.cn:9000',
      bucket: 'city-photos',
      prefix: 'wangge/',
      region: 'cn-south-1',
      accessKeyId: 'AK+1',
      secretAccessKey: 's/cret',
    })
    expect(() => parseS3Url('https://AK:SK@oss.example.cn/')).toThrow(/bucket/)
    expect(() => parseS3Url('https://oss.example.cn/photos')).toThrow(/access key/)
  })
})

describe('photos in the object store', () => {
  it('uploads go to the store; the row keeps hash, type, size and key, not the bytes', async () => {
    const bytes = await image('#336699')
    const id = await upload(withStore, worker, bytes)
    const r = await row(id)
    expect(r).toMatchObject({ has_data: false, has_thumb: false, size: bytes.length })
    expect(r?.object_key).toBe(`attachments/${r?.sha256.slice(0, 2)}/${r?.sha256}`)
    const stored = await objects.get(r?.object_key as string)
    const chunks: Buffer[] = []
    for await (const chunk of stored as AsyncIterable<Buffer>) chunks.push(chunk)
    expect(Buffer.concat(chunks)).toEqual(bytes)
  })

  it('streams a photo and its thumbnail to the uploader; a stranger gets 404 as before', async () => {
    const bytes = await image('#884422')
    const id = await upload(withStore, worker, bytes)
    const full = await get(withStore, worker, String(id))
    expect(full.statusCode).toBe(200)
    expect(full.headers['content-type']).toBe('image/jpeg')
    expect(full.rawPayload).toEqual(bytes)
    const thumb = await get(withStore, worker, `${id}/thumbnail`)
    expect(thumb.statusCode).toBe(200)
    const meta = await sharp(thumb.rawPayload).metadata()
    expect(Math.max(meta.width ?? 0, meta.height ?? 0)).toBe(320)
    expect((await get(withStore, stranger, String(id))).statusCode).toBe(404)
  })

  it('moves the photos kept in rows with one command; they read the same afterwards, and a second run moves nothing', async () => {
    const bytes = await image('#22aa44')
    const id = await upload(withoutStore, worker, bytes)
    expect(await row(id)).toMatchObject({ object_key: null, has_data: true, has_thumb: true })
    const seen: number[] = []
    const moved = await moveAttachmentsToStore(t.db, objects, (done) => seen.push(done))
    expect(moved).toBeGreaterThanOrEqual(1)
    expect(seen.at(-1)).toBe(moved)
    expect(await row(id)).toMatchObject({ has_data: false, has_thumb: false })
    expect((await get(withStore, worker, String(id))).rawPayload).toEqual(bytes)
    expect((await get(withStore, worker, `${id}/thumbnail`)).statusCode).toBe(200)
    expect(await moveAttachmentsToStore(t.db, objects)).toBe(0)
    expect(
      Number(
        (await sql<{ n: number }>`select count(*)::int as n from attachments where data is not null`.execute(t.db)).rows[0]?.n,
      ),
    ).toBe(0)
  })

  it('a server without the store answers 503 STORE_UNAVAILABLE for a photo in it, not a 500', async () => {
    const id = await upload(withStore, worker, await image('#aa22aa'))
    const r = await get(withoutStore, worker, String(id))
    expect([r.statusCode, r.json().code]).toEqual([503, 'STORE_UNAVAILABLE'])
  })
})
