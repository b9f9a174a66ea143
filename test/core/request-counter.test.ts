import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { countRequests } from "../../src/core/client/request-counter.js"
import { TableClient } from "../../src/core/client/table-client.js"
import { createTestTable, type TestTable } from "../support/test-table.js"

let table: TestTable
beforeAll(async () => {
  table = await createTestTable()
})
afterAll(async () => {
  await table.drop()
})

describe("countRequests", () => {
  it("counts each request by command and table, failed ones included, until detached", async () => {
    const counter = countRequests(table.client)
    await table.document.send(new PutCommand({ TableName: table.tableName, Item: { pk: "a", sk: "a" } }))
    await table.document.send(new GetCommand({ TableName: table.tableName, Key: { pk: "a", sk: "a" } }))
    await table.document.send(new GetCommand({ TableName: "no-such-table", Key: { pk: "a", sk: "a" } })).catch(() => {})
    expect(counter.byCommand()).toEqual({ PutItem: 1, GetItem: 2 })
    expect(counter.requests.map((r) => r.tableName)).toEqual([table.tableName, table.tableName, "no-such-table"])
    counter.detach()
    await table.document.send(new GetCommand({ TableName: table.tableName, Key: { pk: "a", sk: "a" } }))
    expect(counter.total()).toBe(3)
  })

  it("reports consumed capacity when requested", async () => {
    const counter = countRequests(table.client)
    await table.document.send(new GetCommand({ TableName: table.tableName, Key: { pk: "a", sk: "a" }, ReturnConsumedCapacity: "TOTAL", ConsistentRead: true }))
    expect(counter.capacityUnits()).toBe(1)
    counter.detach()
  })
})

describe("batch writes with UnprocessedItems", () => {
  it("retries what DynamoDB left unprocessed until nothing is left", async () => {
    const client = new TableClient({ names: table.names, client: table.client })
    let calls = 0
    // Simulates a throttled batch: DynamoDB takes one write per request and hands back the rest.
    table.client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== "BatchWriteItemCommand") return next(args)
        calls++
        const input = args.input as { RequestItems: Record<string, unknown[]> }
        const [tableName, requests] = Object.entries(input.RequestItems)[0]!
        const [first, ...rest] = requests
        const result = await next({ ...args, input: { ...input, RequestItems: { [tableName]: [first] } } })
        const output = result.output as { UnprocessedItems?: Record<string, unknown[]> }
        output.UnprocessedItems = rest.length ? { [tableName]: rest } : {}
        return result
      },
      { step: "initialize", name: "unprocessed-simulator" },
    )
    try {
      const puts = Array.from({ length: 5 }, (_, i) => ({ kind: "put" as const, item: { pk: "UNPROCESSED", sk: String(i) } }))
      await client.batchWrite(puts, "seed")
    } finally {
      table.client.middlewareStack.remove("unprocessed-simulator")
    }
    expect(calls).toBe(5)
    const stored = (await table.scanAll()).filter((i) => i.pk === "UNPROCESSED")
    expect(stored.map((i) => i.sk)).toEqual(["0", "1", "2", "3", "4"])
  })
})
