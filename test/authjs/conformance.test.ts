/**
 * Every Adapter method of @auth/core 0.41 on DynamoDB Local, with the default
 * key attribute names and with custom ones: return values, and the items left
 * in the table. Returned records never carry key attributes or type markers.
 */
import type { AdapterAccount, AdapterAuthenticator, AdapterUser } from "@auth/core/adapters"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { DynamoDBAdapter, type DynamoDBAuthjsAdapter } from "../../src/authjs/index.js"
import type { TableNameOptions } from "../../src/table/names.js"
import { createTestTable, type TestTable } from "../support/test-table.js"

const layouts: [string, TableNameOptions][] = [
  ["default key names", {}],
  ["custom key names", { partitionKey: "PK", sortKey: "SK", indexName: "ByLookup", indexPartitionKey: "LPK", indexSortKey: "LSK" }],
]

describe.each(layouts)("Auth.js adapter conformance (%s)", (_label, nameOptions) => {
  let table: TestTable
  let adapter: DynamoDBAuthjsAdapter
  let P: string, S: string, GP: string, GS: string
  const forbidden = () => [P, S, GP, GS, "pk", "sk", "GSI1PK", "GSI1SK"]
  const noKeys = (record: object | null | undefined) => {
    for (const attribute of forbidden()) expect(record ?? {}).not.toHaveProperty(attribute)
  }
  const find = async (pk: string, sk: string) => (await table.scanAll()).find((i) => i[P] === pk && i[S] === sk)

  beforeAll(async () => {
    table = await createTestTable(nameOptions)
    ;({ partitionKey: P, sortKey: S, indexPartitionKey: GP, indexSortKey: GS } = table.names)
    adapter = DynamoDBAdapter(table.document, table.names)
  })
  afterAll(async () => {
    await table.drop()
  })

  const verified = new Date("2024-01-02T03:04:05.678Z")
  let user: AdapterUser

  it("createUser stores the user and its email lookup, returns the user", async () => {
    user = await adapter.createUser({ id: "user-1", email: "ada@example.com", emailVerified: verified, name: "Ada", image: "https://img" })
    expect(user).toEqual({ id: "user-1", email: "ada@example.com", emailVerified: verified, name: "Ada", image: "https://img" })
    expect(await find("USER#user-1", "USER#user-1")).toEqual({
      [P]: "USER#user-1",
      [S]: "USER#user-1",
      [GP]: "USER#ada@example.com",
      [GS]: "USER#ada@example.com",
      type: "USER",
      id: "user-1",
      email: "ada@example.com",
      emailVerified: "2024-01-02T03:04:05.678Z",
      name: "Ada",
      image: "https://img",
    })
    expect(await find("EMAIL#ada@example.com", "EMAIL#ada@example.com")).toMatchObject({ type: "EMAIL", userId: "user-1" })
  })

  it("getUser, getUserByEmail return the user without keys; unknown → null", async () => {
    const byId = await adapter.getUser("user-1")
    expect(byId).toEqual(user)
    noKeys(byId)
    expect(await adapter.getUserByEmail("ada@example.com")).toEqual(user)
    expect(await adapter.getUser("nobody")).toBeNull()
    expect(await adapter.getUserByEmail("nobody@example.com")).toBeNull()
  })

  it("updateUser changes fields, ignores undefined, returns the updated user", async () => {
    const updated = await adapter.updateUser({ id: "user-1", name: "Ada L.", image: undefined })
    expect(updated).toEqual({ ...user, name: "Ada L." })
    noKeys(updated)
    expect(await find("USER#user-1", "USER#user-1")).toMatchObject({ name: "Ada L.", image: "https://img" })
    user = updated
  })

  const account: AdapterAccount = {
    userId: "user-1",
    type: "oidc",
    provider: "mock",
    providerAccountId: "sub-1",
    access_token: "at",
    expires_at: 1_900_000_000,
    token_type: "bearer",
    scope: "openid",
    id_token: "idt",
  }

  it("linkAccount stores the account (with an id) and its lookup; returns the account", async () => {
    expect(await adapter.linkAccount(account)).toEqual(account)
    const stored = await find("USER#user-1", "ACCOUNT#mock#sub-1")
    expect(stored).toMatchObject({ ...account, [GP]: "ACCOUNT#mock", [GS]: "ACCOUNT#sub-1" })
    expect(typeof stored?.id).toBe("string")
    expect(await find("ACCOUNT#mock#sub-1", "ACCOUNT#mock#sub-1")).toMatchObject({ type: "ACCOUNT_OWNER", userId: "user-1" })
  })

  it("getUserByAccount and getAccount find by provider account", async () => {
    expect(await adapter.getUserByAccount({ provider: "mock", providerAccountId: "sub-1" })).toEqual(user)
    const found = await adapter.getAccount("sub-1", "mock")
    expect(found).toEqual({ ...account, id: expect.any(String) })
    noKeys(found)
    expect(await adapter.getUserByAccount({ provider: "mock", providerAccountId: "none" })).toBeNull()
    expect(await adapter.getAccount("none", "mock")).toBeNull()
  })

  it("session lifecycle: create, get with user, update, delete", async () => {
    const expires = new Date(Date.now() + 86_400_000)
    const session = await adapter.createSession({ sessionToken: "tok-1", userId: "user-1", expires })
    expect(session).toEqual({ id: expect.any(String), sessionToken: "tok-1", userId: "user-1", expires })
    expect(await find("USER#user-1", "SESSION#tok-1")).toMatchObject({
      [GP]: "SESSION#tok-1",
      [GS]: "SESSION#tok-1",
      type: "SESSION",
      expires: expires.getTime() / 1000,
    })
    expect(await find("SESSION#tok-1", "SESSION#tok-1")).toMatchObject({ type: "SESSION_TOKEN", userId: "user-1" })

    const both = await adapter.getSessionAndUser("tok-1")
    expect(both).toEqual({ session, user })
    noKeys(both?.session)
    noKeys(both?.user)

    const later = new Date(expires.getTime() + 3_600_000)
    const updated = await adapter.updateSession({ sessionToken: "tok-1", expires: later })
    expect(updated).toEqual({ ...session, expires: later })
    noKeys(updated)
    expect((await find("USER#user-1", "SESSION#tok-1"))?.expires).toBe(later.getTime() / 1000)
    expect((await find("SESSION#tok-1", "SESSION#tok-1"))?.expires).toBe(later.getTime() / 1000)

    const deleted = await adapter.deleteSession("tok-1")
    expect(deleted).toEqual({ ...session, expires: later })
    expect(await find("USER#user-1", "SESSION#tok-1")).toBeUndefined()
    expect(await find("SESSION#tok-1", "SESSION#tok-1")).toBeUndefined()
    expect(await adapter.getSessionAndUser("tok-1")).toBeNull()
    expect(await adapter.updateSession({ sessionToken: "tok-1", expires: later })).toBeNull()
    expect(await adapter.deleteSession("tok-1")).toBeNull()
  })

  it("verification tokens are used once", async () => {
    const expires = new Date(Date.now() + 600_000)
    const token = { identifier: "ada@example.com", token: "vt-1", expires }
    expect(await adapter.createVerificationToken(token)).toEqual(token)
    expect(await find("VT#ada@example.com", "VT#vt-1")).toEqual({
      [P]: "VT#ada@example.com",
      [S]: "VT#vt-1",
      type: "VT",
      identifier: "ada@example.com",
      token: "vt-1",
      expires: expires.getTime() / 1000,
    })
    expect(await adapter.useVerificationToken({ identifier: "ada@example.com", token: "vt-1" })).toEqual(token)
    expect(await adapter.useVerificationToken({ identifier: "ada@example.com", token: "vt-1" })).toBeNull()
    expect(await find("VT#ada@example.com", "VT#vt-1")).toBeUndefined()
  })

  it("authenticators: create, get by credential id, list by user, update counter", async () => {
    const authenticator: AdapterAuthenticator = {
      credentialID: "cred-1",
      userId: "user-1",
      providerAccountId: "cred-1",
      credentialPublicKey: "cHVibGlj",
      counter: 0,
      credentialDeviceType: "singleDevice",
      credentialBackedUp: false,
      transports: "usb,nfc",
    }
    expect(await adapter.createAuthenticator(authenticator)).toEqual(authenticator)
    expect(await find("USER#user-1", "AUTHENTICATOR#cred-1")).toEqual({ [P]: "USER#user-1", [S]: "AUTHENTICATOR#cred-1", type: "AUTHENTICATOR", ...authenticator })
    expect(await find("AUTHENTICATOR#cred-1", "AUTHENTICATOR#cred-1")).toMatchObject({ type: "AUTHENTICATOR_CREDENTIAL", ...authenticator })
    const got = await adapter.getAuthenticator("cred-1")
    expect(got).toEqual(authenticator)
    noKeys(got)
    expect(await adapter.listAuthenticatorsByUserId("user-1")).toEqual([authenticator])
    expect(await adapter.updateAuthenticatorCounter("cred-1", 5)).toEqual({ ...authenticator, counter: 5 })
    expect((await find("USER#user-1", "AUTHENTICATOR#cred-1"))?.counter).toBe(5)
    expect((await find("AUTHENTICATOR#cred-1", "AUTHENTICATOR#cred-1"))?.counter).toBe(5)
    expect(await adapter.getAuthenticator("unknown")).toBeNull()
    await expect(adapter.updateAuthenticatorCounter("unknown", 1)).rejects.toMatchObject({ code: "NOT_FOUND" })
    await expect(adapter.createAuthenticator({ ...authenticator, userId: "other" })).rejects.toMatchObject({ code: "CONDITIONAL_CHECK_FAILED" })
  })

  it("unlinkAccount removes the account and its lookup, returns it", async () => {
    const unlinked = await adapter.unlinkAccount({ provider: "mock", providerAccountId: "sub-1" })
    expect(unlinked).toEqual({ ...account, id: expect.any(String) })
    noKeys(unlinked)
    expect(await find("USER#user-1", "ACCOUNT#mock#sub-1")).toBeUndefined()
    expect(await find("ACCOUNT#mock#sub-1", "ACCOUNT#mock#sub-1")).toBeUndefined()
    expect(await adapter.unlinkAccount({ provider: "mock", providerAccountId: "sub-1" })).toBeUndefined()
  })

  it("deleteUser removes every item of the user and returns it", async () => {
    await adapter.linkAccount(account)
    await adapter.createSession({ sessionToken: "tok-2", userId: "user-1", expires: new Date(Date.now() + 60_000) })
    const deleted = await adapter.deleteUser("user-1")
    expect(deleted).toEqual(user)
    noKeys(deleted)
    const left = (await table.scanAll()).filter((i) => JSON.stringify(i).includes("user-1") || JSON.stringify(i).includes("ada@example.com"))
    expect(left).toEqual([])
    expect(await adapter.getUser("user-1")).toBeNull()
  })
})
