/**
 * Round trips per Adapter method, counted on the wire: a regression in the
 * number of requests fails here. Counts are for data written by this adapter
 * (lookup and token items present), the common path, on a table made by
 * createTable (marked "lookups complete": a lookup miss needs no fallback).
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
    expect(await count(() => adapter.createUser({ id: "u", email: "u@example.com", emailVerified: null }))).toEqual({ TransactWriteItems: 1 })
    expect(await count(() => adapter.getUser("u"))).toEqual({ GetItem: 1 })
    expect(await count(() => adapter.getUserByEmail("u@example.com"))).toEqual({ Query: 1 })
    expect(await count(() => adapter.getUserByEmail("nobody@example.com"))).toEqual({ Query: 1, GetItem: 1 })
    expect(await count(() => adapter.updateUser({ id: "u", name: "N", emailVerified: new Date() }))).toEqual({ UpdateItem: 1 })
    expect(await count(() => adapter.updateUser({ id: "u", email: "u2@example.com" }))).toEqual({ GetItem: 1, TransactWriteItems: 1 })
  })

  it("accounts", async () => {
    const account = { userId: "u", type: "oidc" as const, provider: "p", providerAccountId: "a" }
    expect(await count(() => adapter.linkAccount(account))).toEqual({ TransactWriteItems: 1 })
    expect(await count(() => adapter.getUserByAccount({ provider: "p", providerAccountId: "a" }))).toEqual({ GetItem: 2 })
    // A miss is the lookup item's GetItem alone: the table (made by createTable) has every lookup item, so no GSI1 Query.
    // The adapter's first miss also reads the table's metadata item that says so; only the first.
    expect(await count(() => adapter.getUserByAccount({ provider: "p", providerAccountId: "none" }))).toEqual({ GetItem: 2 })
    expect(table.counter.requests.filter((r) => JSON.stringify(r.input.Key).includes("TABLE#META"))).toHaveLength(1)
    expect(await count(() => adapter.getUserByAccount({ provider: "p", providerAccountId: "none" }))).toEqual({ GetItem: 1 })
    expect(await count(() => adapter.getAccount("none", "p"))).toEqual({ GetItem: 1 })
    expect(await count(() => adapter.getAccount("a", "p"))).toEqual({ GetItem: 2 })
    expect(await count(() => adapter.unlinkAccount({ provider: "p", providerAccountId: "a" }))).toEqual({ GetItem: 2, TransactWriteItems: 1 })
  })

  it("sessions: getSessionAndUser is 2 requests", async () => {
    expect(await count(() => adapter.createSession({ sessionToken: "t", userId: "u", expires: inAnHour() }))).toEqual({ TransactWriteItems: 1 })
    expect(await count(() => adapter.getSessionAndUser("t"))).toEqual({ GetItem: 2 })
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

  it("deleteUser: one Query page and one BatchWriteItem per 25 items", async () => {
    await adapter.linkAccount({ userId: "u", type: "oidc", provider: "p", providerAccountId: "b" })
    await adapter.createSession({ sessionToken: "t2", userId: "u", expires: inAnHour() })
    // user + email lookup + account + lookup + session + token item + authenticator + lookup = 8 items
    expect(await count(() => adapter.deleteUser("u"))).toEqual({ Query: 1, BatchWriteItem: 1 })
    expect(await table.scanAll()).toEqual([])
  })
})
