/**
 * Better Auth's rate limiting on the auth table (issue #12, "wanted as
 * well"): one conditional UpdateItem per request, the window items it
 * leaves in DynamoDB Local, exactly `max` passes under 50 concurrent
 * requests and under every interleaving the explorer enumerates, and a real
 * Better Auth app refusing the (max + 1)-th HTTP request with 429.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { dynamoRateLimitStorage, dynamoSecondaryStorage } from "../../src/better-auth/index.js"
import { TableClient } from "../../src/core/client/table-client.js"
import { isDynamoAuthAdapterError } from "../../src/core/errors.js"
import { RateLimitWindows, type RateLimitDecision, type RateLimitRule } from "../../src/core/kv/rate-limit-window.js"
import { isConditionFailure } from "../../src/core/identity/transactions.js"
import { attachHoldMiddleware, GateSlot } from "../explorer/hold-middleware.js"
import { explore, formatViolations, type Scenario, type ScheduleContext } from "../explorer/scheduler.js"
import { testBetterAuth } from "../support/better-auth-app.js"
import { createTestTable, localClient, type TestTable } from "../support/test-table.js"

let table: TestTable
/** The test's clock, 12:00:00.000 on a minute boundary; moved by hand. */
let now = Date.UTC(2030, 0, 1, 12, 0, 0)
let windows: RateLimitWindows

beforeAll(async () => {
  table = await createTestTable()
  windows = new RateLimitWindows(new TableClient({ names: table.names, client: table.client }), () => now)
})

afterAll(async () => {
  await table.drop()
})

beforeEach(() => {
  table.counter.reset()
})

async function windowItems(key: string): Promise<Record<string, unknown>[]> {
  return (await table.scanAll()).filter((item) => item.type === "RATE_LIMIT_WINDOW" && item.key === key)
}

const perMinute = (max: number): RateLimitRule => ({ window: 60, max })
const allowed: RateLimitDecision = { allowed: true, retryAfter: null }

describe("consume", () => {
  it("the first request of a window is allowed and creates its item: count 1, expires at the window's end; one UpdateItem", async () => {
    expect(await windows.consume("1.2.3.4|/first", perMinute(3))).toEqual(allowed)
    expect(table.counter.byCommand()).toEqual({ UpdateItem: 1 })
    const start = now
    expect(await windowItems("1.2.3.4|/first")).toEqual([
      {
        pk: `RATE_LIMIT_WINDOW#60000#${start}#1.2.3.4|/first`,
        sk: `RATE_LIMIT_WINDOW#60000#${start}#1.2.3.4|/first`,
        type: "RATE_LIMIT_WINDOW",
        key: "1.2.3.4|/first",
        count: 1,
        expires: start / 1000 + 60,
      },
    ])
  })

  it("max requests pass, the (max + 1)-th is refused with the seconds left in the window, and the refusal writes nothing", async () => {
    const key = "1.2.3.4|/limit"
    for (let n = 0; n < 3; n++) expect(await windows.consume(key, perMinute(3))).toEqual(allowed)
    const before = await windowItems(key)
    now += 20_500
    table.counter.reset()
    expect(await windows.consume(key, perMinute(3))).toEqual({ allowed: false, retryAfter: 40 })
    expect(table.counter.byCommand()).toEqual({ UpdateItem: 1 })
    expect(await windowItems(key)).toEqual(before)
    expect(before[0]).toMatchObject({ count: 3 })
    now -= 20_500
  })

  it("the next window starts at zero: a new item, allowed again; the old window's item is left to TTL", async () => {
    const key = "1.2.3.4|/next"
    for (let n = 0; n < 2; n++) await windows.consume(key, perMinute(2))
    expect((await windows.consume(key, perMinute(2))).allowed).toBe(false)
    now += 60_000
    expect(await windows.consume(key, perMinute(2))).toEqual(allowed)
    const items = await windowItems(key)
    expect(items.map((item) => [item.count, item.expires])).toEqual([
      [2, (now - 60_000) / 1000 + 60],
      [1, now / 1000 + 60],
    ])
    now -= 60_000
  })

  it("keys, and window lengths for one key, are counted apart", async () => {
    await windows.consume("a|/p", perMinute(1))
    expect((await windows.consume("a|/p", perMinute(1))).allowed).toBe(false)
    expect(await windows.consume("b|/p", perMinute(1))).toEqual(allowed)
    expect(await windows.consume("a|/p", { window: 10, max: 1 })).toEqual(allowed)
  })

  it("max 0 refuses without a request; an invalid rule is refused with INVALID_INPUT before any request", async () => {
    expect(await windows.consume("zero|/p", perMinute(0))).toEqual({ allowed: false, retryAfter: 60 })
    for (const rule of [{ window: 0, max: 1 }, { window: 10, max: 1.5 }, { window: Number.NaN, max: 1 }, { window: 10, max: -1 }]) {
      const error = await windows.consume("bad|/p", rule).catch((e: unknown) => e)
      expect(isDynamoAuthAdapterError(error, "INVALID_INPUT"), JSON.stringify(rule)).toBe(true)
    }
    expect(table.counter.total()).toBe(0)
  })

  it("50 concurrent requests over a limit of 10 let exactly 10 through, with one UpdateItem each; the count stays at 10", async () => {
    const key = "9.9.9.9|/burst"
    const decisions = await Promise.all(Array.from({ length: 50 }, () => windows.consume(key, perMinute(10))))
    expect(decisions.filter((d) => d.allowed)).toHaveLength(10)
    expect(decisions.filter((d) => !d.allowed && d.retryAfter === 60)).toHaveLength(40)
    expect(table.counter.byCommand()).toEqual({ UpdateItem: 50 })
    expect((await windowItems(key)).map((item) => item.count)).toEqual([10])
  })
})

/**
 * The read-then-write design the module's comment rules out: read the
 * count, then write count + 1 if it is under max. Run here only to show
 * that the interleaving scenario below tells the two designs apart.
 */
async function readThenWriteConsume(table: TableClient, key: string, max: number): Promise<boolean> {
  const itemKey = table.keysOf("rateLimitWindow", { window: key })
  const item = await table.get(itemKey, "read count")
  const count = typeof item?.count === "number" ? item.count : 0
  if (count >= max) return false
  try {
    await table.write({ kind: "put", item: { ...itemKey, type: "RATE_LIMIT_WINDOW", key, count: count + 1 }, label: "write count" }, "write count")
  } catch (error) {
    if (isConditionFailure(error)) return false
    throw error
  }
  return true
}

describe("interleavings (explorer: every schedule of the requests, held before send and after answer)", () => {
  const slot = new GateSlot()
  const client = localClient()
  let detach: () => void
  let explored: TableClient

  beforeAll(() => {
    detach = attachHoldMiddleware(client, slot)
    explored = new TableClient({ names: table.names, client })
  })
  afterAll(() => {
    detach()
    client.destroy()
  })

  /** Three requests against a limit of 2 when the window already counts 1: exactly one more may pass. */
  function scenario(name: string, consume: (key: string) => Promise<boolean>): Scenario<ScheduleContext & { key: string }> {
    return {
      name,
      slot,
      async prepare(base) {
        const key = `explored-${base.ns}|/p`
        // The request that opened the window, outside the schedule.
        await new RateLimitWindows(explored, () => now).consume(key, perMinute(2))
        return {
          context: { ...base, key },
          operations: ["A", "B", "C"].map((id) => ({ id, run: () => consume(key) })),
        }
      },
      async check(_context, run) {
        const passed = [...run.outcomes.values()].filter((o) => o.status === "ok" && o.value === true).length
        return passed === 1 ? [] : [`${passed} of 3 requests passed where the limit left room for 1`]
      },
    }
  }

  it("one conditional UpdateItem per request: in every schedule exactly one of three requests passes a limit with one place left", { timeout: 120_000 }, async () => {
    const rateLimit = new RateLimitWindows(explored, () => now)
    const report = await explore(scenario("consume ×3 at max − 1", async (key) => (await rateLimit.consume(key, perMinute(2))).allowed))
    expect(report.violations, formatViolations(report)).toEqual([])
    expect(report.schedules).toBeGreaterThan(1)
  })

  it("the same scenario finds the lost update of a read-then-write consume (the design the module rules out)", { timeout: 120_000 }, async () => {
    const report = await explore(
      scenario("read-then-write consume ×3 at max − 1", (key) =>
        readThenWriteConsume(explored, `60000#${Math.floor(now / 60_000) * 60_000}#${key}`, 2),
      ),
    )
    expect(report.violations.length).toBeGreaterThan(0)
    expect(report.violations[0]!.messages[0]).toMatch(/^[23] of 3 requests passed/)
  })
})

describe("dynamoRateLimitStorage in a Better Auth app, over HTTP (auth.handler)", () => {
  let appTable: TestTable
  let auth: ReturnType<typeof testBetterAuth>

  beforeAll(async () => {
    appTable = await createTestTable()
    auth = testBetterAuth(appTable.client, appTable.tableName, {
      rateLimit: { enabled: true, window: 60, max: 3, customStorage: dynamoRateLimitStorage({ client: appTable.client, tableName: appTable.tableName }) },
    })
  })
  afterAll(async () => {
    await appTable.drop()
  })

  const request = (ip: string) => auth.handler(new Request("http://localhost:3000/api/auth/ok", { headers: { "x-forwarded-for": ip } }))

  it("the 4th request within the window is refused with 429 and X-Retry-After; each request is one UpdateItem, the window item counts 3", async () => {
    // Windows are aligned to the minute on the real clock here: start the four requests well inside one.
    const intoWindow = Date.now() % 60_000
    if (intoWindow > 55_000) await new Promise((resolve) => setTimeout(resolve, 60_000 - intoWindow + 50))
    const statuses: number[] = []
    const requestsPerCall: Record<string, number>[] = []
    let refused: Response | undefined
    for (let n = 0; n < 4; n++) {
      appTable.counter.reset()
      const response = await request("203.0.113.7")
      statuses.push(response.status)
      requestsPerCall.push(appTable.counter.byCommand())
      if (response.status === 429) refused = response
    }
    expect(statuses).toEqual([200, 200, 200, 429])
    expect(requestsPerCall).toEqual([{ UpdateItem: 1 }, { UpdateItem: 1 }, { UpdateItem: 1 }, { UpdateItem: 1 }])
    const retryAfter = Number(refused!.headers.get("X-Retry-After"))
    expect(retryAfter).toBeGreaterThanOrEqual(1)
    expect(retryAfter).toBeLessThanOrEqual(60)
    const items = (await appTable.scanAll()).filter((item) => item.type === "RATE_LIMIT_WINDOW")
    expect(items).toEqual([expect.objectContaining({ key: "203.0.113.7|/ok", count: 3 })])
    expect(Number(items[0]!.expires) * 1000).toBeGreaterThan(Date.now())
  })

  it("another client address has its own window", async () => {
    expect((await request("198.51.100.1")).status).toBe(200)
  })

  it("direct auth.api calls are not rate limited and send no request to the rate-limit storage", async () => {
    appTable.counter.reset()
    for (let n = 0; n < 5; n++) await auth.api.ok()
    expect(appTable.counter.total()).toBe(0)
  })
})

describe("Better Auth's own secondary-storage limiter on dynamoSecondaryStorage (no customStorage)", () => {
  let appTable: TestTable
  let auth: ReturnType<typeof testBetterAuth>

  beforeAll(async () => {
    appTable = await createTestTable()
    // With a secondary storage, Better Auth's rateLimit.storage defaults to "secondary-storage": it counts through increment.
    auth = testBetterAuth(appTable.client, appTable.tableName, {
      secondaryStorage: dynamoSecondaryStorage({ client: appTable.client, tableName: appTable.tableName }),
      rateLimit: { enabled: true, window: 60, max: 3 },
    })
  })
  afterAll(async () => {
    await appTable.drop()
  })

  it("the 4th request is refused with 429; each request is one UpdateItem on the counter KV#<ip>|<path>, which keeps the expiry of its first request", async () => {
    const statuses: number[] = []
    const requestsPerCall: Record<string, number>[] = []
    for (let n = 0; n < 4; n++) {
      appTable.counter.reset()
      const response = await auth.handler(new Request("http://localhost:3000/api/auth/ok", { headers: { "x-forwarded-for": "192.0.2.44" } }))
      statuses.push(response.status)
      requestsPerCall.push(appTable.counter.byCommand())
    }
    expect(statuses).toEqual([200, 200, 200, 429])
    expect(requestsPerCall).toEqual([{ UpdateItem: 1 }, { UpdateItem: 1 }, { UpdateItem: 1 }, { UpdateItem: 1 }])
    const counters = (await appTable.scanAll()).filter((item) => item.type === "KV")
    expect(counters).toEqual([expect.objectContaining({ pk: "KV#192.0.2.44|/ok", value: 4 })])
    expect(Number(counters[0]!.expires)).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 60)
  })
})
