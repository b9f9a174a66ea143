/**
 * Throttling, injected by a client middleware inside the SDK's retry loop:
 * the SDK retries with backoff up to the client's `maxAttempts`, then the
 * library throws a typed `THROTTLED`. `UnprocessedItems` of BatchWriteItem
 * (the deleteUser path) are retried by the library until none are left.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { DynamoDBAdapter } from "../../src/authjs/index.js"
import { isDynamoAuthAdapterError } from "../../src/core/errors.js"
import { localClientConfig } from "../support/dynamodb-local.js"
import { createTestTable, endpoint, type TestTable } from "../support/test-table.js"
import { injectError } from "./support.js"

let table: TestTable
const clients: DynamoDBClient[] = []
const measured: Record<string, unknown> = {}

beforeAll(async () => {
  table = await createTestTable()
})

afterAll(async () => {
  console.info("Throttling:", JSON.stringify(measured))
  for (const client of clients) client.destroy()
  await table.drop()
})

function freshClient(maxAttempts?: number): DynamoDBClient {
  const client = new DynamoDBClient({ ...localClientConfig(endpoint()), ...(maxAttempts !== undefined ? { maxAttempts } : {}) })
  clients.push(client)
  return client
}

const gaps = (attempts: { at: number }[]) => attempts.slice(1).map((a, i) => Math.round(a.at - attempts[i]!.at))

describe("throttling", () => {
  it("ProvisionedThroughputExceededException on every GetItem: retried with backoff up to the client's maxAttempts (DynamoDB's default), then THROTTLED", async () => {
    const client = freshClient()
    const adapter = DynamoDBAdapter(client, { tableName: table.tableName })
    const fault = injectError(client, "ProvisionedThroughputExceededException", ["GetItem"])
    const started = performance.now()
    const error = await adapter.getUser("anyone").catch((e: unknown) => e)
    measured.getItemDefault = { attempts: fault.attempts.length, gapsMs: gaps(fault.attempts), totalMs: Math.round(performance.now() - started) }
    expect(isDynamoAuthAdapterError(error, "THROTTLED")).toBe(true)
    expect((error as Error).message).toMatch(/getUser|get user/)
    expect((error as Error).message).toContain("ProvisionedThroughputExceededException")
    expect((error as Error).message).toMatch(/capacity|maxAttempts/)
    // The SDK's own default for DynamoDB (4 attempts with the SDK version in use), not a number of ours.
    const maxAttempts = await client.config.maxAttempts()
    expect(maxAttempts).toBeGreaterThanOrEqual(3)
    expect(fault.attempts).toHaveLength(maxAttempts)
    // The SDK waited between attempts (its throttling backoff), never retrying at once.
    expect(gaps(fault.attempts).every((gap) => gap >= 1)).toBe(true)
    fault.remove()
  })

  it("ThrottlingException on the sign-up transaction with maxAttempts 3: 3 attempts, THROTTLED, nothing written", async () => {
    const client = freshClient(3)
    const adapter = DynamoDBAdapter(client, { tableName: table.tableName })
    const fault = injectError(client, "ThrottlingException", ["TransactWriteItems"])
    const error = await adapter.createUser({ id: "throttled", email: "throttled@example.com", emailVerified: null }).catch((e: unknown) => e)
    measured.transactMax3 = { attempts: fault.attempts.length, gapsMs: gaps(fault.attempts) }
    expect(isDynamoAuthAdapterError(error, "THROTTLED")).toBe(true)
    expect((error as Error).message).toContain("ThrottlingException")
    expect(fault.attempts).toHaveLength(3)
    expect((await table.scanAll()).filter((i) => JSON.stringify(i).includes("throttled"))).toEqual([])
    fault.remove()
  })

  it("throttling that stops before the last attempt is invisible to the caller: the write lands once", async () => {
    const client = freshClient()
    const adapter = DynamoDBAdapter(client, { tableName: table.tableName })
    const fault = injectError(client, "ProvisionedThroughputExceededException", ["TransactWriteItems"], 2)
    const user = await adapter.createUser({ id: "patient", email: "patient@example.com", emailVerified: null })
    expect(user).toMatchObject({ id: "patient" })
    expect(fault.attempts).toHaveLength(3)
    const items = (await table.scanAll()).filter((i) => JSON.stringify(i).includes("patient"))
    expect(items.map((i) => i.type).sort()).toEqual(["EMAIL", "USER", "USER_DIRECTORY"])
    fault.remove()
  })

  it("maxAttempts 1 (retries off): the first throttle is THROTTLED at once", async () => {
    const client = freshClient(1)
    const adapter = DynamoDBAdapter(client, { tableName: table.tableName })
    // The adapter's first lookup also reads the table's metadata item: done before the fault, so the one GetItem counted is the email lookup's.
    await adapter.getUserByEmail("warm-up@example.com")
    const fault = injectError(client, "ThrottlingException", ["GetItem"])
    const error = await adapter.getUserByEmail("nobody@example.com").catch((e: unknown) => e)
    expect(isDynamoAuthAdapterError(error, "THROTTLED")).toBe(true)
    expect(fault.attempts).toHaveLength(1)
    fault.remove()
  })
})

describe("UnprocessedItems in batch writes (deleteUser)", () => {
  /** BatchWriteItem processes only the first `keep` requests of each call and hands the rest back as UnprocessedItems. */
  function processOnlySome(client: DynamoDBClient, keep: number, forever = false) {
    const calls: number[] = []
    const name = `reliability/unprocessed-${Math.random()}`
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== "BatchWriteItemCommand") return next(args)
        const input = args.input as { RequestItems: Record<string, unknown[]> }
        const [tableName, requests] = Object.entries(input.RequestItems)[0]!
        calls.push(requests.length)
        const sent = forever ? [] : requests.slice(0, keep)
        const rest = forever ? requests : requests.slice(keep)
        if (sent.length === 0) return { output: { UnprocessedItems: { [tableName]: rest }, $metadata: {} }, response: {} } as never
        const result = await next({ ...args, input: { ...input, RequestItems: { [tableName]: sent } } })
        const output = result.output as { UnprocessedItems?: Record<string, unknown[]> }
        return { ...result, output: { ...output, UnprocessedItems: rest.length ? { [tableName]: rest } : {} } } as typeof result
      },
      { step: "initialize", name, override: true },
    )
    return calls
  }

  async function seedUser(adapter: ReturnType<typeof DynamoDBAdapter>, id: string, sessions: number) {
    await adapter.createUser({ id, email: `${id}@example.com`, emailVerified: null })
    await adapter.linkAccount({ userId: id, type: "oauth", provider: "github", providerAccountId: `${id}-gh` })
    await Promise.all(
      Array.from({ length: sessions }, (_, i) => adapter.createSession({ sessionToken: `${id}-s${i}`, userId: id, expires: new Date(Date.now() + 3_600_000) })),
    )
  }

  it("retried until none are left: 40 sessions deleted 7 writes per response, nothing of the user remains", async () => {
    const client = freshClient()
    const adapter = DynamoDBAdapter(client, { tableName: table.tableName })
    await seedUser(adapter, "batchy", 40)
    const mentioning = async () => (await table.scanAll()).filter((i) => JSON.stringify(i).includes("batchy"))
    // user, directory entry, email lookup, account and its lookup item(s), 40 × (session, token item)
    const seeded = (await mentioning()).length
    expect(seeded).toBeGreaterThanOrEqual(5 + 80)
    const calls = processOnlySome(client, 7)
    expect(await adapter.deleteUser("batchy")).toMatchObject({ id: "batchy" })
    measured.unprocessedRetries = { batchWriteCalls: calls.length, sizes: calls }
    // Every chunk of up to 25 deletes is drained 7 at a time: ceil(n / 7) calls per chunk. The user, its directory entry and
    // its claims (email, provider account) go in the last transaction, not in a batch.
    const batched = seeded - 4
    const chunks = Array.from({ length: Math.ceil(batched / 25) }, (_, i) => Math.min(25, batched - i * 25))
    expect(calls.length).toBe(chunks.reduce((sum, n) => sum + Math.ceil(n / 7), 0))
    expect(await mentioning()).toEqual([])
  })

  it("UnprocessedItems that never drain: THROTTLED after the library's attempts, and a repeat deleteUser finishes the job", async () => {
    const client = freshClient()
    const adapter = DynamoDBAdapter(client, { tableName: table.tableName })
    await seedUser(adapter, "stuck", 3)
    const calls = processOnlySome(client, 0, true)
    const error = await adapter.deleteUser("stuck").catch((e: unknown) => e)
    expect(isDynamoAuthAdapterError(error, "THROTTLED")).toBe(true)
    expect((error as Error).message).toMatch(/unprocessed after 8 attempts/)
    expect(calls).toHaveLength(8)
    // Nothing was deleted (the user item goes last), so the user can still be found and the call repeated.
    expect(await adapter.getUser("stuck")).toMatchObject({ id: "stuck" })
    const clean = DynamoDBAdapter(freshClient(), { tableName: table.tableName })
    await clean.deleteUser("stuck")
    expect((await table.scanAll()).filter((i) => JSON.stringify(i).includes("stuck"))).toEqual([])
  }, 30_000)
})
