/**
 * The user copy in the email lookup item: getUserByEmail (and Better Auth's
 * user-by-email reads) in ONE strongly consistent GetItem on a table whose
 * lookups are complete, hit or miss, never returning a user older than the
 * last update that returned; legacy tables keep the GSI1 path and get no copy.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { DynamoDBAdapter } from "../../src/authjs/index.js"
import { MAX_SNAPSHOT_BYTES } from "../../src/core/stores/user-snapshot.js"
import { createTestTable, type TestTable } from "../support/test-table.js"

const KEY_ATTRIBUTES = ["pk", "sk", "GSI1PK", "GSI1SK", "type", "userVersion"]

function withoutKeys(item: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(item).filter(([attribute]) => !KEY_ATTRIBUTES.includes(attribute)))
}

async function countOf(table: TestTable, run: () => Promise<unknown>): Promise<Record<string, number>> {
  table.counter.reset()
  await run()
  return table.counter.byCommand()
}

async function itemAt(table: TestTable, pk: string): Promise<Record<string, unknown> | undefined> {
  return (await table.scanAll()).find((item) => item.pk === pk)
}

describe("on a table whose lookups are complete", () => {
  let table: TestTable
  beforeAll(async () => {
    table = await createTestTable()
  })
  afterAll(async () => {
    await table.drop()
  })

  it("createUser writes the copy with the claim, in the same transaction", async () => {
    const adapter = DynamoDBAdapter(table.client, { tableName: table.tableName })
    await adapter.createUser({ id: "c1", email: "c1@example.com", emailVerified: null, name: "Cee" })
    const lookup = await itemAt(table, "EMAIL#c1@example.com")
    expect(lookup).toEqual({
      pk: "EMAIL#c1@example.com",
      sk: "EMAIL#c1@example.com",
      type: "EMAIL",
      email: "c1@example.com",
      userId: "c1",
      user: { id: "c1", email: "c1@example.com", emailVerified: null, name: "Cee" },
      userVersion: 0,
    })
    expect(await countOf(table, () => adapter.getUserByEmail("c1@example.com"))).toEqual({ GetItem: 1 })
    expect(await adapter.getUserByEmail("c1@example.com")).toEqual({ id: "c1", email: "c1@example.com", emailVerified: null, name: "Cee" })
  })

  it("every update is seen by getUserByEmail once updateUser returned, and the copy equals the user item", async () => {
    const adapter = DynamoDBAdapter(table.client, { tableName: table.tableName })
    await adapter.createUser({ id: "c2", email: "c2@example.com", emailVerified: null, name: "Before" })
    const verified = new Date("2026-03-04T05:06:07.000Z")
    for (const change of [{ name: "After" }, { image: "https://example.com/c2.png" }, { emailVerified: verified }, { name: null }]) {
      const updated = await adapter.updateUser({ id: "c2", ...change })
      expect(await adapter.getUserByEmail("c2@example.com")).toEqual(updated)
    }
    const user = await itemAt(table, "USER#c2")
    const lookup = await itemAt(table, "EMAIL#c2@example.com")
    expect(lookup?.user).toEqual(withoutKeys(user!))
    expect(lookup?.userVersion).toBe(user?.userVersion)
    expect(user?.userVersion).toBe(4)
  })

  it("an email change: the old email finds nobody, the new one finds the user with one GetItem, its claim holds the copy", async () => {
    const adapter = DynamoDBAdapter(table.client, { tableName: table.tableName })
    await adapter.createUser({ id: "c3", email: "c3@example.com", emailVerified: null, name: "Moves" })
    const moved = await adapter.updateUser({ id: "c3", email: "c3-new@example.com" })
    expect(await adapter.getUserByEmail("c3@example.com")).toBeNull()
    expect(await itemAt(table, "EMAIL#c3@example.com")).toBeUndefined()
    expect(await countOf(table, () => adapter.getUserByEmail("c3-new@example.com"))).toEqual({ GetItem: 1 })
    expect(await adapter.getUserByEmail("c3-new@example.com")).toEqual(moved)
    const lookup = await itemAt(table, "EMAIL#c3-new@example.com")
    expect(lookup).toMatchObject({ userId: "c3", userVersion: 1, user: { id: "c3", email: "c3-new@example.com", name: "Moves" } })
  })

  it("a claim without a copy (written by backfill) is followed to the user by key", async () => {
    const adapter = DynamoDBAdapter(table.client, { tableName: table.tableName })
    await adapter.createUser({ id: "c4", email: "c4@example.com", emailVerified: null, name: "Backfilled" })
    await table.document.put({ TableName: table.tableName, Item: { pk: "EMAIL#c4@example.com", sk: "EMAIL#c4@example.com", type: "EMAIL", email: "c4@example.com", userId: "c4" } })
    expect(await countOf(table, () => adapter.getUserByEmail("c4@example.com"))).toEqual({ GetItem: 2 })
    expect(await adapter.getUserByEmail("c4@example.com")).toMatchObject({ id: "c4", name: "Backfilled" })
    // The next update gives the claim its copy.
    await adapter.updateUser({ id: "c4", name: "Copied" })
    expect(await itemAt(table, "EMAIL#c4@example.com")).toMatchObject({ userId: "c4", userVersion: 1, user: { name: "Copied" } })
    expect(await countOf(table, () => adapter.getUserByEmail("c4@example.com"))).toEqual({ GetItem: 1 })
  })

  it("a stale claim (its user has another email now) finds nobody, and is never refreshed with another user", async () => {
    const adapter = DynamoDBAdapter(table.client, { tableName: table.tableName })
    await adapter.createUser({ id: "c5", email: "c5@example.com", emailVerified: null })
    // As another program would leave it: the user moved to another email, the claim stayed.
    await table.document.update({
      TableName: table.tableName,
      Key: { pk: "USER#c5", sk: "USER#c5" },
      UpdateExpression: "SET email = :e, GSI1PK = :g, GSI1SK = :g",
      ExpressionAttributeValues: { ":e": "elsewhere@example.com", ":g": "USER#elsewhere@example.com" },
    })
    await table.document.update({
      TableName: table.tableName,
      Key: { pk: "EMAIL#c5@example.com", sk: "EMAIL#c5@example.com" },
      UpdateExpression: "REMOVE #u, userVersion",
      ExpressionAttributeNames: { "#u": "user" },
    })
    expect(await adapter.getUserByEmail("c5@example.com")).toBeNull()
    // A new user may take the email over; the old owner's updates never touch the new claim.
    const taker = await adapter.createUser({ id: "c5b", email: "c5@example.com", emailVerified: null, name: "Taker" })
    await adapter.updateUser({ id: "c5", name: "Old owner renamed" })
    expect(await adapter.getUserByEmail("c5@example.com")).toEqual(taker)
    expect(await itemAt(table, "EMAIL#c5@example.com")).toMatchObject({ userId: "c5b", user: { id: "c5b", name: "Taker" } })
  })

  it("a user too large to copy is read by key; its claim keeps no copy", async () => {
    const adapter = DynamoDBAdapter(table.client, { tableName: table.tableName })
    await adapter.createUser({ id: "c6", email: "c6@example.com", emailVerified: null, name: "Small" })
    const big = "x".repeat(MAX_SNAPSHOT_BYTES + 1)
    await adapter.updateUser({ id: "c6", image: big })
    const lookup = await itemAt(table, "EMAIL#c6@example.com")
    expect(lookup?.user).toBeUndefined()
    expect(lookup?.userVersion).toBeUndefined()
    expect(await countOf(table, () => adapter.getUserByEmail("c6@example.com"))).toEqual({ GetItem: 2 })
    expect((await adapter.getUserByEmail("c6@example.com"))?.image).toBe(big)
  })

  it("race: concurrent updates from two adapters leave the copy equal to the user item (20 rounds)", async () => {
    const one = DynamoDBAdapter(table.client, { tableName: table.tableName })
    const two = DynamoDBAdapter(table.client, { tableName: table.tableName })
    await one.createUser({ id: "c7", email: "c7@example.com", emailVerified: null, name: "r0" })
    for (let round = 1; round <= 20; round++) {
      await Promise.all([one.updateUser({ id: "c7", name: `one-${round}` }), two.updateUser({ id: "c7", image: `https://example.com/${round}.png` })])
      const user = await itemAt(table, "USER#c7")
      const lookup = await itemAt(table, "EMAIL#c7@example.com")
      expect({ user: lookup?.user, version: lookup?.userVersion }).toEqual({ user: withoutKeys(user!), version: user?.userVersion })
      expect(await two.getUserByEmail("c7@example.com")).toMatchObject({ name: `one-${round}`, image: `https://example.com/${round}.png` })
    }
  })
})

describe("on a legacy table (lookups not known complete)", () => {
  let table: TestTable
  beforeAll(async () => {
    table = await createTestTable({ legacy: true })
  })
  afterAll(async () => {
    await table.drop()
  })

  it("no copy is written, and getUserByEmail reads GSI1, seeing updates made without refreshing copies", async () => {
    const adapter = DynamoDBAdapter(table.client, { tableName: table.tableName })
    await adapter.createUser({ id: "l1", email: "l1@example.com", emailVerified: null, name: "Before" })
    await adapter.updateUser({ id: "l1", name: "Mine" })
    expect((await itemAt(table, "EMAIL#l1@example.com"))?.user).toBeUndefined()
    // As @auth/dynamodb-adapter updates a user: no version, no copy refreshed.
    await table.document.update({
      TableName: table.tableName,
      Key: { pk: "USER#l1", sk: "USER#l1" },
      UpdateExpression: "SET #n = :n",
      ExpressionAttributeNames: { "#n": "name" },
      ExpressionAttributeValues: { ":n": "Changed by the official adapter" },
    })
    expect(await countOf(table, () => adapter.getUserByEmail("l1@example.com"))).toEqual({ Query: 1 })
    expect((await adapter.getUserByEmail("l1@example.com"))?.name).toBe("Changed by the official adapter")
  })
})
