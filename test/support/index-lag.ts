/**
 * Simulates global-secondary-index lag on DynamoDB Local, which otherwise
 * answers index reads at once. Every write sent through the client is
 * remembered with its time; a Query on the index hides items written less
 * than `lagMs` ago. A design that reads its own fresh write through GSI1 on a
 * hot path fails under it, as it would on AWS.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb"
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb"

type AnyClient = DynamoDBClient | DynamoDBDocumentClient
type AttributeValue = { S?: string } | string | undefined

export interface IndexLag {
  /** Queries on the index that had items hidden. */
  hiddenReads(): number
  /** Queries on the index, hidden items or not. */
  indexReads(): number
  detach(): void
}

function text(value: unknown): string {
  if (typeof value === "string") return value
  if (value && typeof value === "object" && "S" in value) return String((value as { S?: string }).S)
  return String(value as AttributeValue)
}

let lagId = 0

export function simulateIndexLag(client: AnyClient, options: { lagMs: number; partitionKey?: string; sortKey?: string }): IndexLag {
  const pk = options.partitionKey ?? "pk"
  const sk = options.sortKey ?? "sk"
  const writtenAt = new Map<string, number>()
  const id = (key: Record<string, unknown>) => `${text(key[pk])}\u0000${text(key[sk])}`
  let hidden = 0
  let indexReads = 0
  const name = `index-lag-${++lagId}`

  const remember = (key: Record<string, unknown> | undefined) => {
    if (key && key[pk] !== undefined) writtenAt.set(id(key), Date.now())
  }

  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>
      const command = context.commandName
      const result = await next(args)
      if (command === "PutItemCommand") remember(input.Item as Record<string, unknown>)
      else if (command === "UpdateItemCommand" || command === "DeleteItemCommand") remember(input.Key as Record<string, unknown>)
      else if (command === "TransactWriteItemsCommand") {
        for (const action of (input.TransactItems ?? []) as Record<string, { Item?: Record<string, unknown>; Key?: Record<string, unknown> }>[]) {
          remember(action.Put?.Item ?? action.Update?.Key ?? action.Delete?.Key)
        }
      } else if (command === "BatchWriteItemCommand") {
        for (const requests of Object.values((input.RequestItems ?? {}) as Record<string, { PutRequest?: { Item: Record<string, unknown> }; DeleteRequest?: { Key: Record<string, unknown> } }[]>)) {
          for (const request of requests) remember(request.PutRequest?.Item ?? request.DeleteRequest?.Key)
        }
      } else if (command === "QueryCommand" && input.IndexName) {
        indexReads++
        const output = result.output as { Items?: Record<string, unknown>[]; Count?: number }
        const now = Date.now()
        const visible = (output.Items ?? []).filter((item) => {
          const at = writtenAt.get(id(item))
          return at === undefined || now - at >= options.lagMs
        })
        if (visible.length !== (output.Items ?? []).length) hidden++
        output.Items = visible
        output.Count = visible.length
      }
      return result
    },
    { step: "initialize", name, override: true },
  )
  return {
    hiddenReads: () => hidden,
    indexReads: () => indexReads,
    detach: () => {
      client.middlewareStack.remove(name)
    },
  }
}
