/**
 * `createAuthService`: an app reads with ElectroDB what the adapters wrote
 * (this library's stores and @auth/dynamodb-adapter alike), typed, through
 * the same key templates.
 */
import { DynamoDBAdapter as OfficialAdapter } from "@auth/dynamodb-adapter"
import type { AdapterUser } from "@auth/core/adapters"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createAuthService, type AuthService } from "../../src/electrodb/index.js"
import { createIdentityStores, type IdentityStores } from "../../src/core/identity/index.js"
import { TableClient } from "../../src/core/client/table-client.js"
import { createTestTable, type TestTable } from "../support/test-table.js"

let table: TestTable
let service: AuthService
let stores: IdentityStores
const expires = Math.floor(Date.now() / 1000) + 3600

beforeAll(async () => {
  table = await createTestTable()
  service = createAuthService(table.client, { tableName: table.tableName })
  stores = createIdentityStores(new TableClient({ names: table.names, client: table.client }))
  await stores.users.create({ id: "u1", email: "ada@example.com", name: "Ada", emailVerified: "2024-05-06T07:08:09.000Z" })
  await stores.accounts.create({ userId: "u1", type: "oidc", provider: "github", providerAccountId: "gh-1", access_token: "at" })
  await stores.accounts.create({ userId: "u1", type: "credential", provider: "credential", providerAccountId: "u1", password: "hash" })
  await stores.sessions.create({ sessionToken: "s1", userId: "u1", expires })
  await stores.sessions.create({ sessionToken: "s2", userId: "u1", expires, ipAddress: "127.0.0.1" })
  await stores.verificationTokens.create({ identifier: "ada@example.com", token: "vt", expires })
})
afterAll(async () => {
  await table.drop()
})

describe("createAuthService", () => {
  it("gets a user by id, typed", async () => {
    const { data } = await service.entities.users.get({ id: "u1" }).go()
    expect(data).toEqual({ id: "u1", email: "ada@example.com", name: "Ada", emailVerified: "2024-05-06T07:08:09.000Z" })
    const name: unknown = data?.name
    expect(name).toBe("Ada")
  })

  it("finds a user by email through GSI1", async () => {
    table.counter.reset()
    const { data } = await service.entities.users.query.byEmail({ email: "ada@example.com" }).go()
    expect(data.map((u) => u.id)).toEqual(["u1"])
    expect(table.counter.requests.map((r) => [r.command, r.indexName])).toEqual([["Query", "GSI1"]])
  })

  it("queries a user's accounts and sessions in the user's partition, one Query each, nothing else mixed in", async () => {
    table.counter.reset()
    const { data: accounts } = await service.entities.accounts.query.byUser({ userId: "u1" }).go()
    const { data: sessions } = await service.entities.sessions.query.byUser({ userId: "u1" }).go()
    expect(accounts.map((a) => `${a.provider}#${a.providerAccountId}`).sort()).toEqual(["credential#u1", "github#gh-1"])
    expect(accounts.find((a) => a.provider === "github")).toMatchObject({ userId: "u1", type: "oidc", access_token: "at" })
    expect(sessions.map((s) => s.sessionToken).sort()).toEqual(["s1", "s2"])
    expect(sessions.find((s) => s.sessionToken === "s2")).toEqual({ sessionToken: "s2", userId: "u1", expires, ipAddress: "127.0.0.1" })
    expect(table.counter.byCommand()).toEqual({ Query: 2 })
  })

  it("finds an account by provider account and a session by token through GSI1, and a verification token", async () => {
    // Account items keep the Auth.js account type in `type`, so ElectroDB cannot tell them by it; on an index query it
    // needs to be told not to (ElectroDB 3 ignores the entity's own ignoreOwnership setting there).
    const byGsi = service.entities.accounts.query.byProviderAccount({ provider: "github", providerAccountId: "gh-1" })
    expect((await byGsi.go()).data).toEqual([])
    const { data: accounts } = await byGsi.go({ ignoreOwnership: true })
    expect(accounts.map((a) => a.userId)).toEqual(["u1"])
    const { data: sessions } = await service.entities.sessions.query.byToken({ sessionToken: "s1" }).go()
    expect(sessions).toEqual([{ sessionToken: "s1", userId: "u1", expires }])
    const { data: token } = await service.entities.verificationTokens.get({ identifier: "ada@example.com", token: "vt" }).go()
    expect(token).toEqual({ identifier: "ada@example.com", token: "vt", expires })
  })

  it("reads what @auth/dynamodb-adapter wrote", async () => {
    const official = OfficialAdapter(table.document, { tableName: table.tableName })
    const user = (await official.createUser!({ id: "", email: "legacy@example.com", emailVerified: null, name: "Legacy" })) as AdapterUser
    await official.linkAccount!({ userId: user.id, type: "oauth", provider: "google", providerAccountId: "g-9" })
    await official.createSession!({ sessionToken: "legacy-s", userId: user.id, expires: new Date(expires * 1000) })
    const { data: found } = await service.entities.users.query.byEmail({ email: "legacy@example.com" }).go()
    expect(found).toEqual([{ id: user.id, email: "legacy@example.com", emailVerified: null, name: "Legacy" }])
    const { data: accounts } = await service.entities.accounts.query.byUser({ userId: user.id }).go()
    expect(accounts).toEqual([expect.objectContaining({ provider: "google", providerAccountId: "g-9", type: "oauth", userId: user.id })])
    const { data: sessions } = await service.entities.sessions.query.byUser({ userId: user.id }).go()
    expect(sessions).toEqual([{ sessionToken: "legacy-s", userId: user.id, expires }])
  })

  it("takes custom key and index names", async () => {
    const custom = await createTestTable({ partitionKey: "PK", sortKey: "SK", indexName: "ByLookup", indexPartitionKey: "LPK", indexSortKey: "LSK" })
    try {
      const customStores = createIdentityStores(new TableClient({ names: custom.names, client: custom.client }))
      await customStores.users.create({ id: "c1", email: "custom@example.com" })
      const customService = createAuthService(custom.document, { ...custom.names })
      const { data } = await customService.entities.users.query.byEmail({ email: "custom@example.com" }).go()
      expect(data.map((u) => u.id)).toEqual(["c1"])
    } finally {
      await custom.drop()
    }
  })
})
