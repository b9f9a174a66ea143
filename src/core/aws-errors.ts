import { DynamoAuthAdapterError } from "./errors.js"
import type { TableNames } from "../table/names.js"

interface AwsError {
  name?: string
  message?: string
}

function isAwsError(error: unknown): error is AwsError {
  return typeof error === "object" && error !== null && "name" in error
}

/**
 * Turns the AWS SDK errors a user can act on into this library's typed
 * errors; anything else is returned unchanged. `what` names the operation,
 * e.g. `getUser`.
 */
export function translateAwsError(error: unknown, names: TableNames, what: string): unknown {
  if (!isAwsError(error) || error instanceof DynamoAuthAdapterError) return error
  const message = error.message ?? ""
  switch (error.name) {
    case "ResourceNotFoundException":
      return new DynamoAuthAdapterError(
        "MISSING_TABLE",
        `${what}: table "${names.tableName}" does not exist (or is not ACTIVE) for this client's region and endpoint. ` +
          "Create it with `npx dynamodb-auth-adapter create-table --table " +
          `${names.tableName}\`, or set the adapter's tableName option to your table.`,
        { cause: error },
      )
    case "ValidationException":
      if (/index/i.test(message) && message.includes(names.indexName)) {
        return new DynamoAuthAdapterError(
          "MISSING_INDEX",
          `${what}: table "${names.tableName}" has no global secondary index "${names.indexName}" ` +
            `(${names.indexPartitionKey}/${names.indexSortKey}, projection ALL). Add it, or set indexName/indexPartitionKey/indexSortKey ` +
            "to the index the table has. `npx dynamodb-auth-adapter doctor` lists what differs.",
          { cause: error },
        )
      }
      if (/size of hashkey|range keys|primary key values must be under/i.test(message)) {
        // A key value (an id, email or token) longer than DynamoDB allows; writes are refused before sending (key-size.ts), reads get here.
        return new DynamoAuthAdapterError("INVALID_INPUT", `${what}: a key value is longer than DynamoDB allows (${message}). Shorten the id, email or token.`, {
          cause: error,
        })
      }
      if (/item size|maximum allowed size/i.test(message)) {
        return new DynamoAuthAdapterError("ITEM_TOO_LARGE", `${what}: ${message}`, { cause: error })
      }
      return error
    case "ProvisionedThroughputExceededException":
    case "ThrottlingException":
    case "RequestLimitExceeded":
      return new DynamoAuthAdapterError(
        "THROTTLED",
        `${what}: DynamoDB kept throttling after every retry (${error.name}). ` +
          "Raise the table's capacity (or use on-demand billing), or give the client more retries (maxAttempts).",
        { cause: error },
      )
    default:
      return error
  }
}
