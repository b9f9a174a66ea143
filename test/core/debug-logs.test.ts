/**
 * `debugLogs` and `logger`: silent by default, every request logged when on
 * (command, table, index, key condition with attribute names, consumed
 * capacity), never a key or a value (tokens, emails).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest"
import { resolveDebugLogs, type DebugLogOptions } from "../../src/core/debug-logs.js"
import type { Logger } from "../../src/core/logger.js"
import { createIdentityStores, directScope, IdentityState } from "../../src/core/identity/index.js"
import { TableClient } from "../../src/core/client/table-client.js"
import { createTestTable, type TestTable } from "../support/test-table.js"

interface Captured {
  level: "debug" | "warn"
  message: string
  details: Record<string, unknown> | undefined
}

function capturingLogger(): Logger & { lines: Captured[] } {
  const lines: Captured[] = []
  return {
    lines,
    debug: (message, details) => lines.push({ level: "debug", message, details }),
    warn: (message, details) => lines.push({ level: "warn", message, details }),
  }
}

const SECRET_TOKEN = "secret-session-token-4f9a"
const EMAIL = "private.person@example.com"

let table: TestTable
beforeAll(async () => {
  table = await createTestTable()
})
afterAll(async () => {
  await table.drop()
})
afterEach(() => {
  vi.restoreAllMocks()
})

function storesWith(options: DebugLogOptions, userId: string) {
  const logging = resolveDebugLogs(options)
  const client = new TableClient({ names: table.names, client: table.document, logger: logging.logger, logRequests: logging.logRequests })
  // As on a table the official adapter still writes: reads by email go through GSI1, so the log shows an index.
  const stores = createIdentityStores(directScope(client, new IdentityState(client, "present")))
  return {
    logging,
    /** A user, its session, a lookup by email and by token: Put/Transact, Query on GSI1, GetItem. */
    async exercise() {
      await stores.users.create({ id: userId, email: `${userId}.${EMAIL}`, name: "Private Person" })
      await stores.sessions.create({ sessionToken: `${SECRET_TOKEN}-${userId}`, userId, expires: 2_000_000_000 })
      await stores.users.getByEmail(`${userId}.${EMAIL}`)
      await stores.sessions.getByToken(`${SECRET_TOKEN}-${userId}`)
      await stores.sessions.listByUser(userId)
    },
  }
}

describe("resolveDebugLogs", () => {
  it("is silent by default: nothing at debug level, and no capacity asked for", () => {
    const logging = resolveDebugLogs()
    expect(logging.logRequests).toBe(false)
    expect(logging.plannerLogger).toBeUndefined()
  })

  it("turns channels on one by one", () => {
    const logger = capturingLogger()
    expect(resolveDebugLogs({ debugLogs: { requests: true }, logger })).toMatchObject({ logRequests: true, plannerLogger: undefined })
    expect(resolveDebugLogs({ debugLogs: { planner: true }, logger })).toMatchObject({ logRequests: false, plannerLogger: logger })
    expect(resolveDebugLogs({ debugLogs: true, logger })).toMatchObject({ logRequests: true, plannerLogger: logger, logger })
  })

  it("routes warnings to the given logger even when debug logs are off", () => {
    const logger = capturingLogger()
    const { logger: resolved } = resolveDebugLogs({ logger })
    resolved.debug("hidden")
    resolved.warn("shown", { a: 1 })
    expect(logger.lines).toEqual([{ level: "warn", message: "shown", details: { a: 1 } }])
  })

  it("prints to the console when debugLogs is true and no logger is given", () => {
    const debug = vi.spyOn(console, "debug").mockImplementation(() => {})
    resolveDebugLogs({ debugLogs: true }).logger.debug("hello", { x: 1 })
    expect(debug).toHaveBeenCalledWith("[dynamodb-auth-adapter] hello", { x: 1 })
  })
})

describe("request logs on DynamoDB Local", () => {
  it("logs nothing by default, with or without a logger", async () => {
    const debug = vi.spyOn(console, "debug").mockImplementation(() => {})
    const logger = capturingLogger()
    table.counter.reset()
    await storesWith({}, "u-silent-1").exercise()
    await storesWith({ logger }, "u-silent-2").exercise()
    expect(debug).not.toHaveBeenCalled()
    expect(logger.lines).toEqual([])
    // Capacity is only asked for when it will be logged.
    expect(table.counter.requests.length).toBeGreaterThan(0)
    for (const request of table.counter.requests) expect(request.input).not.toHaveProperty("ReturnConsumedCapacity")
  })

  it("logs every request with command, table, index, key condition (names only) and consumed capacity", async () => {
    const logger = capturingLogger()
    table.counter.reset()
    await storesWith({ debugLogs: { requests: true }, logger }, "u-loud").exercise()
    const requests = table.counter.total()
    expect(logger.lines).toHaveLength(requests)
    for (const request of table.counter.requests) expect(request.input).toHaveProperty("ReturnConsumedCapacity", "TOTAL")
    const details = logger.lines.map((line) => line.details!)
    // legacyItems "present": createUser first asks GSI1 whether a legacy user holds the email; get session confirms the token item with the session item.
    expect(details.map((d) => d.command)).toEqual(["Query", "TransactWriteItems", "TransactWriteItems", "Query", "GetItem", "BatchGetItem", "Query"])
    for (const [i, d] of details.entries()) {
      expect(d.table).toBe(table.tableName)
      expect(typeof d.consumedCapacity).toBe("number")
      // The legacy-email Query finds nothing, which DynamoDB Local bills as 0; every other request read or wrote items.
      if (i > 0) expect(d.consumedCapacity as number).toBeGreaterThan(0)
    }
        // The user, its email claim, its user directory entry.
    expect(details[1]).toMatchObject({ operation: "create user", actions: ["Put", "Put", "Put"] })
    expect(details[3]).toMatchObject({ operation: "get user by email", index: "GSI1", keyCondition: "GSI1PK = :gpk AND GSI1SK = :gsk", items: 1 })
    expect(details[6]).toMatchObject({ operation: "list sessions of user", keyCondition: "pk = :pk AND begins_with(sk, :prefix)" })
    expect(details[6]).not.toHaveProperty("index")
    expect(logger.lines[3]!.message).toBe(`Query ${table.tableName} (GSI1): get user by email`)
  })

  it("never logs a key or a value: no token, no email, no name", async () => {
    const logger = capturingLogger()
    await storesWith({ debugLogs: true, logger }, "u-secret").exercise()
    const everything = JSON.stringify(logger.lines)
    expect(logger.lines.length).toBeGreaterThan(0)
    expect(everything).not.toContain(SECRET_TOKEN)
    expect(everything).not.toContain(EMAIL)
    expect(everything).not.toContain("Private Person")
    expect(everything).not.toContain("u-secret")
  })

  it("logs a failed request with the error's name only", async () => {
    const logger = capturingLogger()
    const { logging } = storesWith({ debugLogs: { requests: true }, logger }, "unused")
    const missing = new TableClient({
      names: { ...table.names, tableName: `${table.tableName}-missing` },
      client: table.document,
      logger: logging.logger,
      logRequests: true,
    })
    await expect(missing.get({ pk: "USER#x", sk: "USER#x" }, "get user")).rejects.toMatchObject({ code: "MISSING_TABLE" })
    expect(logger.lines).toHaveLength(1)
    expect(logger.lines[0]!.details).toMatchObject({ command: "GetItem", error: "ResourceNotFoundException" })
    expect(JSON.stringify(logger.lines)).not.toContain("USER#x")
  })
})
