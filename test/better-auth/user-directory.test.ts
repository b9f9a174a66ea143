/**
 * The user directory (`src/core/identity/user-directory.ts`): users are
 * listed, searched and counted from their directory entries (4 consistent
 * Queries and a BatchGetItem), never by a Scan of the whole table, through
 * both frameworks; a table whose users may lack entries (written by
 * `@auth/dynamodb-adapter`) Scans, or refuses to, until the backfill has
 * written them.
 */
import { DynamoDBAdapter as OfficialAdapter } from "@auth/dynamodb-adapter"
import type { BetterAuthOptions } from "@better-auth/core"
import type { DBAdapter } from "@better-auth/core/db/adapter"
import { admin } from "better-auth/plugins"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { DynamoDBAdapter } from "../../src/authjs/index.js"
import { singleTableAdapter } from "../../src/better-auth/index.js"
import { runBackfill } from "../../src/core/backfill/index.js"
import { TableClient } from "../../src/core/client/table-client.js"
import { countRequests, type RequestCounter } from "../../src/core/client/request-counter.js"
import { DIRECTORY_SHARDS, directoryShardOf } from "../../src/core/identity/user-directory.js"
import { createTestTable, localClient, type TestTable } from "../support/test-table.js"

const options: BetterAuthOptions = { plugins: [admin()] }
type User = { id: string; email: string; name: string }

let client: ReturnType<typeof localClient>
let counter: RequestCounter

beforeAll(() => {
  client = localClient()
  counter = countRequests(client)
})

afterAll(() => {
  counter.detach()
  client.destroy()
})

function betterAuthOn(table: TestTable, scans: "warn" | "refuse" = "refuse"): DBAdapter<BetterAuthOptions> {
  return singleTableAdapter({ client, tableName: table.tableName, scans, logger: { debug() {}, warn() {} } })(options)
}

async function signUp(adapter: DBAdapter<BetterAuthOptions>, email: string, name: string): Promise<User> {
  return adapter.create<Record<string, unknown>, User>({ model: "user", data: { email, name, emailVerified: false, createdAt: new Date(), updatedAt: new Date() } })
}

async function measure<T>(run: () => Promise<T>): Promise<{ result: T; counts: Record<string, number> }> {
  counter.reset()
  const result = await run()
  return { result, counts: counter.byCommand() }
}

const entriesOf = async (table: TestTable) => (await table.scanAll()).filter((item) => item.type === "USER_DIRECTORY")
const byEmail = (a: User, b: User) => a.email.localeCompare(b.email)

describe("the user directory on a table made by createTable", () => {
  let table: TestTable
  let adapter: DBAdapter<BetterAuthOptions>
  const users: User[] = []

  beforeAll(async () => {
    table = await createTestTable()
    adapter = betterAuthOn(table)
    for (const [i, name] of ["Ada", "Bob", "Bo Diddley", "Cy", "Dee", "Eve", "Flo"].entries()) users.push(await signUp(adapter, `u${i}@example.com`, name))
    // A user made through Auth.js is listed by Better Auth too (shared users).
    const authjs = DynamoDBAdapter(table.document, { tableName: table.tableName })
    const created = await authjs.createUser!({ id: "authjs-user", email: "zed@example.com", name: "Zed", emailVerified: null })
    users.push({ id: created.id, email: created.email, name: "Zed" })
  })

  afterAll(() => table.drop())

  it("writes one entry per user, in its shard, in the user's own transaction", async () => {
    const entries = await entriesOf(table)
    expect(entries).toHaveLength(users.length)
    for (const user of users) {
      expect(entries).toContainEqual({ pk: `USER_DIRECTORY#${directoryShardOf(user.id)}`, sk: user.id, type: "USER_DIRECTORY", userId: user.id })
    }
    const { counts } = await measure(() => signUp(adapter, "late@example.com", "Late"))
    expect(counts).toEqual({ TransactWriteItems: 1 })
    const late = (await entriesOf(table)).find((entry) => entry.sk !== undefined && !users.some((u) => u.id === entry.sk))
    expect(late?.pk).toMatch(new RegExp(`^USER_DIRECTORY#[0-${DIRECTORY_SHARDS - 1}]$`))
    await adapter.delete({ model: "user", where: [{ field: "email", value: "late@example.com" }] })
    expect(await entriesOf(table)).toHaveLength(users.length)
  })

  it("lists users sorted, with offset and limit, by 4 Queries and 1 BatchGetItem (no Scan)", async () => {
    const { result, counts } = await measure(() =>
      adapter.findMany<User>({ model: "user", sortBy: { field: "email", direction: "asc" }, offset: 2, limit: 3 }),
    )
    expect(counts).toEqual({ Query: DIRECTORY_SHARDS, BatchGetItem: 1 })
    expect(result.map((u) => u.id)).toEqual([...users].sort(byEmail).slice(2, 5).map((u) => u.id))
  })

  it("searches and counts users the same way, with the results of the Scan path", async () => {
    const search = await measure(() => adapter.findMany<User>({ model: "user", where: [{ field: "name", operator: "contains", value: "Bo" }] }))
    expect(search.counts).toEqual({ Query: DIRECTORY_SHARDS, BatchGetItem: 1 })
    const count = await measure(() => adapter.count({ model: "user" }))
    expect(count.counts).toEqual({ Query: DIRECTORY_SHARDS, BatchGetItem: 1 })
    expect(count.result).toBe(users.length)
    // The same answers from a Scan of the table: the directory misses no user and adds none.
    const scanned = (await table.scanAll()).filter((item) => item.type === "USER")
    expect(scanned).toHaveLength(users.length)
    expect(search.result.map((u) => u.name).sort()).toEqual(scanned.map((u) => String(u.name)).filter((n) => n.includes("Bo")).sort())
  })

  it("deleting a user through either framework deletes its entry; an entry left by the official adapter's deleteUser is skipped", async () => {
    const gone = await signUp(adapter, "gone@example.com", "Gone")
    const authjsGone = await DynamoDBAdapter(table.document, { tableName: table.tableName }).createUser!({ id: "authjs-gone", email: "gone2@example.com", emailVerified: null })
    const stale = await signUp(adapter, "stale@example.com", "Stale")
    await adapter.delete({ model: "user", where: [{ field: "id", value: gone.id }] })
    await DynamoDBAdapter(table.document, { tableName: table.tableName }).deleteUser!(authjsGone.id)
    // The official adapter knows nothing of the entry: it stays behind, naming a user that is gone.
    await OfficialAdapter(table.document, { tableName: table.tableName }).deleteUser!(stale.id)
    const ids = (await entriesOf(table)).map((entry) => entry.userId)
    expect(ids).not.toContain(gone.id)
    expect(ids).not.toContain(authjsGone.id)
    expect(ids).toContain(stale.id)
    const listed = await adapter.findMany<User>({ model: "user" })
    expect(listed.map((u) => u.id).sort()).toEqual(users.map((u) => u.id).sort())
    expect(await adapter.count({ model: "user" })).toBe(users.length)
  })
})

describe("the user directory on a table written by @auth/dynamodb-adapter", () => {
  let table: TestTable

  beforeAll(async () => {
    table = await createTestTable({ legacy: true })
    const official = OfficialAdapter(table.document, { tableName: table.tableName })
    for (const i of [1, 2, 3]) await official.createUser!({ id: `legacy-${i}`, email: `legacy${i}@example.com`, emailVerified: null })
  })

  afterAll(() => table.drop())

  it("Scans (or refuses to, naming the backfill) until the backfill wrote the missing entries, then lists from them", async () => {
    const warned: string[] = []
    const warn = singleTableAdapter({ client, tableName: table.tableName, logger: { debug() {}, warn: (message) => void warned.push(message) } })(options)
    await signUp(warn, "new@example.com", "New")
    const before = await measure(() => warn.findMany<User>({ model: "user" }))
    expect(before.counts.Scan).toBeGreaterThan(0)
    expect(before.result).toHaveLength(4)
    expect(warned.some((m) => m.includes("backfill --mark-complete"))).toBe(true)

    const refused = await betterAuthOn(table, "refuse").findMany({ model: "user" }).catch((e: unknown) => e)
    expect(refused).toMatchObject({ code: "SCAN_REFUSED" })
    expect(String((refused as Error).message)).toContain("backfill --mark-complete")

    const result = await runBackfill(new TableClient({ names: table.names, client: table.client }), { markComplete: true })
    // The three legacy users got an entry; the one this library made had its own.
    expect(result.counts.written.directory).toBe(3)
    expect(result.counts.present.directory).toBe(1)
    expect(result.markComplete).toMatchObject({ status: "written", marker: { userDirectory: "complete" } })

    // A new adapter instance reads the marker (here, on a read by email): the directory answers, legacy users included.
    const after = betterAuthOn(table, "refuse")
    await after.findOne({ model: "user", where: [{ field: "email", value: "legacy1@example.com" }] })
    const listed = await measure(() => after.findMany<User>({ model: "user", sortBy: { field: "email", direction: "asc" } }))
    expect(listed.counts).toEqual({ Query: DIRECTORY_SHARDS, BatchGetItem: 1 })
    expect(listed.result.map((u) => u.email)).toEqual(["legacy1@example.com", "legacy2@example.com", "legacy3@example.com", "new@example.com"])
  })
})

describe("a table marked complete before the user directory existed", () => {
  it("keeps Scanning for users until the backfill adds the directory to the marker", async () => {
    const table = await createTestTable()
    try {
      const adapter = betterAuthOn(table, "warn")
      await signUp(adapter, "a@example.com", "A")
      // The marker as an earlier build wrote it, and a user without an entry (that build wrote none).
      await table.document.update({ TableName: table.tableName, Key: { pk: "TABLE#META", sk: "TABLE#META" }, UpdateExpression: "REMOVE userDirectory" })
      const old = (await entriesOf(table))[0]!
      await table.document.delete({ TableName: table.tableName, Key: { pk: old.pk, sk: old.sk } })

      const before = await measure(() => betterAuthOn(table, "warn").findMany<User>({ model: "user" }))
      expect(before.counts.Scan).toBeGreaterThan(0)
      expect(before.result).toHaveLength(1)

      const result = await runBackfill(new TableClient({ names: table.names, client: table.client }), { markComplete: true })
      expect(result.counts.written.directory).toBe(1)
      expect(result.markComplete).toMatchObject({ status: "written", marker: { by: "create-table", userDirectory: "complete" } })
      const after = await measure(() => betterAuthOn(table, "refuse").findMany<User>({ model: "user" }))
      expect(after.result).toHaveLength(1)
      expect(after.counts.Scan).toBeUndefined()
      expect((await runBackfill(new TableClient({ names: table.names, client: table.client }), { markComplete: true })).markComplete).toMatchObject({ status: "already" })
    } finally {
      await table.drop()
    }
  })
})
