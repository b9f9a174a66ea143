/**
 * The demo's look into the table: every item that belongs to the signed-in
 * person, whichever framework wrote it. A Scan with a filter, through a
 * client of its own: fine for a demo table of a few people, and kept out of
 * the request counts the page shows (an app never needs this read).
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb"
import { DynamoDBDocument } from "@aws-sdk/lib-dynamodb"

export interface PersonItem {
  pk: string
  sk: string
  /** The item's kind: its `type`, except for accounts, whose `type` is Auth.js's account type (`oidc`, `email`, …). */
  type: string
}

function kindOf(item: Record<string, unknown>): string {
  if (String(item.pk).startsWith("USER#") && String(item.sk).startsWith("ACCOUNT#")) return "ACCOUNT"
  return String(item.type ?? "")
}

export async function personItems(client: DynamoDBClient, tableName: string, userId: string): Promise<PersonItem[]> {
  const document = DynamoDBDocument.from(client)
  const items: PersonItem[] = []
  let ExclusiveStartKey: Record<string, unknown> | undefined
  do {
    const page = await document.scan({
      TableName: tableName,
      // The user's partition (user, accounts, sessions), and the claims and token items that point at the user.
      FilterExpression: "pk = :pk OR userId = :id OR #user.#id = :id",
      ExpressionAttributeNames: { "#user": "user", "#id": "id" },
      ExpressionAttributeValues: { ":pk": `USER#${userId}`, ":id": userId },
      ConsistentRead: true,
      ExclusiveStartKey,
    })
    for (const item of page.Items ?? []) items.push({ pk: String(item.pk), sk: String(item.sk), type: kindOf(item) })
    ExclusiveStartKey = page.LastEvaluatedKey
  } while (ExclusiveStartKey)
  const order = (item: PersonItem) => `${item.pk.startsWith("USER#") ? 0 : 1}${item.pk}\u0000${item.sk}`
  return items.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0))
}
