/**
 * The keys and attributes this library writes for each core item are those
 * `@auth/dynamodb-adapter` 2.11.3 writes for the same input, and the items
 * the official adapter wrote are read back by our ElectroDB entities.
 */
import { DynamoDBAdapter as OfficialAdapter } from "@auth/dynamodb-adapter"
import type { AdapterAccount, AdapterUser } from "@auth/core/adapters"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createEntities, createKeyBuilder, ITEM_TYPES } from "../../src/table/entities.js"
import { toStored } from "../../src/core/field-map.js"
import { createTestTable, type TestTable } from "../support/test-table.js"

let table: TestTable
beforeAll(async () => {
  table = await createTestTable()
})
afterAll(async () => {
  await table.drop()
})

async function storedItem(pk: string, sk: string) {
  const all = await table.scanAll()
  return all.find((item) => item.pk === pk && item.sk === sk)
}

describe("items written by @auth/dynamodb-adapter 2.11.3", () => {
  it("user: the same keys and attributes as ours, and readable by the user entity", async () => {
    const official = OfficialAdapter(table.document, { tableName: table.tableName })
    const verifiedAt = new Date("2024-05-06T07:08:09.123Z")
    const user = (await official.createUser!({
      id: "ignored",
      name: "Ada Lovelace",
      email: "ada@example.com",
      emailVerified: verifiedAt,
      image: "https://example.com/ada.png",
    } as AdapterUser)) as AdapterUser
    const stored = await storedItem(`USER#${user.id}`, `USER#${user.id}`)

    const keysOf = createKeyBuilder(createEntities(table.names))
    const ours = {
      ...keysOf("user", { id: user.id, email: user.email }),
      type: ITEM_TYPES.user,
      ...toStored("user", "authjs", { ...user }),
    }
    expect(ours).toEqual(stored)
    expect(stored).toEqual({
      pk: `USER#${user.id}`,
      sk: `USER#${user.id}`,
      GSI1PK: "USER#ada@example.com",
      GSI1SK: "USER#ada@example.com",
      type: "USER",
      id: user.id,
      name: "Ada Lovelace",
      email: "ada@example.com",
      emailVerified: "2024-05-06T07:08:09.123Z",
      image: "https://example.com/ada.png",
    })

    const entities = createEntities(table.names, table.document)
    const byId = await entities.user.get({ id: user.id }).go()
    expect(byId.data).toMatchObject({ id: user.id, email: "ada@example.com", emailVerified: "2024-05-06T07:08:09.123Z" })
    const byEmail = await entities.user.query.byEmail({ email: "ada@example.com" }).go()
    expect(byEmail.data.map((u) => u.id)).toEqual([user.id])
  })

  it("account: keys under the user, GSI1 on provider/providerAccountId, Auth.js field names", async () => {
    const official = OfficialAdapter(table.document, { tableName: table.tableName })
    const account: AdapterAccount = {
      userId: "user-1",
      type: "oidc",
      provider: "github",
      providerAccountId: "gh-42",
      access_token: "at",
      refresh_token: "rt",
      id_token: "idt",
      expires_at: 1_900_000_000,
      token_type: "bearer",
      scope: "openid email",
      session_state: "s",
    }
    await official.linkAccount!(account)
    const stored = await storedItem("USER#user-1", "ACCOUNT#github#gh-42")
    expect(stored).toBeDefined()

    const keysOf = createKeyBuilder(createEntities(table.names))
    const ours = { ...keysOf("account", account), ...toStored("account", "authjs", { ...account, id: stored!.id }) }
    expect(ours).toEqual(stored)
    expect(stored).toMatchObject({ GSI1PK: "ACCOUNT#github", GSI1SK: "ACCOUNT#gh-42", type: "oidc", expires_at: 1_900_000_000 })

    const entities = createEntities(table.names, table.document)
    const byAccount = await entities.account.query.byProviderAccount({ provider: "github", providerAccountId: "gh-42" }).go({ ignoreOwnership: true })
    expect(byAccount.data).toHaveLength(1)
    expect(byAccount.data[0]).toMatchObject({ userId: "user-1", provider: "github", access_token: "at" })
    const underUser = await entities.account.query.byUser({ userId: "user-1" }).go({ ignoreOwnership: true })
    expect(underUser.data.map((a) => a.providerAccountId)).toEqual(["gh-42"])
  })

  it("session: keys under the user, GSI1 on the token, expires in (fractional) epoch seconds", async () => {
    const official = OfficialAdapter(table.document, { tableName: table.tableName })
    const expires = new Date("2030-01-02T03:04:05.678Z")
    await official.createSession!({ sessionToken: "token-1", userId: "user-1", expires })
    const stored = await storedItem("USER#user-1", "SESSION#token-1")

    const keysOf = createKeyBuilder(createEntities(table.names))
    const ours = {
      ...keysOf("session", { userId: "user-1", sessionToken: "token-1" }),
      type: ITEM_TYPES.session,
      ...toStored("session", "authjs", { sessionToken: "token-1", userId: "user-1", expires }),
    }
    expect(ours).toEqual(stored)
    expect(stored?.expires).toBe(expires.getTime() / 1000)

    const entities = createEntities(table.names, table.document)
    const byToken = await entities.session.query.byToken({ sessionToken: "token-1" }).go()
    expect(byToken.data).toEqual([{ sessionToken: "token-1", userId: "user-1", expires: expires.getTime() / 1000 }])
  })

  it("verification token: VT#identifier / VT#token, expires in epoch seconds", async () => {
    const official = OfficialAdapter(table.document, { tableName: table.tableName })
    const expires = new Date("2030-01-02T03:04:05.000Z")
    await official.createVerificationToken!({ identifier: "ada@example.com", token: "vt-1", expires })
    const stored = await storedItem("VT#ada@example.com", "VT#vt-1")

    const keysOf = createKeyBuilder(createEntities(table.names))
    const ours = {
      ...keysOf("verificationToken", { identifier: "ada@example.com", token: "vt-1" }),
      type: ITEM_TYPES.verificationToken,
      identifier: "ada@example.com",
      token: "vt-1",
      expires: expires.getTime() / 1000,
    }
    expect(ours).toEqual(stored)

    const entities = createEntities(table.names, table.document)
    const read = await entities.verificationToken.get({ identifier: "ada@example.com", token: "vt-1" }).go()
    expect(read.data).toEqual({ identifier: "ada@example.com", token: "vt-1", expires: 1_893_553_445 })
  })

  it("entities write the same items as the official adapter when used directly", async () => {
    const entities = createEntities(table.names, table.document)
    await entities.user.put({ id: "entity-user", email: "e@example.com", name: "E" }).go()
    const official = OfficialAdapter(table.document, { tableName: table.tableName })
    expect(await official.getUser!("entity-user")).toEqual({ id: "entity-user", email: "e@example.com", name: "E" })
    expect(await official.getUserByEmail!("e@example.com")).toEqual({ id: "entity-user", email: "e@example.com", name: "E" })
    const raw = await storedItem("USER#entity-user", "USER#entity-user")
    expect(Object.keys(raw!).sort()).toEqual(["GSI1PK", "GSI1SK", "email", "id", "name", "pk", "sk", "type"])
  })
})

describe("custom key attribute names", () => {
  let custom: TestTable
  beforeAll(async () => {
    custom = await createTestTable({ partitionKey: "PK", sortKey: "SK", indexName: "ByGsi", indexPartitionKey: "G1PK", indexSortKey: "G1SK" })
  })
  afterAll(async () => {
    await custom.drop()
  })

  it("put the same key strings under the configured attribute names", async () => {
    const official = OfficialAdapter(custom.document, {
      tableName: custom.tableName,
      partitionKey: "PK",
      sortKey: "SK",
      indexName: "ByGsi",
      indexPartitionKey: "G1PK",
      indexSortKey: "G1SK",
    })
    const user = await official.createUser!({ id: "x", email: "c@example.com", emailVerified: null } as AdapterUser)
    const keysOf = createKeyBuilder(createEntities(custom.names))
    const stored = (await custom.scanAll())[0]!
    expect(keysOf("user", { id: user.id, email: "c@example.com" })).toEqual({
      PK: stored.PK,
      SK: stored.SK,
      G1PK: stored.G1PK,
      G1SK: stored.G1SK,
    })
    const entities = createEntities(custom.names, custom.document)
    const byEmail = await entities.user.query.byEmail({ email: "c@example.com" }).go()
    expect(byEmail.data[0]?.id).toBe(user.id)
  })
})
