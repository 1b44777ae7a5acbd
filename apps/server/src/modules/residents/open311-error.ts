// Open311's own errors: GeoReport v2 answers `[{code, description}]` with the HTTP status.
/** An Open311 error: answered as `[{code, description}]` with its HTTP status. */
export class Open311Error extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 429,
    readonly description: string,
  ) {
    super(description)
  }
}
