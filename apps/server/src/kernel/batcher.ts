// Group concurrent calls into batches (group commit): while the writers are busy, calls queue up
// and go together in the next batch; at most `writers` batches are in flight at once. `single`
// handles items one by one when a whole batch fails, so that one bad item fails alone.
export function createBatcher<I, O>(
  batch: (items: I[]) => Promise<O[]>,
  single: (item: I) => Promise<O>,
  opts: { maxBatch?: number; writers?: number } = {},
) {
  const maxBatch = opts.maxBatch ?? 500
  const writers = opts.writers ?? 1
  let queue: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = []
  let inFlight = 0

  async function run(taken: typeof queue) {
    try {
      const out = await batch(taken.map((t) => t.item))
      for (const [i, t] of taken.entries()) t.resolve(out[i] as O)
    } catch {
      for (const t of taken) await single(t.item).then(t.resolve, t.reject)
    }
  }

  function pump() {
    while (queue.length && inFlight < writers) {
      const taken = queue.slice(0, maxBatch)
      queue = queue.slice(maxBatch)
      inFlight++
      void run(taken).finally(() => {
        inFlight--
        pump()
      })
    }
  }

  return {
    submit(item: I): Promise<O> {
      return new Promise<O>((resolve, reject) => {
        queue.push({ item, resolve, reject })
        pump()
      })
    },
  }
}
