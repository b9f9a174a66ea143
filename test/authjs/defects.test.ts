/**
 * Each defect of @auth/dynamodb-adapter 2.11.3 listed in issue 3, as a test
 * of this adapter on DynamoDB Local (concurrency cases run for real).
 */
import { PutItemCommand } from "@aws-sdk/client-dynamodb"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { DynamoDBAdapter, type DynamoDBAuthjsAdapter } from "../../src/authjs/index.js"
import { isDynamoAuthAdapterError } from "../../src/core/errors.js"
import { createIdentityStores } from "../../src/core/identity/index.js"
import { TableClient } from "../../src/core/client/table-client.js"
import { MAX_ITEM_BYTES } from "../../src/core/item-size.js"
import { createTestTable, localClient, uniqueTableName, type TestTable, createTableWithoutIndex } from "../support/test-table.js"

let table: TestTable
let adapter: DynamoDBAuthjsAdapter
beforeAll(async () => {
  table = await createTestTable()
  adapter = DynamoDBAdapter(table.document, { tableName: table.tableName })
})
afterAll(async () => {
  await table.drop()
})

const inAnHour = () => new Date(Date.now() + 3_600_000)
const itemsMentioning = async (text: string) => (await table.scanAll()).filter((i) => JSON.stringify(i).includes(text))

describe("defects of the official adapter, fixed", () => {
  it("20 concurrent createUser with one email: exactly 1 user, the rest EMAIL_EXISTS", async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => adapter.createUser({ id: `race-${i}`, email: "race@example.com", emailVerified: null })),
    )
    const created = results.filter((r) => r.status === "fulfilled")
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === "rejected")
    expect(created).toHaveLength(1)
    expect(rejected).toHaveLength(19)
    for (const r of rejected) expect(isDynamoAuthAdapterError(r.reason, "EMAIL_EXISTS")).toBe(true)
    const users = (await table.scanAll()).filter((i) => i.type === "USER" && i.email === "race@example.com")
    expect(users).toHaveLength(1)
    const lookup = (await table.scanAll()).find((i) => i.pk === "EMAIL#race@example.com")
    expect(lookup?.userId).toBe(users[0]?.id)
  })

  it("linkAccount of a provider account linked to another user: ACCOUNT_EXISTS, nothing overwritten", async () => {
    await adapter.createUser({ id: "owner", email: "owner@example.com", emailVerified: null })
    await adapter.createUser({ id: "intruder", email: "intruder@example.com", emailVerified: null })
    await adapter.linkAccount({ userId: "owner", type: "oauth", provider: "gh", providerAccountId: "42", access_token: "owner-token" })
    const before = await table.scanAll()
    const error = await adapter
      .linkAccount({ userId: "intruder", type: "oauth", provider: "gh", providerAccountId: "42", access_token: "intruder-token" })
      .catch((e: unknown) => e)
    expect(isDynamoAuthAdapterError(error, "ACCOUNT_EXISTS")).toBe(true)
    expect(await table.scanAll()).toEqual(before)
    expect(await adapter.getUserByAccount({ provider: "gh", providerAccountId: "42" })).toMatchObject({ id: "owner" })
  })

  it("deleteUser with 33 sessions and an account leaves no item of the user", async () => {
    await adapter.createUser({ id: "busy", email: "busy@example.com", emailVerified: null })
    await adapter.linkAccount({ userId: "busy", type: "oidc", provider: "mock", providerAccountId: "busy-sub" })
    await Promise.all(Array.from({ length: 33 }, (_, i) => adapter.createSession({ sessionToken: `busy-${i}`, userId: "busy", expires: inAnHour() })))
    // user, its directory entry, email lookup, account with its provider-account and id lookups, 33 sessions with their token items
    expect((await itemsMentioning("busy")).length).toBe(1 + 1 + 1 + 3 + 33 * 2)
    await adapter.deleteUser("busy")
    expect(await itemsMentioning("busy")).toEqual([])
    expect(await adapter.getSessionAndUser("busy-0")).toBeNull()
  })

  it("deleteUser with 1,000+ sessions (several Query pages and 80+ batches) leaves nothing", { timeout: 120_000 }, async () => {
    await adapter.createUser({ id: "crowd", email: "crowd@example.com", emailVerified: null })
    const sessions = createIdentityStores(new TableClient({ names: table.names, client: localClient() })).sessions
    const items = Array.from({ length: 1_050 }, (_, i) => sessions.planCreate({ sessionToken: `crowd-${i}-${"x".repeat(600)}`, userId: "crowd", expires: 4_000_000_000 }))
    const writer = new TableClient({ names: table.names, client: localClient() })
    await writer.batchWrite(
      items.flat().map((action) => ({ kind: "put" as const, item: (action as { item: Record<string, unknown> }).item })),
      "seed sessions",
    )
    expect((await itemsMentioning("crowd")).length).toBe(3 + 1_050 * 2)
    table.counter.reset()
    await adapter.deleteUser("crowd")
    expect(table.counter.byCommand().Query).toBeGreaterThan(1)
    expect(await itemsMentioning("crowd")).toEqual([])
  })

  it("10 concurrent useVerificationToken on one token: exactly 1 gets it", async () => {
    await adapter.createVerificationToken({ identifier: "vt@example.com", token: "once", expires: inAnHour() })
    const results = await Promise.all(Array.from({ length: 10 }, () => adapter.useVerificationToken({ identifier: "vt@example.com", token: "once" })))
    expect(results.filter((r) => r !== null)).toHaveLength(1)
    expect(await itemsMentioning("VT#vt@example.com")).toEqual([])
  })

  it("getSessionAndUser of an expired session returns null and removes it", async () => {
    await adapter.createUser({ id: "late", email: "late@example.com", emailVerified: null })
    await adapter.createSession({ sessionToken: "stale", userId: "late", expires: new Date(Date.now() - 1_000) })
    expect(await adapter.getSessionAndUser("stale")).toBeNull()
    expect(await itemsMentioning("SESSION#stale")).toEqual([])
  })

  it("updateUser changing email moves the GSI1 keys and the lookup item", async () => {
    await adapter.createUser({ id: "mover", email: "before@example.com", emailVerified: null })
    const updated = await adapter.updateUser({ id: "mover", email: "after@example.com" })
    expect(updated).toMatchObject({ id: "mover", email: "after@example.com" })
    expect(await adapter.getUserByEmail("before@example.com")).toBeNull()
    expect(await adapter.getUserByEmail("after@example.com")).toMatchObject({ id: "mover" })
    const all = await table.scanAll()
    expect(all.find((i) => i.pk === "USER#mover")).toMatchObject({ GSI1PK: "USER#after@example.com", GSI1SK: "USER#after@example.com" })
    expect(all.some((i) => i.pk === "EMAIL#before@example.com")).toBe(false)
    expect(all.find((i) => i.pk === "EMAIL#after@example.com")?.userId).toBe("mover")
  })

  it("updateUser of an id that does not exist: NOT_FOUND, no ghost user", async () => {
    const before = await table.scanAll()
    const error = await adapter.updateUser({ id: "ghost", name: "Boo" }).catch((e: unknown) => e)
    expect(isDynamoAuthAdapterError(error, "NOT_FOUND")).toBe(true)
    expect((error as Error).message).toContain("ghost")
    expect(await table.scanAll()).toEqual(before)
  })

  it("updateUser with a field set to undefined leaves that field alone", async () => {
    await adapter.createUser({ id: "partial", email: "partial@example.com", emailVerified: null, name: "Kept" })
    const updated = await adapter.updateUser({ id: "partial", name: undefined, image: "new.png" })
    expect(updated).toEqual({ id: "partial", email: "partial@example.com", emailVerified: null, name: "Kept", image: "new.png" })
  })

  it("deleteUser of a user with no other items deletes the user", async () => {
    await adapter.createUser({ id: "lonely", email: "lonely@example.com", emailVerified: null })
    expect(await adapter.deleteUser("lonely")).toMatchObject({ id: "lonely" })
    expect(await itemsMentioning("lonely")).toEqual([])
    expect(await adapter.deleteUser("lonely")).toBeNull()
  })

  it("an item over 400 KB is refused before sending: ITEM_TOO_LARGE, nothing written", async () => {
    table.counter.reset()
    const error = await adapter.createUser({ id: "huge", email: "huge@example.com", emailVerified: null, name: "x".repeat(MAX_ITEM_BYTES) }).catch((e: unknown) => e)
    expect(isDynamoAuthAdapterError(error, "ITEM_TOO_LARGE")).toBe(true)
    expect(table.counter.total()).toBe(0)
    expect(await itemsMentioning("huge")).toEqual([])
  })
})

describe("custom key attribute names", () => {
  const options = { partitionKey: "PK", sortKey: "SK", indexName: "Lookup", indexPartitionKey: "LPK", indexSortKey: "LSK" }
  let custom: TestTable
  let customAdapter: DynamoDBAuthjsAdapter
  beforeAll(async () => {
    custom = await createTestTable(options)
    customAdapter = DynamoDBAdapter(custom.client, { tableName: custom.tableName, ...options })
  })
  afterAll(async () => {
    await custom.drop()
  })

  it("deleteUser works and key attributes never leak into users and sessions", async () => {
    const user = await customAdapter.createUser({ id: "c1", email: "c1@example.com", emailVerified: null })
    await customAdapter.linkAccount({ userId: "c1", type: "oauth", provider: "p", providerAccountId: "c1" })
    const session = await customAdapter.createSession({ sessionToken: "c-tok", userId: "c1", expires: inAnHour() })
    const got = await customAdapter.getSessionAndUser("c-tok")
    expect(got).toEqual({ session, user })
    for (const record of [got?.session, got?.user, await customAdapter.getUser("c1"), await customAdapter.getUserByEmail("c1@example.com")]) {
      for (const key of ["PK", "SK", "LPK", "LSK", "pk", "sk", "GSI1PK", "GSI1SK", "type"]) expect(record).not.toHaveProperty(key)
    }
    expect(await customAdapter.deleteUser("c1")).toEqual(user)
    expect(await custom.scanAll()).toEqual([])
  })
})

describe("a table that is missing or has no index", () => {
  it("MISSING_TABLE names the table", async () => {
    const missing = DynamoDBAdapter(localClient(), { tableName: "no-such-table" })
    const error = await missing.getUser("x").catch((e: unknown) => e)
    expect(isDynamoAuthAdapterError(error, "MISSING_TABLE")).toBe(true)
    expect((error as Error).message).toContain("no-such-table")
  })

  it("MISSING_INDEX names the table and the index", async () => {
    const client = localClient()
    const tableName = uniqueTableName("noindex")
    await createTableWithoutIndex(client, tableName)
    // A table with items (an empty one is marked lookups complete, and its misses never reach the index).
    await client.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: "USER#legacy" }, sk: { S: "USER#legacy" }, type: { S: "USER" } } }))
    const noIndex = DynamoDBAdapter(client, { tableName })
    const error = await noIndex.getUserByEmail("a@example.com").catch((e: unknown) => e)
    expect(isDynamoAuthAdapterError(error, "MISSING_INDEX")).toBe(true)
    expect((error as Error).message).toContain(tableName)
    expect((error as Error).message).toContain("GSI1")
  })
})
