import { PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { simulateIndexLag } from "../support/index-lag.js"
import { createTestTable, type TestTable } from "../support/test-table.js"

let table: TestTable
beforeAll(async () => {
  table = await createTestTable()
})
afterAll(async () => {
  await table.drop()
})

describe("simulateIndexLag", () => {
  it("hides a fresh write from GSI1 queries until the lag has passed, but not from the base table", async () => {
    const lag = simulateIndexLag(table.client, { lagMs: 300 })
    await table.document.send(new PutCommand({ TableName: table.tableName, Item: { pk: "USER#1", sk: "USER#1", GSI1PK: "USER#a@b.c", GSI1SK: "USER#a@b.c" } }))
    const query = () =>
      table.document.send(
        new QueryCommand({
          TableName: table.tableName,
          IndexName: "GSI1",
          KeyConditionExpression: "GSI1PK = :p",
          ExpressionAttributeValues: { ":p": "USER#a@b.c" },
        }),
      )
    expect((await query()).Items).toEqual([])
    const base = await table.document.send(
      new QueryCommand({ TableName: table.tableName, KeyConditionExpression: "pk = :p", ExpressionAttributeValues: { ":p": "USER#1" } }),
    )
    expect(base.Items).toHaveLength(1)
    await new Promise((r) => setTimeout(r, 350))
    expect((await query()).Items).toHaveLength(1)
    expect(lag.hiddenReads()).toBe(1)
    lag.detach()
  })
})
