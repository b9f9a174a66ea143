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
import { CreateTableCommand } from "@aws-sdk/client-dynamodb"
import { createTable } from "../../src/table/create-table.js"
import { createTableInput } from "../../src/table/create-table-input.js"
import { resolveTableNames } from "../../src/table/names.js"
import { useScratchTables } from "../support/scratch-tables.js"
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
    expect(marker).toEqual({ ...META, type: "TABLE_META", lookups: "complete", by: "create-table", since: expect.any(String), userDirectory: "complete" })
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
      expect(backfill.counts.written).toEqual({ email: 0, account: 0, accountId: 0, session: 0, directory: 0 })
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

describe("a table made by a plain CreateTable (printed IaC, the next-auth docs' template): the adapter marks it while it is provably empty", () => {
  const scratch = useScratchTables()
  async function plainTable(prefix: string): Promise<TableClient> {
    const tableName = scratch.name(prefix)
    const names = resolveTableNames({ tableName })
    await scratch.client.send(new CreateTableCommand(createTableInput(names, { deletionProtection: false })))
    return new TableClient({ names, client: scratch.client })
  }
  async function metaOf(table: TableClient) {
    return table.get(META, "read the metadata item", true)
  }

  it("the first call reads the missing marker, scans one item, finds none and puts the marker (by empty-table); copies are trusted at once", async () => {
    const table = await plainTable("plain-empty")
    const counter = countRequests(scratch.client)
    try {
      const mode = new TableMode(table)
      expect(await mode.fallbackNeeded()).toBe(false)
      expect(counter.byCommand()).toEqual({ GetItem: 1, Scan: 1, PutItem: 1 })
      expect(counter.requests.find((r) => r.command === "Scan")?.input).toMatchObject({ Limit: 1, ConsistentRead: true })
      expect(await mode.copiesTrusted()).toBe(true)
      expect(counter.total()).toBe(3)
    } finally {
      counter.detach()
    }
    expect(await metaOf(table)).toEqual({ ...META, type: "TABLE_META", lookups: "complete", by: "empty-table", since: expect.any(String), userDirectory: "complete" })
  })

  it("a table that holds an item is never marked, and is not scanned again (only the marker is re-read, every 5 minutes)", async () => {
    const table = await plainTable("plain-used")
    await table.write({ kind: "put", item: { pk: "USER#u", sk: "USER#u", type: "USER", id: "u" }, label: "an official user" }, "seed")
    let now = 1_000_000
    const mode = new TableMode(table, "auto", () => now)
    const counter = countRequests(scratch.client)
    try {
      expect(await mode.fallbackNeeded()).toBe(true)
      // The missing marker, the Scan that saw an item, the marker once more (another instance may have marked and written meanwhile).
      expect(counter.byCommand()).toEqual({ GetItem: 2, Scan: 1 })
      counter.reset()
      now += MARKER_RECHECK_MS
      expect(await mode.fallbackNeeded()).toBe(true)
      expect(counter.byCommand()).toEqual({ GetItem: 1 })
    } finally {
      counter.detach()
    }
    expect(await metaOf(table)).toBeUndefined()
  })

  it('legacyItems: "present" never marks an empty table', async () => {
    const table = await plainTable("plain-present")
    const mode = new TableMode(table, "present")
    expect(await mode.copiesMayExist()).toBe(false)
    expect(await mode.copiesTrusted()).toBe(false)
    expect(await metaOf(table)).toBeUndefined()
  })

  it("a Scan the credentials may not send keeps the instance on the legacy path, says so once and is not retried", async () => {
    const table = await plainTable("plain-denied")
    const warnings: string[] = []
    const denied = Object.assign(Object.create(table) as TableClient, {
      logger: { debug() {}, warn: (message: string) => warnings.push(message) },
      scanPage: async () => {
        throw Object.assign(new Error("not authorized to perform: dynamodb:Scan"), { name: "AccessDeniedException" })
      },
    })
    let now = 1_000_000
    const mode = new TableMode(denied, "auto", () => now)
    expect(await mode.fallbackNeeded()).toBe(true)
    now += MARKER_RECHECK_MS
    expect(await mode.fallbackNeeded()).toBe(true)
    expect(warnings).toEqual(["Could not check whether the table is empty; it stays on the legacy lookups (run backfill --mark-complete)"])
    expect(await metaOf(table)).toBeUndefined()
  })

  /**
   * Runs `modes` concurrently, their requests interleaved in `order` (an
   * operation whose turn it is not waits; one with no request left, or an
   * order used up, lets the others go in turn).
   */
  async function interleaved(table: TableClient, order: string, steps: Record<string, (gated: TableClient) => Promise<unknown>>) {
    let position = 0
    const done = new Set<string>()
    const waiting: (() => void)[] = []
    const wake = () => waiting.splice(0).forEach((resolve) => resolve())
    const mayGo = (id: string) => position >= order.length || order[position] === id || done.has(order[position]!)
    const gate = (id: string) => async <T>(send: () => Promise<T>): Promise<T> => {
      while (!mayGo(id)) await new Promise<void>((resolve) => waiting.push(resolve))
      try {
        return await send()
      } finally {
        position++
        wake()
      }
    }
    const gatedTable = (id: string): TableClient => {
      const turn = gate(id)
      return Object.assign(Object.create(table) as TableClient, {
        get: (...args: Parameters<TableClient["get"]>) => turn(() => table.get(...args)),
        write: (...args: Parameters<TableClient["write"]>) => turn(() => table.write(...args)),
        scanPage: (...args: Parameters<TableClient["scanPage"]>) => turn(() => table.scanPage(...args)),
      })
    }
    return Promise.all(
      Object.entries(steps).map(async ([id, step]) => {
        try {
          return await step(gatedTable(id))
        } finally {
          done.add(id)
          wake()
        }
      }),
    )
  }

  /** Every sequence of `length` picks among `ids`. */
  function orders(ids: string, length: number): string[] {
    return length === 0 ? [""] : orders(ids, length - 1).flatMap((prefix) => [...ids].map((id) => prefix + id))
  }

  it("two instances starting at once: in every interleaving of their requests, one marker, and both see it", async () => {
    const schedules = orders("AB", 6)
    expect(schedules).toHaveLength(64)
    for (const order of schedules) {
      const table = await plainTable("plain-race")
      const [a, b] = (await interleaved(table, order, {
        A: async (gated) => new TableMode(gated).copiesTrusted(),
        B: async (gated) => new TableMode(gated).copiesTrusted(),
      })) as boolean[]
      expect({ order, a, b }).toEqual({ order, a: true, b: true })
      expect(await metaOf(table)).toMatchObject({ lookups: "complete", by: "empty-table" })
    }
  })

  it("an instance of this library writing right after its own mark: the other instance, whatever it saw, ends on the fast path too", async () => {
    for (const order of orders("AB", 6)) {
      const table = await plainTable("plain-write")
      const [, b] = (await interleaved(table, order, {
        A: async (gated) => {
          const mode = new TableMode(gated)
          await mode.copiesMayExist()
          // A user of its own, written once the marker decided (as every store does).
          await gated.write({ kind: "put", item: { pk: "USER#a", sk: "USER#a", type: "USER", id: "a" }, label: "user" }, "user")
        },
        B: async (gated) => new TableMode(gated).copiesMayExist(),
      })) as [unknown, boolean]
      expect({ order, b }).toEqual({ order, b: true })
    }
  })

  it("failure mode 1, pinned: an official-adapter write before the Scan keeps the table legacy; one after the Scan lands on a marked table", async () => {
    // The instance's three requests (GetItem, Scan, PutItem) with the official write at each of the four places.
    const outcomes: Record<string, boolean> = {}
    for (const order of ["OAAA", "AOAA", "AAOA", "AAAO"]) {
      const table = await plainTable("plain-official")
      await interleaved(table, order, {
        A: async (gated) => new TableMode(gated).fallbackNeeded(),
        O: async (gated) => gated.write({ kind: "put", item: { pk: "USER#o", sk: "USER#o", type: "USER", id: "o", email: "o@example.com" }, label: "official" }, "official"),
      })
      outcomes[order] = (await metaOf(table)) !== undefined
    }
    // Marked only when the official write came after the Scan: that window, and any official write after the mark, is the
    // documented failure mode (the official user has no email lookup and is no longer found through GSI1).
    expect(outcomes).toEqual({ OAAA: false, AOAA: false, AAOA: true, AAAO: true })
  })
})
