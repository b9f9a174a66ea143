/**
 * The identity stores on DynamoDB Local: the items they leave in the table,
 * the uniqueness claims, and the fallbacks for tables without lookup items.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { TableClient } from "../../src/core/client/table-client.js"
import { createIdentityStores, type IdentityStores } from "../../src/core/identity/index.js"
import { isDynamoAuthAdapterError } from "../../src/core/errors.js"
import { createTestTable, type TestTable } from "../support/test-table.js"

let table: TestTable
let stores: IdentityStores
beforeAll(async () => {
  // Some tests seed items as the official adapter writes them: a table without the "lookups complete" marker.
  table = await createTestTable({ legacy: true })
  stores = createIdentityStores(new TableClient({ names: table.names, client: table.client }))
  // The stores' first write reads the table's metadata item (legacy or not); counts below are for the calls after it.
  await stores.users.create({ id: "warm-up" })
})
afterAll(async () => {
  await table.drop()
})

async function itemsUnder(prefix: string) {
  return (await table.scanAll()).filter((item) => String(item.pk).includes(prefix) || String(item.userId ?? "") === prefix)
}

describe("users", () => {
  it("create writes the user (GSI1 by email) and the email lookup in one transaction", async () => {
    table.counter.reset()
    const user = await stores.users.create({ id: "u-create", email: "create@example.com", name: "C", emailVerified: null })
    // A legacy table: a user of the official adapter (no claim) may hold the email, so GSI1 is asked first.
    expect(table.counter.byCommand()).toEqual({ Query: 1, TransactWriteItems: 1 })
    expect(user).toEqual({ user: { id: "u-create", email: "create@example.com", name: "C", emailVerified: null }, version: 0 })
    const all = await table.scanAll()
    expect(all.find((i) => i.pk === "USER#u-create")).toEqual({
      pk: "USER#u-create",
      sk: "USER#u-create",
      GSI1PK: "USER#create@example.com",
      GSI1SK: "USER#create@example.com",
      type: "USER",
      id: "u-create",
      email: "create@example.com",
      name: "C",
      emailVerified: null,
    })
    expect(all.find((i) => i.pk === "EMAIL#create@example.com")).toEqual({
      pk: "EMAIL#create@example.com",
      sk: "EMAIL#create@example.com",
      type: "EMAIL",
      email: "create@example.com",
      userId: "u-create",
    })
    expect(await stores.users.get("u-create")).toEqual(user)
    expect(await stores.users.getByEmail("create@example.com")).toEqual(user)
  })

  it("create with a taken email fails with EMAIL_EXISTS and writes nothing", async () => {
    await stores.users.create({ id: "u-first", email: "taken@example.com" })
    const error = await stores.users.create({ id: "u-second", email: "taken@example.com" }).catch((e: unknown) => e)
    expect(isDynamoAuthAdapterError(error, "EMAIL_EXISTS")).toBe(true)
    expect((await table.scanAll()).some((i) => i.pk === "USER#u-second")).toBe(false)
  })

  it("getByEmail finds a user through the email lookup when GSI1 has nothing", async () => {
    // A lookup item without GSI1 keys on the user stands in for an index that has not caught up yet.
    await stores.users.create({ id: "u-lag", email: "lag@example.com" })
    await table.document.update({
      TableName: table.tableName,
      Key: { pk: "USER#u-lag", sk: "USER#u-lag" },
      UpdateExpression: "REMOVE GSI1PK, GSI1SK",
    })
    table.counter.reset()
    expect((await stores.users.getByEmail("lag@example.com"))?.user).toMatchObject({ id: "u-lag" })
    expect(table.counter.byCommand()).toEqual({ Query: 1, GetItem: 2 })
  })

  it("update of a missing user is NOT_FOUND and writes nothing", async () => {
    const before = await table.scanAll()
    const error = await stores.users.update("nobody", { name: "X" }).catch((e: unknown) => e)
    expect(isDynamoAuthAdapterError(error, "NOT_FOUND")).toBe(true)
    expect(await table.scanAll()).toEqual(before)
  })

  it("update ignores undefined, keeps null, and changes nothing else (one UpdateItem, moving the version)", async () => {
    await stores.users.create({ id: "u-upd", email: "upd@example.com", name: "N", image: "i" })
    table.counter.reset()
    const updated = await stores.users.update("u-upd", { name: undefined, image: null, id: "other" })
    expect(table.counter.byCommand()).toEqual({ UpdateItem: 1 })
    expect(updated).toEqual({ user: { id: "u-upd", email: "upd@example.com", name: "N", image: null }, version: 1 })
    expect((await table.scanAll()).find((i) => i.pk === "USER#u-upd")).toMatchObject({ userVersion: 1 })
  })

  it("an email change moves GSI1 keys and the lookup item atomically", async () => {
    await stores.users.create({ id: "u-move", email: "old@example.com" })
    const updated = await stores.users.update("u-move", { email: "new@example.com" })
    expect(updated.user).toMatchObject({ id: "u-move", email: "new@example.com" })
    const all = await table.scanAll()
    expect(all.some((i) => i.pk === "EMAIL#old@example.com")).toBe(false)
    expect(all.find((i) => i.pk === "EMAIL#new@example.com")?.userId).toBe("u-move")
    expect(all.find((i) => i.pk === "USER#u-move")).toMatchObject({ GSI1PK: "USER#new@example.com", GSI1SK: "USER#new@example.com" })
    expect(await stores.users.getByEmail("old@example.com")).toBeNull()
    expect((await stores.users.getByEmail("new@example.com"))?.user).toMatchObject({ id: "u-move" })
  })

  it("an email change to a taken email is EMAIL_EXISTS and leaves both users as they were", async () => {
    await stores.users.create({ id: "u-a", email: "a@example.com" })
    await stores.users.create({ id: "u-b", email: "b@example.com" })
    const before = await table.scanAll()
    const error = await stores.users.update("u-b", { email: "a@example.com" }).catch((e: unknown) => e)
    expect(isDynamoAuthAdapterError(error, "EMAIL_EXISTS")).toBe(true)
    expect(await table.scanAll()).toEqual(before)
  })

  it("sessions and accounts are refused for a user that does not exist (NOT_FOUND, nothing written)", async () => {
    const before = await table.scanAll()
    const session = await stores.sessions.create({ sessionToken: "tok-nobody", userId: "nobody", expires: 4_000_000_000 }).catch((e: unknown) => e)
    const account = await stores.accounts.create({ userId: "nobody", provider: "p", providerAccountId: "nobody", type: "oauth" }).catch((e: unknown) => e)
    expect([isDynamoAuthAdapterError(session, "NOT_FOUND"), isDynamoAuthAdapterError(account, "NOT_FOUND")]).toEqual([true, true])
    expect(await table.scanAll()).toEqual(before)
  })

  it("delete removes every item of the user, lookups included", async () => {
    await stores.users.create({ id: "u-all", email: "all@example.com" })
    await stores.accounts.create({ userId: "u-all", provider: "p", providerAccountId: "all", type: "oauth" })
    await stores.sessions.create({ sessionToken: "tok-all", userId: "u-all", expires: 4_000_000_000 })
    await stores.authenticators.create({ credentialID: "cred-all", userId: "u-all", counter: 0, providerAccountId: "all" })
    expect((await stores.users.delete("u-all"))?.user).toMatchObject({ id: "u-all" })
    const all = await table.scanAll()
    expect(all.filter((i) => JSON.stringify(i).includes("all"))).toEqual([])
  })
})

describe("accounts", () => {
  it("create writes the account and its lookup; the same provider account for another user is ACCOUNT_EXISTS", async () => {
    await stores.users.create({ id: "acc-u1" })
    await stores.users.create({ id: "acc-u2" })
    const account = { userId: "acc-u1", provider: "github", providerAccountId: "gh-1", type: "oauth", access_token: "a" }
    expect(await stores.accounts.create(account)).toEqual(account)
    const error = await stores.accounts.create({ ...account, userId: "acc-u2", access_token: "b" }).catch((e: unknown) => e)
    expect(isDynamoAuthAdapterError(error, "ACCOUNT_EXISTS")).toBe(true)
    const all = await table.scanAll()
    expect(all.filter((i) => i.providerAccountId === "gh-1")).toEqual([
      { pk: "ACCOUNT#github#gh-1", sk: "ACCOUNT#github#gh-1", type: "ACCOUNT_OWNER", provider: "github", providerAccountId: "gh-1", userId: "acc-u1" },
      {
        pk: "USER#acc-u1",
        sk: "ACCOUNT#github#gh-1",
        GSI1PK: "ACCOUNT#github",
        GSI1SK: "ACCOUNT#gh-1",
        ...account,
      },
    ])
    table.counter.reset()
    expect(await stores.accounts.getByProviderAccount("github", "gh-1")).toEqual(account)
    expect(table.counter.byCommand()).toEqual({ GetItem: 2 })
    expect(await stores.accounts.listByUser("acc-u1")).toEqual([account])
  })

  it("an account without a lookup item (official adapter) is found through GSI1 and the lookup is written", async () => {
    await table.document.put({
      TableName: table.tableName,
      Item: { pk: "USER#legacy", sk: "ACCOUNT#google#g-1", GSI1PK: "ACCOUNT#google", GSI1SK: "ACCOUNT#g-1", userId: "legacy", provider: "google", providerAccountId: "g-1", type: "oidc" },
    })
    expect(await stores.accounts.ownerOf("google", "g-1")).toMatchObject({ userId: "legacy" })
    const lookup = (await table.scanAll()).find((i) => i.pk === "ACCOUNT#google#g-1")
    expect(lookup).toMatchObject({ userId: "legacy", type: "ACCOUNT_OWNER" })
    await stores.users.create({ id: "other" })
    const error = await stores.accounts.create({ userId: "other", provider: "google", providerAccountId: "g-1", type: "oidc" }).catch((e: unknown) => e)
    expect(isDynamoAuthAdapterError(error, "ACCOUNT_EXISTS")).toBe(true)
  })

  it("update and delete", async () => {
    await stores.users.create({ id: "acc-u3" })
    await stores.accounts.create({ userId: "acc-u3", provider: "x", providerAccountId: "x-1", type: "oauth" })
    expect(await stores.accounts.update("acc-u3", "x", "x-1", { access_token: "new", scope: undefined })).toMatchObject({ access_token: "new" })
    const missing = await stores.accounts.update("acc-u3", "x", "nope", { access_token: "new" }).catch((e: unknown) => e)
    expect(isDynamoAuthAdapterError(missing, "NOT_FOUND")).toBe(true)
    expect(await stores.accounts.delete("x", "x-1")).toMatchObject({ userId: "acc-u3", access_token: "new" })
    expect((await table.scanAll()).filter((i) => String(i.pk).includes("x-1") || String(i.sk).includes("x-1"))).toEqual([])
    expect(await stores.accounts.delete("x", "x-1")).toBeNull()
  })
})

describe("sessions", () => {
  it("create writes the session item and its token item; getByToken is the token item, then the session item that confirms it (a legacy table)", async () => {
    const session = { sessionToken: "s-1", userId: "su-1", expires: 4_000_000_000, id: "sid-1" }
    await stores.users.create({ id: "su-1" })
    await stores.sessions.create(session)
    const items = (await table.scanAll()).filter((i) => String(i.sk).includes("s-1"))
    expect(items).toEqual([
      { pk: "SESSION#s-1", sk: "SESSION#s-1", type: "SESSION_TOKEN", ...session },
      { pk: "USER#su-1", sk: "SESSION#s-1", GSI1PK: "SESSION#s-1", GSI1SK: "SESSION#s-1", type: "SESSION", ...session },
    ])
    table.counter.reset()
    expect(await stores.sessions.getByToken("s-1")).toEqual(session)
    expect(table.counter.byCommand()).toEqual({ GetItem: 1, BatchGetItem: 1 })
    expect(await stores.sessions.listByUser("su-1")).toEqual([session])
  })

  it("update changes both items in one transaction after one read; delete removes both", async () => {
    await stores.users.create({ id: "su-2" })
    await stores.sessions.create({ sessionToken: "s-2", userId: "su-2", expires: 4_000_000_000 })
    table.counter.reset()
    expect(await stores.sessions.update("s-2", { expires: 4_100_000_000, userId: "hacker" })).toEqual({ sessionToken: "s-2", userId: "su-2", expires: 4_100_000_000 })
    expect(table.counter.byCommand()).toEqual({ GetItem: 1, TransactWriteItems: 1 })
    const items = (await table.scanAll()).filter((i) => String(i.sk).includes("s-2"))
    expect(items.map((i) => i.expires)).toEqual([4_100_000_000, 4_100_000_000])
    expect(await stores.sessions.update("missing", { expires: 1 })).toBeNull()
    expect(await stores.sessions.delete("s-2")).toMatchObject({ userId: "su-2" })
    expect((await table.scanAll()).filter((i) => String(i.sk).includes("s-2"))).toEqual([])
  })

  it("a session without a token item (official adapter) is found through GSI1 and gets its token item", async () => {
    await table.document.put({
      TableName: table.tableName,
      Item: { pk: "USER#su-3", sk: "SESSION#s-3", GSI1PK: "SESSION#s-3", GSI1SK: "SESSION#s-3", type: "SESSION", sessionToken: "s-3", userId: "su-3", expires: 4_000_000_000 },
    })
    expect(await stores.sessions.getByToken("s-3")).toEqual({ sessionToken: "s-3", userId: "su-3", expires: 4_000_000_000 })
    expect((await table.scanAll()).find((i) => i.pk === "SESSION#s-3")).toMatchObject({ type: "SESSION_TOKEN", userId: "su-3" })
  })
})

describe("verification tokens", () => {
  it("use deletes and returns the token once", async () => {
    await stores.verificationTokens.create({ identifier: "v@example.com", token: "t", expires: 4_000_000_000 })
    expect(await stores.verificationTokens.use("v@example.com", "t")).toEqual({ identifier: "v@example.com", token: "t", expires: 4_000_000_000 })
    expect(await stores.verificationTokens.use("v@example.com", "t")).toBeNull()
    expect((await table.scanAll()).some((i) => i.pk === "VT#v@example.com")).toBe(false)
  })
})
