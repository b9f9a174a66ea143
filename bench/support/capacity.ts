import type { DynamoDBClient } from "@aws-sdk/client-dynamodb"

const DATA_PLANE = new Set([
  "GetItemCommand",
  "PutItemCommand",
  "UpdateItemCommand",
  "DeleteItemCommand",
  "QueryCommand",
  "ScanCommand",
  "BatchGetItemCommand",
  "BatchWriteItemCommand",
  "TransactWriteItemsCommand",
  "TransactGetItemsCommand",
])

/** Asks DynamoDB to report consumed capacity on every data request (the adapters under test never ask). */
export function requestConsumedCapacity(client: DynamoDBClient): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (DATA_PLANE.has(String(context.commandName))) {
        ;(args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = "TOTAL"
      }
      return next(args)
    },
    { step: "initialize", name: "bench-consumed-capacity", priority: "high" },
  )
}
