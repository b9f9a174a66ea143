/**
 * Better Auth's `secondaryStorage` on the auth table (issue #12, "wanted as
 * well"): each operation's effect on DynamoDB Local and its requests, expiry
 * decided by the TTL attribute before DynamoDB's TTL deletes anything, the
 * atomic operations under concurrency and under every interleaving the
 * explorer enumerates, and a real Better Auth app keeping its sessions there.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { DynamoDBAdapter } from "../../src/authjs/index.js"
import { dynamoSecondaryStorage } from "../../src/better-auth/index.js"
import { TableClient } from "../../src/core/client/table-client.js"
import { KeyValueStore } from "../../src/core/kv/key-value-store.js"
import { isDynamoAuthAdapterError } from "../../src/core/errors.js"
import { attachHoldMiddleware, GateSlot } from "../explorer/hold-middleware.js"
import { explore, formatViolations } from "../explorer/scheduler.js"
import { cookieHeader, testBetterAuth } from "../support/better-auth-app.js"
import { createTestTable, localClient, type TestTable } from "../support/test-table.js"

let table: TestTable
/** The test's clock: moved by hand, so expiry is tested without waiting. */
let now = Date.UTC(2030, 0, 1, 12, 0, 0)
let store: KeyValueStore

beforeAll(async () => {
  table = await createTestTable()
  store = new KeyValueStore(new TableClient({ names: table.names, client: table.client }), () => now)
})

afterAll(async () => {
  await table.drop()
})

beforeEach(() => {
  table.counter.reset()
})

/** The stored item of `key`, read outside the counted client. */
async function itemOf(key: string): Promise<Record<string, unknown> | undefined> {
  return (await table.scanAll()).find((item) => item.pk === `KV#${key}`)
}

const seconds = (ms: number) => ms / 1000

describe("get and set", () => {
  it("set stores the value under KV#<key> with expires = now + ttl (epoch seconds); get reads it back: one PutItem, one GetItem", async () => {
    await store.set("session-a", '{"a":1}', 60)
    expect(table.counter.byCommand()).toEqual({ PutItem: 1 })
    expect(await itemOf("session-a")).toEqual({ pk: "KV#session-a", sk: "KV#session-a", type: "KV", key: "session-a", value: '{"a":1}', expires: seconds(now) + 60 })
    table.counter.reset()
    expect(await store.get("session-a")).toBe('{"a":1}')
    expect(table.counter.byCommand()).toEqual({ GetItem: 1 })
    expect(table.counter.requests[0]!.input.ConsistentRead).toBe(true)
  })

  it("get of a key never set is null", async () => {
    expect(await store.get("never-set")).toBeNull()
  })

  it("an entry past its expires reads as absent, while the item is still in the table (TTL deletes lazily)", async () => {
    await store.set("short", "v", 10)
    now += 10_000
    expect(await store.get("short")).toBeNull()
    expect(await itemOf("short")).toMatchObject({ value: "v", expires: seconds(now) })
    now -= 1
    expect(await store.get("short")).toBe("v")
    now += 1
  })

  it("set without a TTL (or with 0) stores no expires: the entry never expires", async () => {
    await store.set("forever", "v")
    await store.set("forever-0", "v", 0)
    now += 365 * 86_400_000
    expect(await store.get("forever")).toBe("v")
    expect(await store.get("forever-0")).toBe("v")
    expect(await itemOf("forever")).not.toHaveProperty("expires")
    expect(await itemOf("forever-0")).not.toHaveProperty("expires")
  })

  it("set overwrites value and expiry: a new TTL replaces the old one, no TTL removes it, an expired entry comes back to life", async () => {
    await store.set("over", "first", 10)
    await store.set("over", "second", 100)
    expect(await itemOf("over")).toMatchObject({ value: "second", expires: seconds(now) + 100 })
    await store.set("over", "third")
    expect(await itemOf("over")).not.toHaveProperty("expires")
    await store.set("lapsed", "old", 1)
    now += 5_000
    expect(await store.get("lapsed")).toBeNull()
    await store.set("lapsed", "new", 30)
    expect(await store.get("lapsed")).toBe("new")
  })

  it("a fractional TTL is rounded up to whole seconds: the entry lives at least its TTL", async () => {
    await store.set("fraction", "v", 1.2)
    expect((await itemOf("fraction"))!.expires).toBe(Math.ceil(seconds(now) + 1.2))
  })

  it("a negative or non-finite TTL is refused with INVALID_INPUT, before any request", async () => {
    for (const ttl of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      const error = await store.set("bad-ttl", "v", ttl).catch((e: unknown) => e)
      expect(isDynamoAuthAdapterError(error, "INVALID_INPUT"), String(error)).toBe(true)
    }
    expect(table.counter.total()).toBe(0)
    expect(await itemOf("bad-ttl")).toBeUndefined()
  })
})

describe("delete and getAndDelete", () => {
  it("delete removes the item (one DeleteItem); deleting an absent key is no error", async () => {
    await store.set("gone", "v", 60)
    table.counter.reset()
    await store.delete("gone")
    expect(table.counter.byCommand()).toEqual({ DeleteItem: 1 })
    expect(await itemOf("gone")).toBeUndefined()
    await store.delete("gone")
  })

  it("getAndDelete returns the value and removes the item in one DeleteItem (ReturnValues ALL_OLD); a second call gets null", async () => {
    await store.set("once", "v", 60)
    table.counter.reset()
    expect(await store.getAndDelete("once")).toBe("v")
    expect(table.counter.byCommand()).toEqual({ DeleteItem: 1 })
    expect(table.counter.requests[0]!.input.ReturnValues).toBe("ALL_OLD")
    expect(await itemOf("once")).toBeUndefined()
    expect(await store.getAndDelete("once")).toBeNull()
  })

  it("getAndDelete of an expired entry returns null (and removes the dead item)", async () => {
    await store.set("stale", "v", 5)
    now += 6_000
    expect(await store.getAndDelete("stale")).toBeNull()
    expect(await itemOf("stale")).toBeUndefined()
  })

  it("30 concurrent getAndDelete of one entry: exactly one gets the value, in each of 20 rounds", async () => {
    // An unconditional DeleteItem with ALL_OLD handed the value to two callers in most rounds on DynamoDB Local.
    for (let round = 0; round < 20; round++) {
      await store.set("contended", `the-value-${round}`, 60)
      const results = await Promise.all(Array.from({ length: 30 }, () => store.getAndDelete("contended")))
      expect(results.filter((r) => r === `the-value-${round}`), `round ${round}`).toHaveLength(1)
      expect(results.filter((r) => r === null), `round ${round}`).toHaveLength(29)
    }
  })

  it("getAndDelete is one DeleteItem conditioned on the entry being present", async () => {
    await store.set("conditioned", "v", 60)
    table.counter.reset()
    expect(await store.getAndDelete("conditioned")).toBe("v")
    const [request] = table.counter.requests
    expect(request!.input.ConditionExpression).toMatch(/attribute_exists/)
    expect(await store.getAndDelete("conditioned")).toBeNull()
  })
})

describe("increment", () => {
  it("an absent key becomes 1 with expires = now + ttl, in one UpdateItem", async () => {
    expect(await store.increment("counter-new", 30)).toBe(1)
    expect(table.counter.byCommand()).toEqual({ UpdateItem: 1 })
    expect(await itemOf("counter-new")).toEqual({ pk: "KV#counter-new", sk: "KV#counter-new", type: "KV", key: "counter-new", value: 1, expires: seconds(now) + 30 })
  })

  it("a live counter goes up by one and keeps its expiry (the TTL applies on creation only), one UpdateItem each", async () => {
    await store.increment("counter-live", 30)
    const created = seconds(now) + 30
    now += 10_000
    table.counter.reset()
    expect(await store.increment("counter-live", 30)).toBe(2)
    expect(await store.increment("counter-live", 999)).toBe(3)
    expect(table.counter.byCommand()).toEqual({ UpdateItem: 2 })
    expect(await itemOf("counter-live")).toMatchObject({ value: 3, expires: created })
    expect(await store.get("counter-live")).toBe("3")
  })

  it("an expired counter still in the table starts again at 1 with a new expiry: UpdateItem refused, then one conditional PutItem", async () => {
    await store.increment("counter-expired", 5)
    await store.increment("counter-expired", 5)
    now += 5_000
    table.counter.reset()
    expect(await store.increment("counter-expired", 20)).toBe(1)
    expect(table.counter.byCommand()).toEqual({ UpdateItem: 1, PutItem: 1 })
    expect(await itemOf("counter-expired")).toMatchObject({ value: 1, expires: seconds(now) + 20 })
  })

  it("a counter without expiry goes up by one and gets no expiry from the TTL", async () => {
    expect(await store.increment("counter-forever", 0)).toBe(1)
    expect(await itemOf("counter-forever")).not.toHaveProperty("expires")
    table.counter.reset()
    expect(await store.increment("counter-forever", 60)).toBe(2)
    // The first UpdateItem's condition (absent or expiring later) fails, the reset's (expired) too, then the plain ADD applies.
    expect(table.counter.byCommand()).toEqual({ UpdateItem: 2, PutItem: 1 })
    expect(await itemOf("counter-forever")).not.toHaveProperty("expires")
    expect((await itemOf("counter-forever"))!.value).toBe(2)
  })

  it("incrementing a string set by set() is refused with INVALID_INPUT and leaves the entry as it was", async () => {
    await store.set("not-a-counter", "text", 60)
    const error = await store.increment("not-a-counter", 60).catch((e: unknown) => e)
    expect(isDynamoAuthAdapterError(error, "INVALID_INPUT"), String(error)).toBe(true)
    expect(await itemOf("not-a-counter")).toMatchObject({ value: "text", expires: seconds(now) + 60 })
  })

  it("50 concurrent increments of an absent key return exactly 1…50, and the counter ends at 50", async () => {
    const results = await Promise.all(Array.from({ length: 50 }, () => store.increment("counter-race", 60)))
    expect([...results].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, n) => n + 1))
    expect(await itemOf("counter-race")).toMatchObject({ value: 50, expires: seconds(now) + 60 })
    expect(table.counter.byCommand()).toEqual({ UpdateItem: 50 })
  })
})

describe("interleavings (explorer: every schedule of the requests, held before send and after answer)", () => {
  const slot = new GateSlot()
  const client = localClient()
  let detach: () => void
  let explored: KeyValueStore

  beforeAll(() => {
    detach = attachHoldMiddleware(client, slot)
    explored = new KeyValueStore(new TableClient({ names: table.names, client }), () => now)
  })
  afterAll(() => {
    detach()
    client.destroy()
  })

  it("two increments of an expired counter: one returns 1, the other 2, the counter ends at 2 with a new expiry", { timeout: 120_000 }, async () => {
    const report = await explore({
      name: "increment vs increment on an expired counter",
      slot,
      async prepare(base) {
        const key = `expired-${base.ns}`
        // An expired counter as DynamoDB TTL leaves it: value 7, expired 10 s ago, still there.
        await table.document.put({ TableName: table.tableName, Item: { pk: `KV#${key}`, sk: `KV#${key}`, type: "KV", key, value: 7, expires: seconds(now) - 10 } })
        return {
          context: { ...base, key },
          operations: [
            { id: "A", run: () => explored.increment(key, 30) },
            { id: "B", run: () => explored.increment(key, 30) },
          ],
        }
      },
      async check(context, run) {
        const values = [...run.outcomes.values()].map((o) => (o.status === "ok" ? o.value : `${o.status}`))
        const item = await itemOf(context.key)
        const problems: string[] = []
        if (JSON.stringify([...values].sort()) !== JSON.stringify([1, 2])) problems.push(`increments returned ${JSON.stringify(values)}, not 1 and 2`)
        if (item?.value !== 2 || item.expires !== seconds(now) + 30) problems.push(`counter ended as ${JSON.stringify(item)}`)
        return problems
      },
    })
    expect(report.violations, formatViolations(report)).toEqual([])
    expect(report.schedules).toBeGreaterThan(1)
  })

  it("getAndDelete vs set of a live entry: either it returns the old value and the new one stays, or it returns the new one and nothing stays", { timeout: 60_000 }, async () => {
    const report = await explore({
      name: "getAndDelete vs set",
      slot,
      async prepare(base) {
        const key = `gad-${base.ns}`
        await explored.set(key, "old", 60)
        return {
          context: { ...base, key },
          operations: [
            { id: "G", run: () => explored.getAndDelete(key) },
            { id: "S", run: () => explored.set(key, "new", 60) },
          ],
        }
      },
      async check(context, run) {
        const got = run.outcomes.get("G")
        const item = await itemOf(context.key)
        const returned = got?.status === "ok" ? got.value : got?.status
        const fine = (returned === "old" && item?.value === "new") || (returned === "new" && item === undefined)
        return fine ? [] : [`getAndDelete returned ${JSON.stringify(returned)}, the table holds ${JSON.stringify(item)}`]
      },
    })
    expect(report.violations, formatViolations(report)).toEqual([])
    expect(report.schedules).toBeGreaterThan(1)
  })
})

describe("dynamoSecondaryStorage in a Better Auth app (sessions in secondary storage)", () => {
  let appTable: TestTable
  let auth: ReturnType<typeof testBetterAuth>

  beforeAll(async () => {
    appTable = await createTestTable()
    auth = testBetterAuth(appTable.client, appTable.tableName, {
      secondaryStorage: dynamoSecondaryStorage({ client: appTable.client, tableName: appTable.tableName }),
    })
  })
  afterAll(async () => {
    await appTable.drop()
  })

  it("sign-up writes the user and account to the table and the session only as KV items; get session reads it from there; sign-out removes it", async () => {
    const email = "kv-session@example.com"
    appTable.counter.reset()
    const signUp = await auth.api.signUpEmail({ body: { email, password: "password-123", name: "KV" }, returnHeaders: true })
    const userId = signUp.response.user.id
    const token = signUp.response.token!
    const signUpCounts = appTable.counter.byCommand()
    const afterSignUp = await appTable.scanAll()
    // No SESSION or SESSION_TOKEN item: Better Auth keeps the session in secondary storage only.
    expect(afterSignUp.map((item) => item.type).sort()).toEqual(["ACCOUNT_ID", "ACCOUNT_OWNER", "EMAIL", "KV", "KV", "USER", "USER_DIRECTORY", "credentials"])
    const sessionEntry = afterSignUp.find((item) => item.pk === `KV#${token}`)!
    expect(JSON.parse(String(sessionEntry.value))).toMatchObject({ session: { token, userId }, user: { id: userId, email } })
    expect(sessionEntry.expires).toBeGreaterThan(Date.now() / 1000 + 6 * 86_400)
    const list = afterSignUp.find((item) => item.pk === `KV#active-sessions-${userId}`)!
    expect(JSON.parse(String(list.value))).toEqual([{ token, expiresAt: expect.any(Number) }])
    expect(signUpCounts.Scan).toBeUndefined()
    // Database: the table's metadata and the email lookup (GetItem 2), then one transaction (user, email claim, account). Secondary
    // storage, inside Better Auth's transaction (so before it commits): the active-sessions list (GetItem), then PutItem list and session.
    expect(signUpCounts).toEqual({ GetItem: 3, PutItem: 2, TransactWriteItems: 1 })

    appTable.counter.reset()
    const headers = cookieHeader(signUp.headers)
    const session = await auth.api.getSession({ headers, query: { disableCookieCache: true } })
    expect(session?.user.email).toBe(email)
    expect(session?.session.token).toBe(token)
    // The session entry and the user's "revoked before" marker: two GetItem on KV items, nothing else.
    expect(appTable.counter.byCommand()).toEqual({ GetItem: 2 })
    expect(appTable.counter.requests.map((r) => (r.input.Key as Record<string, string>).pk)).toEqual([`KV#${token}`, `KV#revoked-sessions-before-${userId}`])

    appTable.counter.reset()
    await auth.api.signOut({ headers })
    const afterSignOut = await appTable.scanAll()
    // The database items are as sign-up left them; the session entry and the (now empty) active-sessions list are gone.
    expect(afterSignOut).toEqual(afterSignUp.filter((item) => item.type !== "KV"))
    // The session read (its entry, the revoked-before marker), then deleteSession: the entry again and the active-sessions list
    // (GetItem), the emptied list and the entry (DeleteItem); Better Auth also lists the user's accounts (one Query on its partition).
    expect(appTable.counter.byCommand()).toEqual({ GetItem: 4, DeleteItem: 2, Query: 1 })
    expect(await auth.api.getSession({ headers, query: { disableCookieCache: true } })).toBeNull()
  })

  it("sessions in secondary storage are out of Auth.js's sight: Auth.js shares the user but finds no session, and a user it deletes keeps that session (with Better Auth's cached user) until the session expires", async () => {
    const email = "out-of-sight@example.com"
    const signUp = await auth.api.signUpEmail({ body: { email, password: "password-123", name: "Out Of Sight" }, returnHeaders: true })
    const userId = signUp.response.user.id
    const headers = cookieHeader(signUp.headers)
    const authjs = DynamoDBAdapter(appTable.client, { tableName: appTable.tableName })
    expect((await authjs.getUserByEmail(email))?.id).toBe(userId)
    expect(await authjs.getSessionAndUser(signUp.response.token!)).toBeNull()
    await authjs.deleteUser!(userId)
    expect((await appTable.scanAll()).filter((item) => item.pk === `USER#${userId}`)).toEqual([])
    const session = await auth.api.getSession({ headers, query: { disableCookieCache: true } })
    expect(session?.user).toMatchObject({ id: userId, email })
  })

  it("an entry written with a 1 s TTL is gone for get after 2 s though DynamoDB's TTL has not deleted it", { timeout: 10_000 }, async () => {
    const storage = dynamoSecondaryStorage({ client: appTable.client, tableName: appTable.tableName })
    await storage.set("short-lived", "v", 1)
    expect(await storage.get("short-lived")).toBe("v")
    await new Promise((resolve) => setTimeout(resolve, 2_000))
    expect(await storage.get("short-lived")).toBeNull()
    expect((await appTable.scanAll()).some((item) => item.pk === "KV#short-lived")).toBe(true)
  })
})
