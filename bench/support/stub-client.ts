/**
 * A DynamoDBClient that answers in process with canned items, so that timing
 * an adapter call measures only the work done in this process, never the
 * network or DynamoDB.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb"

type Json = Record<string, unknown>

/** One item that satisfies every read the benchmarked calls make (user, session, token item). */
function cannedItem(): Json {
  const future = String(Math.floor(Date.now() / 1000) + 86_400)
  return {
    pk: { S: "USER#u1" },
    sk: { S: "USER#u1" },
    type: { S: "USER" },
    id: { S: "u1" },
    userId: { S: "u1" },
    email: { S: "stub@example.com" },
    name: { S: "Stub" },
    emailVerified: { NULL: true },
    sessionToken: { S: "token" },
    expires: { N: future },
  }
}

function answer(target: string): Json {
  switch (target) {
    case "GetItem":
      return { Item: cannedItem() }
    case "Query":
    case "Scan":
      return { Items: [cannedItem()], Count: 1, ScannedCount: 1 }
    case "UpdateItem":
    case "PutItem":
    case "DeleteItem":
      return { Attributes: cannedItem() }
    case "BatchGetItem":
      return { Responses: {}, UnprocessedKeys: {} }
    case "BatchWriteItem":
      return { UnprocessedItems: {} }
    default:
      return {}
  }
}

/**
 * Answers at the SDK's initialize step, after the document client has
 * marshalled the input and before serialisation, signing and HTTP: what is
 * timed is the adapter's own work plus marshalling, which every document
 * client user pays alike.
 */
export function createStubClient(): DynamoDBClient {
  const client = new DynamoDBClient({
    region: "us-east-1",
    endpoint: "http://stub.invalid",
    credentials: { accessKeyId: "stub", secretAccessKey: "stub" },
  })
  client.middlewareStack.add(
    (_next, context) => async () => {
      const target = String(context.commandName ?? "").replace(/Command$/, "")
      return { output: { $metadata: {}, ...answer(target) }, response: {} }
    },
    { step: "initialize", priority: "low", name: "bench-stub-dynamodb" },
  )
  return client
}
