import type { DynamoDBClient } from "@aws-sdk/client-dynamodb"
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb"

/** One DynamoDB request as seen on the wire. */
export interface RecordedRequest {
  /** `GetItem`, `Query`, `TransactWriteItems`, … */
  command: string
  tableName: string | undefined
  indexName: string | undefined
  /** Read and write capacity the request consumed, when DynamoDB reported it. */
  capacityUnits: number | undefined
  input: Record<string, unknown>
}

export interface RequestCounter {
  readonly requests: readonly RecordedRequest[]
  /** Requests per command, e.g. `{ GetItem: 1, Query: 2 }`. */
  byCommand(): Record<string, number>
  total(): number
  capacityUnits(): number
  reset(): void
  /** Removes the middleware from the client. */
  detach(): void
}

type AnyClient = DynamoDBClient | DynamoDBDocumentClient

let counterId = 0

function sumCapacity(consumed: unknown): number | undefined {
  if (!consumed) return undefined
  const list = Array.isArray(consumed) ? consumed : [consumed]
  let total = 0
  for (const entry of list) {
    if (entry && typeof entry === "object" && "CapacityUnits" in entry) {
      const units = (entry as { CapacityUnits?: unknown }).CapacityUnits
      if (typeof units === "number") total += units
    }
  }
  return total
}

/**
 * Records every request a client sends (a client middleware): how many, of
 * which command, against which table and index. Tests assert round trips
 * with it and the benchmark reports them.
 */
export function countRequests(client: AnyClient): RequestCounter {
  const requests: RecordedRequest[] = []
  const name = `dynamodb-auth-adapter/request-counter/${++counterId}`
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = (args.input ?? {}) as Record<string, unknown>
      const request: RecordedRequest = {
        command: String(context.commandName ?? "Unknown").replace(/Command$/, ""),
        tableName: typeof input.TableName === "string" ? input.TableName : undefined,
        indexName: typeof input.IndexName === "string" ? input.IndexName : undefined,
        capacityUnits: undefined,
        input,
      }
      // Recorded before the call returns so that failed requests count too.
      requests.push(request)
      const result = await next(args)
      request.capacityUnits = sumCapacity((result.output as { ConsumedCapacity?: unknown } | undefined)?.ConsumedCapacity)
      return result
    },
    { step: "initialize", name, override: true },
  )
  return {
    requests,
    byCommand() {
      const counts: Record<string, number> = {}
      for (const request of requests) counts[request.command] = (counts[request.command] ?? 0) + 1
      return counts
    },
    total: () => requests.length,
    capacityUnits: () => requests.reduce((sum, r) => sum + (r.capacityUnits ?? 0), 0),
    reset() {
      requests.length = 0
    },
    detach() {
      client.middlewareStack.remove(name)
    },
  }
}
