// A transaction PostgreSQL chose as a deadlock's victim (40P01) or failed for serialization
// (40001) committed nothing: running it again is safe and usually succeeds at once. Two writers
// that touch the same rows in different orders (a batch of steps and the supervision job runner)
// can meet this; the user should not see it.
const RETRYABLE = new Set(['40P01', '40001'])

/** Runs `f`, and again (up to `tries` times in all) when it failed with a retryable conflict. */
export async function retryConflicts<T>(f: () => Promise<T>, tries = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await f()
    } catch (err) {
      if (attempt >= tries || !RETRYABLE.has((err as { code?: string }).code ?? '')) throw err
    }
  }
}
