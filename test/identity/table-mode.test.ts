/**
 * The "lookups complete" table marker (pk = sk = `TABLE#META`): who writes it
 * (createTable on a table it creates, backfill --mark-complete after a clean
 * run), what it saves (the GSI1 Query / Scan after a lookup miss), that it is
 * read at most once per adapter, that the legacy fallbacks still find
 * everything on a table the official adapter wrote, the `legacyItems`
 * overrides both ways, and that no other reader ever sees the item.
 */
import { DynamoDBAdapter as OfficialAdapter } from "@auth/dynamodb-adapter"
import type { AdapterAccount, AdapterUser } from "@auth/core/adapters"
import type { BetterAuthOptions } from "better-auth"
import { organization } from "better-auth/plugins/organization"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { DynamoDBAdapter } from "../../src/authjs/index.js"
import { singleTableAdapter } from "../../src/better-auth/index.js"
import { runBackfill } from "../../src/core/backfill/index.js"
import { isDynamoAuthAdapterError } from "../../src/core/errors.js"
import { countRequests } from "../../src/core/client/request-counter.js"
import { TableMode, MARKER_RECHECK_MS, createIdentityStores, readLookupsMarker } from "../../src/core/identity/index.js"
import { TableClient } from "../../src/core/client/table-client.js"
import { createAuthService } from "../../src/electrodb/index.js"
import { createTable } from "../../src/table/create-table.js"
import { runCli, runCliLocal, stubLocalCredentials } from "../cli/run-cli.js"
import { createTestTable, localClient, type TestTable } from "../support/test-table.js"

const tables: TestTable[] = []
async function newTable(legacy = false): Promise<TestTable> {
  const table = await createTestTable({ legacy })
  tables.push(table)
  return table
}
afterAll(async () => {
  await Promise.all(tables.map((t) => t.drop()))
})

const META = { pk: "TABLE#META", sk: "TABLE#META" }
const inAnHour = () => new Date(Date.now() + 3_600_000)

async function markerItem(table: TestTable) {
  return (await table.document.get({ TableName: table.tableName, Key: META, ConsistentRead: true })).Item
}

/** Requests for the marker among those counted since the last reset. */
function markerReads(table: TestTable): number {
  return table.counter.requests.filter((r) => r.command === "GetItem" && JSON.stringify(r.input.Key).includes("TABLE#META")).length
}

async function counted(table: TestTable, run: () => Promise<unknown>): Promise<Record<string, number>> {
  table.counter.reset()
  await run()
  return table.counter.byCommand()
}

const oauthAccount = (userId: string, providerAccountId: string): AdapterAccount => ({
  userId,
  type: "oidc",
  provider: "idp",
  providerAccountId,
  access_token: "at",
  token_type: "bearer",
})

/** What Auth.js calls for an OAuth sign-up: getUserByAccount (twice), getUserByEmail, createUser, linkAccount, createSession. */
async function oauthSignUp(adapter: ReturnType<typeof DynamoDBAdapter>, name: string) {
  expect(await adapter.getUserByAccount({ provider: "idp", providerAccountId: name })).toBeNull()
  expect(await adapter.getUserByAccount({ provider: "idp", providerAccountId: name })).toBeNull()
  expect(await adapter.getUserByEmail(`${name}@example.com`)).toBeNull()
  const user = await adapter.createUser({ id: `u-${name}`, email: `${name}@example.com`, emailVerified: null })
  await adapter.linkAccount(oauthAccount(user.id, name))
  await adapter.createSession({ sessionToken: `tok-${name}`, userId: user.id, expires: inAnHour() })
}

describe("createTable writes the marker", () => {
  it("on a table it creates: lookups complete, by create-table, since now; never on a table that existed", async () => {
    const before = Date.now()
    const table = await newTable()
    const marker = await markerItem(table)
    expect(marker).toEqual({ ...META, type: "TABLE_META", lookups: "complete", by: "create-table", since: expect.any(String) })
    expect(Date.parse(String(marker!.since))).toBeGreaterThanOrEqual(before - 1000)

    // An existing table may hold the official adapter's items: createTable leaves it unmarked.
    await table.document.delete({ TableName: table.tableName, Key: META })
    expect((await createTable(table.client, table.names)).status).toBe("exists")
    expect(await markerItem(table)).toBeUndefined()
    expect(await table.scanAll()).toEqual([])
  })

  it("not with markLookupsComplete: false (a table the official adapter will also write to): that is declared instead", async () => {
    const table = await newTable(true)
    expect(await markerItem(table)).toEqual({ ...META, type: "TABLE_META", lookups: "legacy", by: "create-table", since: expect.any(String) })
    // The declaration keeps the adapters off the fast path even while the table is empty.
    const adapter = DynamoDBAdapter(table.client, { tableName: table.tableName })
    expect(await counted(table, () => adapter.getUserByAccount({ provider: "idp", providerAccountId: "nobody" }))).toEqual({ GetItem: 2, Query: 1 })
    expect(await markerItem(table)).toMatchObject({ lookups: "legacy" })
  })
})

describe("on a table made by createTable (lookups complete)", () => {
  let table: TestTable
  beforeAll(async () => {
    table = await newTable()
  })

  it("an OAuth sign-up through the Auth.js adapter is 6 requests; the marker is read once per adapter, on its first miss", async () => {
    const adapter = DynamoDBAdapter(table.client, { tableName: table.tableName })
    // First sign-up of this adapter: 6 requests plus the one marker read.
    const first = await counted(table, () => oauthSignUp(adapter, "first"))
    expect(markerReads(table)).toBe(1)
    expect(first).toEqual({ GetItem: 4, TransactWriteItems: 3 })

    const second = await counted(table, () => oauthSignUp(adapter, "second"))
    expect(markerReads(table)).toBe(0)
    // getUserByAccount ×2 and getUserByEmail (1 GetItem each: the lookup items' absence is final here), 3 transactions.
    expect(second).toEqual({ GetItem: 3, TransactWriteItems: 3 })
    expect(Object.values(second).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(6)

    expect(await counted(table, () => adapter.getUserByAccount({ provider: "idp", providerAccountId: "nobody" }))).toEqual({ GetItem: 1 })
    expect(await counted(table, () => adapter.getUserByEmail("nobody@example.com"))).toEqual({ GetItem: 1 })

    const items = await table.scanAll()
    expect(items.filter((i) => i.type === "USER")).toHaveLength(2)
    expect(items.filter((i) => i.type === "ACCOUNT_OWNER")).toHaveLength(2)
    expect(items.filter((i) => i.type === "ACCOUNT_ID")).toHaveLength(2)
    expect(items.filter((i) => i.type === "SESSION_TOKEN")).toHaveLength(2)
  })

  it("concurrent first misses of a fresh adapter share one marker read", async () => {
    const adapter = DynamoDBAdapter(table.client, { tableName: table.tableName })
    table.counter.reset()
    const misses = await Promise.all(Array.from({ length: 10 }, (_, i) => adapter.getSessionAndUser(`missing-${i}`)))
    expect(misses).toEqual(Array(10).fill(null))
    expect(markerReads(table)).toBe(1)
    expect(table.counter.byCommand()).toEqual({ GetItem: 11 })
  })

  it("session, account and account-by-id misses are one GetItem each: no GSI1 Query, no Scan", async () => {
    const adapter = DynamoDBAdapter(table.client, { tableName: table.tableName })
    await adapter.getAccount("warm-up", "idp")
    expect(await counted(table, () => adapter.getAccount("nobody", "idp"))).toEqual({ GetItem: 1 })
    expect(await counted(table, () => adapter.unlinkAccount({ provider: "idp", providerAccountId: "nobody" }))).toEqual({ GetItem: 1 })
    expect(await counted(table, () => adapter.getSessionAndUser("nobody"))).toEqual({ GetItem: 1 })
    expect(await counted(table, () => adapter.updateSession({ sessionToken: "nobody", expires: inAnHour() }))).toEqual({ GetItem: 1 })
    expect(await counted(table, () => adapter.deleteSession("nobody"))).toEqual({ GetItem: 1 })

    const client = localClient()
    const counter = countRequests(client)
    try {
      const betterAuth = singleTableAdapter({ client, tableName: table.tableName })({})
      await betterAuth.findOne({ model: "account", where: [{ field: "id", value: "warm-up" }] })
      counter.reset()
      expect(await betterAuth.findOne({ model: "account", where: [{ field: "id", value: "no-such-account" }] })).toBeNull()
      expect(counter.byCommand()).toEqual({ GetItem: 1 })
      // The account Auth.js linked has its id lookup: Better Auth finds it by id with two GetItems.
      const linked = (await table.scanAll()).find((i) => i.type === "ACCOUNT_ID")!
      counter.reset()
      expect(await betterAuth.findOne({ model: "account", where: [{ field: "id", value: String(linked.id) }] })).toMatchObject({ id: linked.id })
      expect(counter.byCommand()).toEqual({ GetItem: 2 })
    } finally {
      counter.detach()
      client.destroy()
    }
  })

  it("a session whose token item is gone stays gone (a non-atomic delete is not undone by a GSI1 fallback)", async () => {
    const adapter = DynamoDBAdapter(table.client, { tableName: table.tableName })
    await adapter.createSession({ sessionToken: "half-deleted", userId: "u-first", expires: inAnHour() })
    await table.document.delete({ TableName: table.tableName, Key: { pk: "SESSION#half-deleted", sk: "SESSION#half-deleted" } })
    expect(await adapter.getSessionAndUser("half-deleted")).toBeNull()
    expect((await table.scanAll()).filter((i) => i.pk === "SESSION#half-deleted")).toEqual([])

    // With the fallback forced on, the session item alone brings the session back, token item and all.
    const legacy = DynamoDBAdapter(table.client, { tableName: table.tableName, legacyItems: "present" })
    expect(await legacy.getSessionAndUser("half-deleted")).toMatchObject({ session: { sessionToken: "half-deleted" } })
    expect((await table.scanAll()).filter((i) => i.pk === "SESSION#half-deleted")).toHaveLength(1)
  })

  it('legacyItems: "present" falls back on every miss and never reads the marker', async () => {
    const adapter = DynamoDBAdapter(table.client, { tableName: table.tableName, legacyItems: "present" })
    expect(await counted(table, () => adapter.getUserByAccount({ provider: "idp", providerAccountId: "nobody" }))).toEqual({ GetItem: 1, Query: 1 })
    expect(await counted(table, () => adapter.getSessionAndUser("nobody"))).toEqual({ GetItem: 1, Query: 1 })
    expect(markerReads(table)).toBe(0)
  })
})

describe("on a table written by @auth/dynamodb-adapter 2.11.3 (no marker)", () => {
  let table: TestTable
  let alice: AdapterUser
  beforeAll(async () => {
    table = await newTable(true)
    const official = OfficialAdapter(table.document, { tableName: table.tableName })
    alice = (await official.createUser!({ id: "", email: "alice@example.com", emailVerified: null, name: "Alice" })) as AdapterUser
    await official.linkAccount!(oauthAccount(alice.id, "alice-sub"))
    await official.createSession!({ sessionToken: "alice-tok", userId: alice.id, expires: inAnHour() })
    await official.linkAccount!(oauthAccount(alice.id, "alice-second"))
  })

  it("everything is still found through the fallbacks, and the marker read is repeated at most every 5 minutes", async () => {
    const adapter = DynamoDBAdapter(table.client, { tableName: table.tableName })
    table.counter.reset()
    expect(await adapter.getUserByAccount({ provider: "idp", providerAccountId: "alice-sub" })).toMatchObject({ id: alice.id })
    expect(markerReads(table)).toBe(1)
    expect(await counted(table, () => adapter.getSessionAndUser("alice-tok"))).toMatchObject({ Query: 1 })
    expect(markerReads(table)).toBe(0)
    expect(await adapter.getSessionAndUser("alice-tok")).toMatchObject({ user: { id: alice.id } })
    expect(await adapter.getAccount("alice-second", "idp")).toMatchObject({ providerAccountId: "alice-second" })
    // A miss is confirmed through GSI1, without reading the marker again within 5 minutes.
    expect(await counted(table, () => adapter.getUserByAccount({ provider: "idp", providerAccountId: "nobody" }))).toEqual({ GetItem: 1, Query: 1 })

    const client = localClient()
    try {
      const betterAuth = singleTableAdapter({ client, tableName: table.tableName })({})
      const account = (await table.scanAll()).find((i) => i.providerAccountId === "alice-second" && String(i.pk).startsWith("USER#"))!
      expect(await betterAuth.findOne({ model: "account", where: [{ field: "id", value: String(account.id) }] })).toMatchObject({ accountId: "alice-second" })
    } finally {
      client.destroy()
    }
  })

  it('legacyItems: "none" never falls back: one GetItem per miss, and legacy items without lookups are not found', async () => {
    const fresh = await newTable(true)
    const official = OfficialAdapter(fresh.document, { tableName: fresh.tableName })
    const bob = (await official.createUser!({ id: "", email: "bob@example.com", emailVerified: null })) as AdapterUser
    await official.linkAccount!(oauthAccount(bob.id, "bob-sub"))
    const adapter = DynamoDBAdapter(fresh.client, { tableName: fresh.tableName, legacyItems: "none" })
    expect(await counted(fresh, () => adapter.getUserByAccount({ provider: "idp", providerAccountId: "bob-sub" }))).toEqual({ GetItem: 1 })
    expect(markerReads(fresh)).toBe(0)
    expect(await adapter.getUserByAccount({ provider: "idp", providerAccountId: "bob-sub" })).toBeNull()
  })

  it("a bad legacyItems value is INVALID_INPUT, on both front-ends, before any request", () => {
    const bad = { tableName: "t", legacyItems: "maybe" as never }
    const errors = [() => DynamoDBAdapter(localClient(), bad), () => singleTableAdapter(bad)].map((make) => {
      try {
        make()
        return undefined
      } catch (error) {
        return error
      }
    })
    for (const error of errors) expect(isDynamoAuthAdapterError(error, "INVALID_INPUT")).toBe(true)
  })
})

describe("backfill --mark-complete", () => {
  async function seedLegacy(conflict = false): Promise<TestTable> {
    const table = await newTable(true)
    const official = OfficialAdapter(table.document, { tableName: table.tableName })
    const carol = (await official.createUser!({ id: "", email: "carol@example.com", emailVerified: null })) as AdapterUser
    await official.linkAccount!(oauthAccount(carol.id, "carol-sub"))
    await official.createSession!({ sessionToken: "carol-tok", userId: carol.id, expires: inAnHour() })
    if (conflict) await official.createUser!({ id: "", email: "carol@example.com", emailVerified: null })
    return table
  }

  it("is documented in --help", async () => {
    const help = await runCli("backfill", "--help")
    expect(help.stdout).toContain("--mark-complete")
    expect(help.stdout).toContain("once @auth/dynamodb-adapter no longer writes to the table")
  })

  it("marks the table after a clean run; then the fallbacks stop, even in an adapter that read no marker 5 minutes ago", async () => {
    stubLocalCredentials()
    const table = await seedLegacy()
    let now = 1_000_000
    const mode = new TableMode(new TableClient({ names: table.names, client: table.client }), "auto", () => now)
    expect(await mode.fallbackNeeded()).toBe(true)

    const run = await runCliLocal("backfill", "--table", table.tableName, "--mark-complete")
    expect(run.code).toBe(0)
    expect(run.stdout).toContain("Marked the table's lookups complete")
    expect(await markerItem(table)).toMatchObject({ type: "TABLE_META", lookups: "complete", by: "backfill" })

    // An instance that found no marker believes it for 5 minutes, then reads again.
    table.counter.reset()
    now += MARKER_RECHECK_MS - 1
    expect(await mode.fallbackNeeded()).toBe(true)
    expect(markerReads(table)).toBe(0)
    now += 1
    expect(await mode.fallbackNeeded()).toBe(false)
    expect(markerReads(table)).toBe(1)
    now += 10 * MARKER_RECHECK_MS
    expect(await mode.fallbackNeeded()).toBe(false)
    expect(markerReads(table)).toBe(1)

    // A new adapter: the backfilled lookups answer alone, and a miss is one GetItem.
    const adapter = DynamoDBAdapter(table.client, { tableName: table.tableName })
    expect(await adapter.getSessionAndUser("carol-tok")).toMatchObject({ user: { email: "carol@example.com" } })
    expect(await adapter.getUserByAccount({ provider: "idp", providerAccountId: "carol-sub" })).toMatchObject({ email: "carol@example.com" })
    await adapter.getUserByAccount({ provider: "idp", providerAccountId: "warm-up" })
    expect(await counted(table, () => adapter.getUserByAccount({ provider: "idp", providerAccountId: "nobody" }))).toEqual({ GetItem: 1 })
    expect(await counted(table, () => adapter.getSessionAndUser("nobody"))).toEqual({ GetItem: 1 })

    const again = await runCliLocal("backfill", "--table", table.tableName, "--mark-complete")
    expect(again.stdout).toContain("already marked complete")
  })

  it("refuses with conflicts and says why; refuses with --resume-from; a dry run only reports", async () => {
    stubLocalCredentials()
    const table = await seedLegacy(true)
    const run = await runCliLocal("backfill", "--table", table.tableName, "--mark-complete")
    expect(run.code).toBe(2)
    expect(run.stdout).toContain("NOT marking the table's lookups complete: 1 lookup was not written because of conflicts")
    expect(await markerItem(table)).toMatchObject({ lookups: "legacy" })

    const backfillTable = new TableClient({ names: table.names, client: table.client })
    const resumed = await runBackfill(backfillTable, { markComplete: true, resumeFrom: "x" }).catch((e: unknown) => e)
    expect(isDynamoAuthAdapterError(resumed, "INVALID_INPUT")).toBe(true)
    expect(String((resumed as Error).message)).toContain("--mark-complete needs a run over the whole table")

    const clean = await seedLegacy()
    const dry = await runBackfill(new TableClient({ names: clean.names, client: clean.client }), { markComplete: true, dryRun: true })
    expect(dry.markComplete).toEqual({ status: "would-write" })
    expect(await markerItem(clean)).toMatchObject({ lookups: "legacy" })
    expect(await readLookupsMarker(new TableClient({ names: clean.names, client: clean.client }))).toBeUndefined()
  })
})

describe("the marker is invisible to everything else", () => {
  it("Better Auth models, deleteMany({ where: [] }), the backfill, the stores and the ElectroDB service", async () => {
    const table = await newTable()
    const options: BetterAuthOptions = { plugins: [organization()] }
    const client = localClient()
    try {
      const adapter = singleTableAdapter({ client, tableName: table.tableName })(options)
      await adapter.create({ model: "user", data: { email: "dora@example.com", name: "Dora", emailVerified: false, createdAt: new Date(), updatedAt: new Date() } })
      await adapter.create({ model: "organization", data: { name: "Org", slug: "org", createdAt: new Date() } })
      for (const model of ["user", "account", "session", "verification", "organization", "member"]) {
        for (const record of await adapter.findMany({ model })) expect(JSON.stringify(record)).not.toContain("TABLE")
        expect(await adapter.count({ model })).toBe(model === "user" || model === "organization" ? 1 : 0)
        await adapter.deleteMany({ model, where: [] })
      }
      expect(await table.scanAll()).toEqual([])
      expect(await markerItem(table)).toMatchObject({ lookups: "complete" })

      const backfill = await runBackfill(new TableClient({ names: table.names, client: table.client }))
      expect(backfill.counts.written).toEqual({ email: 0, account: 0, accountId: 0, session: 0 })
      expect(backfill.conflicts).toEqual([])

      const service = createAuthService(table.client, { tableName: table.tableName })
      expect((await service.entities.users.scan.go()).data).toEqual([])
      expect((await service.entities.sessions.scan.go()).data).toEqual([])

      const stores = createIdentityStores(new TableClient({ names: table.names, client: table.client }))
      expect(await stores.users.delete("META")).toBeNull()
      expect(await markerItem(table)).toMatchObject({ lookups: "complete" })
    } finally {
      client.destroy()
    }
  })
})
