/**
 * The user snapshot in session token items: getSessionAndUser in ONE
 * GetItem on a table whose lookups are complete, two on a legacy table, and
 * never a user older than the last update that returned, also under
 * concurrent session creation and user updates.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { DynamoDBAdapter } from "../../src/authjs/index.js"
import { countRequests } from "../../src/core/client/request-counter.js"
import { cookieHeader, testBetterAuth } from "../support/better-auth-app.js"
import { countOf, renameAsOfficialAdapter, withoutKeys } from "../support/user-copies.js"
import { createTestTable, useTableWithClient, type TestTable } from "../support/test-table.js"

const inAnHour = () => new Date(Date.now() + 3_600_000)
describe("Auth.js getSessionAndUser from the token item's user snapshot", () => {
  let table: TestTable
  beforeAll(async () => {
    table = await createTestTable()
  })
  afterAll(async () => {
    await table.drop()
  })

  it("is one GetItem, and every session sees each update of the user once updateUser returned", async () => {
    const adapter = DynamoDBAdapter(table.client, { tableName: table.tableName })
    await adapter.getSessionAndUser("missing") // reads the table's metadata item, once per adapter
    await adapter.createUser({ id: "u1", email: "u1@example.com", emailVerified: null, name: "Before" })
    // The user was just written: the session copies it without reading it again.
    expect(await countOf(table, () => adapter.createSession({ sessionToken: "a", userId: "u1", expires: inAnHour() }))).toEqual({ TransactWriteItems: 1 })
    await adapter.createSession({ sessionToken: "b", userId: "u1", expires: inAnHour() })
    expect(await countOf(table, () => adapter.getSessionAndUser("a"))).toEqual({ GetItem: 1 })
    expect((await adapter.getSessionAndUser("a"))?.user).toEqual({ id: "u1", email: "u1@example.com", emailVerified: null, name: "Before" })

    const verified = new Date("2026-01-02T03:04:05.000Z")
    const updates = [{ name: "After" }, { image: "https://example.com/a.png" }, { email: "u1-new@example.com" }, { emailVerified: verified }]
    for (const change of updates) {
      const updated = await adapter.updateUser({ id: "u1", ...change })
      for (const token of ["a", "b"]) {
        const found = await adapter.getSessionAndUser(token)
        expect(found?.user).toEqual(updated)
      }
    }
    expect((await adapter.getSessionAndUser("b"))?.user).toEqual({
      id: "u1",
      email: "u1-new@example.com",
      emailVerified: verified,
      name: "After",
      image: "https://example.com/a.png",
    })
    // Each token item holds the user item minus its keys, at the user's version.
    const items = await table.scanAll()
    const user = items.find((i) => i.pk === "USER#u1" && i.sk === "USER#u1")!
    expect(user.userVersion).toBe(4)
    for (const token of ["a", "b"]) {
      const tokenItem = items.find((i) => i.pk === `SESSION#${token}`)!
      expect(tokenItem.user).toEqual(withoutKeys(user))
      expect(tokenItem.userVersion).toBe(4)
    }
    // The session item in the user's partition carries no copy.
    expect(items.filter((i) => i.type === "SESSION").every((i) => i.user === undefined && i.userVersion === undefined)).toBe(true)
  })

  it("a token item without a copy (written when its user kept changing) is read with the user by key, and given the copy on that read", async () => {
    const adapter = DynamoDBAdapter(table.client, { tableName: table.tableName })
    await adapter.createUser({ id: "u-rep", email: "u-rep@example.com", emailVerified: null, name: "Repaired" })
    await adapter.createSession({ sessionToken: "rep", userId: "u-rep", expires: inAnHour() })
    await table.document.update({ TableName: table.tableName, Key: { pk: "SESSION#rep", sk: "SESSION#rep" }, UpdateExpression: "REMOVE #u, userVersion", ExpressionAttributeNames: { "#u": "user" } })
    expect(await countOf(table, () => adapter.getSessionAndUser("rep"))).toEqual({ GetItem: 2, UpdateItem: 1 })
    const items = await table.scanAll()
    const user = items.find((i) => i.pk === "USER#u-rep" && i.sk === "USER#u-rep")!
    expect(items.find((i) => i.pk === "SESSION#rep")).toMatchObject({ user: withoutKeys(user), userVersion: 0 })
    expect(await countOf(table, () => adapter.getSessionAndUser("rep"))).toEqual({ GetItem: 1 })
    expect((await adapter.getSessionAndUser("rep"))?.user.name).toBe("Repaired")
  })

  it("updateUser is one Query and one transaction with the user and every copy of it", async () => {
    const adapter = DynamoDBAdapter(table.client, { tableName: table.tableName })
    await adapter.createUser({ id: "u2", email: "u2@example.com", emailVerified: null })
    for (const token of ["c", "d", "e"]) await adapter.createSession({ sessionToken: token, userId: "u2", expires: inAnHour() })
    expect(await countOf(table, () => adapter.updateUser({ id: "u2", name: "N" }))).toEqual({ Query: 1, TransactWriteItems: 1 })
    // The user, the three sessions' token items and the email claim: one atomic write, so no crash can leave a copy behind.
    const transaction = table.counter.requests.find((r) => r.command === "TransactWriteItems")!
    expect(transaction.input.TransactItems).toHaveLength(5)
  })

  it("deleteUser leaves no token item, hence no copy of the user", async () => {
    const adapter = DynamoDBAdapter(table.client, { tableName: table.tableName })
    await adapter.createUser({ id: "u3", email: "u3@example.com", emailVerified: null })
    await adapter.createSession({ sessionToken: "f", userId: "u3", expires: inAnHour() })
    await adapter.deleteUser("u3")
    expect(await adapter.getSessionAndUser("f")).toBeNull()
    expect((await table.scanAll()).filter((i) => JSON.stringify(i).includes("u3"))).toEqual([])
  })

  it("a session created with an outdated user copy (changed by another program in between) is written again with the current user", async () => {
    const adapter = DynamoDBAdapter(table.client, { tableName: table.tableName })
    await adapter.getSessionAndUser("missing") // reads the table's metadata item, once per adapter
    await adapter.createUser({ id: "u4", email: "u4@example.com", emailVerified: null, name: "Old" })
    // Another process updates the user: this adapter's recently-read copy is now outdated.
    await table.document.update({
      TableName: table.tableName,
      Key: { pk: "USER#u4", sk: "USER#u4" },
      UpdateExpression: "SET #n = :n ADD userVersion :one",
      ExpressionAttributeNames: { "#n": "name" },
      ExpressionAttributeValues: { ":n": "New", ":one": 1 },
    })
    const counts = await countOf(table, () => adapter.createSession({ sessionToken: "g", userId: "u4", expires: inAnHour() }))
    // The first transaction fails its check on the user's version; the user is read and the session written again.
    expect(counts).toEqual({ TransactWriteItems: 2, GetItem: 1 })
    expect((await adapter.getSessionAndUser("g"))?.user.name).toBe("New")
    const tokenItem = (await table.scanAll()).find((i) => i.pk === "SESSION#g")!
    expect(tokenItem.userVersion).toBe(1)
  })

  it("race: concurrent createSession and updateUser on one user leave every snapshot equal to the user item (20 iterations)", async () => {
    const adapter = DynamoDBAdapter(table.client, { tableName: table.tableName })
    await adapter.createUser({ id: "race", email: "race@example.com", emailVerified: null, name: "r0" })
    let transactions = 0
    for (let i = 1; i <= 20; i++) {
      table.counter.reset()
      // A second adapter instance has no recently-read copy: it reads the user, racing with the update.
      const fresh = DynamoDBAdapter(table.client, { tableName: table.tableName })
      await Promise.all([
        fresh.createSession({ sessionToken: `race-${i}`, userId: "race", expires: inAnHour() }),
        adapter.createSession({ sessionToken: `race-b-${i}`, userId: "race", expires: inAnHour() }),
        adapter.updateUser({ id: "race", name: `r${i}` }),
      ])
      transactions += table.counter.byCommand().TransactWriteItems ?? 0
      const items = await table.scanAll()
      const user = items.find((x) => x.pk === "USER#race" && x.sk === "USER#race")!
      expect(user.name).toBe(`r${i}`)
      const tokenItems = items.filter((x) => x.type === "SESSION_TOKEN" && x.userId === "race")
      expect(tokenItems).toHaveLength(2 * i)
      for (const tokenItem of tokenItems) {
        expect({ token: tokenItem.sessionToken, user: tokenItem.user, version: tokenItem.userVersion }).toEqual({
          token: tokenItem.sessionToken,
          user: withoutKeys(user),
          version: user.userVersion,
        })
      }
      expect((await adapter.getSessionAndUser(`race-${i}`))?.user.name).toBe(`r${i}`)
    }
    // Each createSession is one transaction, plus one per retry after its user check failed.
    console.info(`snapshot race: 40 sessions in ${transactions} TransactWriteItems (${transactions - 40} retried: user changed between read and write)`)
  })
})

describe("on a legacy table (lookups not known complete) the snapshot is not trusted", () => {
  let table: TestTable
  beforeAll(async () => {
    table = await createTestTable({ legacy: true })
  })
  afterAll(async () => {
    await table.drop()
  })

  it("getSessionAndUser reads the token item, then the session item with the user item, and sees an update made without refreshing copies", async () => {
    const adapter = DynamoDBAdapter(table.client, { tableName: table.tableName })
    await adapter.createUser({ id: "l1", email: "l1@example.com", emailVerified: null, name: "Before" })
    await adapter.createSession({ sessionToken: "l", userId: "l1", expires: inAnHour() })
    // The session item confirms the token item (the official adapter signs out and extends on it alone), read with the user.
    expect(await countOf(table, () => adapter.getSessionAndUser("l"))).toEqual({ GetItem: 1, BatchGetItem: 1 })
    await renameAsOfficialAdapter(table, "l1", "Changed by the official adapter")
    expect((await adapter.getSessionAndUser("l"))?.user.name).toBe("Changed by the official adapter")
    // No copy is written on a legacy table, so a later "complete" marker cannot make an outdated one trusted.
    const tokenItem = (await table.scanAll()).find((i) => i.pk === "SESSION#l")!
    expect(tokenItem.user).toBeUndefined()
  })
})

describe("Better Auth getSession with joins answers from the snapshot", () => {
  const local = useTableWithClient()

  it("is one GetItem, and returns the name set by auth.api.updateUser", async () => {
    const counter = countRequests(local.client)
    const auth = testBetterAuth(local.client, local.table.tableName, { advanced: { database: { joins: true } } })
    const signUp = await auth.api.signUpEmail({ body: { email: "ba@example.com", password: "password-123", name: "Before" }, returnHeaders: true })
    const headers = cookieHeader(signUp.headers)
    await auth.api.getSession({ headers }) // the first read of the table's metadata item
    counter.reset()
    const session = await auth.api.getSession({ headers })
    expect(session?.user.name).toBe("Before")
    expect(counter.byCommand()).toEqual({ GetItem: 1 })

    await auth.api.updateUser({ headers, body: { name: "After" } })
    counter.reset()
    const after = await auth.api.getSession({ headers })
    expect(after?.user.name).toBe("After")
    expect(counter.byCommand()).toEqual({ GetItem: 1 })
    counter.detach()

    const items = await local.table.scanAll()
    const user = items.find((i) => i.type === "USER")!
    const tokenItem = items.find((i) => i.type === "SESSION_TOKEN")!
    expect(tokenItem.user).toEqual(withoutKeys(user))
    expect(tokenItem.userVersion).toBe(user.userVersion)
  })
})
