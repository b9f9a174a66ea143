import type { DBAdapterDebugLogOption } from "@better-auth/core/db/adapter"
import type { DynamoClientInput } from "../core/client/dynamo-client.js"
import type { Logger } from "../core/logger.js"
import type { ModelLayoutOptions } from "../core/models/model-description.js"
import type { LegacyItems } from "../core/identity/table-mode.js"
import type { TableNameOptions } from "../table/names.js"

/** Options of `singleTableAdapter`. Every one is optional. */
export interface SingleTableAdapterOptions extends TableNameOptions {
  /** A `DynamoDBClient` or `DynamoDBDocument(Client)`. Default: one from the environment (`DYNAMODB_ENDPOINT` honoured). */
  client?: DynamoClientInput
  /** Better Auth's adapter debug logs; when on, reads that fall back to a Scan are also warned about (model and fields named). */
  debugLogs?: DBAdapterDebugLogOption
  /** Where Scan warnings go when `debugLogs` is on. Default: the console. */
  logger?: Logger
  /**
   * Key layout of models other than user, account and session, by schema
   * model name (e.g. `{ member: { index: { field: "organizationId" } } }`,
   * `{ myModel: { lookups: ["ownerId"] } }`, `{ jwks: { listedWhole: true } }`).
   */
  models?: Record<string, ModelLayoutOptions>
  /**
   * What a read that no key or index answers does (a Scan reads every item
   * of the table, so its cost grows with the table, not the answer):
   * - `"warn"` (default): read, and warn through `logger` (console by
   *   default) naming the model and the fields, whatever `debugLogs` says;
   * - `"refuse"`: throw `SCAN_REFUSED` naming the model and the fields,
   *   before anything is read. For production, once your flows are known.
   */
  scans?: "warn" | "refuse"
  /** Plural model names, as in Better Auth's other adapters. Items are keyed by the schema name either way. */
  usePlural?: boolean
  /**
   * Whether the table may hold items written by `@auth/dynamodb-adapter`,
   * which lack this library's lookup items; on such a table a lookup miss
   * (an account by provider account or by id, a session by token) is
   * confirmed through GSI1 (an account by id: a Scan) before the answer is
   * "none".
   * - `"auto"` (default): the table's metadata item decides. `createTable`
   *   writes it on a table it creates, `backfill --mark-complete` on a legacy
   *   table once every lookup is written; without it, misses fall back.
   *   Read once per adapter (re-read at most every 5 minutes while missing).
   * - `"none"`: never fall back: one GetItem per miss.
   * - `"present"`: always fall back: while the official adapter still writes
   *   to the table, even one that has the metadata item.
   */
  legacyItems?: LegacyItems
}
