/**
 * A DynamoDBClient that answers in process with canned items, so that timing
 * an adapter call measures only the work done in this process, never the
 * network or DynamoDB. It answers like a table made by `createTable`: the
 * table metadata item says the lookups are complete, and a session token
 * item carries its copy of the user, so each adapter takes the path its
 * users get on such a table.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb"

type Json = Record<string, unknown>

/** One item that satisfies every read the benchmarked calls make (user, session). */
function cannedItem(): Json {
  return {
    pk: "USER#u1",
    sk: "USER#u1",
    type: "USER",
    id: "u1",
    userId: "u1",
    email: "stub@example.com",
    name: "Stub",
    emailVerified: null,
    sessionToken: "token",
    expires: Math.floor(Date.now() / 1000) + 86_400,
  }
}

/** The table metadata item of a table made by `createTable`. */
function metaItem(): Json {
  return { pk: "TABLE#META", sk: "TABLE#META", type: "TABLE_META", lookups: "complete", since: "2026-01-01T00:00:00.000Z", by: "create-table" }
}

/** A session token item with its copy of the user (version 0). */
function tokenItem(): Json {
  const { pk: _pk, sk: _sk, type: _type, userId: _userId, sessionToken: _token, expires: _expires, ...user } = cannedItem()
  return { ...cannedItem(), pk: "SESSION#token", sk: "SESSION#token", type: "SESSION_TOKEN", user, userVersion: 0 }
}

function getItem(input: Json): Json {
  const pk = String((input.Key as Json | undefined)?.pk ?? "")
  if (pk === "TABLE#META") return metaItem()
  if (pk.startsWith("SESSION#")) return tokenItem()
  return cannedItem()
}

function answer(target: string, input: Json): Json {
  switch (target) {
    case "GetItem":
      return { Item: getItem(input) }
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
 * Answers at the SDK's initialize step, before the document client's
 * marshalling, with items in document form (plain values), as the document
 * client would hand them back: what is timed is each adapter's own work per
 * call (its ElectroDB, planning and mapping layers included), not the SDK's
 * serialisation, signing and HTTP, which every user of the SDK pays alike.
 */
export function createStubClient(): DynamoDBClient {
  const client = new DynamoDBClient({
    region: "us-east-1",
    endpoint: "http://stub.invalid",
    credentials: { accessKeyId: "stub", secretAccessKey: "stub" },
  })
  client.middlewareStack.add(
    (_next, context) => async (args) => {
      const target = String(context.commandName ?? "").replace(/Command$/, "")
      return { output: { $metadata: {}, ...answer(target, args.input as Json) }, response: {} }
    },
    { step: "initialize", priority: "low", name: "bench-stub-dynamodb" },
  )
  return client
}
