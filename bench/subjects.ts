/**
 * The adapters compared, each on its own table with its own counted client.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb"
import type { DynamoDBDocument } from "@aws-sdk/lib-dynamodb"
import type { Adapter } from "@auth/core/adapters"
import { DynamoDBAdapter as OfficialAdapter } from "@auth/dynamodb-adapter"
import { DynamoDBAdapter } from "../src/authjs/index.js"
import type { RequestCounter } from "../src/core/client/request-counter.js"
import type { Subject } from "./support/measure.js"

export interface SubjectTable {
  client: DynamoDBClient
  document: DynamoDBDocument
  tableName: string
  counter: RequestCounter
}

export const OFFICIAL = "@auth/dynamodb-adapter 2.11.3"
export const OURS = "dynamodb-auth-adapter"

/** Items still stored under a user's partition (what a delete left behind). */
function leftovers(table: SubjectTable) {
  return async (userId: string) => {
    const page = await table.document.query({
      TableName: table.tableName,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": `USER#${userId}` },
      Select: "COUNT",
      ConsistentRead: true,
    })
    return page.Count ?? 0
  }
}

export async function authjsSubjects(makeTable: (label: string) => Promise<SubjectTable>): Promise<Subject<Adapter>[]> {
  const ours = await makeTable("ours")
  const official = await makeTable("official")
  return [
    {
      name: OURS,
      adapter: DynamoDBAdapter(ours.document, { tableName: ours.tableName }),
      counter: ours.counter,
      leftovers: leftovers(ours),
    },
    {
      name: OFFICIAL,
      adapter: OfficialAdapter(official.document, { tableName: official.tableName }),
      counter: official.counter,
      leftovers: leftovers(official),
    },
  ]
}
