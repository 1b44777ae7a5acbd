// Files outside the database (issue 25 §4): an S3-compatible object store — AWS S3, MinIO, Ceph,
// Alibaba OSS or Huawei OBS in S3 mode — reached through the AWS SDK's S3 client. The database
// keeps what a file is (hash, type, size) and who may read it; the store keeps the bytes. Without
// S3_URL the platform keeps files in its database rows, as the embedded default always did.
import type { Readable } from 'node:stream'
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'

export interface ObjectStore {
  /** Where the files go, for logs and docs (no credentials). */
  readonly where: string
  put(key: string, body: Buffer, contentType: string): Promise<void>
  /** The object's bytes as a stream (NOT_FOUND-worthy `undefined` when the key is absent). */
  get(key: string): Promise<Readable | undefined>
  close(): void
}

/** `S3_URL`: `http(s)://ACCESS_KEY:SECRET@host[:port]/bucket[/prefix][?region=…]`. */
export interface S3Location {
  endpoint: string
  bucket: string
  prefix: string
  region: string
  accessKeyId: string
  secretAccessKey: string
}

export function parseS3Url(url: string): S3Location {
  const u = new URL(url)
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('S3_URL must be an http:// or https:// URL')
  const [bucket, ...rest] = u.pathname.split('/').filter(Boolean)
  if (!bucket) throw new Error('S3_URL must name a bucket: https://KEY:SECRET@host/bucket')
  if (!u.username || !u.password) throw new Error('S3_URL must carry the access key and secret: https://KEY:SECRET@host/bucket')
  return {
    endpoint: `${u.protocol}//${u.host}`,
    bucket,
    prefix: rest.length ? `${rest.join('/')}/` : '',
    region: u.searchParams.get('region') ?? 'us-east-1',
    accessKeyId: decodeURIComponent(u.username),
    secretAccessKey: decodeURIComponent(u.password),
  }
}

export function createS3Store(url: string): ObjectStore {
  const at = parseS3Url(url)
  const client = new S3Client({
    endpoint: at.endpoint,
    region: at.region,
    forcePathStyle: true, // (MinIO and most self-hosted stores: the bucket in the path)
    credentials: { accessKeyId: at.accessKeyId, secretAccessKey: at.secretAccessKey },
  })
  return {
    where: `${at.endpoint}/${at.bucket}/${at.prefix}`,
    async put(key, body, contentType) {
      await client.send(new PutObjectCommand({ Bucket: at.bucket, Key: at.prefix + key, Body: body, ContentType: contentType }))
    },
    async get(key) {
      try {
        const r = await client.send(new GetObjectCommand({ Bucket: at.bucket, Key: at.prefix + key }))
        return r.Body as Readable | undefined
      } catch (e) {
        if (e instanceof NoSuchKey) return undefined
        throw e
      }
    },
    close: () => client.destroy(),
  }
}
