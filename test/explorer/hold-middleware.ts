/**
 * A DynamoDB client middleware that puts every request of an explored
 * operation under the explorer's control.
 *
 * Invariants (what the scheduler relies on):
 * - A request belongs to the operation whose `operationContext.run(id, …)`
 *   it was sent from (AsyncLocalStorage follows awaits, timers and
 *   Promise.all). Requests outside any operation (set-up, invariant checks)
 *   and requests while no gate is installed pass straight through.
 * - With `holdStart`, an operation is also held before it begins (request 0).
 * - Each request of an operation gets the next sequence number (1-based, in
 *   the order they reach the middleware) and is HELD twice: before it is
 *   sent (`before-send`) and after DynamoDB answered, before the caller sees
 *   the answer (`after-answer`). A held request waits until the scheduler
 *   releases it; an operation's holds are released oldest first.
 * - Between a `before-send` release and the `after-answer` hold the request
 *   is IN FLIGHT (`inFlight` counts them). The after-answer hold is
 *   registered before the in-flight count drops, so "nothing in flight" and
 *   "every answered request is held" are never both false at once.
 * - The gate's one fault strikes at its request, as `faults.ts` describes
 *   (a conflict only when that request is a write: reads never conflict).
 *   After a kill, every later request of that operation fails at once
 *   without being held or sent.
 * - The middleware sits in the `initialize` step, outside the SDK's retry
 *   middleware: an injected error reaches the library exactly as if the
 *   SDK had given up on it, and every hold is one request on the wire.
 */
import { AsyncLocalStorage } from "node:async_hooks"
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb"
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb"
import { appliesRequest, conflictError, faultLabel, isKill, networkError, throttlingError, type FaultPlan } from "./faults.js"

/** The id of the explored operation the current code runs for. */
export const operationContext = new AsyncLocalStorage<string>()

/** `start`: the operation has not begun (only with `holdStart`); request 0. */
export type HoldPhase = "start" | "before-send" | "after-answer"

/** A request waiting for the scheduler. */
export interface Hold {
  readonly operation: string
  /** 1-based sequence number of the request within its operation. */
  readonly request: number
  readonly phase: HoldPhase
  /** `GetItem USER#u1`, `TransactWriteItems [Update USER#u1, Put EMAIL#a]`, … */
  readonly summary: string
}

interface PendingHold extends Hold {
  resume(): void
}

export interface GateOptions {
  fault?: FaultPlan | undefined
  /** Hold requests after their answer too (default true). */
  holdAfterAnswer?: boolean
  /** Hold each operation before it begins (default false): for operations that read in-process state before their first request. */
  holdStart?: boolean
}

/** One schedule's control over the requests of its operations. */
export class RequestGate {
  private readonly pending = new Map<string, PendingHold[]>()
  private readonly sent = new Map<string, number>()
  private readonly killed = new Set<string>()
  private inFlightCount = 0
  private holding = true
  private readonly holdAfterAnswer: boolean
  private readonly holdStart: boolean
  readonly fault: FaultPlan | undefined
  /** Whether the fault struck (its request was reached). */
  faultStruck = false
  /** Every request released, in order: `D#2 after-answer Query USER#u1`. */
  readonly trace: string[] = []
  private listeners: Array<() => void> = []

  constructor(options: GateOptions = {}) {
    this.fault = options.fault
    this.holdAfterAnswer = options.holdAfterAnswer ?? true
    this.holdStart = options.holdStart ?? false
  }

  /** Resolves when `operation` may begin: at once, or when the scheduler releases its start hold. */
  started(operation: string): Promise<void> {
    return this.holdStart ? this.hold(operation, 0, "start", "start") : Promise.resolve()
  }

  get inFlight(): number {
    return this.inFlightCount
  }

  /** Requests the operation has sent (or tried to). */
  requestsOf(operation: string): number {
    return this.sent.get(operation) ?? 0
  }

  isKilled(operation: string): boolean {
    return this.killed.has(operation)
  }

  /** The oldest hold of each operation that has one, in the order given by `order`. */
  holds(order: readonly string[]): Hold[] {
    return order.flatMap((operation) => {
      const first = this.pending.get(operation)?.[0]
      return first ? [first] : []
    })
  }

  /** Lets the oldest held request of `operation` proceed. */
  release(operation: string): Hold {
    const queue = this.pending.get(operation)
    const hold = queue?.shift()
    if (!hold) throw new Error(`explorer: operation ${operation} holds no request`)
    this.trace.push(`${operation}#${hold.request} ${hold.phase} ${hold.summary}`)
    hold.resume()
    return hold
  }

  /** Stops holding: every held request proceeds now and later ones pass through (a schedule being abandoned). */
  releaseEverything(): void {
    this.holding = false
    for (const queue of this.pending.values()) for (const hold of queue.splice(0)) hold.resume()
  }

  /** Resolves at the next change (a hold added, a request answered); for the scheduler's waits. */
  nextChange(): Promise<void> {
    return new Promise((resolve) => this.listeners.push(resolve))
  }

  private changed(): void {
    const listeners = this.listeners
    this.listeners = []
    for (const listener of listeners) listener()
  }

  private hold(operation: string, request: number, phase: HoldPhase, summary: string): Promise<void> {
    if (!this.holding || (phase === "after-answer" && !this.holdAfterAnswer)) return Promise.resolve()
    return new Promise((resume) => {
      const queue = this.pending.get(operation) ?? []
      queue.push({ operation, request, phase, summary, resume })
      this.pending.set(operation, queue)
      this.changed()
    })
  }

  /** Runs one request of `operation` through the holds and the fault. */
  async intercept<T>(operation: string, command: string, input: Record<string, unknown>, send: () => Promise<T>): Promise<T> {
    const summary = summarize(command, input)
    if (this.killed.has(operation)) throw networkError(`operation ${operation} was killed; ${summary} not sent`)
    const request = (this.sent.get(operation) ?? 0) + 1
    this.sent.set(operation, request)
    await this.hold(operation, request, "before-send", summary)
    const fault = this.fault && this.fault.operation === operation && this.fault.request === request && strikes(this.fault, command) ? this.fault : undefined
    if (fault) this.faultStruck = true
    if (fault && !appliesRequest(fault.kind)) {
      if (isKill(fault.kind)) this.killed.add(operation)
      this.changed()
      throw this.errorFor(fault, command, input, summary)
    }
    this.inFlightCount++
    let outcome: { value: T } | { error: unknown }
    try {
      outcome = { value: await send() }
    } catch (error) {
      outcome = { error }
    }
    const answered = this.hold(operation, request, "after-answer", summary)
    this.inFlightCount--
    this.changed()
    await answered
    if (fault) {
      if (isKill(fault.kind)) this.killed.add(operation)
      throw this.errorFor(fault, command, input, summary)
    }
    if (this.killed.has(operation)) throw networkError(`operation ${operation} was killed while ${summary} was in flight`)
    if ("error" in outcome) throw outcome.error
    return outcome.value
  }

  private errorFor(fault: FaultPlan, command: string, input: Record<string, unknown>, summary: string): Error {
    const actions = Array.isArray(input.TransactItems) ? input.TransactItems.length : 1
    switch (fault.kind) {
      case "conflict":
        return conflictError(command, actions)
      case "throttle":
        return throttlingError(command, actions)
      default:
        return networkError(`${faultLabel(fault)} at ${summary}`)
    }
  }
}

/** Commands DynamoDB can refuse with a TransactionConflict (reads and batches never are). */
const CONFLICTING_COMMANDS = new Set(["PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems"])

/** Whether the fault can happen to this command at all: a conflict only to a write; anything else to any request. */
function strikes(fault: FaultPlan, command: string): boolean {
  return fault.kind !== "conflict" || CONFLICTING_COMMANDS.has(command)
}

/** Where a client's middleware finds the gate of the schedule being run (none: pass through). */
export class GateSlot {
  current: RequestGate | undefined
}

type AnyClient = DynamoDBClient | DynamoDBDocumentClient

let middlewareCount = 0

/** Puts `client`'s requests under the control of whatever gate `slot` holds. Returns a function that removes the middleware. */
export function attachHoldMiddleware(client: AnyClient, slot: GateSlot): () => void {
  const name = `explorer/hold/${++middlewareCount}`
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = operationContext.getStore()
      const gate = slot.current
      if (operation === undefined || gate === undefined) return next(args)
      const command = String(context.commandName ?? "Unknown").replace(/Command$/, "")
      return gate.intercept(operation, command, (args.input ?? {}) as Record<string, unknown>, () => next(args))
    },
    { step: "initialize", priority: "high", name, override: true },
  )
  return () => {
    client.middlewareStack.remove(name)
  }
}

function keyText(key: unknown): string {
  if (!key || typeof key !== "object") return "?"
  const values = Object.values(key as Record<string, unknown>).map((value) =>
    typeof value === "object" && value !== null && "S" in value ? String((value as { S: unknown }).S) : String(value),
  )
  return values[0] === values[1] ? String(values[0]) : values.join(" ")
}

/** A short description of a request for traces: the command and the keys it touches. */
function summarize(command: string, input: Record<string, unknown>): string {
  if (Array.isArray(input.TransactItems)) {
    const actions = input.TransactItems.map((entry) => {
      const [kind, body] = Object.entries(entry as Record<string, { Key?: unknown; Item?: Record<string, unknown> }>)[0] ?? ["?", {}]
      const key = body.Key ?? (body.Item ? { pk: body.Item.pk, sk: body.Item.sk } : undefined)
      return `${kind} ${keyText(key)}`
    })
    return `${command} [${actions.join(", ")}]`
  }
  if (input.Key) return `${command} ${keyText(input.Key)}`
  if (input.Item && typeof input.Item === "object") {
    const item = input.Item as Record<string, unknown>
    return `${command} ${keyText({ pk: item.pk, sk: item.sk })}`
  }
  const values = input.ExpressionAttributeValues as Record<string, unknown> | undefined
  if (command === "Query" && values) return `Query ${String(Object.values(values)[0])}${input.IndexName ? ` (${String(input.IndexName)})` : ""}`
  if (input.RequestItems && typeof input.RequestItems === "object") {
    const requests = Object.values(input.RequestItems as Record<string, unknown>)[0]
    const count = Array.isArray(requests) ? requests.length : Array.isArray((requests as { Keys?: unknown[] })?.Keys) ? (requests as { Keys: unknown[] }).Keys.length : 0
    return `${command} (${count} items)`
  }
  return command
}
