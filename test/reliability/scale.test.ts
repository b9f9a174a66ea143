/**
 * Scale: a user with 1,000 sessions and 10 accounts deleted through Auth.js,
 * and 5,000 sessions of one user listed through Better Auth's adapter and
 * the session store, page after page. Items are seeded with parallel batch
 * writes of the stores' own planned items (the same items the front-ends
 * write), so the test spends its time on the operations under test.
 * test/authjs/defects.test.ts already deletes 1,050 sessions (no accounts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { DynamoDBAdapter } from "../../src/authjs/index.js"
import { singleTableAdapter } from "../../src/better-auth/index.js"
import { createIdentityStores } from "../../src/core/identity/index.js"
import { TableClient, type BatchWriteAction, type WriteAction } from "../../src/core/client/table-client.js"
import { planPutAccountIdLookup } from "../../src/core/identity/account-id-lookup.js"
import { createTestTable, localClient, type TestTable } from "../support/test-table.js"

let table: TestTable
let seeder: TableClient
let seederClient: ReturnType<typeof localClient>
const measured: Record<string, unknown> = {}

beforeAll(async () => {
  table = await createTestTable()
  seederClient = localClient()
  seeder = new TableClient({ names: table.names, client: seederClient })
})

afterAll(async () => {
  console.info("Scale:", JSON.stringify(measured))
  seederClient.destroy()
  await table.drop()
})

const puts = (actions: WriteAction[]): BatchWriteAction[] =>
  actions.map((action) => {
    if (action.kind !== "put") throw new Error(`seeding expects puts, got ${action.kind}`)
    return { kind: "put", item: action.item }
  })

/** Batch-writes the items (one put per key: a batch may not name a key twice), `parallel` BatchWriteItem streams at once. */
async function seed(all: BatchWriteAction[], parallel = 8) {
  const byKey = new Map<string, BatchWriteAction>()
  for (const action of all) {
    const item = action.kind === "put" ? action.item : action.key
    byKey.set(`${String(item[table.names.partitionKey])}\u0000${String(item[table.names.sortKey])}`, action)
  }
  const actions = [...byKey.values()]
  const chunk = Math.ceil(actions.length / parallel)
  await Promise.all(Array.from({ length: parallel }, (_, i) => seeder.batchWrite(actions.slice(i * chunk, (i + 1) * chunk), "seed")))
}

function sessionActions(userId: string, count: number, padding = "") {
  const sessions = createIdentityStores(seeder).sessions
  const now = new Date().toISOString()
  return puts(
    Array.from({ length: count }, (_, i) =>
      sessions.planCreate({
        id: `${userId}-session-${i}`,
        sessionToken: `${userId}-token-${String(i).padStart(5, "0")}`,
        userId,
        expires: Math.floor(Date.now() / 1000) + 86_400,
        createdAt: now,
        updatedAt: now,
        ...(padding ? { userAgent: padding } : {}),
      }),
    ).flat(),
  )
}

const notMeta = (items: Record<string, unknown>[]) => items.filter((item) => item.type !== "TABLE_META")

describe("scale", () => {
  it("Auth.js deleteUser with 1,000 sessions and 10 accounts leaves 0 items", { timeout: 60_000 }, async () => {
    const users = createIdentityStores(seeder).users
    const accounts = createIdentityStores(seeder).accounts
    const userId = "crowded"
    const accountActions = Array.from({ length: 10 }, (_, i) => {
      const account = { id: `acct-${i}`, userId, type: "oauth", provider: `provider-${i}`, providerAccountId: `pa-${i}`, access_token: `t-${i}` }
      return [...accounts.planCreate(account), planPutAccountIdLookup(table.names, account)!]
    }).flat()
    await seed([
      ...puts(users.planCreate({ id: userId, email: "crowded@example.com", name: "Crowded" })),
      ...puts(accountActions),
      ...sessionActions(userId, 1_000),
    ])
    const seeded = notMeta(await table.scanAll())
    // user + email lookup + directory entry, 10 × (account, provider lookup, id lookup), 1,000 × (session, token item)
    expect(seeded).toHaveLength(3 + 30 + 2_000)

    const adapter = DynamoDBAdapter(table.client, { tableName: table.tableName })
    expect(await adapter.getUserByAccount({ provider: "provider-3", providerAccountId: "pa-3" })).toMatchObject({ id: userId })
    table.counter.reset()
    const started = performance.now()
    expect(await adapter.deleteUser(userId)).toMatchObject({ id: userId, email: "crowded@example.com" })
    measured.deleteUser = { ms: Math.round(performance.now() - started), requests: table.counter.byCommand() }
    expect(notMeta(await table.scanAll())).toEqual([])
    // Everything but the user and its 11 claims (email, 10 provider accounts) is batched; those go in one last transaction.
    expect(table.counter.byCommand()).toMatchObject({ BatchWriteItem: Math.ceil((2_032 - 12) / 25), TransactWriteItems: 1 })
    expect(await adapter.getSessionAndUser(`${userId}-token-00999`)).toBeNull()
    expect(await adapter.getUserByAccount({ provider: "provider-3", providerAccountId: "pa-3" })).toBeNull()
  })

  describe("5,000 sessions of one user, over several Query pages", () => {
    const userId = "many-sessions"
    beforeAll(async () => {
      await seed([...puts(createIdentityStores(seeder).users.planCreate({ id: userId, email: "many@example.com" })), ...sessionActions(userId, 5_000, "agent ".repeat(200))])
    }, 60_000)

    const expectAllOnce = (tokens: unknown[]) => {
      expect(tokens).toHaveLength(5_000)
      expect(new Set(tokens).size).toBe(5_000)
      const expected = Array.from({ length: 5_000 }, (_, i) => `${userId}-token-${String(i).padStart(5, "0")}`)
      expect([...tokens].sort()).toEqual(expected)
    }

    it("the session store's listByUser returns every session once", async () => {
      table.counter.reset()
      const sessions = await createIdentityStores(new TableClient({ names: table.names, client: table.client })).sessions.listByUser(userId)
      measured.listByUser = table.counter.byCommand()
      expectAllOnce(sessions.map((s) => s.sessionToken))
      expect(table.counter.byCommand().Query).toBeGreaterThan(3)
      expect(table.counter.byCommand().Scan).toBeUndefined()
    })

    it("Better Auth findMany session where userId eq (limit 10,000) returns every session once", async () => {
      const adapter = singleTableAdapter({ client: table.client, tableName: table.tableName })({})
      table.counter.reset()
      const rows = await adapter.findMany<{ id: string; token: string; userId: string }>({
        model: "session",
        where: [{ field: "userId", value: userId }],
        limit: 10_000,
      })
      measured.betterAuthFindMany = table.counter.byCommand()
      expectAllOnce(rows.map((r) => r.token))
      expect(new Set(rows.map((r) => r.id)).size).toBe(5_000)
      expect(rows.every((r) => r.userId === userId)).toBe(true)
      expect(table.counter.byCommand().Query).toBeGreaterThan(3)
      expect(table.counter.byCommand().Scan).toBeUndefined()
    })

    it("Better Auth findMany with limit and offset pages through the 5,000 without overlap", async () => {
      const adapter = singleTableAdapter({ client: table.client, tableName: table.tableName })({})
      const tokens: string[] = []
      for (let offset = 0; offset < 5_000; offset += 1_250) {
        const page = await adapter.findMany<{ token: string }>({
          model: "session",
          where: [{ field: "userId", value: userId }],
          limit: 1_250,
          offset,
          sortBy: { field: "token", direction: "asc" },
        })
        expect(page).toHaveLength(1_250)
        tokens.push(...page.map((r) => r.token))
      }
      expectAllOnce(tokens)
      expect(tokens).toEqual([...tokens].sort())
    })
  })
})
