/**
 * `adapter.transaction`: writes buffered, reads see them, one
 * TransactWriteItems (with a ClientRequestToken) at the end; a throw writes
 * nothing; more than 100 actions is refused before anything is sent.
 */
import type { BetterAuthOptions } from "@better-auth/core"
import type { DBAdapter } from "@better-auth/core/db/adapter"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { singleTableAdapter } from "../../src/better-auth/index.js"
import { isDynamoAuthAdapterError } from "../../src/core/errors.js"
import { countRequests, type RequestCounter } from "../../src/core/client/request-counter.js"
import { TableClient } from "../../src/core/client/table-client.js"
import { BufferedTable } from "../../src/core/transaction/index.js"
import { createTestTable, localClient, type TestTable } from "../support/test-table.js"

let table: TestTable
let client: ReturnType<typeof localClient>
let counter: RequestCounter
let adapter: DBAdapter<BetterAuthOptions>

beforeAll(async () => {
  table = await createTestTable()
  client = localClient()
  counter = countRequests(client)
  adapter = singleTableAdapter({ client, tableName: table.tableName })({})
})

afterAll(async () => {
  counter.detach()
  client.destroy()
  await table.drop()
})

beforeEach(async () => {
  for (const item of await table.scanAll()) await table.document.delete({ TableName: table.tableName, Key: { pk: item.pk, sk: item.sk } })
  counter.reset()
})

const now = () => new Date()

describe("adapter.transaction", () => {
  it("commits every write in one TransactWriteItems with a ClientRequestToken, and reads inside see the writes", async () => {
    const result = await adapter.transaction(async (tx) => {
      const user = await tx.create<{ id: string }>({ model: "user", data: { name: "T", email: "tx@example.com", emailVerified: false, createdAt: now(), updatedAt: now() } })
      await tx.create({ model: "session", data: { token: "tx-token", userId: user.id, expiresAt: new Date(Date.now() + 60_000), createdAt: now(), updatedAt: now() } })
      await tx.create({ model: "verification", data: { identifier: "tx-id", value: "v", expiresAt: new Date(Date.now() + 60_000), createdAt: now(), updatedAt: now() } })
      expect(await tx.findOne({ model: "user", where: [{ field: "email", value: "tx@example.com" }] })).toMatchObject({ id: user.id })
      expect(await tx.findMany({ model: "session", where: [{ field: "userId", value: user.id }] })).toHaveLength(1)
      expect(await tx.findMany({ model: "user" })).toHaveLength(1)
      await tx.update({ model: "user", where: [{ field: "id", value: user.id }], update: { name: "Renamed" } })
      expect(await tx.findOne({ model: "user", where: [{ field: "id", value: user.id }] })).toMatchObject({ name: "Renamed" })
      expect(counter.byCommand().TransactWriteItems).toBeUndefined()
      return user.id
    })
    const writes = counter.requests.filter((r) => r.command === "TransactWriteItems")
    expect(writes).toHaveLength(1)
    expect(writes[0]!.input.ClientRequestToken).toEqual(expect.any(String))
    // user + email claim + directory entry + session + session token item + verification + its expiry marker: the rename folded into the user's put.
    expect((writes[0]!.input.TransactItems as unknown[]).length).toBe(7)
    const items = await table.scanAll()
    expect(items.map((i) => i.type).sort()).toEqual(["EMAIL", "SESSION", "SESSION_TOKEN", "USER", "USER_DIRECTORY", "VERIFICATION", "VERIFICATION_EXPIRY"])
    expect(items.find((i) => i.type === "USER")).toMatchObject({ id: result, name: "Renamed", email: "tx@example.com" })
  })

  it("writes nothing when the callback throws", async () => {
    await expect(
      adapter.transaction(async (tx) => {
        await tx.create({ model: "user", data: { name: "T", email: "gone@example.com", emailVerified: false, createdAt: now(), updatedAt: now() } })
        expect(await tx.findMany({ model: "user" })).toHaveLength(1)
        throw new Error("Simulated failure")
      }),
    ).rejects.toThrow("Simulated failure")
    expect(await table.scanAll()).toEqual([])
    expect(counter.byCommand().TransactWriteItems).toBeUndefined()
  })

  it("refuses more than 100 writes with TRANSACTION_TOO_LARGE before sending anything", async () => {
    const error = await adapter
      .transaction(async (tx) => {
        for (let i = 0; i < 101; i++) {
          await tx.create({ model: "verification", data: { identifier: `bulk-${i}`, value: "v", expiresAt: new Date(Date.now() + 60_000), createdAt: now(), updatedAt: now() } })
        }
      })
      .catch((e: unknown) => e)
    expect(isDynamoAuthAdapterError(error, "TRANSACTION_TOO_LARGE")).toBe(true)
    expect(counter.byCommand().TransactWriteItems).toBeUndefined()
    expect(await table.scanAll()).toEqual([])
  })

  it("consumeOne inside a transaction returns the row and deletes it at commit; a lost race cancels the whole transaction with reasons", async () => {
    const created = await adapter.create<{ id: string }>({
      model: "verification",
      data: { identifier: "once", value: "v", expiresAt: new Date(Date.now() + 60_000), createdAt: now(), updatedAt: now() },
    })
    const consumed = await adapter.transaction(async (tx) => {
      const row = await tx.consumeOne<{ id: string }>({ model: "verification", where: [{ field: "id", value: created.id }] })
      expect(await tx.findOne({ model: "verification", where: [{ field: "id", value: created.id }] })).toBeNull()
      return row
    })
    expect(consumed?.id).toBe(created.id)
    expect(await table.scanAll()).toEqual([])

    const again = await adapter.create<{ id: string }>({
      model: "verification",
      data: { identifier: "twice", value: "v", expiresAt: new Date(Date.now() + 60_000), createdAt: now(), updatedAt: now() },
    })
    const error = await adapter
      .transaction(async (tx) => {
        await tx.consumeOne({ model: "verification", where: [{ field: "id", value: again.id }] })
        await tx.create({ model: "verification", data: { identifier: "side-effect", value: "v", expiresAt: new Date(Date.now() + 60_000), createdAt: now(), updatedAt: now() } })
        // Another caller consumes it first.
        await adapter.consumeOne({ model: "verification", where: [{ field: "id", value: again.id }] })
      })
      .catch((e: unknown) => e)
    expect(isDynamoAuthAdapterError(error, "TRANSACTION_FAILED")).toBe(true)
    // The guarded delete failed; the marker delete and the new record with its marker were not written.
    expect((error as { reasons: { code: string }[] }).reasons.map((r) => r.code)).toEqual(["ConditionalCheckFailed", "None", "None", "None"])
    expect(await table.scanAll()).toEqual([])
  })
})

describe("BufferedTable", () => {
  it("folds several writes to one item into one action under the first condition", async () => {
    const base = new TableClient({ names: table.names, client })
    const tx = new BufferedTable(base)
    const key = { pk: "THING#1", sk: "THING#1" }
    await tx.write({ kind: "put", item: { ...key, type: "THING", n: 1 }, condition: { expression: "attribute_not_exists(#pk)", names: { "#pk": "pk" } }, label: "put" }, "t")
    await tx.write({ kind: "update", key, update: { expression: "ADD #n :one SET #s = :s", names: { "#n": "n", "#s": "s" }, values: { ":one": 1, ":s": "x" } }, label: "update" }, "t")
    expect(await tx.get(key, "t")).toEqual({ ...key, type: "THING", n: 2, s: "x" })
    expect(tx.actions()).toHaveLength(1)
    expect(await tx.queryAll({ keyCondition: { expression: "#pk = :pk", names: { "#pk": "pk" }, values: { ":pk": "THING#1" } } }, "t")).toHaveLength(1)
    await tx.commit()
    expect(await table.scanAll()).toEqual([{ ...key, type: "THING", n: 2, s: "x" }])
  })
})
