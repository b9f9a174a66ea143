/**
 * Round trips per Adapter method, counted on the wire: a regression in the
 * number of requests fails here. Counts are for data written by this adapter
 * (lookup and token items present), the common path, on a table made by
 * createTable (marked "lookups complete": a lookup miss needs no fallback,
 * and session token items carry a copy of their user).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { DynamoDBAdapter, type DynamoDBAuthjsAdapter } from "../../src/authjs/index.js"
import { createTestTable, type TestTable } from "../support/test-table.js"

let table: TestTable
let adapter: DynamoDBAuthjsAdapter
beforeAll(async () => {
  table = await createTestTable()
  adapter = DynamoDBAdapter(table.client, { tableName: table.tableName })
})
afterAll(async () => {
  await table.drop()
})

async function count(run: () => Promise<unknown>): Promise<Record<string, number>> {
  table.counter.reset()
  await run()
  return table.counter.byCommand()
}

const inAnHour = () => new Date(Date.now() + 3_600_000)

describe("requests per Adapter method", () => {
  it("users", async () => {
    // The adapter's first call that depends on the table's kind also reads the table's metadata item; only the first.
    expect(await count(() => adapter.createUser({ id: "u", email: "u@example.com", emailVerified: null }))).toEqual({ GetItem: 1, TransactWriteItems: 1 })
    expect(table.counter.requests.filter((r) => JSON.stringify(r.input.Key ?? {}).includes("TABLE#META"))).toHaveLength(1)
    expect(await count(() => adapter.getUser("u"))).toEqual({ GetItem: 1 })
    // The email lookup item carries a copy of the user: one strongly consistent GetItem, hit or miss.
    expect(await count(() => adapter.getUserByEmail("u@example.com"))).toEqual({ GetItem: 1 })
    expect(await count(() => adapter.getUserByEmail("nobody@example.com"))).toEqual({ GetItem: 1 })
    // A Query of the user's partition (the user with its version and links, its sessions and accounts), then one transaction
    // with the user and every copy of it (here the email claim); a session or account created in between moves the links.
    expect(await count(() => adapter.updateUser({ id: "u", name: "N", emailVerified: new Date() }))).toEqual({ Query: 1, TransactWriteItems: 1 })
    expect(await count(() => adapter.updateUser({ id: "u", name: "M" }))).toEqual({ Query: 1, TransactWriteItems: 1 })
    // An email change too: the transaction moves the claim, with its copy of the user.
    expect(await count(() => adapter.updateUser({ id: "u", email: "u2@example.com" }))).toEqual({ Query: 1, TransactWriteItems: 1 })
    expect(await count(() => adapter.getUserByEmail("u2@example.com"))).toEqual({ GetItem: 1 })
    expect(await adapter.getUserByEmail("u2@example.com")).toMatchObject({ id: "u", email: "u2@example.com", name: "M" })
    expect(await adapter.getUserByEmail("u@example.com")).toBeNull()
  })

  it("accounts", async () => {
    const account = { userId: "u", type: "oidc" as const, provider: "p", providerAccountId: "a" }
    expect(await count(() => adapter.linkAccount(account))).toEqual({ TransactWriteItems: 1 })
    // Account, provider-account claim (with a copy of the user read a moment ago), account-id lookup, the link on the user
    // (conditioned on the version copied).
    expect(table.counter.requests[0]!.input.TransactItems).toHaveLength(4)
    // The claim's copy of the user answers getUserByAccount: one GetItem.
    expect(await count(() => adapter.getUserByAccount({ provider: "p", providerAccountId: "a" }))).toEqual({ GetItem: 1 })
    // A miss is the lookup item's GetItem alone: the table (made by createTable) has every lookup item, so no GSI1 Query
    // (the table's metadata item that says so was read by the first createUser).
    expect(await count(() => adapter.getUserByAccount({ provider: "p", providerAccountId: "none" }))).toEqual({ GetItem: 1 })
    expect(await count(() => adapter.getUserByAccount({ provider: "p", providerAccountId: "none" }))).toEqual({ GetItem: 1 })
    expect(await count(() => adapter.getAccount("none", "p"))).toEqual({ GetItem: 1 })
    expect(await count(() => adapter.getAccount("a", "p"))).toEqual({ GetItem: 2 })
    expect(await count(() => adapter.unlinkAccount({ provider: "p", providerAccountId: "a" }))).toEqual({ GetItem: 2, TransactWriteItems: 1 })
  })

  it("sessions: getSessionAndUser is 1 request", async () => {
    // The user was read a moment ago (getUserByAccount): its copy goes into the token item; the link on the user checks its version.
    expect(await count(() => adapter.createSession({ sessionToken: "t", userId: "u", expires: inAnHour() }))).toEqual({ TransactWriteItems: 1 })
    expect(table.counter.requests[0]!.input.TransactItems).toHaveLength(3)
    // The token item holds the session and a copy of the user.
    expect(await count(() => adapter.getSessionAndUser("t"))).toEqual({ GetItem: 1 })
    expect(await count(() => adapter.getSessionAndUser("unknown"))).toEqual({ GetItem: 1 })
    expect(await count(() => adapter.updateSession({ sessionToken: "t", expires: inAnHour() }))).toEqual({ GetItem: 1, TransactWriteItems: 1 })
    expect(await count(() => adapter.deleteSession("t"))).toEqual({ GetItem: 1, TransactWriteItems: 1 })
    expect(await count(() => adapter.updateSession({ sessionToken: "t", expires: inAnHour() }))).toEqual({ GetItem: 1 })
    expect(await count(() => adapter.deleteSession("t"))).toEqual({ GetItem: 1 })
  })

  it("verification tokens", async () => {
    const token = { identifier: "u@example.com", token: "vt", expires: inAnHour() }
    expect(await count(() => adapter.createVerificationToken(token))).toEqual({ PutItem: 1 })
    expect(await count(() => adapter.useVerificationToken(token))).toEqual({ DeleteItem: 1 })
  })

  it("authenticators", async () => {
    const authenticator = {
      credentialID: "c",
      userId: "u",
      providerAccountId: "c",
      credentialPublicKey: "k",
      counter: 0,
      credentialDeviceType: "singleDevice",
      credentialBackedUp: false,
    }
    expect(await count(() => adapter.createAuthenticator(authenticator))).toEqual({ TransactWriteItems: 1 })
    expect(await count(() => adapter.getAuthenticator("c"))).toEqual({ GetItem: 1 })
    expect(await count(() => adapter.listAuthenticatorsByUserId("u"))).toEqual({ Query: 1 })
    expect(await count(() => adapter.updateAuthenticatorCounter("c", 1))).toEqual({ GetItem: 1, TransactWriteItems: 1 })
  })

  it("deleteUser: one Query page, one BatchWriteItem per 25 items, one transaction for the user and its claims", async () => {
    await adapter.linkAccount({ userId: "u", type: "oidc", provider: "p", providerAccountId: "b" })
    await adapter.createSession({ sessionToken: "t2", userId: "u", expires: inAnHour() })
    // user + email lookup + account + lookup + session + token item + authenticator + lookup = 8 items: the batch deletes the
    // session, its token item, the account, its id lookup and the authenticator; the transaction the user (unchanged since the
    // Query: same version, same links) with the email, account and authenticator claims, each while still the user's.
    expect(await count(() => adapter.deleteUser("u"))).toEqual({ Query: 1, BatchWriteItem: 1, TransactWriteItems: 1 })
    expect(await table.scanAll()).toEqual([])
  })
})

describe("requests on a legacy table (lookups not known complete)", () => {
  it("getSessionAndUser reads the token item, then the session item and the user item in one BatchGetItem; updateUser moves the version and refreshes no copies (there are none)", async () => {
    const legacy = await createTestTable({ legacy: true })
    try {
      const ours = DynamoDBAdapter(legacy.client, { tableName: legacy.tableName })
      await ours.createUser({ id: "l", email: "l@example.com", emailVerified: null })
      await ours.createSession({ sessionToken: "lt", userId: "l", expires: inAnHour() })
      legacy.counter.reset()
      await ours.getSessionAndUser("lt")
      // Still two sequential requests: the session item (the truth where the official adapter may write) comes with the user.
      expect(legacy.counter.byCommand()).toEqual({ GetItem: 1, BatchGetItem: 1 })
      legacy.counter.reset()
      await ours.updateUser({ id: "l", name: "N" })
      expect(legacy.counter.byCommand()).toEqual({ UpdateItem: 1 })
      expect((await legacy.scanAll()).every((item) => item.user === undefined)).toBe(true)
      expect((await legacy.scanAll()).find((item) => item.pk === "USER#l" && item.sk === "USER#l")).toMatchObject({ userVersion: 1, userLinks: 1 })
    } finally {
      await legacy.drop()
    }
  })
})
