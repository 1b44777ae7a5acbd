// s3rver (a fake S3 server for tests) ships no types: what the object-store tests use of it.
declare module 's3rver' {
  export default class S3rver {
    constructor(options: {
      port?: number
      address?: string
      silent?: boolean
      directory: string
      configureBuckets?: { name: string }[]
    })
    run(): Promise<{ address: string; port: number }>
    close(): Promise<void>
  }
}
