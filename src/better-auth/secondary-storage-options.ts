import { defaultDynamoClient, type DynamoClientInput } from "../core/client/dynamo-client.js"
import { TableClient } from "../core/client/table-client.js"
import { resolveDebugLogs, type DebugLogsOption } from "../core/debug-logs.js"
import type { Logger } from "../core/logger.js"
import { resolveTableNames, type TableNameOptions } from "../table/names.js"

/**
 * Options of `dynamoSecondaryStorage` and `dynamoRateLimitStorage`: the same
 * table options as `singleTableAdapter` (pass the same values to put them on
 * the adapter's table). Every one is optional.
 */
export interface DynamoStorageOptions extends TableNameOptions {
  /** A `DynamoDBClient` or `DynamoDBDocument(Client)`. Default: one from the environment (`DYNAMODB_ENDPOINT` honoured). */
  client?: DynamoClientInput
  /** Log every request at debug level (`true` or `{ requests: true }`). Default off. */
  debugLogs?: DebugLogsOption
  /** Where logs go. Default: the console. */
  logger?: Logger
}

/** The storage's table client, made on first use: nothing touches the network when the storage is configured. */
export function lazyTableClient(options: DynamoStorageOptions): () => TableClient {
  const names = resolveTableNames(options)
  const logs = resolveDebugLogs({ ...(options.debugLogs !== undefined ? { debugLogs: options.debugLogs } : {}), ...(options.logger ? { logger: options.logger } : {}) })
  let table: TableClient | undefined
  return () => (table ??= new TableClient({ names, client: options.client ?? defaultDynamoClient(), logger: logs.logger, logRequests: logs.logRequests }))
}
