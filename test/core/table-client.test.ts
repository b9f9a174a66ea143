import { DeleteTableCommand } from "@aws-sdk/client-dynamodb"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { TableClient, type WriteAction } from "../../src/core/client/table-client.js"
import { resolveTableNames } from "../../src/table/names.js"
import { isDynamoAuthAdapterError, type DynamoAuthAdapterError } from "../../src/core/errors.js"
import { MAX_ITEM_BYTES } from "../../src/core/item-size.js"
import { createTestTable, localClient, uniqueTableName, type TestTable, createTableWithoutIndex } from "../support/test-table.js"

let table: TestTable
let items: TableClient
beforeAll(async () => {
  table = await createTestTable()
  items = new TableClient({ names: table.names, client: table.client })
})
afterAll(async () => {
  await table.drop()
})

const claim = (email: string, userId: string): WriteAction => ({
  kind: "put",
  item: { pk: `EMAIL#${email}`, sk: `EMAIL#${email}`, type: "EMAIL", userId },
  condition: { expression: "attribute_not_exists(#pk)", names: { "#pk": "pk" } },
  label: `claim email ${email}`,
})

describe("TableClient", () => {
  it("writes a transaction all or nothing, and names the action that failed", async () => {
    await items.transactWrite([claim("a@example.com", "u1")], "test")
    const error = (await items
      .transactWrite(
        [{ kind: "put", item: { pk: "USER#u2", sk: "USER#u2", type: "USER" }, label: "put user u2" }, claim("a@example.com", "u2")],
        "createUser",
      )
      .catch((e: unknown) => e)) as DynamoAuthAdapterError
    expect(error.code).toBe("TRANSACTION_FAILED")
    expect(error.reasons?.map((r) => r.code)).toEqual(["None", "ConditionalCheckFailed"])
    expect(error.reasons?.[1]?.action).toBe("claim email a@example.com")
    expect(error.message).toContain("claim email a@example.com: ConditionalCheckFailed")
    const all = await table.scanAll()
    expect(all.map((i) => i.pk)).toEqual(["EMAIL#a@example.com"])
    expect(all[0]?.userId).toBe("u1")
  })

  it("refuses more than 100 actions before sending anything", async () => {
    table.counter.reset()
    const actions = Array.from({ length: 101 }, (_, i) => claim(`bulk${i}@example.com`, "u"))
    const error = await items.transactWrite(actions, "bulk").catch((e: unknown) => e)
    expect(isDynamoAuthAdapterError(error, "TRANSACTION_TOO_LARGE")).toBe(true)
    expect(table.counter.total()).toBe(0)
  })

  it("refuses an item over 400 KB before sending it", async () => {
    table.counter.reset()
    const error = await items
      .write({ kind: "put", item: { pk: "BIG", sk: "BIG", blob: "x".repeat(MAX_ITEM_BYTES) }, label: "big" }, "put")
      .catch((e: unknown) => e)
    expect(isDynamoAuthAdapterError(error, "ITEM_TOO_LARGE")).toBe(true)
    expect(table.counter.total()).toBe(0)
    expect((await table.scanAll()).some((i) => i.pk === "BIG")).toBe(false)
  })

  it("batch-writes and batch-reads more than one request's worth of items", async () => {
    const puts = Array.from({ length: 60 }, (_, i) => ({ kind: "put" as const, item: { pk: "BATCH", sk: `S#${String(i).padStart(3, "0")}`, n: i } }))
    await items.batchWrite(puts, "seed")
    const keys = puts.map((p) => ({ pk: p.item.pk, sk: p.item.sk }))
    const read = await items.batchGet([...keys, { pk: "BATCH", sk: "S#missing" }], "read")
    expect(read.map((i) => i.n)).toEqual(puts.map((p) => p.item.n))
    const queried = await items.queryAll(
      { keyCondition: { expression: "#pk = :pk", names: { "#pk": "pk" }, values: { ":pk": "BATCH" } }, limit: 7 },
      "query",
    )
    expect(queried).toHaveLength(60)
    await items.batchWrite(keys.map((key) => ({ kind: "delete" as const, key })), "cleanup")
    expect((await table.scanAll()).some((i) => i.pk === "BATCH")).toBe(false)
  })

  it("strips undefined values whatever the document client's options", async () => {
    await items.write({ kind: "put", item: { pk: "U", sk: "U", a: 1, b: undefined, nested: { c: undefined, d: 2 } }, label: "u" }, "put")
    const stored = (await table.scanAll()).find((i) => i.pk === "U")
    expect(stored).toEqual({ pk: "U", sk: "U", a: 1, nested: { d: 2 } })
  })
})

describe("TableClient errors", () => {
  it("MISSING_TABLE names the table and the command that creates it", async () => {
    const names = resolveTableNames({ tableName: uniqueTableName("absent") })
    const client = localClient()
    const missing = new TableClient({ names, client })
    const error = await missing.get({ pk: "x", sk: "x" }, "getUser").catch((e: unknown) => e)
    expect(isDynamoAuthAdapterError(error, "MISSING_TABLE")).toBe(true)
    expect((error as Error).message).toContain(names.tableName)
    expect((error as Error).message).toContain("create-table")
    client.destroy()
  })

  it("MISSING_INDEX names the index and the table", async () => {
    const client = localClient()
    const tableName = uniqueTableName("noindex")
    await createTableWithoutIndex(client, tableName)
    const noIndex = new TableClient({ names: resolveTableNames({ tableName }), client })
    const error = await noIndex
      .queryPage({ index: "gsi", keyCondition: { expression: "#p = :p", names: { "#p": "GSI1PK" }, values: { ":p": "USER#a" } } }, "getUserByEmail")
      .catch((e: unknown) => e)
    expect(isDynamoAuthAdapterError(error, "MISSING_INDEX")).toBe(true)
    expect((error as Error).message).toContain("GSI1")
    expect((error as Error).message).toContain(tableName)
    await client.send(new DeleteTableCommand({ TableName: tableName }))
    client.destroy()
  })
})
