/**
 * The explorer itself: it enumerates every interleaving of two operations
 * (and no duplicates), bounds them by preemptions, replays a choice list to
 * the same trace, and its faults reach the library as the errors they stand for.
 */
import { GetItemCommand } from "@aws-sdk/client-dynamodb"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { DynamoDBAdapter } from "../../src/authjs/index.js"
import { isDynamoAuthAdapterError } from "../../src/core/errors.js"
import { createTestTable, localClient, type TestTable } from "../support/test-table.js"
import { attachHoldMiddleware, GateSlot, RequestGate } from "./hold-middleware.js"
import { boundsFor, enumerateSchedules, runSchedule, type Operation } from "./scheduler.js"

let table: TestTable
const slot = new GateSlot()
const client = localClient()
attachHoldMiddleware(client, slot)

beforeAll(async () => {
  table = await createTestTable()
})

afterAll(async () => {
  client.destroy()
  await table.drop()
})

/** An operation of `reads` sequential GetItems. */
function reader(id: string, reads: number): Operation {
  return {
    id,
    async run() {
      for (let n = 0; n < reads; n++) await client.send(new GetItemCommand({ TableName: table.tableName, Key: { pk: { S: `${id}${n}` }, sk: { S: `${id}${n}` } } }))
    },
  }
}

/** Every schedule of `operations` under `preemptions`, as their request traces. */
async function allTraces(make: () => Operation[], preemptions: number): Promise<string[]> {
  const bounds = { ...boundsFor(), preemptions, maxDecisions: 1_000 }
  const traces: string[] = []
  await enumerateSchedules(
    () => traces.length < 1_000,
    async (prefix) => {
      const gate = new RequestGate()
      slot.current = gate
      const { run, decisions } = await runSchedule(make(), gate, prefix, bounds)
      slot.current = undefined
      traces.push(gate.trace.map((step) => step.split(" ").slice(0, 2).join(" ")).join(" > "))
      return { choices: run.choices, decisions }
    },
  )
  return traces
}

describe("the scheduler", () => {
  it("enumerates each interleaving of two operations' holds exactly once (2 requests × 2 holds each: C(8,4) = 70)", async () => {
    const traces = await allTraces(() => [reader("A", 2), reader("B", 2)], 100)
    expect(traces).toHaveLength(70)
    expect(new Set(traces).size).toBe(70)
  })

  it("with no preemption allowed, runs each operation to its end in turn: A then B, B then A", async () => {
    const traces = await allTraces(() => [reader("A", 2), reader("B", 2)], 0)
    expect(traces).toEqual([
      "A#1 before-send > A#1 after-answer > A#2 before-send > A#2 after-answer > B#1 before-send > B#1 after-answer > B#2 before-send > B#2 after-answer",
      "B#1 before-send > B#1 after-answer > B#2 before-send > B#2 after-answer > A#1 before-send > A#1 after-answer > A#2 before-send > A#2 after-answer",
    ])
  })

  it("replays a choice list to the same trace", async () => {
    const choices = ["A", "B", "B", "A", "B"]
    const traceOf = async () => {
      const gate = new RequestGate()
      slot.current = gate
      const { run } = await runSchedule([reader("A", 2), reader("B", 2)], gate, choices, boundsFor({ preemptions: 100 }))
      slot.current = undefined
      expect(run.diverged).toBeUndefined()
      return gate.trace
    }
    const first = await traceOf()
    expect(first.slice(0, 2).map((step) => step.split(" ")[0])).toEqual(["A#1", "B#1"])
    expect(await traceOf()).toEqual(first)
  })

  it("waits for an operation that sleeps between requests (a backoff) instead of deciding without it", async () => {
    const sleeper: Operation = {
      id: "S",
      async run() {
        await reader("S", 1).run()
        await new Promise((resolve) => setTimeout(resolve, 30))
        await reader("T", 1).run()
      },
    }
    const gate = new RequestGate()
    slot.current = gate
    const { run, decisions } = await runSchedule([sleeper, reader("A", 1)], gate, [], boundsFor({ preemptions: 0 }))
    slot.current = undefined
    expect(run.notes).toEqual([])
    expect([...run.outcomes.values()].map((outcome) => outcome.status)).toEqual(["ok", "ok"])
    // S's second request, after its sleep, was held like its first: S ran to its end before A (no preemption).
    expect(gate.trace.map((step) => step.split(" ")[0])).toEqual(["S#1", "S#1", "S#2", "S#2", "A#1", "A#1"])
    expect(decisions.length).toBeGreaterThan(0)
  })
})

describe("the faults", () => {
  /** An Auth.js adapter that has read the table's metadata already: a createUser is then one TransactWriteItems. */
  const adapterOn = async () => {
    const adapter = DynamoDBAdapter(client, { tableName: table.tableName })
    await adapter.getUserByEmail("nobody@example.com")
    return adapter
  }

  it("a network failure before the send reaches the library as UNAVAILABLE, and the item is not written", async () => {
    const adapter = await adapterOn()
    const gate = new RequestGate({ fault: { operation: "C", request: 1, kind: "network-before" } })
    slot.current = gate
    const { run } = await runSchedule([{ id: "C", run: () => adapter.createUser({ id: "net-before", email: "net-before@example.com", emailVerified: null }) }], gate, [], boundsFor())
    slot.current = undefined
    const outcome = run.outcomes.get("C")
    expect(outcome?.status === "failed" && isDynamoAuthAdapterError(outcome.error, "UNAVAILABLE")).toBe(true)
    expect(await table.document.get({ TableName: table.tableName, Key: { pk: "USER#net-before", sk: "USER#net-before" } })).not.toHaveProperty("Item")
  })

  it("a network failure after the send: UNAVAILABLE, and the write was applied", async () => {
    const adapter = await adapterOn()
    const gate = new RequestGate({ fault: { operation: "C", request: 1, kind: "network-after" } })
    slot.current = gate
    const { run } = await runSchedule([{ id: "C", run: () => adapter.createUser({ id: "net-after", email: "net-after@example.com", emailVerified: null }) }], gate, [], boundsFor())
    slot.current = undefined
    const outcome = run.outcomes.get("C")
    expect(outcome?.status === "failed" && isDynamoAuthAdapterError(outcome.error, "UNAVAILABLE")).toBe(true)
    expect((await table.document.get({ TableName: table.tableName, Key: { pk: "USER#net-after", sk: "USER#net-after" } })).Item).toMatchObject({ id: "net-after" })
  })

  it("a kill fails the request and every later one of the operation, unsent and unheld", async () => {
    const gate = new RequestGate({ fault: { operation: "K", request: 1, kind: "killed-after" } })
    slot.current = gate
    const { run } = await runSchedule([{ id: "K", run: () => reader("K", 3).run().catch(() => reader("K", 1).run()) }], gate, [], boundsFor())
    slot.current = undefined
    expect(run.outcomes.get("K")?.status).toBe("killed")
    expect(gate.requestsOf("K")).toBe(1)
    expect(gate.trace).toEqual(["K#1 before-send GetItem K0", "K#1 after-answer GetItem K0"])
  })
})
