// Every statement a repository sends, rendered as text (Immich's @GenerateSql idea): each named call
// runs against a real test database inside a transaction that is rolled back, through a Kysely
// plugin that records the compiled SQL of every query — builder or raw `sql` — before it runs.
// The snapshot tests write the text beside the repository (`<name>.repository.sql`), so a reviewer
// sees every change to a statement in the diff; the parameters stay `$1, $2 …`, so the text does not
// depend on the engine or the data.
import {
  type Kysely,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  sql,
  type Transaction,
  type UnknownRow,
} from 'kysely'
import type { DB } from '../db/schema.js'

class Recorder implements KyselyPlugin {
  readonly statements: string[] = []
  constructor(private readonly compile: (node: RootOperationNode, args: PluginTransformQueryArgs) => string) {}
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.statements.push(this.compile(args.node, args))
    return args.node
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result
  }
}

const ROLLBACK = Symbol('rollback')

/** The statements each call sends, as one text: `-- name` then each statement, `;`-terminated. */
export async function renderStatements(
  db: Kysely<DB>,
  calls: Record<string, (db: Transaction<DB>) => Promise<unknown>>,
): Promise<string> {
  const parts: string[] = []
  for (const [name, call] of Object.entries(calls)) {
    const executor = db.getExecutor()
    const recorder = new Recorder((node, args) => executor.compileQuery(node, args.queryId).sql)
    try {
      await db.transaction().execute(async (trx) => {
        await call(trx.withPlugin(recorder) as Transaction<DB>)
        throw ROLLBACK
      })
    } catch (err) {
      if (err !== ROLLBACK) throw err
    }
    if (!recorder.statements.length) throw new Error(`${name}: sent no statement`)
    parts.push(`-- ${name}\n${recorder.statements.map((s) => `${tidy(s)};`).join('\n\n')}\n`)
  }
  return parts.join('\n')
}

/** Raw statements keep their source indentation; lines are trimmed and blank ones dropped. */
const tidy = (s: string) =>
  s
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join('\n')

/**
 * The rendering transaction with foreign keys unchecked (`session_replication_role = replica`, for
 * this transaction only; it is rolled back): a write's statement renders against the empty test
 * database without first inserting the rows it refers to. The setting itself is not recorded.
 */
export async function withoutKeys(db: Transaction<DB>): Promise<Transaction<DB>> {
  await sql`set local session_replication_role = replica`.execute(db.withoutPlugins())
  return db
}
