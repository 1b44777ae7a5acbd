// Long background work on the embedded engine must let requests in. PGlite runs in this thread and
// answers a query without real I/O, so a loop of awaited queries never returns to the event loop:
// measured, a timer set before 300 queries fired after all of them, and during the demo's 90 days
// at the windows a health check waited 6 minutes. `breathe()` gives the event loop a turn (timers,
// sockets) before the next piece of work.
export const breathe = () => new Promise<void>((resolve) => setImmediate(resolve))
