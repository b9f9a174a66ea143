/**
 * `dynamodb-auth-adapter/authjs`: the Auth.js (next-auth v5, `@auth/core`)
 * adapter, a drop-in for `@auth/dynamodb-adapter`.
 */
export { DynamoDBAdapter, type DynamoDBAdapterOptions, type DynamoDBAuthjsAdapter } from "./adapter.js"
export { DynamoAuthAdapterError, isDynamoAuthAdapterError, type DynamoAuthErrorCode } from "../core/errors.js"
export type { DynamoClientInput } from "../core/client/dynamo-client.js"
export type { Logger } from "../core/logger.js"
export type { DebugLogsOption } from "../core/debug-logs.js"
