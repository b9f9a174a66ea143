import type { DBAdapterDebugLogOption } from "@better-auth/core/db/adapter"
import type { DynamoClientInput } from "../core/dynamo-client.js"
import type { Logger } from "../core/logger.js"
import type { ModelLayoutOptions } from "../core/models/model-description.js"
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
   * model name (e.g. `{ member: { index: { field: "organizationId" } } }`).
   */
  models?: Record<string, ModelLayoutOptions>
  /** Plural model names, as in Better Auth's other adapters. Items are keyed by the schema name either way. */
  usePlural?: boolean
}
