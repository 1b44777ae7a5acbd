// LIKE patterns from user text: %, _ and \ match themselves (PostgreSQL's default escape is \).
const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`)

/** `text%` — prefix search; also "under region X" on hierarchical codes. */
export const startsWith = (s: string) => `${escapeLike(s)}%`
/** `%text%` — fragment search. */
export const contains = (s: string) => `%${escapeLike(s)}%`
