/**
 * The faults the explorer injects at one request of one operation, and the
 * AWS SDK errors that stand for them (shaped as the SDK throws them, so the
 * library's error translation sees what it would see on AWS).
 */

/**
 * - `network-before`: the request never reached DynamoDB (a timeout before the send).
 * - `network-after`: DynamoDB applied the request, the answer was lost.
 * - `conflict`: DynamoDB refused it for a transaction in flight on the same item
 *   (`TransactionConflictException`; a transaction: `TransactionCanceledException`, one `TransactionConflict`).
 * - `throttle`: DynamoDB throttled it (`ThrottlingException`; a transaction: one `ThrottlingError` reason).
 * - `killed-before` / `killed-after`: the process died just before the request / just after it was applied:
 *   this request and every later one of the operation fail (a Lambda killed midway).
 */
export type FaultKind = "network-before" | "network-after" | "conflict" | "throttle" | "killed-before" | "killed-after"

/** A fault at the `request`-th request (1-based) of operation `operation`. */
export interface FaultPlan {
  operation: string
  request: number
  kind: FaultKind
}

/** Faults that a typed UNAVAILABLE (or the kill itself) is the right answer to. */
export function isNetworkLike(kind: FaultKind): boolean {
  return kind === "network-before" || kind === "network-after" || kind === "killed-before" || kind === "killed-after"
}

export function isKill(kind: FaultKind): boolean {
  return kind === "killed-before" || kind === "killed-after"
}

/** Whether DynamoDB sees (and applies) the request before the fault strikes. */
export function appliesRequest(kind: FaultKind): boolean {
  return kind === "network-after" || kind === "killed-after"
}

/** `"D#3:killed-after"`, the form replay lists carry. */
export function faultLabel(plan: FaultPlan): string {
  return `${plan.operation}#${plan.request}:${plan.kind}`
}

const FAULT_KINDS: readonly FaultKind[] = ["network-before", "network-after", "conflict", "throttle", "killed-before", "killed-after"]

/** The plan of a `faultLabel`, or undefined when `label` is not one. */
export function parseFaultLabel(label: string): FaultPlan | undefined {
  const match = /^(.+)#(\d+):(.+)$/.exec(label)
  if (!match || !(FAULT_KINDS as readonly string[]).includes(match[3]!)) return undefined
  return { operation: match[1]!, request: Number(match[2]), kind: match[3] as FaultKind }
}

/** A timeout the SDK reports for a request that got no answer (`$metadata` without a status): the library's UNAVAILABLE. */
export function networkError(detail: string): Error {
  return Object.assign(new Error(`Injected network failure: ${detail}`), { name: "TimeoutError", code: "ETIMEDOUT", $metadata: {} })
}

function serviceError(name: string, message: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { name, $fault: "client", $metadata: { httpStatusCode: 400, attempts: 1, totalRetryDelay: 0 }, ...extra })
}

function cancelled(actionCount: number, code: "TransactionConflict" | "ThrottlingError"): Error {
  const reasons = Array.from({ length: Math.max(1, actionCount) }, (_, index) => (index === 0 ? { Code: code, Message: `Injected ${code}` } : { Code: "None" }))
  return serviceError("TransactionCanceledException", `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(", ")}]`, {
    CancellationReasons: reasons,
  })
}

/** The error DynamoDB answers a conflicting request with: a transaction is cancelled, a single write refused. */
export function conflictError(command: string, actionCount: number): Error {
  return command === "TransactWriteItems"
    ? cancelled(actionCount, "TransactionConflict")
    : serviceError("TransactionConflictException", "Injected: Transaction is ongoing for the item")
}

/** The error DynamoDB answers a throttled request with. */
export function throttlingError(command: string, actionCount: number): Error {
  return command === "TransactWriteItems"
    ? cancelled(actionCount, "ThrottlingError")
    : serviceError("ThrottlingException", "Injected: Rate of requests exceeds the allowed throughput.")
}
