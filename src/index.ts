/**
 * dynamodb-auth-adapter: one DynamoDB table for Better Auth and Auth.js.
 *
 * The root export holds what both front-ends share: the table definition,
 * the ElectroDB entities, the typed errors and the request counter. The
 * adapters themselves live in `dynamodb-auth-adapter/better-auth` and
 * `dynamodb-auth-adapter/authjs`, so an app never loads the framework it
 * does not use.
 */
export { DEFAULT_TABLE_NAMES, resolveTableNames, type TableNameOptions, type TableNames } from "./table/names.js"
export { createTableInput } from "./table/create-table-input.js"
export { createTable, describeTable, type CreateTableOptions, type CreateTableResult } from "./table/create-table.js"
export { describeSchemaDifferences } from "./table/schema-differences.js"
export {
  createEntities,
  createUserEntity,
  createAccountEntity,
  createSessionEntity,
  createVerificationTokenEntity,
  createAuthenticatorEntity,
  createAuthenticatorLookupEntity,
  ITEM_TYPES,
  type CoreEntities,
} from "./table/entities.js"
export {
  DynamoAuthAdapterError,
  isDynamoAuthAdapterError,
  type DynamoAuthErrorCode,
  type TransactionCancellationReason,
} from "./core/errors.js"
export { countRequests, type RecordedRequest, type RequestCounter } from "./core/client/request-counter.js"
export { MAX_ITEM_BYTES, itemSize } from "./core/item-size.js"
export type { DynamoClientInput } from "./core/client/dynamo-client.js"
export type { Logger } from "./core/logger.js"
export { resolveDebugLogs, type DebugLogsOption, type DebugLogOptions } from "./core/debug-logs.js"
export {
  inspectTable,
  type TableInspection,
  type TableFinding,
  type TableCheck,
  type FindingStatus,
  type InspectTableOptions,
} from "./table/inspect-table.js"
export { printIac, IAC_FORMATS, type IacFormat } from "./table/iac/formats.js"
export { cloudFormationTemplate } from "./table/iac/cloudformation.js"
