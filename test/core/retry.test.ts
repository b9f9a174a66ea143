/**
 * The one retry policy (src/core/client/retry.ts), on DynamoDB Local with
 * faults injected by a client middleware: a single write that meets a
 * transaction in flight (`TransactionConflictException`, which the SDK does
 * not retry) and a transaction cancelled only for throttling or conflicts
 * are retried by the TableClient, up to 8 attempts, then fail typed. A
 * cancellation with any other reason is the caller's business: one attempt.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb"
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from "vitest"
import { DynamoDBAdapter } from "../../src/authjs/index.js"
import { isDynamoAuthAdapterError, type DynamoAuthAdapterError } from "../../src/core/errors.js"
import { TableClient, type WriteAction } from "../../src/core/client/table-client.js"
import { makeBetterAuth } from "../reliability/support.js"
import { localClientConfig } from "../support/dynamodb-local.js"
import { createTestTable, endpoint, type TestTable } from "../support/test-table.js"

/** The policy's bound on attempts per call (the first included), as the README states it. */
const ATTEMPTS = 8

let table: TestTable
const clients: DynamoDBClient[] = []

beforeAll(async () => {
  table = await createTestTable()
})

afterEach(() => {
  for (const client of clients.splice(0)) client.destroy()
})

afterAll(async () => {
  await table.drop()
})

/** A client of its own, so an injected fault reaches no other test; `maxAttempts` is the SDK's own retry setting. */
function freshClient(maxAttempts?: number): DynamoDBClient {
  const client = new DynamoDBClient({ ...localClientConfig(endpoint()), ...(maxAttempts !== undefined ? { maxAttempts } : {}) })
  clients.push(client)
  return client
}

/** A TableClient on its own client; `baseDelayMs: 1` keeps the backoff short where a test runs every attempt. */
function tableClient(client = freshClient(), retry?: { attempts?: number; baseDelayMs?: number }): TableClient {
  return new TableClient({ names: table.names, client, ...(retry ? { retry } : {}) })
}

interface Fault {
  /** Every attempt of the command that reached the middleware (the SDK's retries and the library's), with its input. */
  attempts: Record<string, unknown>[]
}

/**
 * Makes the first `failures` attempts of `command` fail with `errorFor(input)`
 * before they reach DynamoDB. Added in the deserialize step, inside the SDK's
 * retry middleware (like `injectError` in test/reliability/support.ts), so the
 * SDK sees each failure as a real response and would retry what its own
 * strategy treats as retryable.
 */
function failFirst(client: DynamoDBClient, command: string, failures: number, errorFor: (input: Record<string, unknown>) => Error): Fault {
  const attempts: Record<string, unknown>[] = []
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (String(context.commandName ?? "").replace(/Command$/, "") !== command) return next(args)
      const input = args.input as Record<string, unknown>
      attempts.push(input)
      if (attempts.length > failures) return next(args)
      throw errorFor(input)
    },
    { step: "deserialize", name: `retry-test/fail-${command}-${Math.random()}`, override: true },
  )
  return { attempts }
}

/** An error shaped as the SDK deserializes DynamoDB's 400 answers. */
function serviceError(name: string, message: string, fields: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { name, $fault: "client", $metadata: { httpStatusCode: 400, attempts: 1, totalRetryDelay: 0 }, ...fields })
}

/** What DynamoDB answers a PutItem/UpdateItem/DeleteItem on an item a running transaction holds. */
const transactionConflict = () => serviceError("TransactionConflictException", "Transaction is ongoing for the item")

/** A TransactionCanceledException with these reasons, one per action. */
function cancelled(codes: string[]): Error {
  return serviceError("TransactionCanceledException", `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(", ")}]`, {
    CancellationReasons: codes.map((Code) => ({ Code })),
  })
}

/** Cancelled with `code` on the last action and `None` on the others, whatever the size of the transaction. */
const cancelledOnLast = (code: string) => (input: Record<string, unknown>) => {
  const actions = (input.TransactItems as unknown[]).length
  return cancelled([...Array.from({ length: actions - 1 }, () => "None"), code])
}

const item = async (pk: string) => (await table.scanAll()).find((i) => i.pk === pk)
const mentioning = async (text: string) => (await table.scanAll()).filter((i) => JSON.stringify(i).includes(text))

const pair = (id: string): WriteAction[] => [
  { kind: "put", item: { pk: `A#${id}`, sk: `A#${id}`, n: 1 }, condition: { expression: "attribute_not_exists(#pk)", names: { "#pk": "pk" } }, label: `put A#${id}` },
  { kind: "update", key: { pk: `B#${id}`, sk: `B#${id}` }, update: { expression: "ADD #n :one", names: { "#n": "n" }, values: { ":one": 1 } }, label: `count B#${id}` },
]

async function failure(promise: Promise<unknown>): Promise<DynamoAuthAdapterError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error, "the call should have failed").toBeDefined()
  // Nothing escapes untyped.
  expect(isDynamoAuthAdapterError(error), `untyped: ${String((error as { name?: unknown })?.name)}: ${String(error)}`).toBe(true)
  return error as DynamoAuthAdapterError
}

describe("a single write that meets a transaction in flight (TransactionConflictException)", () => {
  it("UpdateItem: retried by the library (the SDK does not retry it), then applied exactly once", async () => {
    const client = freshClient()
    await tableClient(client).write({ kind: "put", item: { pk: "U#1", sk: "U#1", n: 0 }, label: "seed" }, "seed")
    const fault = failFirst(client, "UpdateItem", 2, transactionConflict)
    const written = await tableClient(client).write(
      { kind: "update", key: { pk: "U#1", sk: "U#1" }, update: { expression: "ADD #n :one", names: { "#n": "n" }, values: { ":one": 1 } }, label: "count" },
      "count",
    )
    expect(fault.attempts).toHaveLength(3)
    expect(written).toEqual({ pk: "U#1", sk: "U#1", n: 1 })
    expect(await item("U#1")).toEqual({ pk: "U#1", sk: "U#1", n: 1 })
  })

  it("PutItem: retried, the item written once", async () => {
    const client = freshClient()
    const fault = failFirst(client, "PutItem", 1, transactionConflict)
    await tableClient(client).write(
      { kind: "put", item: { pk: "P#1", sk: "P#1", v: "x" }, condition: { expression: "attribute_not_exists(#pk)", names: { "#pk": "pk" } }, label: "put" },
      "put",
    )
    expect(fault.attempts).toHaveLength(2)
    expect(await item("P#1")).toEqual({ pk: "P#1", sk: "P#1", v: "x" })
  })

  it("DeleteItem: retried, the old item returned and the item gone", async () => {
    const client = freshClient()
    await tableClient(client).write({ kind: "put", item: { pk: "D#1", sk: "D#1", v: "old" }, label: "seed" }, "seed")
    const fault = failFirst(client, "DeleteItem", 1, transactionConflict)
    const old = await tableClient(client).write({ kind: "delete", key: { pk: "D#1", sk: "D#1" }, label: "delete" }, "delete")
    expect(fault.attempts).toHaveLength(2)
    expect(old).toEqual({ pk: "D#1", sk: "D#1", v: "old" })
    expect(await item("D#1")).toBeUndefined()
  })

  it(`on every attempt: ${ATTEMPTS} attempts, then a typed TRANSACTION_CONFLICT saying what to do; nothing written`, async () => {
    const client = freshClient()
    await tableClient(client).write({ kind: "put", item: { pk: "U#2", sk: "U#2", n: 0 }, label: "seed" }, "seed")
    const fault = failFirst(client, "UpdateItem", Number.POSITIVE_INFINITY, transactionConflict)
    const error = await failure(
      tableClient(client, { baseDelayMs: 1 }).write(
        { kind: "update", key: { pk: "U#2", sk: "U#2" }, update: { expression: "ADD #n :one", names: { "#n": "n" }, values: { ":one": 1 } }, label: "count" },
        "count",
      ),
    )
    expect(error.code).toBe("TRANSACTION_CONFLICT")
    expect(error.message).toContain("count")
    expect(error.message).toContain(`${ATTEMPTS} attempts`)
    expect(error.message).toMatch(/retry/i)
    expect((error.cause as { name?: string }).name).toBe("TransactionConflictException")
    expect(fault.attempts).toHaveLength(ATTEMPTS)
    expect(await item("U#2")).toEqual({ pk: "U#2", sk: "U#2", n: 0 })
  })
})

describe("a transaction cancelled only for throttling or conflicts", () => {
  it("[None, ThrottlingError] twice: retried with a fresh ClientRequestToken each time, applied once", async () => {
    const client = freshClient()
    const fault = failFirst(client, "TransactWriteItems", 2, () => cancelled(["None", "ThrottlingError"]))
    await tableClient(client).transactWrite(pair("t1"), "pair", "token-of-the-caller")
    expect(fault.attempts).toHaveLength(3)
    const tokens = fault.attempts.map((input) => input.ClientRequestToken)
    expect(tokens[0]).toBe("token-of-the-caller")
    expect(new Set(tokens).size).toBe(3)
    expect(await item("A#t1")).toMatchObject({ n: 1 })
    expect(await item("B#t1")).toMatchObject({ n: 1 })
  })

  it(`[None, ThrottlingError] on every attempt: ${ATTEMPTS} attempts, then THROTTLED with the reasons; nothing written`, async () => {
    const client = freshClient()
    const fault = failFirst(client, "TransactWriteItems", Number.POSITIVE_INFINITY, () => cancelled(["None", "ThrottlingError"]))
    const error = await failure(tableClient(client, { baseDelayMs: 1 }).transactWrite(pair("t2"), "pair"))
    expect(error.code).toBe("THROTTLED")
    expect(error.reasons?.map((r) => r.code)).toEqual(["None", "ThrottlingError"])
    expect(error.message).toContain(`${ATTEMPTS} attempts`)
    expect(error.message).toMatch(/capacity/)
    expect(fault.attempts).toHaveLength(ATTEMPTS)
    expect(await mentioning("t2")).toEqual([])
  })

  it("[TransactionConflict, ThrottlingError] on every attempt: THROTTLED (throttling decides)", async () => {
    const client = freshClient()
    const fault = failFirst(client, "TransactWriteItems", Number.POSITIVE_INFINITY, () => cancelled(["TransactionConflict", "ThrottlingError"]))
    const error = await failure(tableClient(client, { attempts: 3, baseDelayMs: 1 }).transactWrite(pair("t3"), "pair"))
    expect(error.code).toBe("THROTTLED")
    expect(fault.attempts).toHaveLength(3)
  })

  it("[None, TransactionConflict] twice: retried, applied once", async () => {
    const client = freshClient()
    const fault = failFirst(client, "TransactWriteItems", 2, () => cancelled(["None", "TransactionConflict"]))
    await tableClient(client).transactWrite(pair("c1"), "pair")
    expect(fault.attempts).toHaveLength(3)
    expect(await item("A#c1")).toMatchObject({ n: 1 })
    expect(await item("B#c1")).toMatchObject({ n: 1 })
  })

  it(`[None, TransactionConflict] on every attempt: ${ATTEMPTS} attempts, then TRANSACTION_FAILED saying it was retried; nothing written`, async () => {
    const client = freshClient()
    const fault = failFirst(client, "TransactWriteItems", Number.POSITIVE_INFINITY, () => cancelled(["None", "TransactionConflict"]))
    const error = await failure(tableClient(client, { baseDelayMs: 1 }).transactWrite(pair("c2"), "pair"))
    expect(error.code).toBe("TRANSACTION_FAILED")
    expect(error.reasons?.map((r) => [r.action, r.code])).toEqual([
      ["put A#c2", "None"],
      ["count B#c2", "TransactionConflict"],
    ])
    expect(error.message).toContain(`${ATTEMPTS} attempts`)
    expect(error.message).toContain("count B#c2: TransactionConflict")
    expect(fault.attempts).toHaveLength(ATTEMPTS)
    expect(await mentioning("c2")).toEqual([])
  })

  it.each([
    ["ConditionalCheckFailed", "TransactionConflict"],
    ["ConditionalCheckFailed", "ThrottlingError"],
    ["ValidationError", "None"],
  ])("[%s, %s]: not retried (one attempt), TRANSACTION_FAILED with the reasons", async (first, second) => {
    const client = freshClient()
    const fault = failFirst(client, "TransactWriteItems", Number.POSITIVE_INFINITY, () => cancelled([first, second]))
    const error = await failure(tableClient(client, { baseDelayMs: 1 }).transactWrite(pair(`n-${first}-${second}`), "pair"))
    expect(error.code).toBe("TRANSACTION_FAILED")
    expect(error.reasons?.map((r) => r.code)).toEqual([first, second])
    expect(fault.attempts).toHaveLength(1)
  })

  it("a ThrottlingException the SDK already retried is not retried again: the client's maxAttempts requests, then THROTTLED", async () => {
    const client = freshClient(2)
    const fault = failFirst(client, "TransactWriteItems", Number.POSITIVE_INFINITY, () => serviceError("ThrottlingException", "Rate of requests exceeds the allowed throughput."))
    const error = await failure(tableClient(client, { baseDelayMs: 1 }).transactWrite(pair("sdk"), "pair"))
    expect(error.code).toBe("THROTTLED")
    expect(fault.attempts).toHaveLength(2)
  })
})

describe("end to end", () => {
  it("Auth.js updateUser (one UpdateItem on a table the official adapter wrote, where no copy exists) meets one TransactionConflictException and succeeds", async () => {
    const legacy = await createTestTable({ legacy: true })
    onTestFinished(() => legacy.drop())
    const client = freshClient()
    const adapter = DynamoDBAdapter(client, { tableName: legacy.tableName })
    await adapter.createUser({ id: "e2e-update", email: "e2e-update@example.com", emailVerified: null, name: "Before" })
    const fault = failFirst(client, "UpdateItem", 1, transactionConflict)
    const updated = await adapter.updateUser({ id: "e2e-update", name: "After" })
    expect(updated).toMatchObject({ id: "e2e-update", name: "After" })
    expect(fault.attempts).toHaveLength(2)
    expect(await adapter.getUser("e2e-update")).toMatchObject({ name: "After" })
  })

  it("Auth.js createSession meets one ThrottlingError cancellation and succeeds: the session written once", async () => {
    const client = freshClient()
    const adapter = DynamoDBAdapter(client, { tableName: table.tableName })
    await adapter.createUser({ id: "e2e-session", email: "e2e-session@example.com", emailVerified: null })
    const fault = failFirst(client, "TransactWriteItems", 1, cancelledOnLast("ThrottlingError"))
    const expires = new Date(Date.now() + 3_600_000)
    await adapter.createSession({ sessionToken: "e2e-token", userId: "e2e-session", expires })
    expect(fault.attempts).toHaveLength(2)
    expect(await adapter.getSessionAndUser("e2e-token")).toMatchObject({ session: { sessionToken: "e2e-token", userId: "e2e-session" }, user: { id: "e2e-session" } })
    expect((await mentioning("e2e-token")).map((i) => i.type).sort()).toEqual(["SESSION", "SESSION_TOKEN"].sort())
  })

  it("Better Auth sign-up (a buffered transaction) meets one ThrottlingError cancellation and succeeds", async () => {
    const client = freshClient()
    const auth = makeBetterAuth(client, table.tableName)
    const fault = failFirst(client, "TransactWriteItems", 1, cancelledOnLast("ThrottlingError"))
    const { user } = await auth.api.signUpEmail({ body: { email: "e2e-ba@example.com", password: "password-123", name: "BA" } })
    expect(user).toMatchObject({ email: "e2e-ba@example.com" })
    expect(fault.attempts.length).toBeGreaterThanOrEqual(2)
    expect((await mentioning("e2e-ba@example.com")).length).toBeGreaterThan(0)
  })
})
