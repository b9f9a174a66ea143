/**
 * Helpers for the tests of the user copies (session token items, email and
 * provider-account claims): the copy as it should be, request counts, and a
 * user changed the way `@auth/dynamodb-adapter` changes one.
 */
import type { TestTable } from "./test-table.js"

const KEY_ATTRIBUTES = ["pk", "sk", "GSI1PK", "GSI1SK", "type", "userVersion", "userLinks"]

/** A user item as its copies hold it: no keys, no type, no version, no links. */
export function withoutKeys(item: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(item).filter(([attribute]) => !KEY_ATTRIBUTES.includes(attribute)))
}

/** The requests `run` sends, by command. */
export async function countOf(table: TestTable, run: () => Promise<unknown>): Promise<Record<string, number>> {
  table.counter.reset()
  await run()
  return table.counter.byCommand()
}

/** Renames the user as `@auth/dynamodb-adapter` updates one: no version, no copy refreshed. */
export async function renameAsOfficialAdapter(table: TestTable, userId: string, name: string): Promise<void> {
  await table.document.update({
    TableName: table.tableName,
    Key: { pk: `USER#${userId}`, sk: `USER#${userId}` },
    UpdateExpression: "SET #n = :n",
    ExpressionAttributeNames: { "#n": "name" },
    ExpressionAttributeValues: { ":n": name },
  })
}
