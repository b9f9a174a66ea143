/**
 * The one retry policy of the library: what the TableClient retries on top
 * of the AWS SDK's own retries, how long it waits, and when it gives up.
 *
 * Invariants:
 * - Only what DynamoDB refused without applying anything is retried, and only
 *   what the SDK's standard retry strategy does not retry already (it retries
 *   ThrottlingException, ProvisionedThroughputExceededException,
 *   RequestLimitExceeded, 5xx answers and network errors: see
 *   `@smithy/core` service-error-classification; TransactionConflictException
 *   and TransactionCanceledException are 400s without a retryable trait), so
 *   nothing is retried twice:
 *   - `conflict`: a single write's `TransactionConflictException` (a
 *     transaction in flight holds the item), or a transaction cancelled with
 *     `TransactionConflict` as its only reason besides `None`;
 *   - `throttling`: a transaction cancelled with `ThrottlingError` or
 *     `ProvisionedThroughputExceeded` among reasons that are otherwise only
 *     `TransactionConflict` or `None`.
 * - A cancellation with any other reason is never retried: a
 *   `ConditionalCheckFailed` is the caller's to decide on, a validation error
 *   would fail again.
 * - Bounded: at most `attempts` attempts per call (8 by default, the first
 *   included), each retry after a full-jitter wait drawn from
 *   [0, min(cap, base × 2^retry)) ms (AWS's recommended backoff): with the
 *   defaults the ceilings are 50, 100, 200, 400, 800, 1600, 2000 ms, at most
 *   5.15 s of waiting per call. Each attempt is one SDK `send`, which makes up
 *   to the client's `maxAttempts` requests for what the SDK retries, so a call
 *   sends at most `attempts × maxAttempts` requests.
 * - When the attempts run out the error is typed and says so: throttling is
 *   `THROTTLED`, a transaction's conflicts `TRANSACTION_FAILED` (with its
 *   reasons), a single write's conflict `TRANSACTION_CONFLICT`.
 * - No state: a policy is a value its user is given (tests pass a shorter one).
 */
import { DynamoAuthAdapterError, type TransactionCancellationReason } from "../errors.js"

export interface RetryPolicy {
  /** Attempts per call, the first included (1 turns retries off). */
  attempts: number
  /** The first retry waits up to 2 × this, each next one twice as long, up to `capDelayMs`. */
  baseDelayMs: number
  /** The longest wait before one retry. */
  capDelayMs: number
}

/** 25 ms base and 2 s cap: a conflict clears once the transaction holding the item commits (tens of ms); throttling needs longer. */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({ attempts: 8, baseDelayMs: 25, capDelayMs: 2_000 })

/** The default policy with `overrides`, checked: a bad value would retry forever or never wait. */
export function retryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy = { ...DEFAULT_RETRY_POLICY, ...overrides }
  const valid =
    Number.isInteger(policy.attempts) && policy.attempts >= 1 && policy.baseDelayMs >= 0 && policy.capDelayMs >= policy.baseDelayMs && Number.isFinite(policy.capDelayMs)
  if (!valid) {
    throw new DynamoAuthAdapterError(
      "INVALID_INPUT",
      `Invalid retry policy ${JSON.stringify(policy)}: attempts must be a whole number ≥ 1, and 0 ≤ baseDelayMs ≤ capDelayMs (finite). Leave it out for the defaults.`,
    )
  }
  return policy
}

/** Full-jitter exponential backoff: the wait before retry number `retry` (1 for the first). */
export function backoffDelay(retry: number, policy: Pick<RetryPolicy, "baseDelayMs" | "capDelayMs"> = DEFAULT_RETRY_POLICY): number {
  return Math.random() * Math.min(policy.capDelayMs, policy.baseDelayMs * 2 ** retry)
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

export type RetryKind = "conflict" | "throttling"

const THROTTLING_REASONS = new Set(["ThrottlingError", "ProvisionedThroughputExceeded"])
const CONFLICT_REASON = "TransactionConflict"

function kindOfReasons(codes: string[]): RetryKind | undefined {
  const failed = codes.filter((code) => code !== "None")
  // No reason given: nothing says the cancellation was transient.
  if (failed.length === 0) return undefined
  if (!failed.every((code) => code === CONFLICT_REASON || THROTTLING_REASONS.has(code))) return undefined
  return failed.some((code) => THROTTLING_REASONS.has(code)) ? "throttling" : "conflict"
}

/**
 * Whether the library retries `error`, and as what: a raw SDK error (a single
 * write's TransactionConflictException, a TransactionCanceledException) or
 * the TableClient's typed `TRANSACTION_FAILED` with its reasons.
 */
export function retryKindOf(error: unknown): RetryKind | undefined {
  if (typeof error !== "object" || error === null) return undefined
  if (error instanceof DynamoAuthAdapterError) {
    return error.code === "TRANSACTION_FAILED" ? kindOfReasons((error.reasons ?? []).map((reason) => reason.code)) : undefined
  }
  const { name, CancellationReasons } = error as { name?: unknown; CancellationReasons?: { Code?: string }[] }
  if (name === "TransactionConflictException") return "conflict"
  if (name === "TransactionCanceledException") return kindOfReasons((CancellationReasons ?? []).map((reason) => reason.Code ?? "Unknown"))
  return undefined
}

export interface RetryOptions {
  /** The operation, for the error when attempts run out (`update user`). */
  what: string
  /** Default `DEFAULT_RETRY_POLICY`. */
  policy?: RetryPolicy
  /** Told before each wait, e.g. to log it. */
  onRetry?: (retry: { attempt: number; kind: RetryKind; delayMs: number; error: unknown }) => void
}

/**
 * Runs `run(attempt)` (attempt 1, 2, …) until it succeeds, throws what the
 * policy does not retry (rethrown as it is), or the attempts run out (a typed
 * error, see `exhaustedError`).
 */
export async function withRetry<T>(run: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const policy = options.policy ?? DEFAULT_RETRY_POLICY
  for (let attempt = 1; ; attempt++) {
    try {
      return await run(attempt)
    } catch (error) {
      const kind = retryKindOf(error)
      if (kind === undefined) throw error
      if (attempt >= policy.attempts) throw exhaustedError(error, kind, attempt, options.what)
      const delayMs = backoffDelay(attempt, policy)
      options.onRetry?.({ attempt, kind, delayMs, error })
      await sleep(delayMs)
    }
  }
}

function reasonsOf(error: unknown): TransactionCancellationReason[] | undefined {
  if (error instanceof DynamoAuthAdapterError) return error.reasons
  const raw = (error as { CancellationReasons?: { Code?: string; Message?: string }[] }).CancellationReasons
  return raw?.map((reason, index) => ({ index, code: reason.Code ?? "Unknown", ...(reason.Message ? { message: reason.Message } : {}) }))
}

/** The typed error for `error` (of `kind`) once `attempts` attempts have failed; its cause is the SDK's last error. */
export function exhaustedError(error: unknown, kind: RetryKind, attempts: number, what: string): DynamoAuthAdapterError {
  const cause = error instanceof DynamoAuthAdapterError && error.cause !== undefined ? error.cause : error
  const reasons = reasonsOf(error)
  const failed = (reasons ?? []).filter((reason) => reason.code !== "None").map((reason) => `${reason.action ?? `action ${reason.index}`}: ${reason.code}`)
  const tries = `on all ${attempts} attempts (retried with backoff)`
  if (kind === "throttling") {
    return new DynamoAuthAdapterError(
      "THROTTLED",
      `${what}: DynamoDB cancelled the transaction for throttling ${tries}: ${failed.join("; ")}. Nothing was written. ` +
        "Raise the table's capacity (or use on-demand billing), or retry the call later.",
      { cause, ...(reasons ? { reasons } : {}) },
    )
  }
  if (reasons) {
    return new DynamoAuthAdapterError(
      "TRANSACTION_FAILED",
      `${what}: the transaction was cancelled by a conflict with other transactions in flight ${tries}: ${failed.join("; ")}. Nothing was written. ` +
        "Retry the call later; if it keeps happening, many requests are writing the same items at once.",
      { cause, reasons },
    )
  }
  return new DynamoAuthAdapterError(
    "TRANSACTION_CONFLICT",
    `${what}: the item is held by another transaction in flight (TransactionConflictException) ${tries}; nothing was written. ` +
      "Retry the call later; if it keeps happening, many requests are writing the same item at once.",
    { cause },
  )
}
