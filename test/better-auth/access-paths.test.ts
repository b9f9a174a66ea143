/**
 * Which DynamoDB requests each adapter read becomes: keys and GSI1 where
 * Better Auth's hot lookups need them, a Scan (with a warning) only when no
 * key answers.
 */
import type { BetterAuthOptions } from "@better-auth/core"
import type { DBAdapter } from "@better-auth/core/db/adapter"
import { organization } from "better-auth/plugins/organization"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { singleTableAdapter } from "../../src/better-auth/index.js"
import type { Logger } from "../../src/core/logger.js"
import { countRequests, type RequestCounter } from "../../src/core/client/request-counter.js"
import { createTestTable, localClient, type TestTable } from "../support/test-table.js"

let table: TestTable
let client: ReturnType<typeof localClient>
let counter: RequestCounter
let adapter: DBAdapter<BetterAuthOptions>
const warnings: { message: string; details?: Record<string, unknown> }[] = []
const logger: Logger = { debug() {}, warn: (message, details) => void warnings.push({ message, ...(details ? { details } : {}) }) }
const options: BetterAuthOptions = { plugins: [organization()] }

function make(extra: Parameters<typeof singleTableAdapter>[0] = {}) {
  return singleTableAdapter({ client, tableName: table.tableName, debugLogs: { findOne: false }, logger, ...extra })(options)
}

beforeAll(async () => {
  table = await createTestTable()
  client = localClient()
  counter = countRequests(client)
  adapter = make()
})

afterAll(async () => {
  counter.detach()
  client.destroy()
  await table.drop()
})

beforeEach(() => {
  warnings.length = 0
})

async function newUser(email: string) {
  return adapter.create<{ id: string }>({ model: "user", data: { name: "U", email, emailVerified: false, createdAt: new Date(), updatedAt: new Date() } })
}

describe("access paths on DynamoDB Local", () => {
  it("findOne session where token eq is one GetItem, no Scan", async () => {
    const user = await newUser("s@example.com")
    await adapter.create({ model: "session", data: { token: "tok-1", userId: user.id, expiresAt: new Date(Date.now() + 3600_000), createdAt: new Date(), updatedAt: new Date() } })
    counter.reset()
    const session = await adapter.findOne<{ token: string }>({ model: "session", where: [{ field: "token", value: "tok-1" }] })
    expect(session?.token).toBe("tok-1")
    expect(counter.byCommand()).toEqual({ GetItem: 1 })
  })

  it("findMany verification where identifier eq, newest first, limit 1 is one GSI1 Query with Limit 1", async () => {
    const base = Date.now()
    for (const [i, value] of ["old", "newest", "middle"].entries()) {
      const createdAt = new Date(base + [0, 2000, 1000][i]!)
      await adapter.create({ model: "verification", data: { identifier: "reset:abc", value, expiresAt: new Date(base + 600_000), createdAt, updatedAt: createdAt } })
    }
    counter.reset()
    const [latest] = await adapter.findMany<{ value: string }>({
      model: "verification",
      where: [{ field: "identifier", value: "reset:abc" }],
      sortBy: { field: "createdAt", direction: "desc" },
      limit: 1,
    })
    expect(latest?.value).toBe("newest")
    expect(counter.byCommand()).toEqual({ Query: 1 })
    expect(counter.requests[0]!.input).toMatchObject({ IndexName: "GSI1", Limit: 1, ScanIndexForward: false })
    const stored = (await table.scanAll()).filter((i) => i.type === "VERIFICATION")
    expect(stored).toHaveLength(3)
    for (const item of stored) {
      // expiresAt is also the TTL attribute, in epoch seconds.
      expect(item.expires).toBe(Math.floor(Date.parse(String(item.expiresAt)) / 1000))
      expect(item.GSI1PK).toBe("VERIFICATION#identifier#reset:abc")
    }
  })

  it("user by email is the email lookup's GetItem, accounts of a user a Query on its partition, an account by provider key GetItems", async () => {
    const user = await newUser("acc@example.com")
    await adapter.create({ model: "account", data: { userId: user.id, providerId: "github", accountId: "gh-1", createdAt: new Date(), updatedAt: new Date() } })
    counter.reset()
    expect(await adapter.findOne({ model: "user", where: [{ field: "email", value: "acc@example.com" }] })).toMatchObject({ id: user.id })
    expect(counter.byCommand()).toEqual({ GetItem: 1 })
    counter.reset()
    expect(await adapter.findMany({ model: "account", where: [{ field: "userId", value: user.id }] })).toHaveLength(1)
    expect(counter.byCommand()).toEqual({ Query: 1 })
    counter.reset()
    const found = await adapter.findMany({ model: "account", where: [{ field: "providerId", value: "github" }, { field: "accountId", value: "gh-1" }], limit: 2 })
    expect(found).toHaveLength(1)
    expect(counter.byCommand()).toEqual({ GetItem: 2 })
    counter.reset()
    await adapter.findOne({ model: "account", where: [{ field: "userId", value: user.id }, { field: "providerId", value: "github" }, { field: "accountId", value: "gh-1" }] })
    expect(counter.byCommand()).toEqual({ GetItem: 1 })
    expect(warnings).toEqual([])
  })

  it("session token in [...] is one BatchGetItem", async () => {
    const user = await newUser("multi@example.com")
    for (const token of ["m-1", "m-2", "m-3"]) {
      await adapter.create({ model: "session", data: { token, userId: user.id, expiresAt: new Date(Date.now() + 3600_000), createdAt: new Date(), updatedAt: new Date() } })
    }
    // A fresh adapter: its first lookup miss reads the table's metadata item, once.
    const fresh = make()
    const find = () => fresh.findMany({ model: "session", where: [{ field: "token", operator: "in", value: ["m-1", "m-3", "nope"] }] })
    counter.reset()
    expect(await find()).toHaveLength(2)
    // "nope" missed; the table (made by createTable) has every token item, so no GSI1 Query confirms it.
    expect(counter.byCommand()).toEqual({ BatchGetItem: 1, GetItem: 1 })
    expect(counter.requests.filter((r) => r.command === "GetItem" && JSON.stringify(r.input.Key).includes("TABLE#META"))).toHaveLength(1)
    counter.reset()
    expect(await find()).toHaveLength(2)
    expect(counter.byCommand()).toEqual({ BatchGetItem: 1 })
  })

  // (A user read no key answers lists the user directory instead: test/better-auth/user-directory.test.ts.)
  it("a read no key answers is a Scan, correct, and warned about with the model and fields", async () => {
    const user = await newUser("scoped@example.com")
    await adapter.create({ model: "account", data: { userId: user.id, providerId: "github", accountId: "gh-scoped", scope: "Read:All", createdAt: new Date(), updatedAt: new Date() } })
    counter.reset()
    const found = await adapter.findMany<{ accountId: string }>({ model: "account", where: [{ field: "scope", value: "read:all", mode: "insensitive" }] })
    expect(found.map((a) => a.accountId)).toEqual(["gh-scoped"])
    expect(counter.byCommand()).toEqual({ Scan: 1 })
    expect(warnings).toHaveLength(1)
    expect(warnings[0]!.details).toEqual({ model: "account", fields: ["scope"] })
  })

  it("an email eq naming no mode, or insensitive, is the email claim (one GetItem, no Scan): emails are claimed normalized; an explicit sensitive one stays exact", async () => {
    await newUser("CaSe@Example.com")
    counter.reset()
    expect(await adapter.findMany({ model: "user", where: [{ field: "email", value: "case@example.com", mode: "insensitive" }] })).toHaveLength(1)
    expect(counter.byCommand()).toEqual({ GetItem: 1 })
    // Better Auth's own lookups name no mode: the email identifies the person whatever its case.
    expect(await adapter.findMany({ model: "user", where: [{ field: "email", value: "case@example.com" }] })).toHaveLength(1)
    expect(await adapter.findMany({ model: "user", where: [{ field: "email", value: "case@example.com", mode: "sensitive" }] })).toHaveLength(0)
    expect(warnings).toEqual([])
  })

  it("without debugLogs a Scan is still warned about (scans: \"warn\" is the default)", async () => {
    const quiet = singleTableAdapter({ client, tableName: table.tableName, logger })(options)
    await quiet.findMany({ model: "account", where: [{ field: "scope", value: "nobody" }] })
    expect(warnings.map((w) => w.details)).toEqual([{ model: "account", fields: ["scope"] }])
  })

  it("scans: \"refuse\" throws SCAN_REFUSED naming the model and fields, before anything is read", async () => {
    const strict = singleTableAdapter({ client, tableName: table.tableName, logger, scans: "refuse" })(options)
    counter.reset()
    const error = await strict.findMany({ model: "account", where: [{ field: "scope", value: "nobody" }] }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: "SCAN_REFUSED", details: { model: "account", fields: ["scope"] } })
    expect((error as Error).message).toContain("options.models.account.lookups")
    expect(counter.total()).toBe(0)
  })

  it("plugin models get strongly consistent lookups from their schema (member by userId), a GSI1 pattern through options.models", async () => {
    await adapter.create({ model: "member", data: { organizationId: "org-1", userId: "u-9", role: "owner", createdAt: new Date() } })
    counter.reset()
    expect(await adapter.findMany({ model: "member", where: [{ field: "userId", value: "u-9" }] })).toHaveLength(1)
    // The index entries under INDEX#MEMBER#userId#u-9 (consistent Query), then the records (BatchGetItem).
    expect(counter.byCommand()).toEqual({ Query: 1, BatchGetItem: 1 })
    expect(counter.requests[0]!.input).toMatchObject({ ConsistentRead: true, ExpressionAttributeValues: { ":v0": "INDEX#MEMBER#userId#u-9" } })
    const byOrg = make({ models: { member: { index: { field: "organizationId" } } } })
    await byOrg.create({ model: "member", data: { organizationId: "org-2", userId: "u-10", role: "owner", createdAt: new Date() } })
    counter.reset()
    expect(await byOrg.findMany({ model: "member", where: [{ field: "organizationId", value: "org-2" }] })).toHaveLength(1)
    expect(counter.byCommand()).toEqual({ Query: 1 })
    const item = (await table.scanAll()).find((i) => i.type === "MEMBER" && i.organizationId === "org-2")
    expect(item).toMatchObject({ GSI1PK: "MEMBER#organizationId#org-2" })
    expect(String(item?.pk)).toMatch(/^MEMBER#/)
  })

  it("consumeOne is one conditional DeleteItem after the read; exactly one of concurrent consumers gets the row", async () => {
    const created = await adapter.create<{ id: string }>({
      model: "verification",
      data: { identifier: "consume", value: "v", expiresAt: new Date(Date.now() + 60_000), createdAt: new Date(), updatedAt: new Date() },
    })
    counter.reset()
    const results = await Promise.all(Array.from({ length: 10 }, () => adapter.consumeOne({ model: "verification", where: [{ field: "id", value: created.id }] })))
    expect(results.filter((r) => r !== null)).toHaveLength(1)
    expect((await table.scanAll()).filter((i) => i.identifier === "consume")).toEqual([])
  })

  it("incrementOne reads the row by its key claim, then one conditional UpdateItem with ADD, guarded by the where clause", async () => {
    const options2: BetterAuthOptions = { rateLimit: { storage: "database", enabled: true } }
    const limiter = singleTableAdapter({ client, tableName: table.tableName })(options2)
    await limiter.create({ model: "rateLimit", data: { key: "ip:1", count: 1, lastRequest: 1000 } })
    counter.reset()
    const bumped = await limiter.incrementOne<{ count: number }>({
      model: "rateLimit",
      where: [{ field: "key", value: "ip:1" }, { field: "count", operator: "lt", value: 5 }],
      increment: { count: 1 },
      set: { lastRequest: 2000 },
    })
    expect(bumped?.count).toBe(2)
    // rateLimit.key is unique: its claim, the row by id (both strongly consistent), the update.
    expect(counter.byCommand()).toEqual({ GetItem: 2, UpdateItem: 1 })
    expect(String(counter.requests[2]!.input.UpdateExpression)).toMatch(/^ADD /)
    expect(
      await limiter.incrementOne({ model: "rateLimit", where: [{ field: "key", value: "ip:1" }, { field: "count", operator: "lt", value: 2 }], increment: { count: 1 } }),
    ).toBeNull()
    expect((await table.scanAll()).find((i) => i.type === "RATE_LIMIT")).toMatchObject({ count: 2, lastRequest: 2000 })
  })
})

describe("accounts by id", () => {
  it("an account is found and updated by its id through its ACCOUNT_ID lookup item, without a Scan", async () => {
    const user = await newUser("byid@example.com")
    const account = await adapter.create<{ id: string }>({
      model: "account",
      data: { userId: user.id, providerId: "google", accountId: "g-1", accessToken: "old", createdAt: new Date(), updatedAt: new Date() },
    })
    counter.reset()
    const updated = await adapter.update<{ accessToken: string }>({ model: "account", where: [{ field: "id", value: account.id }], update: { accessToken: "new" } })
    expect(updated?.accessToken).toBe("new")
    expect(counter.byCommand()).toEqual({ GetItem: 2, UpdateItem: 1 })
    const items = await table.scanAll()
    expect(items.find((i) => i.type === "ACCOUNT_ID" && i.id === account.id)).toMatchObject({ userId: user.id, provider: "google", providerAccountId: "g-1" })
    expect(items.find((i) => i.sk === "ACCOUNT#google#g-1" && String(i.pk).startsWith("USER#"))).toMatchObject({ access_token: "new", type: "oauth" })

    await adapter.delete({ model: "account", where: [{ field: "id", value: account.id }] })
    const after = await table.scanAll()
    expect(after.filter((i) => i.id === account.id || i.pk === "ACCOUNT#google#g-1")).toEqual([])
  })

  it("an account without a lookup item (written by Auth.js) is still found by id, once by Scan, then by its new lookup item", async () => {
    // Items without lookups exist only where the official adapter writes, so the table is declared to have them.
    const adapter = make({ legacyItems: "present" })
    const user = await newUser("legacy@example.com")
    await table.document.put({
      TableName: table.tableName,
      Item: { pk: `USER#${user.id}`, sk: "ACCOUNT#github#legacy-1", GSI1PK: "ACCOUNT#github", GSI1SK: "ACCOUNT#legacy-1", id: "legacy-account", userId: user.id, provider: "github", providerAccountId: "legacy-1", type: "oauth" },
    })
    counter.reset()
    expect(await adapter.findOne({ model: "account", where: [{ field: "id", value: "legacy-account" }] })).toMatchObject({ id: "legacy-account", providerId: "github" })
    expect(counter.byCommand()).toMatchObject({ GetItem: 1, Scan: 1, PutItem: 1 })
    counter.reset()
    expect(await adapter.findOne({ model: "account", where: [{ field: "id", value: "legacy-account" }] })).toMatchObject({ accountId: "legacy-1" })
    expect(counter.byCommand()).toEqual({ GetItem: 2 })
  })
})

describe("verification expiry", () => {
  it("Better Auth's cleanup (deleteMany verification where expiresAt lt now) queries the expiry markers instead of scanning", async () => {
    const past = new Date(Date.now() - 60_000)
    const future = new Date(Date.now() + 600_000)
    for (const [identifier, expiresAt] of [["expired-1", past], ["expired-2", past], ["alive", future]] as const) {
      await adapter.create({ model: "verification", data: { identifier, value: "v", expiresAt, createdAt: new Date(), updatedAt: new Date() } })
    }
    counter.reset()
    const deleted = await adapter.deleteMany({ model: "verification", where: [{ field: "expiresAt", operator: "lt", value: new Date() }] })
    expect(deleted).toBe(2)
    expect(counter.byCommand().Scan).toBeUndefined()
    expect(counter.byCommand()).toMatchObject({ Query: 1, BatchGetItem: 1 })
    expect(warnings).toEqual([])
    const left = (await table.scanAll()).filter((i) => String(i.type).startsWith("VERIFICATION") && ["expired-1", "expired-2", "alive"].includes(String(i.identifier ?? "")) )
    expect(left.map((i) => i.identifier)).toEqual(["alive"])
    const markers = (await table.scanAll()).filter((i) => i.type === "VERIFICATION_EXPIRY")
    const records = (await table.scanAll()).filter((i) => i.type === "VERIFICATION")
    // One marker per remaining record, none left behind by the deleted ones.
    expect(markers.map((m) => m.id).sort()).toEqual(records.map((r) => r.id).sort())
  })
})
